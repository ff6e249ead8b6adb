// CPU family 'misc' (cpu/exec_misc.cpp): CPUID, RDTSC/RDTSCP, UD0/UD1/UD2,
// IN/OUT.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "harness.h"

using namespace bs::cpu;
using bs::test::Machine;

namespace {

struct Regs {
    uint32_t a, b, c, d;
};

Regs cpuid(Machine& m, uint32_t leaf, uint32_t sub = 0) {
    m.code({0x0f, 0xa2}, Machine::kCode + 0x800);
    m.cpu.flush_code_cache();
    m.r(RAX) = 0xffff'ffff'0000'0000ull | leaf;
    m.r(RCX) = sub;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    // 32-bit results zero-extend.
    CHECK((m.r(RAX) >> 32) == 0);
    return {uint32_t(m.r(RAX)), uint32_t(m.r(RBX)), uint32_t(m.r(RCX)), uint32_t(m.r(RDX))};
}

}  // namespace

TEST_CASE("misc: CPUID reports the vendor, the maximum leaves and exactly the implemented features") {
    Machine m;
    const Regs l0 = cpuid(m, 0);
    CHECK(l0.a == 7);
    char vendor[13] = {};
    std::memcpy(vendor, &l0.b, 4);
    std::memcpy(vendor + 4, &l0.d, 4);
    std::memcpy(vendor + 8, &l0.c, 4);
    CHECK(std::string(vendor) == "BootscopeCPU");

    const Regs l1 = cpuid(m, 1);
    CHECK(((l1.a >> 8) & 0xf) == 6);
    {
        bs::test::FlatBus bus;
        Cpu fresh(bus);
        CHECK(l1.a == fresh.s.gpr[RDX]);  // EDX holds the signature after reset
    }
    // EDX: FPU DE PSE TSC MSR PAE CX8 APIC SEP PGE CMOV PAT PSE-36 CLFSH MMX FXSR SSE SSE2;
    // ECX: SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT.
    CHECK(l1.d == ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 9) |
                   (1u << 11) | (1u << 13) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 19) | (1u << 23) |
                   (1u << 24) | (1u << 25) | (1u << 26)));
    CHECK(((l1.b >> 8) & 0xff) == 8);  // CLFLUSH line size in 8-byte units
    CHECK(l1.c == ((1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 23)));

    const Regs l7 = cpuid(m, 7);
    CHECK(l7.b == ((1u << 6) | (1u << 13) | (1u << 23)));  // x87 FDP/FCS behaviour, CLFLUSHOPT: no BMI1/AVX2/...
    CHECK(l7.c == 0);

    CHECK(cpuid(m, 0x8000'0000).a == 0x8000'0008u);
    const Regs e1 = cpuid(m, 0x8000'0001);
    CHECK(e1.c == ((1u << 0) | (1u << 5) | (1u << 8)));                     // LAHF-LM, ABM (LZCNT), PREFETCHW
    CHECK(e1.d == ((1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29)));  // SYSCALL NX 1G RDTSCP LM
    CHECK(cpuid(m, 0x8000'0007).d == (1u << 8));  // invariant TSC
    char brand[49] = {};
    for (uint32_t k = 0; k < 3; ++k) {
        const Regs r = cpuid(m, 0x8000'0002 + k);
        std::memcpy(brand + 16 * k, &r, 16);
    }
    CHECK(std::string(brand).rfind("Bootscope", 0) == 0);
    CHECK((cpuid(m, 0x8000'0008).a & 0xff00) == (48u << 8));

    // Out-of-range leaves return the highest basic leaf, as Intel does.
    const Regs hi = cpuid(m, 0x40);
    CHECK(hi.a == l7.a);
    CHECK(hi.b == l7.b);
    const Regs ehi = cpuid(m, 0x8000'00ff);
    CHECK(ehi.b == l7.b);
}

TEST_CASE("misc: RDTSC/RDTSCP read the bus clock; TSC_AUX in ECX") {
    Machine m;
    // rdtsc ; rdtscp
    m.code({0x0f, 0x31, 0x0f, 0x01, 0xf9});
    m.bus.tsc_value = 0x1122'3344'5566'7788ull;
    m.r(RAX) = ~0ull;
    m.r(RDX) = ~0ull;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RAX) == 0x5566'7788u);
    CHECK(m.r(RDX) == 0x1122'3344u);
    m.cpu.s.msr.tsc_aux = 0xffff'0000'0000'0007ull;
    m.bus.tsc_value = 42;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RAX) == 42);
    CHECK(m.r(RDX) == 0);
    CHECK(m.r(RCX) == 7);
    CHECK(m.cpu.s.rip == Machine::kCode + 5);

    // CR4.TSD: #GP(0) outside ring 0.
    m.code({0x0f, 0x31}, Machine::kCode + 0x100);
    m.cpu.s.cr4 |= cr4::TSD;
    const RunResult r = m.run(1);
    CHECK(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kGP);
}

TEST_CASE("misc: UD2, UD1 and UD0 raise #UD with RIP at the instruction") {
    Machine m;
    for (const auto& code : {std::initializer_list<uint8_t>{0x0f, 0x0b}, {0x0f, 0xb9, 0xc0}, {0x0f, 0xff, 0x00}}) {
        m.code(code, Machine::kCode + 0x200);
        m.cpu.flush_code_cache();
        const RunResult r = m.run(1);
        CHECK(r.exit == Exit::Exception);
        CHECK(r.fault.vector == kUD);
        CHECK(m.cpu.s.rip == Machine::kCode + 0x200);
    }
    DecodedInsn d;
    const uint8_t ud1[] = {0x0f, 0xb9, 0x44, 0x00, 0x10};  // ud1 eax, [rax+rax+0x10]: ModRM, SIB, disp8
    REQUIRE(decode(ud1, 8, d) == DecodeStatus::Ok);
    CHECK(d.len == 5);
}

TEST_CASE("misc: IN/OUT in ring 3 with IOPL 0 raise #GP(0) and touch no port") {
    Machine m;  // CPL 3, IOPL 0
    m.code({0xe6, 0x80});  // out 0x80, al
    auto r = m.run(1);
    CHECK(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kGP);
    CHECK(r.fault.error == 0);
    CHECK(m.bus.outs.empty());
    m.code({0xe4, 0x60});  // in al, 0x60
    CHECK(m.run(1).fault.vector == kGP);
    CHECK(m.bus.last_in_port == 0);
    set_rflags(m.cpu.s, get_rflags(m.cpu.s) | fl::IOPL);  // IOPL 3 lets ring 3 in
    m.code({0xe6, 0x80});
    CHECK(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.bus.outs.size() == 1);
}

TEST_CASE("misc: IN/OUT with an immediate port and with DX") {
    Machine m;
    m.cpu.s.cpl = 0;
    // in al, 0x60 ; in eax, dx ; out 0x80, al ; out dx, ax ; in ax, dx
    m.code({0xe4, 0x60, 0xed, 0xe6, 0x80, 0x66, 0xef, 0x66, 0xed});
    m.bus.io_value = 0x1234'5678;
    m.r(RAX) = ~0ull;
    m.r(RDX) = 0xffff'0000'0000'0cf8ull;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.bus.last_in_port == 0x60);
    CHECK(m.r(RAX) == 0xffff'ffff'ffff'ff78ull);
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.bus.last_in_port == 0xcf8);
    CHECK(m.r(RAX) == 0x1234'5678u);  // 32-bit write zero-extends
    REQUIRE(m.run(2).exit == Exit::InstructionLimit);
    REQUIRE(m.bus.outs.size() == 2);
    CHECK(m.bus.outs[0].port == 0x80);
    CHECK(m.bus.outs[0].size == 1);
    CHECK(m.bus.outs[0].value == 0x78);
    CHECK(m.bus.outs[1].port == 0xcf8);
    CHECK(m.bus.outs[1].size == 2);
    CHECK(m.bus.outs[1].value == 0x5678);
    m.bus.io_value = 0xabcd;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RAX) == 0x1234'abcdu);
}

TEST_CASE("misc: CLFLUSH checks the address like a read but never reads it") {
    Machine m;
    m.code({0x0f, 0xae, 0x38});  // clflush [rax]
    m.r(RAX) = 0x200000;         // beyond the RAM: a device's MMIO on a real bus
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.bus.mmio_reads == 0);
    Machine n;
    n.code({0x0f, 0xae, 0x38});
    n.r(RAX) = 0x8000000000000000ull;  // non-canonical
    const RunResult r = n.run(1);
    CHECK(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kGP);
}
