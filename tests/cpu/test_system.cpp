// CPU core II on a RAM-only bus: paging and #PF, IDT delivery, privilege
// changes, SYSCALL/SYSRET, IRETQ, real-mode IVT delivery, triple fault.
// (The bare-metal programs of tests/system check the same against KVM.)
#include <doctest/doctest.h>

#include "cpu/system.h"
#include "system_harness.h"

using namespace bs::cpu;
using bs::test::FlatBus;
using bs::test::LongMachine;

TEST_CASE("paging: #PF error codes and CR2, delivered through the IDT") {
    SUBCASE("write to a not-present page") {
        LongMachine m;
        m.code({0xc6, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0x2a});  // mov byte [0x10], 42
        m.cpu.run(1);
        CHECK(m.vector_taken() == 14);
        CHECK(m.cpu.s.cr2 == 0x10);
        CHECK(m.stack(0) == pferr::W);                 // error code
        CHECK(m.stack(1) == LongMachine::kCode);       // faulting RIP
        CHECK(m.stack(2) == LongMachine::kKCode);      // CS
        CHECK(m.stack(4) == LongMachine::kStack);      // old RSP
        CHECK(m.cpu.s.gpr[RSP] == LongMachine::kStack - 48);
    }
    SUBCASE("supervisor write to a read-only page with CR0.WP") {
        LongMachine m;
        m.pte(0x5000) &= ~2ull;
        m.code({0xc6, 0x04, 0x25, 0x08, 0x50, 0x00, 0x00, 0x01});  // mov byte [0x5008], 1
        m.cpu.run(1);
        CHECK(m.cpu.s.cr2 == 0x5008);
        CHECK(m.stack(0) == (pferr::P | pferr::W));
        SUBCASE("... which CR0.WP=0 allows") {
            LongMachine w;
            w.pte(0x5000) &= ~2ull;
            w.cpu.s.cr0 &= ~cr0::WP;
            w.code({0xc6, 0x04, 0x25, 0x08, 0x50, 0x00, 0x00, 0x01});
            w.cpu.run(1);
            CHECK(w.cpu.s.rip == LongMachine::kCode + 8);
            CHECK(w.peek<uint8_t>(0x5008) == 1);
        }
    }
    SUBCASE("user read of a supervisor page") {
        LongMachine m;
        m.pte(0x5000) &= ~4ull;
        m.code({0x8a, 0x04, 0x25, 0x00, 0x50, 0x00, 0x00}, 0x7000);  // mov al, [0x5000]
        m.to_user(0x7000, 0x8000);
        m.cpu.run(1);
        CHECK(m.cpu.s.cpl == 0);
        CHECK(m.cpu.s.gpr[RSP] == LongMachine::kRsp0 - 48);  // stack from TSS.RSP0
        CHECK(m.stack(0) == (pferr::P | pferr::U));
        CHECK(m.stack(1) == 0x7000);
        CHECK(m.stack(2) == LongMachine::kUCode);
        CHECK(m.stack(4) == 0x8000);
        CHECK(m.stack(5) == LongMachine::kUData);
        CHECK((m.cpu.s.seg[SS].selector & ~3) == 0);  // null SS, RPL 0
    }
    SUBCASE("fetch from an NX page") {
        LongMachine m;
        m.pte(0x6000) |= 1ull << 63;
        m.code({0xe9, 0xfb, 0x4f, 0x00, 0x00});  // jmp 0x6000
        m.cpu.run(2);
        CHECK(m.cpu.s.cr2 == 0x6000);
        CHECK(m.stack(0) == (pferr::P | pferr::I));
    }
    SUBCASE("reserved bit in a PTE") {
        LongMachine m;
        m.pte(0x5000) |= 1ull << 51;
        m.code({0x8a, 0x04, 0x25, 0x00, 0x50, 0x00, 0x00});
        m.cpu.run(1);
        CHECK(m.stack(0) == (pferr::P | pferr::RSVD));
    }
}

TEST_CASE("paging: accessed and dirty bits, INVLPG, CR3 reload") {
    LongMachine m;
    const uint64_t a = 0x00100000;  // not touched yet
    CHECK((m.pte(a) & 0x60) == 0);
    m.code({0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,         // mov al, [0x100000]
            0xc6, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00, 0x05});  // mov byte [0x100000], 5
    m.cpu.run(1);
    CHECK((m.pte(a) & 0x60) == 0x20);  // accessed, not dirty
    m.cpu.run(1);
    CHECK((m.pte(a) & 0x60) == 0x60);  // and dirty
    // Remap the page behind the TLB: the old translation stays until INVLPG.
    m.pte(a) = 0x00200000 | 7;
    m.code({0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,  // mov al, [0x100000]
            0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x10, 0x00,  // invlpg [0x100000]
            0x8a, 0x1c, 0x25, 0x00, 0x00, 0x10, 0x00});      // mov bl, [0x100000]
    m.poke<uint8_t>(0x200000, 9);
    m.cpu.s.rip = LongMachine::kCode;
    m.cpu.run(3);
    CHECK((m.cpu.s.gpr[RAX] & 0xff) == 5);
    CHECK((m.cpu.s.gpr[RBX] & 0xff) == 9);
}

