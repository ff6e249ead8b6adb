// System-architecture test machines on a RAM-only bus (tests/cpu/test_system*.cpp):
// LongMachine (long mode, 4-level paging, CPL 0) and ProtMachine (32-bit
// protected mode, paging off, CPL 0). Both have a GDT, a TSS and an IDT whose
// every vector's handler is a HLT, so run() stops right after a delivery and
// vector_taken() tells which vector it was.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "cpu/system.h"
#include "harness.h"

namespace bs::test {

using namespace bs::cpu;

// A long-mode machine at CPL 0 with 4-level paging identity-mapping the
// first 2 MiB with 4 KiB pages (user, writable), a GDT, a TSS and an IDT.
struct LongMachine {
    static constexpr uint64_t kPml4 = 0x10000, kPdpt = 0x11000, kPd = 0x12000, kPt = 0x13000;
    static constexpr uint64_t kGdt = 0x20000, kIdt = 0x21000, kTss = 0x22000;
    static constexpr uint64_t kCode = 0x1000, kHandler = 0x3000, kStack = 0x9000, kRsp0 = 0xa000,
                              kIst1 = 0xb000;
    // GDT: 08 kernel code64, 10 kernel data, 18 user data (SYSRET SS), 20 user code64, 28 TSS.
    static constexpr uint16_t kKCode = 0x08, kKData = 0x10, kUData = 0x1b, kUCode = 0x23, kTssSel = 0x28;

    FlatBus bus{8u << 20};
    Cpu cpu{bus};

    template <class T> void poke(uint64_t at, T v) { std::memcpy(bus.ram.data() + at, &v, sizeof v); }
    template <class T> T peek(uint64_t at) {
        T v;
        std::memcpy(&v, bus.ram.data() + at, sizeof v);
        return v;
    }
    uint64_t& pte(uint64_t lin) { return *reinterpret_cast<uint64_t*>(bus.ram.data() + kPt + (lin >> 12) * 8); }

