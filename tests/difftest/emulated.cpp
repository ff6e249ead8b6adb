// The emulated side of the differential test (see emulated.h).
#include "emulated.h"

#include <cstring>
#include <exception>

#include "cpu/flags.h"

namespace bs::difftest {

using namespace bs::cpu;

constexpr uint64_t kTablesBase = 0x1000;

PhysPage TestBus::page(uint64_t pa) {
    if (pa >= kDataBase && pa < kDataBase + kDataSize) return {data + (pa - kDataBase), true};
    if (pa == (kInsnAddr & ~0xfffull)) return {code, true};
    if (pa >= kTablesBase && pa < kTablesBase + sizeof tables) return {tables[(pa - kTablesBase) >> 12], true};
    return {};
}

uint64_t TestBus::build_page_tables() {
    std::memset(tables, 0, sizeof tables);
    auto entry = [&](unsigned table, uint64_t index, uint64_t target) {
        const uint64_t e = target | 7;  // present, writable, user
        std::memcpy(tables[table] + 8 * index, &e, 8);
    };
    auto table_pa = [](unsigned t) { return kTablesBase + 0x1000ull * t; };
    static_assert(kDataBase >> 30 == 0 && kInsnAddr >> 30 == 0, "one PDPT entry covers both");
    static_assert(kDataBase >> 21 != kInsnAddr >> 21, "data and code use separate page tables");
    entry(0, 0, table_pa(1));
    entry(1, 0, table_pa(2));
    entry(2, (kDataBase >> 21) & 511, table_pa(3));
    entry(2, (kInsnAddr >> 21) & 511, table_pa(4));
    for (uint64_t a = kDataBase; a < kDataBase + kDataSize; a += 0x1000) entry(3, (a >> 12) & 511, a);
    entry(4, (kInsnAddr >> 12) & 511, kInsnAddr & ~0xfffull);
    return table_pa(0);
}

// Unreachable through the page tables; kept as a #PF should a physical
// access miss (it would be a harness bug).
uint64_t TestBus::mmio_read(uint64_t, unsigned) { raise(kPF, 4); }
void TestBus::mmio_write(uint64_t, unsigned, uint64_t) { raise(kPF, 6); }

HostSelectors host_selectors() {
    HostSelectors s{};
    asm("mov %%cs, %0" : "=r"(s.cs));
    asm("mov %%ss, %0" : "=r"(s.ss));
    asm("mov %%ds, %0" : "=r"(s.ds));
    asm("mov %%es, %0" : "=r"(s.es));
    asm("mov %%fs, %0" : "=r"(s.fs));
    asm("mov %%gs, %0" : "=r"(s.gs));
    return s;
}

unsigned x87_tag(const uint8_t* v) {
    uint64_t mant;
    uint16_t se;
    std::memcpy(&mant, v, 8);
    std::memcpy(&se, v + 8, 2);
    const unsigned exp = se & 0x7fff;
    if (exp == 0x7fff) return 2;
    if (exp == 0) return mant == 0 ? 1 : 2;
    return (mant >> 63) ? 0 : 2;  // unnormal is special
}

Emulated::Emulated() : cpu_(bus_), sel_(host_selectors()) {}

void Emulated::load(const Case& c) {
    cpu_.reset();
    cpu_.set_flat64_user_mode();
    CpuState& s = cpu_.s;
    s.cr3 = bus_.build_page_tables();
    s.cr4 |= cr4::PAE;
    s.cr0 |= cr0::PG;
    // The selectors Linux gives a 64-bit process (MOV r/m, Sreg and PUSH FS/GS read them).
    s.seg[CS].selector = sel_.cs;
    s.seg[SS].selector = sel_.ss;
    s.seg[DS].selector = sel_.ds;
    s.seg[ES].selector = sel_.es;
    s.seg[FS].selector = sel_.fs;
    s.seg[GS].selector = sel_.gs;
    const ArchState& in = c.in;
    std::memcpy(s.gpr, in.gpr, sizeof s.gpr);
    s.rip = in.rip;
    s.next_rip = in.rip;
    set_rflags(s, in.rflags);
    for (unsigned i = 0; i < 16; ++i) std::memcpy(s.xmm[i].b, in.fx + fx::XMM + 16 * i, 16);
    std::memcpy(&s.mxcsr, in.fx + fx::MXCSR, 4);
    X87& f = s.fpu;
    std::memcpy(&f.fcw, in.fx + fx::FCW, 2);
    std::memcpy(&f.fsw, in.fx + fx::FSW, 2);
    std::memcpy(&f.fop, in.fx + fx::FOP, 2);
    std::memcpy(&f.fip, in.fx + fx::FIP, 8);
    std::memcpy(&f.fdp, in.fx + fx::FDP, 8);
    const unsigned top = (f.fsw >> 11) & 7;
    f.ftw = 0;
    for (unsigned st = 0; st < 8; ++st) {
        const unsigned phys = (top + st) & 7;
        const uint8_t* v = in.fx + fx::ST + 16 * st;
        std::memcpy(f.regs[phys], v, 10);
        const unsigned tag = (in.fx[fx::FTW] >> phys & 1) ? x87_tag(v) : 3;
        f.ftw = static_cast<uint16_t>(f.ftw | tag << (2 * phys));
    }
    fill_data(c, bus_.data);
    std::memset(bus_.code, 0xcc, sizeof bus_.code);
    std::memcpy(bus_.code + (kInsnAddr & 0xfff), c.bytes, c.len);
    cpu_.flush_tlb();
    cpu_.flush_code_cache();
}

EmuResult Emulated::run(const Case& c) {
    EmuResult r;
    load(c);
    try {
        // A REP string instruction may be stepped one iteration at a time.
        for (unsigned iter = 0;; ++iter) {
            const RunResult rr = cpu_.step();
            if (rr.exit == Exit::Exception) {
                r.fault = true;
                r.vector = rr.fault.vector;
                r.error = rr.fault.error;
                break;
            }
            if (rr.exit != Exit::InstructionLimit) {
                r.abnormal = rr.exit == Exit::Halt ? "step() returned Halt" : rr.exit == Exit::Shutdown ? "step() returned Shutdown" : "step() returned None";
                break;
            }
            if (cpu_.s.rip != c.in.rip || iter > (1u << 22)) break;
        }
    } catch (const CpuFault& f) {
        r.abnormal = "CpuFault escaped step(): vector " + std::to_string(f.vector);
    } catch (const std::exception& e) {
        r.abnormal = std::string("exception escaped step(): ") + e.what();
    }
    CpuState& s = cpu_.s;
    ArchState& o = r.out;
    std::memcpy(o.gpr, s.gpr, sizeof o.gpr);
    o.rip = s.rip;
    o.rflags = get_rflags(s);
    std::memset(o.fx, 0, sizeof o.fx);
    const X87& f = s.fpu;
    std::memcpy(o.fx + fx::FCW, &f.fcw, 2);
    std::memcpy(o.fx + fx::FSW, &f.fsw, 2);
    uint8_t tags = 0;
    for (unsigned p = 0; p < 8; ++p) {
        if (((f.ftw >> (2 * p)) & 3) != 3) tags |= static_cast<uint8_t>(1u << p);
    }
    o.fx[fx::FTW] = tags;
    std::memcpy(o.fx + fx::FOP, &f.fop, 2);
    std::memcpy(o.fx + fx::FIP, &f.fip, 8);
    std::memcpy(o.fx + fx::FDP, &f.fdp, 8);
    std::memcpy(o.fx + fx::MXCSR, &s.mxcsr, 4);
    const unsigned top = (f.fsw >> 11) & 7;
    for (unsigned st = 0; st < 8; ++st) std::memcpy(o.fx + fx::ST + 16 * st, f.regs[(top + st) & 7], 10);
    for (unsigned i = 0; i < 16; ++i) std::memcpy(o.fx + fx::XMM + 16 * i, s.xmm[i].b, 16);
    return r;
}

std::string Emulated::vendor_id() {
    Case c;
    c.bytes[0] = 0x0f;
    c.bytes[1] = 0xa2;
    c.len = 2;
    c.in.rip = kInsnAddr;
    c.in.rflags = 0x202;
    c.in.fx[fx::FCW] = 0x7f;
    c.in.fx[fx::FCW + 1] = 0x03;
    c.in.fx[fx::MXCSR + 1] = 0x1f;
    c.in.fx[fx::MXCSR] = 0x80;
    const EmuResult r = run(c);
    if (r.fault || !r.abnormal.empty()) return "";
    char id[13] = {};
    std::memcpy(id, &r.out.gpr[RBX], 4);
    std::memcpy(id + 4, &r.out.gpr[RDX], 4);
    std::memcpy(id + 8, &r.out.gpr[RCX], 4);
    return id;
}

}  // namespace bs::difftest
