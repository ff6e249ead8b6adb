// CPU family 'mmx' (cpu/exec_mmx.cpp, state rules cpu/x87_mmx.h): the
// aliasing of the x87 registers, the MMX state transitions and the
// exception checks. The results of every form are compared with the host by
// tests/difftest; these cases pin the rules down where the difftest cannot
// (CR0 bits) or where a regression would be hard to read there.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "cpu/x87.h"
#include "harness.h"

using namespace bs::cpu;
using bs::test::Machine;

namespace {

struct MmxMachine : Machine {
    RunResult exec(std::initializer_list<uint8_t> bytes) {
        code(bytes);
        return run(1);
    }
    bool ok(const RunResult& r, size_t len) const { return r.exit == Exit::InstructionLimit && cpu.s.rip == kCode + len; }
    bool faulted(const RunResult& r, uint8_t vector) const {
        return r.exit == Exit::Exception && r.fault.vector == vector && cpu.s.rip == kCode;
    }
    X87& f() { return cpu.s.fpu; }
    unsigned top() { return (f().fsw >> 11) & 7; }
    uint64_t mm(unsigned r) {
        uint64_t v;
        std::memcpy(&v, f().regs[r], 8);
        return v;
    }
    void set_mm(unsigned r, uint64_t v) { std::memcpy(f().regs[r], &v, 8); }
    uint16_t exponent(unsigned r) { return static_cast<uint16_t>(f().regs[r][8] | f().regs[r][9] << 8); }
};

}  // namespace

TEST_CASE("mmx: an MMX instruction sets TOP to 0, tags every register in use, writes exponent all ones") {
    MmxMachine m;
    m.f().fsw = static_cast<uint16_t>(5u << 11);
    m.f().ftw = 0xffff;  // all empty
    m.set_mm(1, 0x0102030405060708ull);
    m.set_mm(2, 0x1010101010101010ull);
    REQUIRE(m.ok(m.exec({0x0f, 0xfc, 0xca}), 3));  // paddb mm1, mm2
    CHECK(m.mm(1) == 0x1112131415161718ull);
    CHECK(m.exponent(1) == 0xffff);
    CHECK(m.top() == 0);
    CHECK(x87::abridged_tag(m.f()) == 0xff);
    CHECK(((m.f().ftw >> 2) & 3) == x87::kTagSpecial);  // mm1: exponent all ones

    REQUIRE(m.ok(m.exec({0x0f, 0x77}), 2));  // emms
    CHECK(m.f().ftw == 0xffff);
    CHECK(m.top() == 0);
    CHECK(m.mm(1) == 0x1112131415161718ull);  // the contents stay
}

