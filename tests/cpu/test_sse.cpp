// The 'sse' family: SSE..SSE4.2 on XMM registers, MXCSR and its exceptions,
// FXSAVE/FXRSTOR, and the CR0/CR4 checks every XMM instruction makes.
// Expected floating-point values come from the host's own SSE unit.
#include <doctest/doctest.h>
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "harness.h"

using namespace bs::cpu;
using bs::test::Machine;

namespace {

struct SseMachine : Machine {
    static constexpr uint64_t kAligned = 0x8000;  // 16-byte aligned data
    Xmm& x(unsigned r) { return cpu.s.xmm[r]; }
    // Runs one instruction placed at kCode (written behind the CPU's back,
    // so decoded blocks are dropped first).
    RunResult exec(std::initializer_list<uint8_t> bytes) {
        code(bytes);
        cpu.flush_code_cache();
        return run(1);
    }
    bool ok(const RunResult& r, size_t len) const { return r.exit == Exit::InstructionLimit && cpu.s.rip == kCode + len; }
    bool faulted(const RunResult& r, uint8_t vector) const {
        return r.exit == Exit::Exception && r.fault.vector == vector && cpu.s.rip == kCode;
    }
};

Xmm ps4(float a, float b, float c, float d) {
    Xmm v;
    v.f[0] = a, v.f[1] = b, v.f[2] = c, v.f[3] = d;
    return v;
}
Xmm bytes16(const char* s) {
    Xmm v{};
    std::memcpy(v.b, s, std::min<size_t>(std::strlen(s), 16));
    return v;
}
bool same(const Xmm& a, const Xmm& b) { return std::memcmp(&a, &b, 16) == 0; }
uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

constexpr uint32_t kIM = 1u << 7, kZM = 1u << 9, kOM = 1u << 10, kUM = 1u << 11, kPM = 1u << 12;
constexpr uint32_t kIE = 1, kDE = 2, kZE = 4, kOE = 8, kUE = 16, kPE = 32;

}  // namespace