TEST_CASE("paging: 2 MiB and 1 GiB pages, non-canonical #GP") {
    LongMachine m;
    m.poke<uint64_t>(LongMachine::kPd + 8, 0x00600000 | 0x87);  // 2M..4M -> 6M..8M
    m.poke<uint64_t>(LongMachine::kPdpt + 8, 0x00000000 | 0x87);  // 1G..2G -> 0..1G
    m.poke<uint8_t>(0x600123, 0x11);
    m.poke<uint8_t>(0x000456, 0x22);
    m.code({0x8a, 0x04, 0x25, 0x23, 0x01, 0x20, 0x00,   // mov al, [0x200123]
            0x8a, 0x1c, 0x25, 0x56, 0x04, 0x00, 0x40,   // mov bl, [0x40000456]
            0x48, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0x80,      // mov rcx, 0x8000000000000000
            0x8a, 0x11});                               // mov dl, [rcx]
    m.cpu.run(4);
    CHECK((m.cpu.s.gpr[RAX] & 0xff) == 0x11);
    CHECK((m.cpu.s.gpr[RBX] & 0xff) == 0x22);
    CHECK(m.vector_taken() == 13);
    CHECK(m.stack(0) == 0);
}

TEST_CASE("privilege: #GP(0) on privileged instructions at CPL 3") {
    for (auto insn : {std::vector<uint8_t>{0xf4},                     // hlt
                      std::vector<uint8_t>{0x0f, 0x22, 0xd8},         // mov cr3, rax
                      std::vector<uint8_t>{0x0f, 0x30},               // wrmsr
                      std::vector<uint8_t>{0xfa},                     // cli (IOPL 0)
                      std::vector<uint8_t>{0x0f, 0x01, 0x14, 0x25, 0, 0x50, 0, 0}}) {  // lgdt [0x5000]
        LongMachine m;
        std::memcpy(m.bus.ram.data() + 0x7000, insn.data(), insn.size());
        m.cpu.flush_code_cache();
        m.to_user(0x7000, 0x8000);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
        CHECK(m.stack(1) == 0x7000);
    }
}

TEST_CASE("SYSCALL and SYSRET round trip") {
    LongMachine m;
    m.cpu.s.msr.star = (uint64_t(0x10) << 48) | (uint64_t(LongMachine::kKCode) << 32);
    m.cpu.s.msr.lstar = 0x4000;
    m.cpu.s.msr.fmask = fl::IF | fl::TF;
    m.code({0x48, 0x89, 0xc8,  // mov rax, rcx (kernel: keep the return RIP)
            0x48, 0x0f, 0x07}, 0x4000);  // sysretq
    m.code({0x0f, 0x05, 0x90}, 0x7000);  // syscall; nop
    m.to_user(0x7000, 0x8000);
    set_rflags(m.cpu.s, fl::Reserved1 | fl::IF | fl::CF);
    m.cpu.run(1);
    CHECK(m.cpu.s.cpl == 0);
    CHECK(m.cpu.s.rip == 0x4000);
    CHECK(m.cpu.s.gpr[RCX] == 0x7002);
    CHECK(m.cpu.s.gpr[R11] == (fl::Reserved1 | fl::IF | fl::CF));
    CHECK((get_rflags(m.cpu.s) & fl::IF) == 0);
    CHECK(m.cpu.s.seg[CS].selector == LongMachine::kKCode);
    CHECK(m.cpu.s.seg[SS].selector == LongMachine::kKData);
    m.cpu.run(2);
    CHECK(m.cpu.s.cpl == 3);
    CHECK(m.cpu.s.rip == 0x7002);
    CHECK(m.cpu.s.gpr[RAX] == 0x7002);
    CHECK(m.cpu.s.seg[CS].selector == LongMachine::kUCode);
    CHECK(m.cpu.s.seg[SS].selector == LongMachine::kUData);
    CHECK(get_rflags(m.cpu.s) == (fl::Reserved1 | fl::IF | fl::CF));
}