TEST_CASE("mmx: register numbers ignore REX; general registers do not") {
    MmxMachine m;
    m.set_mm(3, 0xaaaa);
    m.set_mm(5, 0x5555);
    REQUIRE(m.ok(m.exec({0x45, 0x0f, 0xeb, 0xdd}), 4));  // rex.RB por mm3, mm5 (REX ignored)
    CHECK(m.mm(3) == 0xffff);
    m.r(R9) = 0xffffffff'80000001ull;
    REQUIRE(m.ok(m.exec({0x41, 0x0f, 0x6e, 0xc1}), 4));  // movd mm0, r9d
    CHECK(m.mm(0) == 0x80000001ull);
    REQUIRE(m.ok(m.exec({0x49, 0x0f, 0x6e, 0xc1}), 4));  // movq mm0, r9
    CHECK(m.mm(0) == 0xffffffff'80000001ull);
    m.r(R10) = ~0ull;
    REQUIRE(m.ok(m.exec({0x41, 0x0f, 0x7e, 0xc2}), 4));  // movd r10d, mm0 (zero-extends)
    CHECK(m.r(R10) == 0x80000001ull);
    REQUIRE(m.ok(m.exec({0x44, 0x0f, 0xc5, 0xd8, 0x03}), 5));  // pextrw r11d, mm0, 3
    CHECK(m.r(R11) == 0xffff);
}

TEST_CASE("mmx: CR0.EM gives #UD, CR0.TS #NM, a pending x87 exception #MF, before anything changes") {
    MmxMachine m;
    m.f().fsw = static_cast<uint16_t>(3u << 11);
    m.f().ftw = 0xffff;
    m.cpu.s.cr0 |= cr0::EM;
    CHECK(m.faulted(m.exec({0x0f, 0xef, 0xc0}), kUD));  // pxor mm0, mm0
    CHECK(m.faulted(m.exec({0x0f, 0x77}), kUD));        // emms
    m.cpu.s.cr0 = (m.cpu.s.cr0 & ~cr0::EM) | cr0::TS;
    CHECK(m.faulted(m.exec({0x0f, 0xef, 0xc0}), kNM));
    CHECK(m.faulted(m.exec({0x0f, 0x38, 0x00, 0xc0}), kNM));  // pshufb mm0, mm0
    m.cpu.s.cr0 &= ~cr0::TS;
    m.f().fcw = 0x037e;  // IM unmasked
    m.f().fsw |= fsw::IE | fsw::ES | fsw::B;
    CHECK(m.faulted(m.exec({0x0f, 0xef, 0xc0}), kMF));
    CHECK(m.faulted(m.exec({0x0f, 0x77}), kMF));
    CHECK(m.top() == 3);
    CHECK(m.f().ftw == 0xffff);
    m.cpu.s.cr0 &= ~cr0::NE;  // no native x87 error reporting: the pending exception is ignored
    CHECK(m.ok(m.exec({0x0f, 0xef, 0xc0}), 3));
    CHECK(m.mm(0) == 0);
    CHECK(m.faulted(m.exec({0xf0, 0x0f, 0xef, 0xc0}), kUD));  // lock pxor
}

// The SSE forms with an MMX operand (cpu/exec_sse.cpp), as the reference host
// behaves (see cpu/x87_mmx.h).
TEST_CASE("mmx: SSE forms with an MMX operand enter the MMX state; CVTPI2PS/CVTPI2PD from memory do not") {
    MmxMachine m;
    auto reset_x87 = [&] {
        m.f().fsw = static_cast<uint16_t>(5u << 11);
        m.f().ftw = 0xffff;
    };
    auto untouched = [&] { return m.top() == 5 && m.f().ftw == 0xffff; };
    auto entered = [&] { return m.top() == 0 && x87::abridged_tag(m.f()) == 0xff; };
    Xmm& x0 = m.cpu.s.xmm[0];
    Xmm& x1 = m.cpu.s.xmm[1];
    m.r(RAX) = Machine::kData;
    m.poke<int32_t>(Machine::kData, 5);
    m.poke<int32_t>(Machine::kData + 4, -6);
    m.set_mm(1, static_cast<uint32_t>(3) | static_cast<uint64_t>(static_cast<uint32_t>(-7)) << 32);

    reset_x87();
    for (float& v : x0.f) v = 9.0f;
    REQUIRE(m.ok(m.exec({0x0f, 0x2a, 0xc1}), 3));  // cvtpi2ps xmm0, mm1
    CHECK((x0.f[0] == 3.0f && x0.f[1] == -7.0f && x0.f[2] == 9.0f && x0.f[3] == 9.0f));
    CHECK(entered());

    reset_x87();
    REQUIRE(m.ok(m.exec({0x0f, 0x2a, 0x00}), 3));  // cvtpi2ps xmm0, [rax]
    CHECK((x0.f[0] == 5.0f && x0.f[1] == -6.0f && x0.f[3] == 9.0f));
    CHECK(untouched());
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x2a, 0x00}), 4));  // cvtpi2pd xmm0, [rax]
    CHECK((x0.f64[0] == 5.0 && x0.f64[1] == -6.0));
    CHECK(untouched());
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x2a, 0xc1}), 4));  // cvtpi2pd xmm0, mm1
    CHECK((x0.f64[0] == 3.0 && x0.f64[1] == -7.0));
    CHECK(entered());

    // CVTPS2PI converts the low two floats only (NaN in the high ones raises nothing).
    reset_x87();
    x1.f[0] = 1.5f, x1.f[1] = -2.5f, x1.f[2] = std::nanf(""), x1.f[3] = std::nanf("");
    m.cpu.s.mxcsr = 0x1f80;
    REQUIRE(m.ok(m.exec({0x0f, 0x2d, 0xc1}), 3));  // cvtps2pi mm0, xmm1
    CHECK(m.mm(0) == (2u | static_cast<uint64_t>(static_cast<uint32_t>(-2)) << 32));
    CHECK(m.exponent(0) == 0xffff);
    CHECK(m.cpu.s.mxcsr == (0x1f80 | 0x20));  // PE only
    CHECK(entered());

    reset_x87();
    x1.q[0] = 0x1122334455667788ull;
    REQUIRE(m.ok(m.exec({0xf2, 0x0f, 0xd6, 0xd1}), 4));  // movdq2q mm2, xmm1
    CHECK(m.mm(2) == 0x1122334455667788ull);
    CHECK(entered());
    reset_x87();
    m.cpu.s.xmm[4].q[1] = ~0ull;
    REQUIRE(m.ok(m.exec({0xf3, 0x41, 0x0f, 0xd6, 0xe2}), 5));  // rex.B movq2dq xmm4, mm2 (REX.B ignored)
    CHECK((m.cpu.s.xmm[4].q[0] == 0x1122334455667788ull && m.cpu.s.xmm[4].q[1] == 0));
    CHECK(entered());
}