TEST_CASE("sse: moves, alignment and the memory forms") {
    SseMachine m;
    m.r(RAX) = SseMachine::kAligned;
    for (unsigned k = 0; k < 16; ++k) m.poke<uint8_t>(SseMachine::kAligned + k, static_cast<uint8_t>(0x10 + k));

    auto r = m.exec({0x0f, 0x28, 0x08});  // movaps xmm1, [rax]
    REQUIRE(m.ok(r, 3));
    CHECK(m.x(1).q[0] == 0x1716151413121110ull);
    CHECK(m.x(1).q[1] == 0x1f1e1d1c1b1a1918ull);

    // Misaligned aligned form: #GP(0), nothing written.
    m.x(2) = Xmm{};
    m.r(RAX) = SseMachine::kAligned + 4;
    r = m.exec({0x0f, 0x28, 0x10});  // movaps xmm2, [rax]
    CHECK(m.faulted(r, kGP));
    CHECK(r.fault.error == 0);
    CHECK(m.x(2).q[0] == 0);
    // The unaligned form loads.
    r = m.exec({0x0f, 0x10, 0x10});  // movups xmm2, [rax]
    REQUIRE(m.ok(r, 3));
    CHECK(m.x(2).d[0] == 0x17161514u);
    // Packed arithmetic with a misaligned m128 faults too.
    r = m.exec({0x0f, 0x58, 0x10});  // addps xmm2, [rax]
    CHECK(m.faulted(r, kGP));

    // MOVSS from memory zeroes the upper lanes; between registers it merges.
    m.r(RAX) = SseMachine::kAligned;
    m.x(1) = ps4(9, 9, 9, 9);
    r = m.exec({0xf3, 0x0f, 0x10, 0x08});  // movss xmm1, [rax]
    REQUIRE(m.ok(r, 4));
    CHECK(m.x(1).d[0] == 0x13121110u);
    CHECK(m.x(1).d[1] == 0);
    CHECK(m.x(1).q[1] == 0);
    m.x(1) = ps4(1, 2, 3, 4);
    m.x(2) = ps4(5, 6, 7, 8);
    r = m.exec({0xf3, 0x0f, 0x10, 0xca});  // movss xmm1, xmm2
    REQUIRE(m.ok(r, 4));
    CHECK(same(m.x(1), ps4(5, 2, 3, 4)));

    // Stores, REX-extended register, MOVDQU store at an odd address.
    m.x(9) = ps4(1.5f, 2.5f, 3.5f, 4.5f);
    r = m.exec({0x44, 0x0f, 0x29, 0x08});  // movaps [rax], xmm9
    REQUIRE(m.ok(r, 4));
    CHECK(m.mem<float>(SseMachine::kAligned + 12) == 4.5f);
    m.r(RAX) = SseMachine::kAligned + 0x101;
    m.x(1) = ps4(7, 7, 7, 7);
    r = m.exec({0xf3, 0x0f, 0x7f, 0x08});  // movdqu [rax], xmm1
    REQUIRE(m.ok(r, 4));
    CHECK(m.mem<float>(SseMachine::kAligned + 0x101 + 12) == 7.0f);

    // MOVHLPS, MOVLPS load.
    m.x(1).q[0] = 1, m.x(1).q[1] = 2;
    m.x(2).q[0] = 3, m.x(2).q[1] = 4;
    r = m.exec({0x0f, 0x12, 0xca});  // movhlps xmm1, xmm2
    REQUIRE(m.ok(r, 3));
    CHECK(m.x(1).q[0] == 4);
    CHECK(m.x(1).q[1] == 2);
    m.r(RAX) = SseMachine::kAligned + 8;  // m64: no alignment requirement
    m.poke<uint64_t>(SseMachine::kAligned + 8, 0x55);
    r = m.exec({0x0f, 0x12, 0x08});  // movlps xmm1, [rax]
    REQUIRE(m.ok(r, 3));
    CHECK(m.x(1).q[0] == 0x55);
    CHECK(m.x(1).q[1] == 2);

    // MOVD/MOVQ with general registers; MOVNTI.
    m.r(RAX) = 0xdeadbeefcafef00dull;
    r = m.exec({0x66, 0x0f, 0x6e, 0xc8});  // movd xmm1, eax
    REQUIRE(m.ok(r, 4));
    CHECK(m.x(1).q[0] == 0xcafef00dull);
    CHECK(m.x(1).q[1] == 0);
    m.x(1).q[0] = 0x1122334455667788ull;
    r = m.exec({0x66, 0x48, 0x0f, 0x7e, 0xc8});  // movq rax, xmm1
    REQUIRE(m.ok(r, 5));
    CHECK(m.r(RAX) == 0x1122334455667788ull);
    m.r(RAX) = SseMachine::kAligned + 0x200;
    m.r(RBX) = 0x0102030405060708ull;
    r = m.exec({0x48, 0x0f, 0xc3, 0x18});  // movnti [rax], rbx
    REQUIRE(m.ok(r, 4));
    CHECK(m.mem<uint64_t>(SseMachine::kAligned + 0x200) == 0x0102030405060708ull);
}

TEST_CASE("sse: CR0/CR4 gate every XMM instruction") {
    SseMachine m;
    m.cpu.s.cr4 &= ~cr4::OSFXSR;
    CHECK(m.faulted(m.exec({0x0f, 0x58, 0xca}), kUD));  // addps
    m.cpu.s.cr4 |= cr4::OSFXSR;
    m.cpu.s.cr0 |= cr0::EM;
    CHECK(m.faulted(m.exec({0x66, 0x0f, 0x74, 0xca}), kUD));  // pcmpeqb
    m.cpu.s.cr0 &= ~cr0::EM;
    m.cpu.s.cr0 |= cr0::TS;
    CHECK(m.faulted(m.exec({0x0f, 0x58, 0xca}), kNM));
    m.r(RAX) = SseMachine::kAligned;
    CHECK(m.faulted(m.exec({0x0f, 0xae, 0x00}), kNM));  // fxsave [rax]
    CHECK(m.faulted(m.exec({0x0f, 0xae, 0x18}), kNM));  // stmxcsr [rax]
    m.cpu.s.cr0 &= ~cr0::TS;
    CHECK(m.ok(m.exec({0x0f, 0x58, 0xca}), 3));
}