TEST_CASE("INT n through an IST stack, IRETQ back to ring 3") {
    LongMachine m;
    m.gate(0x80, 0x4000, 3, 1);
    m.code({0x48, 0xcf}, 0x4000);        // iretq
    m.code({0xcd, 0x80, 0x90}, 0x7000);  // int 0x80; nop
    m.to_user(0x7000, 0x8008);
    m.cpu.run(1);
    CHECK(m.cpu.s.rip == 0x4000);
    CHECK(m.cpu.s.gpr[RSP] == LongMachine::kIst1 - 40);
    CHECK(m.stack(0) == 0x7002);  // return past INT
    CHECK(m.stack(3) == 0x8008);
    m.cpu.run(1);
    CHECK(m.cpu.s.cpl == 3);
    CHECK(m.cpu.s.rip == 0x7002);
    CHECK(m.cpu.s.gpr[RSP] == 0x8008);
    SUBCASE("a gate with DPL 0 refuses INT n from ring 3") {
        LongMachine g;
        g.code({0xcd, 0x81}, 0x7000);
        g.to_user(0x7000, 0x8000);
        g.cpu.run(1);
        CHECK(g.vector_taken() == 13);
        CHECK(g.stack(0) == 0x81 * 8 + 2);  // IDT bit, not EXT
    }
}

TEST_CASE("external interrupts: IF, the STI shadow, HLT wake-up") {
    LongMachine m;
    m.code({0xfb, 0xf4, 0x90});  // sti; hlt; nop
    m.cpu.intr_line = false;
    RunResult r = m.cpu.run(10);
    CHECK(r.exit == Exit::Halt);
    CHECK(m.cpu.s.rip == LongMachine::kCode + 2);
    CHECK(m.cpu.s.activity == Activity::Halted);
    // The bus of LongMachine is a FlatBus: acknowledge gives 0xff.
    m.cpu.intr_line = true;
    m.cpu.run(1);
    CHECK(m.stack(0) == LongMachine::kCode + 2);  // return to after HLT
    CHECK(m.vector_taken() == 0xff);
}

TEST_CASE("double fault, and a fault delivering it is a triple fault (shutdown)") {
    LongMachine m;
    // #PF whose gate is not present -> #NP (contributory after #PF) -> #DF.
    m.poke<uint64_t>(LongMachine::kIdt + 14 * 16, 0);
    m.code({0x8a, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00});
    m.cpu.run(1);
    CHECK(m.vector_taken() == 8);
    CHECK(m.stack(0) == 0);
    CHECK(m.cpu.s.cr2 == 0x10);
    // Without a #DF gate either: shutdown.
    LongMachine t;
    t.cpu.s.idtr.limit = 0;
    t.code({0x8a, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00});
    CHECK(t.cpu.run(5).exit == Exit::Shutdown);
    CHECK(t.cpu.s.activity == Activity::Shutdown);
}

TEST_CASE("real mode: reset state, INT n through the IVT, IRET") {
    FlatBus bus{2u << 20};
    Cpu cpu{bus};
    cpu.exception_exit = false;
    CHECK(cpu.s.seg[CS].selector == 0xf000);
    CHECK(cpu.s.seg[CS].base == 0xffff0000);
    CHECK(cpu.s.rip == 0xfff0);
    CHECK(cpu.s.cr0 == 0x60000010);
    // Run from 0000:7C00 with a handler for INT 0x21 at 1234:0010.
    cpu.s.seg[CS].selector = 0;
    cpu.s.seg[CS].base = 0;
    cpu.s.rip = 0x7c00;
    cpu.s.gpr[RSP] = 0x7000;
    cpu.mode_changed();
    const uint8_t prog[] = {0xcd, 0x21, 0x90};
    std::memcpy(bus.ram.data() + 0x7c00, prog, sizeof prog);
    const uint16_t ivt[2] = {0x0010, 0x1234};
    std::memcpy(bus.ram.data() + 0x21 * 4, ivt, 4);
    bus.ram[0x12340 + 0x10] = 0xcf;  // iret
    cpu.run(1);
    CHECK(cpu.s.seg[CS].selector == 0x1234);
    CHECK(cpu.s.seg[CS].base == 0x12340);
    CHECK(cpu.s.rip == 0x10);
    CHECK(cpu.s.gpr[RSP] == 0x7000 - 6);
    uint16_t frame[3];
    std::memcpy(frame, bus.ram.data() + 0x7000 - 6, 6);
    CHECK(frame[0] == 0x7c02);
    CHECK(frame[1] == 0);
    cpu.run(1);
    CHECK(cpu.s.seg[CS].selector == 0);
    CHECK(cpu.s.rip == 0x7c02);
    CHECK(cpu.s.gpr[RSP] == 0x7000);
}