TEST_CASE("mmx: SSE forms with an MMX operand: #MF first, faulting loads leave x87 alone, #XM after the transition") {
    MmxMachine m;
    m.f().fsw = static_cast<uint16_t>(5u << 11);
    m.f().ftw = 0xffff;
    m.r(RAX) = Machine::kData;
    m.set_mm(0, 0x1234);
    const uint16_t exp0 = m.exponent(0);
    Xmm& x1 = m.cpu.s.xmm[1];
    for (float& v : x1.f) v = std::nanf("");

    // A pending x87 exception: #MF for an MMX operand, not for CVTPI2PS's m64.
    m.f().fcw = 0x037e;
    m.f().fsw |= fsw::IE | fsw::ES | fsw::B;
    CHECK(m.faulted(m.exec({0x0f, 0x2a, 0xc1}), kMF));               // cvtpi2ps xmm0, mm1
    CHECK(m.faulted(m.exec({0x66, 0x0f, 0x2d, 0x40, 0x08}), kMF));   // cvtpd2pi mm0, [rax+8]: before #GP
    CHECK(m.faulted(m.exec({0xf3, 0x0f, 0xd6, 0xc1}), kMF));         // movq2dq xmm0, mm1
    CHECK(m.top() == 5);
    CHECK(m.ok(m.exec({0x0f, 0x2a, 0x00}), 3));  // cvtpi2ps xmm0, [rax]
    CHECK(m.top() == 5);
    CHECK(m.f().ftw == 0xffff);
    m.f().fcw = 0x037f;
    m.f().fsw = static_cast<uint16_t>(5u << 11);

    // Misaligned m128: #GP(0), the x87 state as it was.
    CHECK(m.faulted(m.exec({0x66, 0x0f, 0x2d, 0x40, 0x08}), kGP));  // cvtpd2pi mm0, [rax+8]
    CHECK(m.top() == 5);
    CHECK(m.f().ftw == 0xffff);

    // An unmasked invalid operation: #XM with TOP = 0 and the tags valid, mm0 unwritten.
    m.cpu.s.mxcsr = 0x1f80 & ~(1u << 7);
    CHECK(m.faulted(m.exec({0x0f, 0x2c, 0xc1}), kXM));  // cvttps2pi mm0, xmm1
    CHECK(m.cpu.s.mxcsr == ((0x1f80 & ~(1u << 7)) | 1u));
    CHECK(m.top() == 0);
    CHECK(x87::abridged_tag(m.f()) == 0xff);
    CHECK(m.mm(0) == 0x1234);
    CHECK(m.exponent(0) == exp0);
}