TEST_CASE("sse: floating point matches the host, with MXCSR rounding and flags") {
    SseMachine m;
    m.x(1) = ps4(1.0f, 2.0f, 3.0f, 4.0f);
    m.x(2) = ps4(0.1f, 0.25f, 1e-3f, -4.0f);
    const __m128 expect = _mm_add_ps(_mm_setr_ps(1.0f, 2.0f, 3.0f, 4.0f), _mm_setr_ps(0.1f, 0.25f, 1e-3f, -4.0f));
    auto r = m.exec({0x0f, 0x58, 0xca});  // addps xmm1, xmm2
    REQUIRE(m.ok(r, 3));
    CHECK(std::memcmp(&m.x(1), &expect, 16) == 0);
    CHECK(m.cpu.s.mxcsr == (0x1f80 | kPE));

    // ADDSS keeps the upper lanes; round toward zero differs from nearest.
    m.cpu.s.mxcsr = 0x1f80 | (3u << 13);
    m.x(1) = ps4(1.0f, 7, 8, 9);
    m.x(2) = ps4(1e-8f, 0, 0, 0);
    r = m.exec({0xf3, 0x0f, 0x58, 0xca});  // addss xmm1, xmm2
    REQUIRE(m.ok(r, 4));
    CHECK(m.x(1).f[0] == 1.0f);
    CHECK(m.x(1).f[1] == 7.0f);
    m.cpu.s.mxcsr = 0x1f80 | (2u << 13);  // round up
    m.x(1) = ps4(1.0f, 7, 8, 9);
    r = m.exec({0xf3, 0x0f, 0x58, 0xca});
    REQUIRE(m.ok(r, 4));
    CHECK(bits(m.x(1).f[0]) == bits(1.0f) + 1);

    // Flush-to-zero and denormals-are-zero.
    m.cpu.s.mxcsr = 0x1f80 | 0x8000;
    m.x(1) = ps4(1e-20f, 0, 0, 0);
    m.x(2) = ps4(1e-20f, 0, 0, 0);
    r = m.exec({0xf3, 0x0f, 0x59, 0xca});  // mulss (f3 0f 59)
    REQUIRE(m.ok(r, 4));
    CHECK(m.x(1).f[0] == 0.0f);
    CHECK((m.cpu.s.mxcsr & (kUE | kPE)) == (kUE | kPE));

    // SQRTSD, MAXPS (NaN: the second operand), HADDPS, CVTPS2PD from m64.
    m.cpu.s.mxcsr = 0x1f80;
    m.x(1).f64[0] = 0, m.x(1).f64[1] = 5;
    m.x(2).f64[0] = 2, m.x(2).f64[1] = 9;
    REQUIRE(m.ok(m.exec({0xf2, 0x0f, 0x51, 0xca}), 4));  // sqrtsd xmm1, xmm2
    CHECK(m.x(1).f64[0] == std::sqrt(2.0));
    CHECK(m.x(1).f64[1] == 5);
    m.x(1) = ps4(NAN, 1, -0.0f, 3);
    m.x(2) = ps4(2, NAN, 0.0f, 1);
    REQUIRE(m.ok(m.exec({0x0f, 0x5f, 0xca}), 3));  // maxps xmm1, xmm2
    CHECK(m.x(1).f[0] == 2);
    CHECK(std::isnan(m.x(1).f[1]));
    CHECK(bits(m.x(1).f[2]) == 0);  // +0 from the source
    CHECK(m.x(1).f[3] == 3);
    m.x(1) = ps4(1, 2, 3, 4);
    m.x(2) = ps4(10, 20, 30, 40);
    REQUIRE(m.ok(m.exec({0xf2, 0x0f, 0x7c, 0xca}), 4));  // haddps
    CHECK(same(m.x(1), ps4(3, 7, 30, 70)));
    m.r(RAX) = SseMachine::kAligned + 8;
    m.poke<float>(SseMachine::kAligned + 8, 1.5f);
    m.poke<float>(SseMachine::kAligned + 12, -2.0f);
    REQUIRE(m.ok(m.exec({0x0f, 0x5a, 0x08}), 3));  // cvtps2pd xmm1, [rax]
    CHECK(m.x(1).f64[0] == 1.5);
    CHECK(m.x(1).f64[1] == -2.0);

    // CMPPS LT, ADDSUBPS, DPPS, ROUNDPS (floor), BLENDVPS (mask in XMM0).
    m.x(1) = ps4(1, 5, NAN, -1);
    m.x(2) = ps4(2, 5, 0, -2);
    REQUIRE(m.ok(m.exec({0x0f, 0xc2, 0xca, 0x01}), 4));  // cmpps xmm1, xmm2, lt
    CHECK(m.x(1).d[0] == ~0u);
    CHECK(m.x(1).d[1] == 0);
    CHECK(m.x(1).d[2] == 0);
    CHECK(m.x(1).d[3] == 0);
    CHECK((m.cpu.s.mxcsr & kIE) != 0);  // LT signals on QNaN
    m.cpu.s.mxcsr = 0x1f80;
    m.x(1) = ps4(1, 2, 3, 4);
    m.x(2) = ps4(10, 20, 30, 40);
    REQUIRE(m.ok(m.exec({0xf2, 0x0f, 0xd0, 0xca}), 4));  // addsubps
    CHECK(same(m.x(1), ps4(-9, 22, -27, 44)));
    m.x(1) = ps4(1, 2, 3, 4);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x40, 0xca, 0xf1}), 6));  // dpps xmm1, xmm2, 0xf1
    CHECK(same(m.x(1), ps4(300, 0, 0, 0)));
    m.x(2) = ps4(1.5f, -1.5f, 2.0f, -0.25f);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x08, 0xca, 0x01}), 6));  // roundps xmm1, xmm2, floor
    CHECK(same(m.x(1), ps4(1, -2, 2, -1)));
    m.x(0) = ps4(-1, 1, -1, 1);
    m.x(1) = ps4(1, 2, 3, 4);
    m.x(2) = ps4(5, 6, 7, 8);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x14, 0xca}), 5));  // blendvps
    CHECK(same(m.x(1), ps4(5, 2, 7, 4)));

    // REX: xmm8 and xmm15.
    m.x(8) = ps4(1, 1, 1, 1);
    m.x(15) = ps4(2, 2, 2, 2);
    REQUIRE(m.ok(m.exec({0x45, 0x0f, 0x58, 0xc7}), 4));  // addps xmm8, xmm15
    CHECK(same(m.x(8), ps4(3, 3, 3, 3)));
}

