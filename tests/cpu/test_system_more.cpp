// CPU core II, continued: the system instructions and checks that
// test_system.cpp does not cover — SYSENTER/SYSEXIT, the TSS I/O bitmap,
// RDMSR/WRMSR, MOV CRn/DRn, descriptor-table and task registers, LAR/LSL/
// VERR/VERW, protected-mode segment loads and far transfers, IRET checks,
// NMI, the MOV SS interrupt shadow and the saved RIP of INT3/INTO/INT1.
// Each case runs instructions on a RAM-only machine (system_harness.h);
// faults are delivered through the IDT to HLT handlers and read back from
// the handler's stack.
#include <doctest/doctest.h>

#include <vector>

#include "cpu/system.h"
#include "system_harness.h"

using namespace bs::cpu;
using bs::test::LongMachine;
using bs::test::ProtMachine;

namespace {

constexpr uint64_t kUser = 0x7000, kUserStack = 0x8800;

void put32(std::vector<uint8_t>& v, uint32_t x) {
    for (unsigned k = 0; k < 4; ++k) v.push_back(static_cast<uint8_t>(x >> (8 * k)));
}

// mov ecx, index; mov eax, lo; mov edx, hi; wrmsr; xor eax, eax; xor edx, edx; rdmsr
std::vector<uint8_t> wrmsr_rdmsr(uint32_t index, uint64_t value) {
    std::vector<uint8_t> v{0xb9};
    put32(v, index);
    v.push_back(0xb8);
    put32(v, static_cast<uint32_t>(value));
    v.push_back(0xba);
    put32(v, static_cast<uint32_t>(value >> 32));
    for (uint8_t b : {0x0f, 0x30, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x32}) v.push_back(b);
    return v;
}

// Writes an MSR and reads it back at CPL 0; -1 when WRMSR faulted (then
// `vec`/`err` say how).
struct MsrResult {
    bool faulted = false;
    int vec = -1;
    uint64_t err = 0;
    uint64_t value = 0;
};
MsrResult msr_roundtrip(LongMachine& m, uint32_t index, uint64_t value) {
    m.code(wrmsr_rdmsr(index, value));
    m.cpu.s.rip = LongMachine::kCode;
    m.cpu.run(7);
    MsrResult r;
    if (m.vector_taken() >= 0) {
        r.faulted = true;
        r.vec = m.vector_taken();
        r.err = m.stack(0);
        return r;
    }
    r.value = (m.cpu.s.gpr[RDX] << 32) | static_cast<uint32_t>(m.cpu.s.gpr[RAX]);
    return r;
}
uint64_t rdmsr(LongMachine& m, uint32_t index) {
    std::vector<uint8_t> v{0xb9};
    put32(v, index);
    v.push_back(0x0f);
    v.push_back(0x32);
    m.code(v);
    m.cpu.s.rip = LongMachine::kCode;
    m.cpu.run(2);
    return (m.cpu.s.gpr[RDX] << 32) | static_cast<uint32_t>(m.cpu.s.gpr[RAX]);
}

// Runs one instruction sequence at CPL 0 of a fresh ProtMachine (after
// `setup`) and reports the exception it raised: {vector, error code}.
template <class Setup> std::pair<int, uint32_t> prot_fault(std::initializer_list<uint8_t> bytes, unsigned n, Setup setup) {
    ProtMachine m;
    m.code(bytes);
    setup(m);
    m.cpu.run(n);
    const int v = m.vector_taken();
    return {v, v >= 0 ? m.stack(0) : 0};
}
std::pair<int, uint32_t> prot_fault(std::initializer_list<uint8_t> bytes, unsigned n) {
    return prot_fault(bytes, n, [](ProtMachine&) {});
}

}  // namespace

// ---------------------------------------------------------------- SYSENTER / SYSEXIT

TEST_CASE("SYSENTER and SYSEXIT in long mode: 64-bit and compatibility-mode returns") {
    for (bool rexw : {true, false}) {
        CAPTURE(rexw);
        LongMachine m;
        m.cpu.s.msr.sysenter_cs = 0x0b;  // RPL bits are ignored
        m.cpu.s.msr.sysenter_esp = 0x9800;
        m.cpu.s.msr.sysenter_eip = 0x4000;
        if (rexw) m.code({0xba, 0x10, 0x70, 0x00, 0x00, 0xb9, 0x00, 0x88, 0x00, 0x00, 0x48, 0x0f, 0x35} /* mov edx, 0x7010; mov ecx, 0x8800; rex.w sysexit */, 0x4000);
        else m.code({0xba, 0x10, 0x70, 0x00, 0x00, 0xb9, 0x00, 0x88, 0x00, 0x00, 0x0f, 0x35} /* mov edx, 0x7010; mov ecx, 0x8800; sysexit */, 0x4000);
        m.code({0x0f, 0x34} /* sysenter */, kUser);
        m.to_user(kUser, kUserStack);
        set_rflags(m.cpu.s, fl::Reserved1 | fl::IF | fl::CF);
        m.cpu.run(1);
        CHECK(m.cpu.s.cpl == 0);
        CHECK(m.cpu.s.rip == 0x4000);
        CHECK(m.cpu.s.gpr[RSP] == 0x9800);
        CHECK(m.cpu.s.seg[CS].selector == 0x08);
        CHECK(m.cpu.s.seg[SS].selector == 0x10);
        CHECK(m.cpu.s.code_size == 8);
        CHECK((get_rflags(m.cpu.s) & fl::IF) == 0);
        CHECK((get_rflags(m.cpu.s) & fl::CF) != 0);
        m.cpu.run(3);
        CHECK(m.cpu.s.cpl == 3);
        CHECK(m.cpu.s.rip == 0x7010);
        CHECK(m.cpu.s.gpr[RSP] == 0x8800);
        if (rexw) {
            CHECK(m.cpu.s.seg[CS].selector == 0x2b);  // SYSENTER_CS + 32, RPL 3
            CHECK(m.cpu.s.seg[SS].selector == 0x33);  // + 40
            CHECK(m.cpu.s.code_size == 8);
        } else {
            CHECK(m.cpu.s.seg[CS].selector == 0x1b);  // SYSENTER_CS + 16, RPL 3
            CHECK(m.cpu.s.seg[SS].selector == 0x23);  // + 24
            CHECK(m.cpu.s.code_size == 4);             // compatibility mode
        }
    }
}

TEST_CASE("SYSENTER and SYSEXIT in legacy protected mode") {
    ProtMachine m;
    m.cpu.s.msr.sysenter_cs = ProtMachine::kKCode;
    m.cpu.s.msr.sysenter_esp = 0x9800;
    m.cpu.s.msr.sysenter_eip = 0x4000;
    m.code({0xba, 0x10, 0x70, 0x00, 0x00, 0xb9, 0x00, 0x88, 0x00, 0x00, 0x0f, 0x35} /* mov edx, 0x7010; mov ecx, 0x8800; sysexit */, 0x4000);
    m.code({0x0f, 0x34} /* sysenter */, kUser);
    m.to_user(kUser, kUserStack);
    m.cpu.run(1);
    CHECK(m.cpu.s.cpl == 0);
    CHECK(m.cpu.s.rip == 0x4000);
    CHECK(m.cpu.s.gpr[RSP] == 0x9800);
    CHECK(m.cpu.s.seg[CS].selector == ProtMachine::kKCode);
    CHECK(m.cpu.s.seg[SS].selector == ProtMachine::kKData);
    m.cpu.run(3);
    CHECK(m.cpu.s.cpl == 3);
    CHECK(m.cpu.s.rip == 0x7010);
    CHECK(m.cpu.s.gpr[RSP] == 0x8800);
    CHECK(m.cpu.s.seg[CS].selector == ProtMachine::kUCode);
    CHECK(m.cpu.s.seg[SS].selector == ProtMachine::kUData);
    CHECK(m.cpu.s.code_size == 4);
}