    LongMachine() {
        poke<uint64_t>(kPml4, kPdpt | 7);
        poke<uint64_t>(kPdpt, kPd | 7);
        poke<uint64_t>(kPd, kPt | 7);
        for (uint64_t p = 0; p < 512; ++p) poke<uint64_t>(kPt + p * 8, (p << 12) | 7);
        pte(0) = 0;  // page 0 unmapped
        poke<uint64_t>(kGdt + 0x08, 0x00af9b000000ffffull);
        poke<uint64_t>(kGdt + 0x10, 0x00cf93000000ffffull);
        poke<uint64_t>(kGdt + 0x18, 0x00cff3000000ffffull);
        poke<uint64_t>(kGdt + 0x20, 0x00affb000000ffffull);
        // 64-bit TSS, limit 0x67, available.
        poke<uint64_t>(kGdt + 0x28, 0x0000890000000067ull | ((kTss & 0xffffff) << 16));
        poke<uint64_t>(kTss + 4, kRsp0);
        poke<uint64_t>(kTss + 0x24, kIst1);
        // Every vector's handler is a HLT, so run() stops right after delivery.
        for (unsigned v = 0; v < 256; ++v) {
            gate(v, kHandler + v * 16, 0, 0);
            bus.ram[kHandler + v * 16] = 0xf4;
        }

        cpu.exception_exit = false;
        CpuState& s = cpu.s;
        s.cr0 = cr0::PE | cr0::PG | cr0::WP | cr0::ET | cr0::NE;
        s.cr4 = cr4::PAE | cr4::OSFXSR;
        s.cr3 = kPml4;
        s.efer = efer::LME | efer::LMA | efer::NXE | efer::SCE;
        s.gdtr = {kGdt, 0x37};
        s.idtr = {kIdt, 0xfff};
        load(CS, kKCode);
        for (unsigned r : {DS, ES, SS, FS, GS}) load(r, kKData);
        s.tr = {kTssSel, 0x8b, 0x67, kTss};
        s.cpl = 0;
        s.rip = kCode;
        s.gpr[RSP] = kStack;
        cpu.mode_changed();
        cpu.flush_tlb();
    }
    void load(unsigned sr, uint16_t sel) {
        Descriptor d;
        d.raw = peek<uint64_t>(kGdt + (sel & ~7));
        load_descriptor(cpu.s.seg[sr], sel, d);
    }
    // A 64-bit interrupt gate (trap gate with `trap`).
    void gate(unsigned v, uint64_t target, unsigned dpl, unsigned ist, bool trap = false) {
        const uint64_t lo = (target & 0xffff) | (uint64_t(kKCode) << 16) | (uint64_t(ist) << 32) |
                            (uint64_t(trap ? 0xf : 0xe) << 40) | (uint64_t(dpl) << 45) | (1ull << 47) |
                            ((target >> 16 & 0xffff) << 48);
        poke<uint64_t>(kIdt + v * 16, lo);
        poke<uint64_t>(kIdt + v * 16 + 8, target >> 32);
    }
    void code(std::initializer_list<uint8_t> bytes, uint64_t at = kCode) {
        std::memcpy(bus.ram.data() + at, std::data(bytes), bytes.size());
        cpu.flush_code_cache();
    }
    void code(const std::vector<uint8_t>& bytes, uint64_t at = kCode) {
        std::memcpy(bus.ram.data() + at, bytes.data(), bytes.size());
        cpu.flush_code_cache();
    }
    void to_user(uint64_t rip, uint64_t rsp) {
        load(CS, kUCode);
        load(SS, kUData);
        cpu.set_cpl(3);
        cpu.s.rip = rip;
        cpu.s.gpr[RSP] = rsp;
        cpu.mode_changed();
    }
    uint64_t stack(unsigned slot) { return peek<uint64_t>(cpu.s.gpr[RSP] + 8 * slot); }
    // The vector whose handler (a HLT) the CPU stopped in, or -1.
    int vector_taken() const {
        const uint64_t at = cpu.s.rip - 1 - kHandler;
        if (cpu.s.rip <= kHandler || at % 16 || at / 16 > 255) return -1;
        return static_cast<int>(at / 16);
    }
};


// A 32-bit protected-mode machine at CPL 0, paging off, with a GDT (below),
// a 32-bit TSS (ESP0/SS0 = kRsp0/0x10, I/O map beyond its limit) and an IDT
// of 32-bit interrupt gates, DPL 0, to HLT handlers.
struct ProtMachine {
    static constexpr uint64_t kGdt = 0x20000, kIdt = 0x21000, kTss = 0x22000, kLdt = 0x23000;
    static constexpr uint64_t kCode = 0x1000, kHandler = 0x3000, kStack = 0x9000, kRsp0 = 0xa000;
    // GDT selectors.
    static constexpr uint16_t kKCode = 0x08, kKData = 0x10, kUCode = 0x1b, kUData = 0x23, kTssSel = 0x28,
                              kCode16 = 0x30, kConfCode = 0x38, kDataNP = 0x40, kExecOnly = 0x48, kLdtSel = 0x50,
                              kRoData = 0x58, kR1Code = 0x61, kR1Data = 0x69;
    static constexpr uint16_t kGdtLimit = 0x6f;

    FlatBus bus{4u << 20};
    cpu::Cpu cpu{bus};

    template <class T> void poke(uint64_t at, T v) { std::memcpy(bus.ram.data() + at, &v, sizeof v); }
    template <class T> T peek(uint64_t at) {
        T v;
        std::memcpy(&v, bus.ram.data() + at, sizeof v);
        return v;
    }
    void desc(uint16_t sel, uint64_t raw) { poke<uint64_t>(kGdt + (sel & ~7u), raw); }