TEST_CASE("sse: unmasked SIMD exceptions raise #XM or #UD and write nothing") {
    SseMachine m;
    m.cpu.s.mxcsr = 0x1f80 & ~kZM;
    m.x(1) = ps4(1, 2, 3, 4);
    m.x(2) = ps4(0, 1, 1, 1);
    auto r = m.exec({0xf3, 0x0f, 0x5e, 0xca});  // divss xmm1, xmm2
    CHECK(m.faulted(r, kXM));
    CHECK(m.x(1).f[0] == 1);
    CHECK((m.cpu.s.mxcsr & 0x3f) == kZE);

    m.cpu.s.cr4 &= ~cr4::OSXMMEXCPT;
    m.cpu.s.mxcsr = 0x1f80 & ~kZM;
    CHECK(m.faulted(m.exec({0xf3, 0x0f, 0x5e, 0xca}), kUD));
    m.cpu.s.cr4 |= cr4::OSXMMEXCPT;

    // Masked: the result is written and the flag set.
    m.cpu.s.mxcsr = 0x1f80;
    REQUIRE(m.ok(m.exec({0xf3, 0x0f, 0x5e, 0xca}), 4));
    CHECK(std::isinf(m.x(1).f[0]));
    CHECK(m.cpu.s.mxcsr == (0x1f80 | kZE));

    // Unmasked overflow: the overflowing lane reports PE only when its
    // result is inexact with an unbounded exponent; other lanes report
    // theirs as usual (both measured on the silicon).
    const float big = std::ldexp(1.0f, 100);
    m.cpu.s.mxcsr = 0x1f80 & ~kOM;
    m.x(1) = ps4(big, 1.1f, 1, 1);
    m.x(2) = ps4(big, 1, 1, 1);
    CHECK(m.faulted(m.exec({0x0f, 0x59, 0xca}), kXM));  // mulps
    CHECK((m.cpu.s.mxcsr & 0x3f) == kOE);
    m.cpu.s.mxcsr = 0x1f80 & ~kOM;
    m.x(2) = ps4(big, 1.1f, 1, 1);
    CHECK(m.faulted(m.exec({0x0f, 0x59, 0xca}), kXM));
    CHECK((m.cpu.s.mxcsr & 0x3f) == (kOE | kPE));
    m.cpu.s.mxcsr = 0x1f80 & ~kOM;
    m.x(1) = ps4(1e30f, 1, 1, 1);
    m.x(2) = ps4(1e30f, 1, 1, 1);
    CHECK(m.faulted(m.exec({0x0f, 0x59, 0xca}), kXM));
    CHECK((m.cpu.s.mxcsr & 0x3f) == (kOE | kPE));

    // Unmasked invalid in one lane: only pre-computation flags.
    m.cpu.s.mxcsr = 0x1f80 & ~kIM;
    m.x(1) = ps4(INFINITY, 1e30f, 1, 1);
    m.x(2) = ps4(0, 1e30f, 1, 1);
    CHECK(m.faulted(m.exec({0x0f, 0x59, 0xca}), kXM));
    CHECK((m.cpu.s.mxcsr & 0x3f) == kIE);

    // Unmasked underflow reports exact tiny results (2^-65 squared).
    m.cpu.s.mxcsr = 0x1f80 & ~kUM;
    m.x(1) = ps4(std::ldexp(1.0f, -65), 0, 0, 0);
    m.x(2) = m.x(1);
    CHECK(m.faulted(m.exec({0xf3, 0x0f, 0x59, 0xca}), kXM));
    CHECK((m.cpu.s.mxcsr & 0x3f) == kUE);

    // Unmasked precision: the inexact result is not written.
    m.cpu.s.mxcsr = 0x1f80 & ~kPM;
    m.x(1) = ps4(1, 0, 0, 0);
    m.x(2) = ps4(3, 0, 0, 0);
    CHECK(m.faulted(m.exec({0xf3, 0x0f, 0x5e, 0xca}), kXM));
    CHECK(m.x(1).f[0] == 1);
    CHECK((m.cpu.s.mxcsr & 0x3f) == kPE);
}