TEST_CASE("SYSENTER/SYSEXIT #GP(0): SYSENTER_CS null, SYSEXIT at CPL 3, non-canonical SYSEXIT target") {
    SUBCASE("SYSENTER with SYSENTER_CS = 0") {
        LongMachine m;
        m.code({0x0f, 0x34} /* sysenter */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
        CHECK(m.stack(1) == kUser);
    }
    SUBCASE("SYSEXIT at CPL 3") {
        LongMachine m;
        m.cpu.s.msr.sysenter_cs = 0x08;
        m.code({0x0f, 0x35} /* sysexit */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
        CHECK(m.stack(1) == kUser);
    }
    SUBCASE("SYSEXIT with SYSENTER_CS = 0") {
        LongMachine m;
        m.code({0x0f, 0x35} /* sysexit */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
    }
    SUBCASE("64-bit SYSEXIT to a non-canonical RDX") {
        LongMachine m;
        m.cpu.s.msr.sysenter_cs = 0x08;
        m.code({0x48, 0xba, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x48, 0x0f, 0x35} /* movabs rdx, 0x0000800000000000; rex.w sysexit */);
        m.cpu.run(2);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
        CHECK(m.stack(1) == LongMachine::kCode + 10);
    }
}

// ---------------------------------------------------------------- I/O permission bitmap

namespace {

// A LongMachine at CPL 3, IOPL 0, whose TSS has an I/O bitmap at offset
// 0x68 covering ports 0-0xFF (32 bytes) and ending at the TSS limit 0x88:
// ports 0x61 and 0x80 are denied.
void io_machine(LongMachine& m, std::initializer_list<uint8_t> user_code) {
    m.poke<uint16_t>(LongMachine::kTss + 0x66, 0x68);
    m.poke<uint8_t>(LongMachine::kTss + 0x68 + 0x61 / 8, 1u << (0x61 % 8));
    m.poke<uint8_t>(LongMachine::kTss + 0x68 + 0x80 / 8, 1u << (0x80 % 8));
    m.cpu.s.tr.limit = 0x88;
    m.code(user_code, kUser);
    m.to_user(kUser, kUserStack);
}

}  // namespace

TEST_CASE("I/O permission: the TSS bitmap at CPL 3 with IOPL 0") {
    SUBCASE("a clear bit allows IN") {
        LongMachine m;
        io_machine(m, {0xe4, 0x60} /* in al, 0x60 */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        CHECK(m.cpu.s.rip == kUser + 2);
        CHECK(m.bus.last_in_port == 0x60);
    }
    SUBCASE("a set bit raises #GP(0) for OUT") {
        LongMachine m;
        io_machine(m, {0xe6, 0x80} /* out 0x80, al */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
        CHECK(m.stack(1) == kUser);
        CHECK(m.bus.outs.empty());
    }
    SUBCASE("a word access straddling a set bit (ports 0x7F-0x80) faults; the byte at 0x7F does not") {
        LongMachine m;
        io_machine(m, {0xba, 0x7f, 0x00, 0x00, 0x00, 0xec, 0x66, 0xed} /* mov edx, 0x7f; in al, dx; in ax, dx */);
        m.cpu.run(3);
        CHECK(m.bus.last_in_port == 0x7f);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(1) == kUser + 6);
    }
    SUBCASE("a dword access covering port 0x61 from 0x5E faults") {
        LongMachine m;
        io_machine(m, {0xba, 0x5e, 0x00, 0x00, 0x00, 0xed} /* mov edx, 0x5e; in eax, dx */);
        m.cpu.run(2);
        CHECK(m.vector_taken() == 13);
    }
    SUBCASE("the last byte inside the TSS limit allows; the first beyond it faults") {
        LongMachine m;
        io_machine(m, {0xba, 0xf8, 0x00, 0x00, 0x00, 0xec, 0xba, 0x00, 0x01, 0x00, 0x00, 0xec} /* mov edx, 0xf8; in al, dx; mov edx, 0x100; in al, dx */);
        m.cpu.run(4);
        CHECK(m.bus.last_in_port == 0xf8);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
        CHECK(m.stack(1) == kUser + 11);
    }
    SUBCASE("a bitmap offset beyond the TSS limit denies every port") {
        LongMachine m;
        io_machine(m, {0xe4, 0x60} /* in al, 0x60 */);
        m.poke<uint16_t>(LongMachine::kTss + 0x66, 0x1000);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
    }
    SUBCASE("OUTS and INS check the bitmap too") {
        LongMachine m;
        io_machine(m, {0xba, 0x60, 0x00, 0x00, 0x00, 0xbe, 0x00, 0x50, 0x00, 0x00, 0x6e, 0xba, 0x80, 0x00, 0x00, 0x00, 0x6e} /* mov edx, 0x60; mov esi, 0x5000; outsb; mov edx, 0x80; outsb */);
        m.cpu.run(5);
        REQUIRE(m.bus.outs.size() == 1);
        CHECK(m.bus.outs[0].port == 0x60);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(1) == kUser + 16);
    }
    SUBCASE("IOPL 3 bypasses the bitmap") {
        LongMachine m;
        io_machine(m, {0xe6, 0x80} /* out 0x80, al */);
        set_rflags(m.cpu.s, fl::Reserved1 | fl::IOPL);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        REQUIRE(m.bus.outs.size() == 1);
        CHECK(m.bus.outs[0].port == 0x80);
    }
    SUBCASE("CPL 0 is not checked") {
        LongMachine m;
        m.cpu.s.tr.limit = 0x67;
        m.code({0xe6, 0x80} /* out 0x80, al */);
        m.cpu.run(1);
        CHECK(m.bus.outs.size() == 1);
    }
}

// ---------------------------------------------------------------- MSRs

TEST_CASE("RDMSR/WRMSR: every MSR of the core round-trips") {
    struct Case {
        uint32_t index;
        uint64_t value;
        uint64_t expect;
    };
    const Case cases[] = {
        {0xc0000080, efer::SCE | efer::LME | efer::NXE, efer::SCE | efer::LME | efer::LMA | efer::NXE},  // EFER: LMA read-only
        {0xc0000081, 0x0023001000080000ull, 0x0023001000080000ull},  // STAR
        {0xc0000082, 0xffffffff81000000ull, 0xffffffff81000000ull},  // LSTAR
        {0xc0000083, 0xffffffff81000100ull, 0xffffffff81000100ull},  // CSTAR
        {0xc0000084, 0x47700, 0x47700},                              // FMASK
        {0xc0000100, 0x00007fff12345000ull, 0x00007fff12345000ull},  // FS_BASE
        {0xc0000101, 0xffff800000001000ull, 0xffff800000001000ull},  // GS_BASE
        {0xc0000102, 0xffff800000002000ull, 0xffff800000002000ull},  // KERNEL_GS_BASE
        {0x1b, 0xfed00800, 0xfed00800},                              // APIC_BASE (enabled, not BSP)
        {0xc0000103, 0x12345678, 0x12345678},                        // TSC_AUX
        {0x277, 0x0007010600070106ull, 0x0007010600070106ull},      // PAT
        {0x1a0, 1, 1},                                               // MISC_ENABLE: fast strings
        {0x174, 0x10, 0x10},                                         // SYSENTER_CS
        {0x175, 0xffff800000003000ull, 0xffff800000003000ull},      // SYSENTER_ESP
        {0x176, 0xffff800000004000ull, 0xffff800000004000ull},      // SYSENTER_EIP
        {0x2ff, 0xc06, 0xc06},                                       // MTRRdefType: E, FE, WB
    };
    for (const Case& c : cases) {
        CAPTURE(c.index);
        LongMachine m;
        const MsrResult r = msr_roundtrip(m, c.index, c.value);
        CHECK_FALSE(r.faulted);
        CHECK(r.value == c.expect);
    }
    SUBCASE("MTRRcap reads as no ranges and is read-only") {
        LongMachine m;
        CHECK(rdmsr(m, 0xfe) == 0);
        const MsrResult r = msr_roundtrip(m, 0xfe, 0);
        CHECK(r.vec == 13);
    }
}

TEST_CASE("RDMSR/WRMSR: unknown MSRs, reserved bits and non-canonical bases raise #GP(0)") {
    struct Case {
        uint32_t index;
        uint64_t value;
    };
    const Case cases[] = {
        {0x12345678, 0},                       // no such MSR
        {0xc0000080, efer::LME | efer::SCE | 2},  // EFER bit 1
        {0xc0000080, efer::SCE},               // clearing EFER.LME with paging on
        {0xc0000082, 0x0000800000000000ull},   // LSTAR
        {0xc0000083, 0x0000800000000000ull},   // CSTAR
        {0xc0000100, 0x8000000000000000ull},   // FS_BASE
        {0xc0000101, 0x0001000000000000ull},   // GS_BASE
        {0xc0000102, 0x0000800000000000ull},   // KERNEL_GS_BASE
        {0x175, 0x0000800000000000ull},        // SYSENTER_ESP
        {0x176, 0x0000800000000000ull},        // SYSENTER_EIP
        {0xc0000103, 1ull << 32},              // TSC_AUX bits 63:32
        {0x277, 0x0007010600070102ull},        // PAT entry 0 = 2 (reserved type)
        {0x277, 0x0007010600070108ull},        // PAT entry 0 = 8
        {0x2ff, 0xc02},                        // MTRRdefType type 2 (reserved)
        {0x2ff, 0x1006},                       // MTRRdefType bit 12
        {0x1b, 0xfee00801},                    // APIC_BASE bit 0
        {0x1b, 0xfee00c00},                    // APIC_BASE bit 10 (x2APIC: not reported)
        {0x1b, (1ull << 40) | 0xfee00800},   // APIC_BASE above MAXPHYADDR
    };
    for (const Case& c : cases) {
        CAPTURE(c.index);
        CAPTURE(c.value);
        LongMachine m;
        const MsrResult r = msr_roundtrip(m, c.index, c.value);
        CHECK(r.vec == 13);
        CHECK(r.err == 0);
        CHECK(m.stack(1) == LongMachine::kCode + 15);  // the WRMSR
    }
    SUBCASE("RDMSR of an unknown MSR") {
        LongMachine m;
        m.code({0xb9, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x32} /* mov ecx, 0x12345678; rdmsr */);
        m.cpu.run(2);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
    }
}

TEST_CASE("MSRs: FS/GS bases reach FS:/GS: accesses, SWAPGS exchanges GS with KERNEL_GS_BASE") {
    LongMachine m;
    m.poke<uint8_t>(0x5010, 0x11);
    m.poke<uint8_t>(0x6010, 0x22);
    m.poke<uint8_t>(0x7010, 0x33);
    m.code({0xb9, 0x00, 0x01, 0x00, 0xc0, 0xb8, 0x00, 0x50, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0xb9, 0x01, 0x01, 0x00, 0xc0, 0xb8, 0x00, 0x60, 0x00, 0x00, 0x0f, 0x30, 0xb9, 0x02, 0x01, 0x00, 0xc0, 0xb8, 0x00, 0x70, 0x00, 0x00, 0x0f, 0x30, 0x64, 0x44, 0x8a, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0x65, 0x44, 0x8a, 0x0c, 0x25, 0x10, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xf8, 0x65, 0x44, 0x8a, 0x14, 0x25, 0x10, 0x00, 0x00, 0x00, 0xb9, 0x01, 0x01, 0x00, 0xc0, 0x0f, 0x32, 0x49, 0x89, 0xc3, 0xb9, 0x02, 0x01, 0x00, 0xc0, 0x0f, 0x32} /* mov ecx, 0xc0000100; mov eax, 0x5000; xor edx, edx; wrmsr; mov ecx, 0xc0000101; mov eax, 0x6000; wrmsr; mov ecx, 0xc0000102; mov eax, 0x7000; wrmsr; mov r8b, fs:[0x10]; mov r9b, gs:[0x10]; swapgs; mov r10b, gs:[0x10]; mov ecx, 0xc0000101; rdmsr; mov r11, rax; mov ecx, 0xc0000102; rdmsr */);
    m.cpu.run(19);
    CHECK((m.cpu.s.gpr[R8] & 0xff) == 0x11);
    CHECK((m.cpu.s.gpr[R9] & 0xff) == 0x22);
    CHECK((m.cpu.s.gpr[R10] & 0xff) == 0x33);
    CHECK(m.cpu.s.gpr[R11] == 0x7000);   // GS_BASE after SWAPGS
    CHECK(m.cpu.s.gpr[RAX] == 0x6000);   // KERNEL_GS_BASE after SWAPGS
    SUBCASE("SWAPGS at CPL 3 is #GP(0)") {
        LongMachine u;
        u.code({0x0f, 0x01, 0xf8} /* swapgs */, kUser);
        u.to_user(kUser, kUserStack);
        u.cpu.run(1);
        CHECK(u.vector_taken() == 13);
    }
}

TEST_CASE("MSRs: IA32_TSC moves RDTSC; TSC_AUX is what RDTSCP returns in ECX") {
    LongMachine m;
    m.bus.tsc_value = 1000;
    m.code({0xb9, 0x10, 0x00, 0x00, 0x00, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0xba, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x30, 0xb9, 0x03, 0x01, 0x00, 0xc0, 0xb8, 0x07, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0x0f, 0x31} /* mov ecx, 0x10; mov eax, 0x9abcdef0; mov edx, 0x12345678; wrmsr; mov ecx, 0xc0000103; mov eax, 7; xor edx, edx; wrmsr; rdtsc */);
    m.cpu.run(9);
    CHECK(((m.cpu.s.gpr[RDX] << 32) | m.cpu.s.gpr[RAX]) == 0x123456789abcdef0ull);
    m.bus.tsc_value += 500;
    m.code({0x0f, 0x01, 0xf9} /* rdtscp */, 0x1100);
    m.cpu.s.rip = 0x1100;
    m.cpu.run(1);
    CHECK(((m.cpu.s.gpr[RDX] << 32) | m.cpu.s.gpr[RAX]) == 0x123456789abcdef0ull + 500);
    CHECK(m.cpu.s.gpr[RCX] == 7);
    CHECK(rdmsr(m, 0x10) == 0x123456789abcdef0ull + 500);
}

// ---------------------------------------------------------------- control and debug registers

TEST_CASE("MOV CRn: reserved bits, CR8 is the bus's TPR, CR2, CR1 is #UD") {
    struct Case {
        const char* what;
        std::vector<uint8_t> code;
        unsigned n;
        int vector;
    };
    const Case cases[] = {
        {"CR0 bit 32", {0x0f, 0x20, 0xc0, 0x48, 0x0f, 0xba, 0xe8, 0x20, 0x0f, 0x22, 0xc0} /* mov rax, cr0; bts rax, 32; mov cr0, rax */, 3, 13},
        {"CR0 NW without CD", {0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xe8, 0x1d, 0x0f, 0x22, 0xc0} /* mov rax, cr0; bts eax, 29; mov cr0, rax */, 3, 13},
        {"CR0.PG cleared in 64-bit mode", {0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xf0, 0x1f, 0x0f, 0x22, 0xc0} /* mov rax, cr0; btr eax, 31; mov cr0, rax */, 3, 13},
        {"CR4 bit 11 (UMIP: not reported)", {0x0f, 0x20, 0xe0, 0x0f, 0xba, 0xe8, 0x0b, 0x0f, 0x22, 0xe0} /* mov rax, cr4; bts eax, 11; mov cr4, rax */, 3, 13},
        {"CR4.PAE cleared in long mode", {0x0f, 0x20, 0xe0, 0x0f, 0xba, 0xf0, 0x05, 0x0f, 0x22, 0xe0} /* mov rax, cr4; btr eax, 5; mov cr4, rax */, 3, 13},
        {"CR3 above MAXPHYADDR", {0x0f, 0x20, 0xd8, 0x48, 0x0f, 0xba, 0xe8, 0x34, 0x0f, 0x22, 0xd8} /* mov rax, cr3; bts rax, 52; mov cr3, rax */, 3, 13},
        {"CR8 bit 4", {0xb8, 0x10, 0x00, 0x00, 0x00, 0x44, 0x0f, 0x22, 0xc0} /* mov eax, 0x10; mov cr8, rax */, 2, 13},
        {"CR1", {0x0f, 0x20, 0xc8} /* mov rax, cr1 */, 1, 6},
        {"CR5", {0x0f, 0x22, 0xe8} /* mov cr5, rax */, 1, 6},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        LongMachine m;
        const uint64_t cr0_before = m.cpu.s.cr0, cr4_before = m.cpu.s.cr4, cr3_before = m.cpu.s.cr3;
        m.code(c.code);
        m.cpu.run(c.n);
        CHECK(m.vector_taken() == c.vector);
        if (c.vector == 13) CHECK(m.stack(0) == 0);
        CHECK(m.cpu.s.cr0 == cr0_before);
        CHECK(m.cpu.s.cr4 == cr4_before);
        CHECK(m.cpu.s.cr3 == cr3_before);
    }
    SUBCASE("CR8 writes and reads the TPR; CR2 is stored") {
        LongMachine m;
        m.code({0xb8, 0x05, 0x00, 0x00, 0x00, 0x44, 0x0f, 0x22, 0xc0, 0x44, 0x0f, 0x20, 0xc3, 0x48, 0xb8, 0xbc, 0x8a, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x0f, 0x22, 0xd0, 0x0f, 0x20, 0xd1} /* mov eax, 5; mov cr8, rax; mov rbx, cr8; mov rax, 0x12345678abc; mov cr2, rax; mov rcx, cr2 */);
        m.cpu.run(6);
        CHECK(m.bus.tpr() == 5);
        CHECK(m.cpu.s.gpr[RBX] == 5);
        CHECK(m.cpu.s.gpr[RCX] == 0x12345678abcull);
        m.bus.set_tpr(9);
        m.code({0x44, 0x0f, 0x20, 0xc2} /* mov rdx, cr8 */);
        m.cpu.s.rip = LongMachine::kCode;
        m.cpu.run(1);
        CHECK(m.cpu.s.gpr[RDX] == 9);
    }
}

TEST_CASE("MOV CR3 keeps global TLB entries (CR4.PGE); toggling CR4.PGE and INVLPG drop them") {
    LongMachine m;
    const uint64_t g = 0x100000, n = 0x101000;
    m.pte(g) |= 0x100;  // global
    m.poke<uint8_t>(g, 1);
    m.poke<uint8_t>(n, 2);
    m.poke<uint8_t>(0x200000, 3);
    m.poke<uint8_t>(0x201000, 4);
    m.code({0x0f, 0x20, 0xe0, 0x0d, 0x80, 0x00, 0x00, 0x00, 0x0f, 0x22, 0xe0, 0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00, 0x8a, 0x1c, 0x25, 0x00, 0x10, 0x10, 0x00} /* mov rax, cr4; or eax, 0x80; mov cr4, rax; mov al, [0x100000]; mov bl, [0x101000] */);
    m.cpu.run(5);
    CHECK((m.cpu.s.cr4 & cr4::PGE) != 0);
    CHECK((m.cpu.s.gpr[RAX] & 0xff) == 1);
    CHECK((m.cpu.s.gpr[RBX] & 0xff) == 2);
    // Remap both pages behind the TLB.
    m.pte(g) = 0x200000 | 0x107;
    m.pte(n) = 0x201000 | 7;
    m.code({0x0f, 0x20, 0xd9, 0x0f, 0x22, 0xd9, 0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00, 0x8a, 0x1c, 0x25, 0x00, 0x10, 0x10, 0x00} /* mov rcx, cr3; mov cr3, rcx; mov al, [0x100000]; mov bl, [0x101000] */, 0x1100);
    m.cpu.s.rip = 0x1100;
    m.cpu.run(4);
    CHECK((m.cpu.s.gpr[RAX] & 0xff) == 1);  // global: still the old translation
    CHECK((m.cpu.s.gpr[RBX] & 0xff) == 4);  // non-global: reloaded
    SUBCASE("clearing CR4.PGE flushes it") {
        m.code({0x0f, 0x20, 0xe1, 0x81, 0xe1, 0x7f, 0xff, 0xff, 0xff, 0x0f, 0x22, 0xe1, 0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00} /* mov rcx, cr4; and ecx, 0xffffff7f; mov cr4, rcx; mov al, [0x100000] */, 0x1200);
        m.cpu.s.rip = 0x1200;
        m.cpu.run(4);
        CHECK((m.cpu.s.gpr[RAX] & 0xff) == 3);
    }
    SUBCASE("INVLPG flushes it") {
        m.code({0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x10, 0x00, 0x8a, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00} /* invlpg [0x100000]; mov al, [0x100000] */, 0x1200);
        m.cpu.s.rip = 0x1200;
        m.cpu.run(2);
        CHECK((m.cpu.s.gpr[RAX] & 0xff) == 3);
    }
}

TEST_CASE("MOV DRn: DR0-DR3 stored, DR6/DR7 fixed bits, DR4/DR5 alias DR6/DR7 unless CR4.DE") {
    LongMachine m;
    m.code({0x48, 0xc7, 0xc0, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x23, 0xc0, 0x48, 0xb8, 0x00, 0x10, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0x0f, 0x23, 0xd8, 0x0f, 0x21, 0xc3, 0x0f, 0x21, 0xd9, 0x31, 0xc0, 0x0f, 0x23, 0xf0, 0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xf2, 0x0f, 0x21, 0xfe, 0xb8, 0x03, 0x01, 0x00, 0x00, 0x0f, 0x23, 0xf8, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x23, 0xe0, 0x0f, 0x21, 0xff, 0x41, 0x0f, 0x21, 0xe8, 0x41, 0x0f, 0x21, 0xf1} /* mov rax, 0x12345678; mov dr0, rax; mov rax, 0xffff800000001000; mov dr3, rax; mov rbx, dr0; mov rcx, dr3; xor eax, eax; mov dr6, rax; mov dr7, rax; mov rdx, dr6; mov rsi, dr7; mov eax, 0x103; mov dr7, rax; mov eax, 1; mov dr4, rax; mov rdi, dr7; mov r8, dr5; mov r9, dr6 */);
    m.cpu.run(18);
    CHECK(m.vector_taken() == -1);
    CHECK(m.cpu.s.gpr[RBX] == 0x12345678);
    CHECK(m.cpu.s.gpr[RCX] == 0xffff800000001000ull);
    CHECK(m.cpu.s.gpr[RDX] == 0xffff0ff0);
    CHECK(m.cpu.s.gpr[RSI] == 0x400);
    CHECK(m.cpu.s.gpr[RDI] == 0x503);  // bit 10 always 1
    CHECK(m.cpu.s.gpr[R8] == 0x503);   // DR5 = DR7
    CHECK(m.cpu.s.gpr[R9] == 0xffff0ff1);  // DR4 wrote DR6
    SUBCASE("CR4.DE: DR4 is #UD") {
        LongMachine d;
        d.cpu.s.cr4 |= cr4::DE;
        d.code({0x0f, 0x21, 0xe0} /* mov rax, dr4 */);
        d.cpu.run(1);
        CHECK(d.vector_taken() == 6);
    }
    SUBCASE("DR7 bits 63:32 are #GP(0)") {
        LongMachine d;
        d.code({0x48, 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00, 0x48, 0xc1, 0xe0, 0x20, 0x0f, 0x23, 0xf8} /* mov rax, 1; shl rax, 32; mov dr7, rax */);
        d.cpu.run(3);
        CHECK(d.vector_taken() == 13);
        CHECK(d.cpu.s.dr[7] == 0x400);
    }
    SUBCASE("CPL 3 is #GP(0)") {
        LongMachine d;
        d.code({0x0f, 0x21, 0xc0} /* mov rax, dr0 */, kUser);
        d.to_user(kUser, kUserStack);
        d.cpu.run(1);
        CHECK(d.vector_taken() == 13);
    }
}

// ---------------------------------------------------------------- descriptor tables, TR, LDTR

TEST_CASE("LGDT/LIDT/SGDT/SIDT in 64-bit mode: 10-byte operands, canonical bases") {
    LongMachine m;
    m.poke<uint16_t>(0x5000, 0x47);
    m.poke<uint64_t>(0x5002, LongMachine::kGdt);
    m.poke<uint16_t>(0x5010, 0x1ff);
    m.poke<uint64_t>(0x5012, LongMachine::kIdt);
    std::memset(m.bus.ram.data() + 0x5100, 0xcc, 0x40);
    m.code({0x0f, 0x01, 0x14, 0x25, 0x00, 0x50, 0x00, 0x00, 0x0f, 0x01, 0x1c, 0x25, 0x10, 0x50, 0x00, 0x00, 0x0f, 0x01, 0x04, 0x25, 0x00, 0x51, 0x00, 0x00, 0x0f, 0x01, 0x0c, 0x25, 0x20, 0x51, 0x00, 0x00} /* lgdt [0x5000]; lidt [0x5010]; sgdt [0x5100]; sidt [0x5120] */);
    m.cpu.run(4);
    CHECK(m.cpu.s.gdtr.limit == 0x47);
    CHECK(m.cpu.s.gdtr.base == LongMachine::kGdt);
    CHECK(m.cpu.s.idtr.limit == 0x1ff);
    CHECK(m.peek<uint16_t>(0x5100) == 0x47);
    CHECK(m.peek<uint64_t>(0x5102) == LongMachine::kGdt);
    CHECK(m.peek<uint8_t>(0x510a) == 0xcc);
    CHECK(m.peek<uint16_t>(0x5120) == 0x1ff);
    CHECK(m.peek<uint64_t>(0x5122) == LongMachine::kIdt);
    SUBCASE("a non-canonical base is #GP(0) and changes nothing") {
        m.poke<uint64_t>(0x5002, 0x0000800000000000ull);
        m.code({0x0f, 0x01, 0x14, 0x25, 0x00, 0x50, 0x00, 0x00} /* lgdt [0x5000] */, 0x1100);
        m.cpu.s.rip = 0x1100;
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.cpu.s.gdtr.base == LongMachine::kGdt);
    }
    SUBCASE("SGDT at CPL 3 is allowed (no UMIP)") {
        m.code({0x0f, 0x01, 0x0c, 0x25, 0x40, 0x51, 0x00, 0x00} /* sidt [0x5140] */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        CHECK(m.peek<uint16_t>(0x5140) == 0x1ff);
    }
}

TEST_CASE("LGDT/SGDT in 32-bit mode: 6-byte operands; a 16-bit LGDT takes 24 bits of base") {
    ProtMachine m;
    m.poke<uint16_t>(0x5000, 0x6f);
    m.poke<uint32_t>(0x5002, 0x12345678);
    std::memset(m.bus.ram.data() + 0x5100, 0xcc, 0x20);
    m.code({0x0f, 0x01, 0x1d, 0x00, 0x50, 0x00, 0x00, 0x0f, 0x01, 0x0d, 0x00, 0x51, 0x00, 0x00, 0x66, 0x0f, 0x01, 0x1d, 0x00, 0x50, 0x00, 0x00, 0x0f, 0x01, 0x0d, 0x10, 0x51, 0x00, 0x00} /* lidt [0x5000]; sidt [0x5100]; data16 lidt [0x5000]; sidt [0x5110] */);
    m.cpu.run(2);
    CHECK(m.cpu.s.idtr.base == 0x12345678);
    CHECK(m.cpu.s.idtr.limit == 0x6f);
    CHECK(m.peek<uint16_t>(0x5100) == 0x6f);
    CHECK(m.peek<uint32_t>(0x5102) == 0x12345678);
    CHECK(m.peek<uint8_t>(0x5106) == 0xcc);
    m.cpu.run(2);
    CHECK(m.cpu.s.idtr.base == 0x345678);
    CHECK(m.peek<uint32_t>(0x5112) == 0x345678);
}

TEST_CASE("LTR marks the TSS busy; STR; LTR faults") {
    SUBCASE("LTR then STR") {
        LongMachine m;
        m.cpu.s.tr = {};
        m.code({0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8, 0xbb, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0xcb} /* mov ax, 0x28; ltr ax; mov ebx, 0xffffffff; str ebx */);
        m.cpu.run(4);
        CHECK(m.vector_taken() == -1);
        CHECK(m.cpu.s.tr.selector == 0x28);
        CHECK(m.cpu.s.tr.base == LongMachine::kTss);
        CHECK(m.cpu.s.tr.limit == 0x67);
        CHECK((m.cpu.s.tr.attr & 0xf) == 0xb);
        CHECK(m.peek<uint8_t>(LongMachine::kGdt + 0x28 + 5) == 0x8b);  // busy in the GDT
        CHECK(m.cpu.s.gpr[RBX] == 0x28);
        SUBCASE("a second LTR of the now busy TSS is #GP(selector)") {
            m.code({0x0f, 0x00, 0xd8} /* ltr ax */, 0x1100);
            m.cpu.s.rip = 0x1100;
            m.cpu.run(1);
            CHECK(m.vector_taken() == 13);
            CHECK(m.stack(0) == 0x28);
        }
    }
    struct Case {
        const char* what;
        uint16_t selector;
        int vector;
        uint32_t error;
    };
    const Case cases[] = {
        {"a data segment", 0x10, 13, 0x10},
        {"null", 0x0, 13, 0},
        {"past the GDT limit", 0x40, 13, 0x40},
        {"an LDT selector", 0x2c, 13, 0x2c},  // TI stays in the error code
        {"not present", 0x28, 11, 0x28},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        LongMachine m;
        if (c.vector == 11) m.poke<uint8_t>(LongMachine::kGdt + 0x28 + 5, 0x09);
        std::vector<uint8_t> code{0x66, 0xb8, static_cast<uint8_t>(c.selector), 0x00, 0x0f, 0x00, 0xd8};  // mov ax, sel; ltr ax
        m.code(code);
        m.cpu.run(2);
        CHECK(m.vector_taken() == c.vector);
        CHECK(m.stack(0) == c.error);
        CHECK(m.cpu.s.tr.selector == LongMachine::kTssSel);
    }
    SUBCASE("LTR at CPL 3 is #GP(0)") {
        LongMachine m;
        m.code({0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8} /* mov ax, 0x28; ltr ax */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(2);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0);
    }
}

TEST_CASE("LLDT/SLDT: a selector with TI=1 loads from the LDT") {
    ProtMachine m;
    // LDT entry 1: a data segment based at 0x5000.
    m.poke<uint64_t>(ProtMachine::kLdt + 8, 0x00cf93000000ffffull | (0x5000ull << 16));
    m.poke<uint8_t>(0x5010, 0x5a);
    m.poke<uint8_t>(0x0010, 0x11);
    m.code({0x66, 0xb8, 0x50, 0x00, 0x0f, 0x00, 0xd0, 0x66, 0xb8, 0x0c, 0x00, 0x8e, 0xd8, 0x8a, 0x1d, 0x10, 0x00, 0x00, 0x00, 0xb9, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0xc1} /* mov ax, 0x50; lldt ax; mov ax, 0x0c; mov ds, ax; mov bl, [0x10]; mov ecx, 0xffffffff; sldt ecx */);
    m.cpu.run(7);
    CHECK(m.vector_taken() == -1);
    CHECK(m.cpu.s.ldtr.selector == ProtMachine::kLdtSel);
    CHECK(m.cpu.s.ldtr.base == ProtMachine::kLdt);
    CHECK(m.cpu.s.ldtr.limit == 0xfff);
    CHECK(m.cpu.s.seg[DS].selector == 0x0c);
    CHECK(m.cpu.s.seg[DS].base == 0x5000);
    CHECK((m.cpu.s.gpr[RBX] & 0xff) == 0x5a);
    CHECK(m.cpu.s.gpr[RCX] == ProtMachine::kLdtSel);
    SUBCASE("a null LDTR makes LDT selectors #GP(selector)") {
        m.code({0x31, 0xc0, 0x0f, 0x00, 0xd0, 0x66, 0xb8, 0x0c, 0x00, 0x8e, 0xc0} /* xor eax, eax; lldt ax; mov ax, 0x0c; mov es, ax */, 0x1100);
        m.cpu.s.rip = 0x1100;
        m.cpu.run(4);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 0x0c);
    }
    SUBCASE("LLDT of a data descriptor or of a TI=1 selector is #GP(selector)") {
        auto f = prot_fault({0x66, 0xb8, 0x10, 0x00, 0x0f, 0x00, 0xd0} /* mov ax, 0x10; lldt ax */, 2);
        CHECK(f.first == 13);
        CHECK(f.second == 0x10);
        f = prot_fault({0x66, 0xb8, 0x0c, 0x00, 0x0f, 0x00, 0xd0} /* mov ax, 0x0c; lldt ax */, 2);
        CHECK(f.first == 13);
        CHECK(f.second == 0x0c);
    }
}

TEST_CASE("LMSW, SMSW, CLTS; WBINVD/INVD at CPL 0 and #GP at CPL 3") {
    LongMachine m;
    m.poke<uint32_t>(0x5000, 0xcccccccc);
    m.code({0xb8, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xf0, 0x0f, 0x01, 0xe3, 0x0f, 0x01, 0x24, 0x25, 0x00, 0x50, 0x00, 0x00, 0x0f, 0x06, 0x0f, 0x01, 0xe1, 0x0f, 0x09, 0x0f, 0x08} /* mov eax, 0x8; lmsw ax; smsw ebx; smsw [0x5000]; clts; smsw ecx; wbinvd; invd */);
    m.cpu.run(8);
    CHECK(m.vector_taken() == -1);
    CHECK((m.cpu.s.gpr[RBX] & 0xffff) == 0x39);  // PE | TS | ET | NE
    CHECK((m.cpu.s.cr0 & cr0::PE) != 0);        // LMSW cannot clear PE
    CHECK(m.peek<uint16_t>(0x5000) == 0x39);
    CHECK(m.peek<uint16_t>(0x5002) == 0xcccc);  // a memory SMSW stores 16 bits
    CHECK((m.cpu.s.gpr[RCX] & 0xffff) == 0x31);  // TS cleared by CLTS
    CHECK((m.cpu.s.cr0 & cr0::TS) == 0);
    SUBCASE("LMSW sets PE from real mode") {
        bs::test::FlatBus bus{1u << 20};
        Cpu c{bus};
        c.exception_exit = true;
        c.s.seg[CS].base = 0;
        c.s.seg[CS].selector = 0;
        c.s.rip = 0x7c00;
        c.mode_changed();
        const uint8_t prog[] = {0xb8, 0x01, 0x00, 0x0f, 0x01, 0xf0} /* mov ax, 1; lmsw ax */;
        std::memcpy(bus.ram.data() + 0x7c00, prog, sizeof prog);
        c.run(2);
        CHECK((c.s.cr0 & cr0::PE) != 0);
    }
    for (uint8_t op : {uint8_t{0x08}, uint8_t{0x09}, uint8_t{0x06}}) {  // INVD, WBINVD, CLTS
        CAPTURE(op);
        LongMachine u;
        std::vector<uint8_t> code{0x0f, op};
        u.code(code, kUser);
        u.to_user(kUser, kUserStack);
        u.cpu.run(1);
        CHECK(u.vector_taken() == 13);
        CHECK(u.stack(0) == 0);
    }
}

TEST_CASE("LAR, LSL, VERR, VERW: results and ZF") {
    struct Case {
        const char* what;
        uint16_t selector;
        bool user;
        bool lar_ok;
        uint32_t lar;
        bool lsl_ok;
        uint32_t lsl;
        bool verr, verw;
    };
    const Case cases[] = {
        {"ring 0 data", 0x10, false, true, 0x00cf9300, true, 0xffffffff, true, true},
        {"ring 0 code", 0x08, false, true, 0x00cf9b00, true, 0xffffffff, true, false},
        {"execute-only code", 0x48, false, true, 0x00cf9900, true, 0xffffffff, false, false},
        {"read-only data", 0x58, false, true, 0x00cf9100, true, 0xffffffff, true, false},
        {"16-bit code, byte granular", 0x30, false, true, 0x00009b00, true, 0xffff, true, false},
        {"busy TSS", 0x28, false, true, 0x00008b00, true, 0x67, false, false},
        {"LDT", 0x50, false, true, 0x00008200, true, 0xfff, false, false},
        {"null", 0x00, false, false, 0, false, 0, false, false},
        {"past the GDT limit", 0x78, false, false, 0, false, 0, false, false},
        {"ring 0 data from ring 3", 0x10, true, false, 0, false, 0, false, false},
        {"ring 0 data with RPL 3", 0x13, false, false, 0, false, 0, false, false},
        {"conforming ring 0 code from ring 3", 0x3b, true, true, 0x00cf9f00, true, 0xffffffff, true, false},
        {"ring 3 data from ring 3", 0x23, true, true, 0x00cff300, true, 0xffffffff, true, true},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        ProtMachine m;
        m.poke<uint8_t>(ProtMachine::kGdt + 0x28 + 5, 0x8b);  // TR's TSS is busy
        m.code({0xbb, 0xef, 0xbe, 0xad, 0xde, 0xb9, 0xef, 0xbe, 0xad, 0xde, 0x0f, 0x02, 0xd8, 0x0f, 0x94, 0xc2, 0x0f, 0x03, 0xc8, 0x0f, 0x94, 0xc6, 0x0f, 0x00, 0xe0, 0x0f, 0x94, 0x05, 0x00, 0x60, 0x00, 0x00, 0x0f, 0x00, 0xe8, 0x0f, 0x94, 0x05, 0x01, 0x60, 0x00, 0x00} /* mov ebx, 0xdeadbeef; mov ecx, 0xdeadbeef; lar ebx, ax; setz dl; lsl ecx, ax; setz dh; verr ax; setz byte ptr [0x6000]; verw ax; setz byte ptr [0x6001] */, kUser);
        m.cpu.s.gpr[RAX] = c.selector;
        if (c.user) m.to_user(kUser, kUserStack);
        else m.cpu.s.rip = kUser;
        m.cpu.run(10);
        CHECK(m.vector_taken() == -1);
        CHECK(((m.cpu.s.gpr[RDX] & 0xff) != 0) == c.lar_ok);
        // LAR: bits 19:16 (limit 19:16) are undefined (SDM Vol. 2A "LAR"): not compared.
        CHECK((static_cast<uint32_t>(m.cpu.s.gpr[RBX]) & ~0xf0000u) == (c.lar_ok ? c.lar & ~0xf0000u : 0xdeadbeef & ~0xf0000u));
        CHECK(((m.cpu.s.gpr[RDX] >> 8 & 0xff) != 0) == c.lsl_ok);
        CHECK(static_cast<uint32_t>(m.cpu.s.gpr[RCX]) == (c.lsl_ok ? c.lsl : 0xdeadbeef));
        CHECK((m.peek<uint8_t>(0x6000) != 0) == c.verr);
        CHECK((m.peek<uint8_t>(0x6001) != 0) == c.verw);
    }
}

// ---------------------------------------------------------------- protected-mode segment loads

TEST_CASE("protected mode: segment register loads and their faults") {
    struct Case {
        const char* what;
        std::vector<uint8_t> code;  // loads AX into a segment register
        uint16_t selector;
        bool user;
        int vector;
        uint32_t error;
    };
    const std::vector<uint8_t> ds = {0x8e, 0xd8} /* mov ds, ax */, ss = {0x8e, 0xd0} /* mov ss, ax */;
    const Case cases[] = {
        {"DS past the GDT limit", ds, 0x78, false, 13, 0x78},
        {"DS past the GDT limit, RPL 3", ds, 0x7b, false, 13, 0x78},
        {"DS execute-only code", ds, 0x48, false, 13, 0x48},
        {"DS RPL 3 > DPL 0", ds, 0x13, false, 13, 0x10},
        {"DS DPL 0 from CPL 3", ds, 0x13, true, 13, 0x10},
        {"DS not present", ds, 0x40, false, 11, 0x40},
        {"DS the TSS (system)", ds, 0x28, false, 13, 0x28},
        {"SS code", ss, 0x08, false, 13, 0x08},
        {"SS read-only data", ss, 0x58, false, 13, 0x58},
        {"SS DPL 3 at CPL 0", ss, 0x23, false, 13, 0x20},
        {"SS RPL 3 at CPL 0", ss, 0x13, false, 13, 0x10},
        {"SS null", ss, 0x00, false, 13, 0},
        {"SS not present", ss, 0x40, false, 12, 0x40},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        ProtMachine m;
        m.code(c.code, kUser);
        m.cpu.s.gpr[RAX] = c.selector;
        const Segment before = m.cpu.s.seg[c.code == ss ? SS : DS];
        if (c.user) m.to_user(kUser, kUserStack);
        else m.cpu.s.rip = kUser;
        m.cpu.run(1);
        CHECK(m.vector_taken() == c.vector);
        CHECK(m.stack(0) == c.error);
        CHECK(m.stack(1) == kUser);
        if (!c.user) CHECK(m.cpu.s.seg[c.code == ss ? SS : DS].selector == before.selector);
    }
    SUBCASE("allowed loads: null DS, readable code in DS, conforming code from CPL 3; the accessed bit") {
        ProtMachine m;
        m.poke<uint8_t>(ProtMachine::kGdt + 0x10 + 5, 0x92);  // kernel data, not yet accessed
        m.code({0x31, 0xc0, 0x8e, 0xd8, 0x66, 0xb8, 0x08, 0x00, 0x8e, 0xc0, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xe0} /* xor eax, eax; mov ds, ax; mov ax, 0x08; mov es, ax; mov ax, 0x10; mov fs, ax */);
        m.cpu.run(6);
        CHECK(m.vector_taken() == -1);
        CHECK(m.cpu.s.seg[DS].selector == 0);
        CHECK(m.cpu.s.seg[ES].selector == 0x08);
        CHECK(m.cpu.s.seg[FS].selector == 0x10);
        CHECK(m.peek<uint8_t>(ProtMachine::kGdt + 0x10 + 5) == 0x93);
        ProtMachine u;
        u.code({0x66, 0xb8, 0x3b, 0x00, 0x8e, 0xd8, 0x66, 0xb8, 0x23, 0x00, 0x8e, 0xd0} /* mov ax, 0x3b; mov ds, ax; mov ax, 0x23; mov ss, ax */, kUser);
        u.to_user(kUser, kUserStack);
        u.cpu.run(4);
        CHECK(u.vector_taken() == -1);
        CHECK(u.cpu.s.seg[DS].selector == 0x3b);
    }
}

TEST_CASE("protected mode: far JMP/CALL/RETF between 32- and 16-bit code") {
    SUBCASE("JMP to 16-bit code and back with an o32 far JMP") {
        ProtMachine m;
        m.code({0xea, 0x00, 0x50, 0x00, 0x00, 0x30, 0x00} /* jmp 0x30:0x5000 */);
        m.code({0xb8, 0x34, 0x12, 0x66, 0xea, 0x00, 0x60, 0x00, 0x00, 0x08, 0x00} /* mov ax, 0x1234; data32 jmp 0x08:0x6000 */, 0x5000);
        m.code({0x90} /* nop */, 0x6000);
        m.cpu.run(1);
        CHECK(m.cpu.s.seg[CS].selector == ProtMachine::kCode16);
        CHECK(m.cpu.s.code_size == 2);
        CHECK(m.cpu.s.rip == 0x5000);
        m.cpu.run(2);
        CHECK((m.cpu.s.gpr[RAX] & 0xffff) == 0x1234);
        CHECK(m.cpu.s.seg[CS].selector == ProtMachine::kKCode);
        CHECK(m.cpu.s.code_size == 4);
        CHECK(m.cpu.s.rip == 0x6000);
    }
    SUBCASE("CALL 32 -> 16 pushes 32-bit CS:EIP; an o32 RETF returns") {
        ProtMachine m;
        m.code({0x9a, 0x00, 0x50, 0x00, 0x00, 0x30, 0x00, 0x90} /* call 0x30:0x5000; nop */);
        m.code({0x66, 0xcb} /* retfd */, 0x5000);
        m.cpu.run(1);
        CHECK(m.cpu.s.gpr[RSP] == ProtMachine::kStack - 8);
        CHECK(m.stack(0) == ProtMachine::kCode + 7);
        CHECK(m.stack(1) == ProtMachine::kKCode);
        CHECK(m.cpu.s.code_size == 2);
        m.cpu.run(1);
        CHECK(m.cpu.s.rip == ProtMachine::kCode + 7);
        CHECK(m.cpu.s.code_size == 4);
        CHECK(m.cpu.s.gpr[RSP] == ProtMachine::kStack);
    }
    SUBCASE("an o16 CALL pushes 16-bit CS:IP; a 16-bit RETF returns") {
        ProtMachine m;
        m.code({0x66, 0x9a, 0x00, 0x50, 0x30, 0x00, 0x90} /* data16 call 0x30:0x5000; nop */);
        m.code({0xcb} /* retf */, 0x5000);
        m.cpu.run(1);
        CHECK(m.cpu.s.gpr[RSP] == ProtMachine::kStack - 4);
        CHECK(m.peek<uint16_t>(ProtMachine::kStack - 4) == ProtMachine::kCode + 6);
        CHECK(m.peek<uint16_t>(ProtMachine::kStack - 2) == ProtMachine::kKCode);
        m.cpu.run(1);
        CHECK(m.cpu.s.rip == ProtMachine::kCode + 6);
        CHECK(m.cpu.s.gpr[RSP] == ProtMachine::kStack);
    }
    SUBCASE("conforming code keeps CPL 3; non-conforming ring 0 code is #GP(selector)") {
        ProtMachine m;
        m.code({0xea, 0x00, 0x60, 0x00, 0x00, 0x38, 0x00} /* jmp 0x38:0x6000 */, kUser);
        m.code({0x9a, 0x00, 0x61, 0x00, 0x00, 0x38, 0x00} /* call 0x38:0x6100 */, 0x6000);
        m.code({0x90} /* nop */, 0x6100);
        m.to_user(kUser, kUserStack);
        m.cpu.run(2);
        CHECK(m.cpu.s.cpl == 3);
        CHECK(m.cpu.s.seg[CS].selector == 0x3b);  // RPL = CPL
        CHECK(m.cpu.s.rip == 0x6100);
        CHECK(m.peek<uint32_t>(kUserStack - 4) == 0x3b);
        ProtMachine n;
        n.code({0xea, 0x00, 0x60, 0x00, 0x00, 0x08, 0x00} /* jmp 0x08:0x6000 */, kUser);
        n.to_user(kUser, kUserStack);
        n.cpu.run(1);
        CHECK(n.vector_taken() == 13);
        CHECK(n.stack(0) == 0x08);
    }
    struct Case {
        const char* what;
        std::vector<uint8_t> code;
        int vector;
        uint32_t error;
    };
    const Case cases[] = {
        {"JMP to a data segment", {0xea, 0x00, 0x60, 0x00, 0x00, 0x10, 0x00} /* jmp 0x10:0x6000 */, 13, 0x10},
        {"JMP past the GDT limit", {0xea, 0x00, 0x60, 0x00, 0x00, 0x78, 0x00} /* jmp 0x78:0x6000 */, 13, 0x78},
        {"JMP to null", {0xea, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00} /* jmp 0x00:0x6000 */, 13, 0},
        {"JMP to ring 1 code from ring 0", {0xea, 0x00, 0x60, 0x00, 0x00, 0x61, 0x00} /* jmp 0x61:0x6000 */, 13, 0x60},
        {"JMP past the 16-bit segment's limit", {0xea, 0x00, 0x00, 0x01, 0x00, 0x30, 0x00} /* jmp 0x30:0x10000 */, 13, 0},
        {"CALL to not-present code", {0x9a, 0x00, 0x60, 0x00, 0x00, 0x40, 0x00} /* call 0x40:0x6000 */, 11, 0x40},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        ProtMachine m;
        m.desc(0x40, 0x00cf1b000000ffffull);  // code, not present
        m.code(c.code);
        m.cpu.run(1);
        CHECK(m.vector_taken() == c.vector);
        CHECK(m.stack(0) == c.error);
        CHECK(m.stack(1) == ProtMachine::kCode);
    }
}

TEST_CASE("protected mode: RETF to an outer privilege level") {
    for (unsigned extra : {0u, 8u}) {
        CAPTURE(extra);
        ProtMachine m;
        const uint64_t sp = ProtMachine::kStack - 32;
        m.poke<uint32_t>(sp, kUser);
        m.poke<uint32_t>(sp + 4, ProtMachine::kUCode);
        m.poke<uint32_t>(sp + 8 + extra, kUserStack);
        m.poke<uint32_t>(sp + 12 + extra, ProtMachine::kUData);
        m.cpu.s.gpr[RSP] = sp;
        m.load(ES, ProtMachine::kUData);
        m.load(FS, ProtMachine::kConfCode);
        if (extra) m.code({0xca, 0x08, 0x00} /* retf 8 */);
        else m.code({0xcb} /* retf */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        CHECK(m.cpu.s.cpl == 3);
        CHECK(m.cpu.s.rip == kUser);
        CHECK(m.cpu.s.seg[CS].selector == ProtMachine::kUCode);
        CHECK(m.cpu.s.seg[SS].selector == ProtMachine::kUData);
        CHECK(m.cpu.s.gpr[RSP] == kUserStack + extra);
        CHECK(m.cpu.s.seg[DS].selector == 0);  // DPL 0 < CPL 3: nulled
        CHECK((m.cpu.s.seg[DS].attr & segattr::Present) == 0);
        CHECK(m.cpu.s.seg[GS].selector == 0);
        CHECK(m.cpu.s.seg[ES].selector == ProtMachine::kUData);   // DPL 3: kept
        CHECK(m.cpu.s.seg[FS].selector == ProtMachine::kConfCode);  // conforming code: kept
    }
    SUBCASE("RETF to a lower RPL than CPL is #GP(selector)") {
        ProtMachine m;
        m.poke<uint32_t>(kUserStack, 0x6000);
        m.poke<uint32_t>(kUserStack + 4, ProtMachine::kKCode);
        m.code({0xcb} /* retf */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == ProtMachine::kKCode);
    }
    SUBCASE("the popped SS must have DPL = RPL = the new CPL") {
        ProtMachine m;
        const uint64_t sp = ProtMachine::kStack - 16;
        m.poke<uint32_t>(sp, kUser);
        m.poke<uint32_t>(sp + 4, ProtMachine::kUCode);
        m.poke<uint32_t>(sp + 8, kUserStack);
        m.poke<uint32_t>(sp + 12, ProtMachine::kKData | 3);
        m.cpu.s.gpr[RSP] = sp;
        m.code({0xcb} /* retf */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == ProtMachine::kKData);
        CHECK(m.cpu.s.cpl == 0);
    }
}

// ---------------------------------------------------------------- IRET

TEST_CASE("protected mode: IRET to ring 3 and its checks") {
    SUBCASE("to ring 3 from ring 0: SS:ESP popped, IF and IOPL from the frame, DS nulled") {
        ProtMachine m;
        const uint64_t sp = ProtMachine::kStack - 20;
        m.poke<uint32_t>(sp, kUser);
        m.poke<uint32_t>(sp + 4, ProtMachine::kUCode);
        m.poke<uint32_t>(sp + 8, static_cast<uint32_t>(fl::Reserved1 | fl::IF | fl::IOPL | fl::CF));
        m.poke<uint32_t>(sp + 12, kUserStack);
        m.poke<uint32_t>(sp + 16, ProtMachine::kUData);
        m.cpu.s.gpr[RSP] = sp;
        m.code({0xcf} /* iretd */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        CHECK(m.cpu.s.cpl == 3);
        CHECK(m.cpu.s.rip == kUser);
        CHECK(m.cpu.s.gpr[RSP] == kUserStack);
        CHECK(m.cpu.s.seg[SS].selector == ProtMachine::kUData);
        CHECK(get_rflags(m.cpu.s) == (fl::Reserved1 | fl::IF | fl::IOPL | fl::CF));
        CHECK(m.cpu.s.seg[DS].selector == 0);
    }
    SUBCASE("at CPL 3 with IOPL 0, IRET changes neither IF nor IOPL") {
        ProtMachine m;
        m.poke<uint32_t>(kUserStack, kUser + 0x10);
        m.poke<uint32_t>(kUserStack + 4, ProtMachine::kUCode);
        m.poke<uint32_t>(kUserStack + 8, static_cast<uint32_t>(fl::Reserved1 | fl::IF | fl::IOPL | fl::CF));
        m.code({0xcf} /* iretd */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        CHECK(m.cpu.s.rip == kUser + 0x10);
        CHECK(m.cpu.s.gpr[RSP] == kUserStack + 12);
        CHECK(get_rflags(m.cpu.s) == (fl::Reserved1 | fl::CF));
    }
    SUBCASE("at CPL 1 with IOPL 1, IRET changes IF but not IOPL") {
        ProtMachine m;
        m.load(CS, ProtMachine::kR1Code);
        m.load(SS, ProtMachine::kR1Data);
        m.cpu.set_cpl(1);
        m.cpu.mode_changed();
        set_rflags(m.cpu.s, fl::Reserved1 | (1ull << 12));
        m.poke<uint32_t>(0x8000, 0x6000);
        m.poke<uint32_t>(0x8004, ProtMachine::kR1Code);
        m.poke<uint32_t>(0x8008, static_cast<uint32_t>(fl::Reserved1 | fl::IF | fl::IOPL));
        m.cpu.s.gpr[RSP] = 0x8000;
        m.code({0xcf} /* iretd */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == -1);
        CHECK(get_rflags(m.cpu.s) == (fl::Reserved1 | fl::IF | (1ull << 12)));
    }
    SUBCASE("IRET to RPL 0 from CPL 3 is #GP(selector)") {
        ProtMachine m;
        m.poke<uint32_t>(kUserStack, 0x6000);
        m.poke<uint32_t>(kUserStack + 4, ProtMachine::kKCode);
        m.poke<uint32_t>(kUserStack + 8, static_cast<uint32_t>(fl::Reserved1));
        m.code({0xcf} /* iretd */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == ProtMachine::kKCode);
        CHECK(m.stack(1) == kUser);
    }
    SUBCASE("IRET to a data segment is #GP(selector)") {
        ProtMachine m;
        m.poke<uint32_t>(0x8000, 0x6000);
        m.poke<uint32_t>(0x8004, ProtMachine::kKData);
        m.poke<uint32_t>(0x8008, static_cast<uint32_t>(fl::Reserved1));
        m.cpu.s.gpr[RSP] = 0x8000;
        m.code({0xcf} /* iretd */);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == ProtMachine::kKData);
    }
}

TEST_CASE("IRETQ in 64-bit mode always pops SS:RSP; RF lasts one instruction") {
    LongMachine m;
    const uint64_t sp = LongMachine::kStack - 40;
    m.poke<uint64_t>(sp, 0x1100);
    m.poke<uint64_t>(sp + 8, LongMachine::kKCode);
    m.poke<uint64_t>(sp + 16, fl::Reserved1 | fl::CF | fl::RF);
    m.poke<uint64_t>(sp + 24, 0x8888);
    m.poke<uint64_t>(sp + 32, 0);  // a null SS is fine at CPL 0
    m.cpu.s.gpr[RSP] = sp;
    m.code({0x48, 0xcf} /* iretq */);
    m.code({0x90, 0xcd, 0x80} /* nop; int 0x80 */, 0x1100);
    m.cpu.run(1);
    CHECK(m.cpu.s.rip == 0x1100);
    CHECK(m.cpu.s.gpr[RSP] == 0x8888);
    CHECK(m.cpu.s.seg[SS].selector == 0);
    CHECK(get_rflags(m.cpu.s) == (fl::Reserved1 | fl::CF | fl::RF));
    m.cpu.run(3);
    CHECK(m.vector_taken() == 0x80);
    // RF was cleared when the NOP completed (SDM Vol. 3A §17.3.1.1).
    CHECK(m.stack(2) == (fl::Reserved1 | fl::CF));
    SUBCASE("IRETQ to ring 3 from ring 0 sets IOPL and IF") {
        LongMachine r;
        r.poke<uint64_t>(sp, kUser);
        r.poke<uint64_t>(sp + 8, LongMachine::kUCode);
        r.poke<uint64_t>(sp + 16, fl::Reserved1 | fl::IF | fl::IOPL);
        r.poke<uint64_t>(sp + 24, kUserStack);
        r.poke<uint64_t>(sp + 32, LongMachine::kUData);
        r.cpu.s.gpr[RSP] = sp;
        r.code({0x48, 0xcf} /* iretq */);
        r.cpu.run(1);
        CHECK(r.cpu.s.cpl == 3);
        CHECK(r.cpu.s.seg[SS].selector == LongMachine::kUData);
        CHECK(get_rflags(r.cpu.s) == (fl::Reserved1 | fl::IF | fl::IOPL));
    }
}

// ---------------------------------------------------------------- NMI, interrupt shadow, INT3/INTO/INT1

TEST_CASE("NMI: delivered with IF=0, blocked until IRET") {
    LongMachine m;
    m.gate(2, 0x4000, 0, 0);
    m.code({0x49, 0xff, 0xc0, 0x90, 0x48, 0xcf} /* inc r8; nop; iretq */, 0x4000);
    m.code({0x90, 0x90, 0x90, 0x90, 0x90, 0x90} /* nop; nop; nop; nop; nop; nop */);
    set_rflags(m.cpu.s, fl::Reserved1);  // IF = 0
    m.cpu.nmi_line = true;  // held: FlatBus never drops it
    m.cpu.run(1);
    CHECK(m.cpu.events_delivered(2) == 1);
    CHECK(m.cpu.s.rip == 0x4003);  // ran INC in the handler
    CHECK(m.stack(0) == LongMachine::kCode);
    m.cpu.run(1);
    CHECK(m.cpu.events_delivered(2) == 1);  // blocked while the handler runs
    CHECK(m.cpu.s.rip == 0x4004);
    m.cpu.run(1);  // IRETQ unblocks NMIs
    CHECK(m.cpu.s.rip == LongMachine::kCode);
    m.cpu.run(1);
    CHECK(m.cpu.events_delivered(2) == 2);
    CHECK(m.cpu.s.gpr[R8] == 2);
}

TEST_CASE("MOV SS and STI delay a pending interrupt by one instruction") {
    for (bool shadow : {true, false}) {
        CAPTURE(shadow);
        LongMachine m;
        if (shadow) m.code({0xb8, 0x10, 0x00, 0x00, 0x00, 0x8e, 0xd0, 0x49, 0xff, 0xc1, 0x49, 0xff, 0xc2} /* mov eax, 0x10; mov ss, ax; inc r9; inc r10 */);
        else m.code({0xb8, 0x10, 0x00, 0x00, 0x00, 0x8e, 0xd8, 0x49, 0xff, 0xc1, 0x49, 0xff, 0xc2} /* mov eax, 0x10; mov ds, ax; inc r9; inc r10 */);
        set_rflags(m.cpu.s, fl::Reserved1 | fl::IF);
        m.cpu.run(2);
        m.cpu.intr_line = true;
        m.cpu.run(2);
        CHECK(m.vector_taken() == 0xff);
        CHECK(m.cpu.s.gpr[R9] == (shadow ? 1u : 0u));
        CHECK(m.cpu.s.gpr[R10] == 0);
        CHECK(m.stack(0) == LongMachine::kCode + (shadow ? 10 : 7));
    }
}

TEST_CASE("INT3, INT1 and INTO save the RIP of the next instruction") {
    SUBCASE("INT3 and INT1 in 64-bit mode") {
        LongMachine m;
        m.code({0x90, 0xcc} /* nop; int3 */);
        m.cpu.run(3);
        CHECK(m.vector_taken() == 3);
        CHECK(m.stack(0) == LongMachine::kCode + 2);
        LongMachine n;
        n.code({0x90, 0xf1} /* nop; int1 */);
        n.cpu.run(3);
        CHECK(n.vector_taken() == 1);
        CHECK(n.stack(0) == LongMachine::kCode + 2);
    }
    SUBCASE("from ring 3: INT3 checks the gate DPL, INT1 does not") {
        LongMachine m;
        m.code({0xcc} /* int3 */, kUser);
        m.to_user(kUser, kUserStack);
        m.cpu.run(1);
        CHECK(m.vector_taken() == 13);
        CHECK(m.stack(0) == 3 * 8 + 2);
        LongMachine n;
        n.code({0xf1} /* int1 */, kUser);
        n.to_user(kUser, kUserStack);
        n.cpu.run(2);
        CHECK(n.vector_taken() == 1);
        CHECK(n.stack(0) == kUser + 1);
        LongMachine d;
        d.gate(3, LongMachine::kHandler + 3 * 16, 3, 0);
        d.code({0xcc} /* int3 */, kUser);
        d.to_user(kUser, kUserStack);
        d.cpu.run(2);
        CHECK(d.vector_taken() == 3);
        CHECK(d.stack(0) == kUser + 1);
    }
    SUBCASE("INTO in protected mode: only with OF") {
        ProtMachine m;
        m.code({0x31, 0xc0, 0xce, 0xb0, 0x7f, 0x04, 0x01, 0xce} /* xor eax, eax; into; mov al, 0x7f; add al, 1; into */);
        m.cpu.run(6);
        CHECK(m.vector_taken() == 4);
        CHECK(m.stack(0) == ProtMachine::kCode + 8);
        CHECK(m.cpu.events_delivered(4) == 1);
    }
}