    ProtMachine() {
        using namespace cpu;
        desc(kKCode, 0x00cf9b000000ffffull);
        desc(kKData, 0x00cf93000000ffffull);
        desc(kUCode, 0x00cffb000000ffffull);
        desc(kUData, 0x00cff3000000ffffull);
        desc(kTssSel, 0x0000890000000067ull | ((kTss & 0xffffff) << 16));
        desc(kCode16, 0x00009b000000ffffull);      // 16-bit code, base 0, limit FFFF
        desc(kConfCode, 0x00cf9f000000ffffull);    // conforming code, DPL 0
        desc(kDataNP, 0x00cf13000000ffffull);      // data, not present
        desc(kExecOnly, 0x00cf99000000ffffull);    // execute-only code
        desc(kLdtSel, 0x0000820000000fffull | ((kLdt & 0xffffff) << 16));
        desc(kRoData, 0x00cf91000000ffffull);      // read-only data
        desc(kR1Code, 0x00cfbb000000ffffull);      // code, DPL 1
        desc(kR1Data, 0x00cfb3000000ffffull);      // data, DPL 1
        poke<uint32_t>(kTss + 4, kRsp0);
        poke<uint32_t>(kTss + 8, kKData);
        poke<uint32_t>(kTss + 4 + 8, kRsp0 - 0x800);  // ESP1
        poke<uint32_t>(kTss + 8 + 8, kR1Data);        // SS1
        poke<uint16_t>(kTss + 0x66, 0xfff);           // I/O map beyond the limit
        for (unsigned v = 0; v < 256; ++v) {
            gate(v, kHandler + v * 16, 0);
            bus.ram[kHandler + v * 16] = 0xf4;
        }
        cpu.exception_exit = false;
        CpuState& s = cpu.s;
        s.cr0 = cr0::PE | cr0::ET | cr0::NE;
        s.efer = 0;
        s.gdtr = {kGdt, kGdtLimit};
        s.idtr = {kIdt, 0x7ff};
        load(CS, kKCode);
        for (unsigned r : {DS, ES, SS, FS, GS}) load(r, kKData);
        s.tr = {kTssSel, 0x8b, 0x67, kTss};
        s.ldtr = {0, 0, 0, 0};
        s.cpl = 0;
        s.rip = kCode;
        s.gpr[RSP] = kStack;
        cpu.mode_changed();
        cpu.flush_tlb();
    }
    void load(unsigned sr, uint16_t sel) {
        cpu::Descriptor d;
        d.raw = peek<uint64_t>(kGdt + (sel & ~7u));
        cpu::load_descriptor(cpu.s.seg[sr], sel, d);
    }
    // A 32-bit interrupt gate (trap gate with `trap`) to kKCode:target.
    void gate(unsigned v, uint32_t target, unsigned dpl, bool trap = false, uint16_t sel = kKCode) {
        const uint64_t lo = (target & 0xffff) | (uint64_t(sel) << 16) | (uint64_t(trap ? 0xf : 0xe) << 40) |
                            (uint64_t(dpl) << 45) | (1ull << 47) | (uint64_t(target >> 16) << 48);
        poke<uint64_t>(kIdt + v * 8, lo);
    }
    void code(std::initializer_list<uint8_t> bytes, uint64_t at = kCode) {
        std::memcpy(bus.ram.data() + at, std::data(bytes), bytes.size());
        cpu.flush_code_cache();
    }
    void code(const std::vector<uint8_t>& bytes, uint64_t at = kCode) {
        std::memcpy(bus.ram.data() + at, bytes.data(), bytes.size());
        cpu.flush_code_cache();
    }
    void to_user(uint32_t eip, uint32_t esp) {
        load(CS, kUCode);
        load(SS, kUData);
        cpu.set_cpl(3);
        cpu.s.rip = eip;
        cpu.s.gpr[cpu::RSP] = esp;
        cpu.mode_changed();
    }
    uint32_t stack(unsigned slot) { return peek<uint32_t>(static_cast<uint32_t>(cpu.s.gpr[cpu::RSP]) + 4 * slot); }
    int vector_taken() const {
        const uint64_t at = cpu.s.rip - 1 - kHandler;
        if (cpu.s.rip <= kHandler || at % 16 || at / 16 > 255) return -1;
        return static_cast<int>(at / 16);
    }
};

}  // namespace bs::test