TEST_CASE("sse: LDMXCSR/STMXCSR, COMISS/UCOMISD, conversions") {
    SseMachine m;
    m.r(RAX) = SseMachine::kAligned;
    m.poke<uint32_t>(SseMachine::kAligned, 0x9fc0);
    REQUIRE(m.ok(m.exec({0x0f, 0xae, 0x10}), 3));  // ldmxcsr [rax]
    CHECK(m.cpu.s.mxcsr == 0x9fc0);
    m.poke<uint32_t>(SseMachine::kAligned, 0x21f80);  // MM (bit 17) is reserved here
    CHECK(m.faulted(m.exec({0x0f, 0xae, 0x10}), kGP));
    CHECK(m.cpu.s.mxcsr == 0x9fc0);
    REQUIRE(m.ok(m.exec({0x0f, 0xae, 0x18}), 3));  // stmxcsr [rax]
    CHECK(m.mem<uint32_t>(SseMachine::kAligned) == 0x9fc0);
    m.cpu.s.mxcsr = 0x1f80;

    // COMISS: less / equal / unordered; OF, SF, AF cleared.
    set_rflags(m.cpu.s, fl::OF | fl::SF | fl::AF);
    m.x(1) = ps4(1, 0, 0, 0);
    m.x(2) = ps4(2, 0, 0, 0);
    REQUIRE(m.ok(m.exec({0x0f, 0x2f, 0xca}), 3));
    CHECK((m.flags() & fl::Arith) == fl::CF);
    m.x(2) = ps4(1, 0, 0, 0);
    REQUIRE(m.ok(m.exec({0x0f, 0x2f, 0xca}), 3));
    CHECK((m.flags() & fl::Arith) == fl::ZF);
    m.x(1).f64[0] = NAN;
    m.x(2).f64[0] = 1;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x2e, 0xca}), 4));  // ucomisd: QNaN does not signal
    CHECK((m.flags() & fl::Arith) == (fl::ZF | fl::PF | fl::CF));
    CHECK(!(m.cpu.s.mxcsr & kIE));

    // CVTSI2SD xmm, r64; CVTTSD2SI r64; CVTSS2SI r32 rounds to nearest even.
    m.r(RAX) = static_cast<uint64_t>(-12345678901234ll);
    m.x(1).f64[1] = 42;
    REQUIRE(m.ok(m.exec({0xf2, 0x48, 0x0f, 0x2a, 0xc8}), 5));
    CHECK(m.x(1).f64[0] == -12345678901234.0);
    CHECK(m.x(1).f64[1] == 42);
    m.x(1).f64[0] = -2.75;
    REQUIRE(m.ok(m.exec({0xf2, 0x48, 0x0f, 0x2c, 0xc1}), 5));
    CHECK(m.r(RAX) == static_cast<uint64_t>(-2ll));
    m.r(RAX) = ~0ull;
    m.x(1) = ps4(2.5f, 0, 0, 0);
    REQUIRE(m.ok(m.exec({0xf3, 0x0f, 0x2d, 0xc1}), 4));
    CHECK(m.r(RAX) == 2);  // upper half zeroed
    m.x(1) = ps4(3e10f, 0, 0, 0);
    REQUIRE(m.ok(m.exec({0xf3, 0x0f, 0x2d, 0xc1}), 4));
    CHECK(m.r(RAX) == 0x80000000u);  // integer indefinite
    CHECK((m.cpu.s.mxcsr & kIE) != 0);
}

TEST_CASE("sse: integer SIMD used by string routines") {
    SseMachine m;
    // strlen core: pcmpeqb with zero, pmovmskb.
    m.x(1) = bytes16("hello");
    m.x(2) = Xmm{};
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x74, 0xca}), 4));  // pcmpeqb xmm1, xmm2
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0xd7, 0xc1}), 4));  // pmovmskb eax, xmm1
    CHECK(m.r(RAX) == 0xffe0);

    m.x(1) = bytes16("abcXYZ");
    m.x(2) = bytes16("bbbbbbbbbbbbbbbb");
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0xda, 0xca}), 4));  // pminub
    CHECK(std::memcmp(m.x(1).b, "abbXYZ", 7) == 0);
    CHECK(m.x(1).b[7] == 0);
    m.x(1) = bytes16("abcXYZ");
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0xde, 0xca}), 4));  // pmaxub
    CHECK(std::memcmp(m.x(1).b, "bbcbbbbb", 8) == 0);

    // PSHUFB: reverse, with a zeroing index.
    for (unsigned k = 0; k < 16; ++k) m.x(1).b[k] = static_cast<uint8_t>(k), m.x(2).b[k] = static_cast<uint8_t>(15 - k);
    m.x(2).b[0] = 0x80;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x00, 0xca}), 5));
    CHECK(m.x(1).b[0] == 0);
    CHECK(m.x(1).b[1] == 14);
    CHECK(m.x(1).b[15] == 0);

    // PALIGNR, PSRLDQ, PSHUFD, PSRLW/PSRAW by immediate.
    for (unsigned k = 0; k < 16; ++k) m.x(1).b[k] = static_cast<uint8_t>(0x20 + k), m.x(2).b[k] = static_cast<uint8_t>(k);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x0f, 0xca, 0x05}), 6));  // palignr xmm1, xmm2, 5
    CHECK(m.x(1).b[0] == 5);
    CHECK(m.x(1).b[10] == 15);
    CHECK(m.x(1).b[11] == 0x20);
    CHECK(m.x(1).b[15] == 0x24);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x73, 0xd9, 0x03}), 5));  // psrldq xmm1, 3
    CHECK(m.x(1).b[0] == 8);
    CHECK(m.x(1).b[12] == 0x24);
    CHECK(m.x(1).b[13] == 0);
    m.x(2).d[0] = 0, m.x(2).d[1] = 1, m.x(2).d[2] = 2, m.x(2).d[3] = 3;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x70, 0xca, 0x1b}), 5));  // pshufd xmm1, xmm2, 0x1b
    CHECK(m.x(1).d[0] == 3);
    CHECK(m.x(1).d[3] == 0);
    m.x(1).w[0] = 0x8000;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x71, 0xd1, 0x03}), 5));  // psrlw xmm1, 3
    CHECK(m.x(1).w[0] == 0x1000);
    m.x(1).w[0] = 0x8000;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x71, 0xe1, 0x14}), 5));  // psraw xmm1, 20
    CHECK(m.x(1).w[0] == 0xffff);

    // PTEST.
    m.x(1).q[0] = 0xf0, m.x(1).q[1] = 0;
    m.x(2).q[0] = 0x0f, m.x(2).q[1] = 0;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x17, 0xca}), 5));
    CHECK((m.flags() & fl::Arith) == fl::ZF);
    m.x(2).q[0] = 0x30;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x17, 0xca}), 5));
    CHECK((m.flags() & fl::Arith) == fl::CF);

    // PEXTRW/PINSRW/PINSRQ/PEXTRD, PHMINPOSUW, PMOVZXBW from m64, PCMPGTQ.
    for (unsigned k = 0; k < 8; ++k) m.x(1).w[k] = static_cast<uint16_t>(100 + k);
    m.r(RAX) = ~0ull;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0xc5, 0xc1, 0x03}), 5));
    CHECK(m.r(RAX) == 103);
    m.r(RAX) = 0xabcd1234;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0xc4, 0xc8, 0x05}), 5));
    CHECK(m.x(1).w[5] == 0x1234);
    m.r(RAX) = 0x1111222233334444ull;
    REQUIRE(m.ok(m.exec({0x66, 0x48, 0x0f, 0x3a, 0x22, 0xc8, 0x01}), 7));
    CHECK(m.x(1).q[1] == 0x1111222233334444ull);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x16, 0xc8, 0x02}), 6));  // pextrd eax, xmm1, 2
    CHECK(m.r(RAX) == 0x33334444u);
    for (unsigned k = 0; k < 8; ++k) m.x(2).w[k] = static_cast<uint16_t>(50 - k);
    m.x(2).w[6] = 3;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x41, 0xca}), 5));
    CHECK(m.x(1).w[0] == 3);
    CHECK(m.x(1).w[1] == 6);
    CHECK(m.x(1).w[2] == 0);
    m.r(RAX) = SseMachine::kAligned + 3;
    m.poke<uint64_t>(SseMachine::kAligned + 3, 0x80ff017f00000000ull | 0x42);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x30, 0x08}), 5));
    CHECK(m.x(1).w[0] == 0x42);
    CHECK(m.x(1).w[6] == 0xff);
    CHECK(m.x(1).w[7] == 0x80);
    m.x(1).sq[0] = -1, m.x(1).sq[1] = 5;
    m.x(2).sq[0] = -2, m.x(2).sq[1] = 6;
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x38, 0x37, 0xca}), 5));
    CHECK(m.x(1).q[0] == ~0ull);
    CHECK(m.x(1).q[1] == 0);
}

TEST_CASE("sse: PCMPxSTRx and CRC32 (SSE4.2)") {
    SseMachine m;
    // pcmpistri xmm1, [rax], 0x18 (unsigned bytes, equal each, negated): the
    // strcmp step gives the first mismatch. The m128 need not be aligned.
    m.x(1) = bytes16("hello, world");
    m.r(RAX) = SseMachine::kAligned + 1;
    std::memcpy(m.bus.ram.data() + SseMachine::kAligned + 1, "hello, WORLD\0\0\0\0", 16);
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x63, 0x08, 0x18}), 6));
    CHECK(m.r(RCX) == 7);
    CHECK((m.flags() & fl::Arith) == (fl::CF | fl::ZF | fl::SF));

    // pcmpestri xmm1, xmm2, 0x0c (equal ordered = substring search).
    m.x(1) = bytes16("lo");
    m.x(2) = bytes16("hello, world");
    m.r(RAX) = 2;
    m.r(RDX) = static_cast<uint64_t>(-12);  // |len| is used
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x61, 0xca, 0x0c}), 6));
    CHECK(m.r(RCX) == 3);
    CHECK((m.flags() & fl::CF) != 0);

    // pcmpistrm xmm1, xmm2, 0x40 (equal any, byte mask) -> XMM0.
    m.x(1) = bytes16("lo");
    m.x(2) = bytes16("hello");
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0x3a, 0x62, 0xca, 0x40}), 6));
    CHECK(m.x(0).b[0] == 0);
    CHECK(m.x(0).b[2] == 0xff);
    CHECK(m.x(0).b[3] == 0xff);
    CHECK(m.x(0).b[4] == 0xff);
    CHECK(m.x(0).b[5] == 0);

    // crc32 rax, rbx and crc32 eax, byte [rbx] against the bitwise definition.
    auto crc_ref = [](uint32_t crc, uint64_t v, unsigned bytes) {
        for (unsigned k = 0; k < bytes * 8; ++k) {
            const bool bit = ((crc ^ (v >> k)) & 1) != 0;
            crc >>= 1;
            if (bit) crc ^= 0x82f63b78u;
        }
        return crc;
    };
    m.r(RAX) = 0xffffffffffffffffull;
    m.r(RBX) = 0x0123456789abcdefull;
    REQUIRE(m.ok(m.exec({0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3}), 6));
    CHECK(m.r(RAX) == crc_ref(0xffffffffu, 0x0123456789abcdefull, 8));
    m.r(RAX) = 0x12345678;
    m.r(RBX) = SseMachine::kAligned;
    m.poke<uint8_t>(SseMachine::kAligned, 0x9a);
    REQUIRE(m.ok(m.exec({0xf2, 0x0f, 0x38, 0xf0, 0x03}), 5));
    CHECK(m.r(RAX) == crc_ref(0x12345678u, 0x9a, 1));
    m.r(RAX) = 0x12345678;
    m.r(RBX) = 0xbeef;
    REQUIRE(m.ok(m.exec({0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc3}), 6));  // crc32 eax, bx
    CHECK(m.r(RAX) == crc_ref(0x12345678u, 0xbeef, 2));
}

TEST_CASE("sse: MASKMOVDQU stores the selected bytes at DS:RDI") {
    SseMachine m;
    m.r(RDI) = SseMachine::kAligned + 0x40;
    for (unsigned k = 0; k < 16; ++k) {
        m.x(1).b[k] = static_cast<uint8_t>(0xa0 + k);
        m.x(2).b[k] = (k & 1) ? 0x80 : 0x7f;
        m.poke<uint8_t>(SseMachine::kAligned + 0x40 + k, 0x11);
    }
    REQUIRE(m.ok(m.exec({0x66, 0x0f, 0xf7, 0xca}), 4));
    CHECK(m.mem<uint8_t>(SseMachine::kAligned + 0x40) == 0x11);
    CHECK(m.mem<uint8_t>(SseMachine::kAligned + 0x41) == 0xa1);
    CHECK(m.mem<uint8_t>(SseMachine::kAligned + 0x4f) == 0xaf);
}

TEST_CASE("sse: FXSAVE/FXRSTOR") {
    SseMachine m;
    m.r(RAX) = SseMachine::kAligned;
    for (unsigned r = 0; r < 16; ++r) m.x(r).q[0] = 0x1000 + r, m.x(r).q[1] = 0x2000 + r;
    m.cpu.s.mxcsr = 0x1f80 | kPE;
    X87& f = m.cpu.s.fpu;
    f.fcw = 0x027f;
    f.fsw = 6u << 11;  // TOP = 6
    f.ftw = 0x0fff;    // R6 and R7 valid, the rest empty
    const uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};  // 1.0
    std::memcpy(f.regs[6], one, 10);
    std::memcpy(f.regs[7], one, 10);
    f.fop = 0x1e8;
    f.fip = 0x123456789aull;
    f.fdp = 0x4000;

    REQUIRE(m.ok(m.exec({0x48, 0x0f, 0xae, 0x00}), 4));  // fxsave64 [rax]
    const uint64_t a = SseMachine::kAligned;
    CHECK(m.mem<uint16_t>(a + 0) == 0x027f);
    CHECK(m.mem<uint16_t>(a + 2) == (6u << 11));
    CHECK(m.mem<uint8_t>(a + 4) == 0xc0);
    CHECK(m.mem<uint16_t>(a + 6) == 0x1e8);
    CHECK(m.mem<uint64_t>(a + 8) == 0x123456789aull);
    CHECK(m.mem<uint64_t>(a + 16) == 0x4000);
    CHECK(m.mem<uint32_t>(a + 24) == (0x1f80 | kPE));
    CHECK(m.mem<uint32_t>(a + 28) == 0xffff);
    CHECK(std::memcmp(m.bus.ram.data() + a + 32, one, 10) == 0);  // ST0 = R6
    CHECK(m.mem<uint64_t>(a + 160 + 16 * 15 + 8) == 0x200f);

    // Clobber, then restore: the full tag is recomputed from the contents.
    m.cpu.s = CpuState{};
    m.cpu.set_flat64_user_mode();
    m.r(RAX) = a;
    m.poke<uint8_t>(a + 4, 0x40);  // only R6 in use
    REQUIRE(m.ok(m.exec({0x48, 0x0f, 0xae, 0x08}), 4));  // fxrstor64 [rax]
    CHECK(f.fcw == 0x027f);
    CHECK(f.ftw == 0xcfff);  // R6 valid, the rest empty
    CHECK(f.fip == 0x123456789aull);
    CHECK(m.cpu.s.mxcsr == (0x1f80 | kPE));
    CHECK(m.x(15).q[1] == 0x200f);
    CHECK(std::memcmp(f.regs[6], one, 10) == 0);

    // Reserved MXCSR bits in the image: #GP(0), nothing loaded.
    m.poke<uint32_t>(a + 24, 0x10000);
    m.x(3).q[0] = 7;
    CHECK(m.faulted(m.exec({0x0f, 0xae, 0x08}), kGP));
    CHECK(m.x(3).q[0] == 7);
    // Misaligned image.
    m.r(RAX) = a + 8;
    CHECK(m.faulted(m.exec({0x0f, 0xae, 0x00}), kGP));
}
