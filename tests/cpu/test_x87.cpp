// The x87 family: loads and stores, arithmetic under precision and rounding
// control, comparisons, the register stack and its faults, exceptions
// (masked, unmasked, pending #MF), #NM, environment save/restore.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <cstring>
#include <vector>

#include "cpu/x87.h"
#include "harness.h"

using namespace bs::cpu;
using bs::test::Machine;

namespace {

constexpr uint64_t kD = Machine::kData;

// An x87 test machine: code built from bytes, ST(i) as long double.
struct Fpu : Machine {
    std::vector<uint8_t> prog;

    // Appends instruction bytes.
    Fpu& op(std::initializer_list<uint8_t> b) {
        for (const uint8_t x : b) prog.push_back(x);
        return *this;
    }
    // Appends `opc /reg` with the absolute memory operand [addr].
    Fpu& at(uint8_t opc, unsigned reg, uint64_t addr) {
        const uint32_t a = static_cast<uint32_t>(addr);
        return op({opc, static_cast<uint8_t>((reg << 3) | 4), 0x25, static_cast<uint8_t>(a),
                   static_cast<uint8_t>(a >> 8), static_cast<uint8_t>(a >> 16), static_cast<uint8_t>(a >> 24)});
    }
    // Places the program at kCode and runs all of it (or `n` instructions).
    RunResult go(uint64_t n) {
        std::memcpy(bus.ram.data() + kCode, prog.data(), prog.size());
        cpu.s.rip = kCode;
        cpu.flush_code_cache();
        return run(n);
    }

    X87& f() { return cpu.s.fpu; }
    unsigned top() { return (f().fsw >> 11) & 7; }
    unsigned phys(unsigned i) { return (top() + i) & 7; }
    unsigned tag(unsigned i) { return (f().ftw >> (2 * phys(i))) & 3; }
    long double st(unsigned i) {
        long double v = 0;
        std::memcpy(&v, f().regs[phys(i)], 10);
        return v;
    }
    bool st_is_indefinite(unsigned i) {
        static constexpr uint8_t ind[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
        return std::memcmp(f().regs[phys(i)], ind, 10) == 0;
    }
    void poke_ld(uint64_t at, long double v) { std::memcpy(bus.ram.data() + at, &v, 10); }
};

uint64_t bits_of(long double v) {
    uint64_t m;
    std::memcpy(&m, &v, 8);
    return m;
}

}  // namespace

TEST_CASE("x87: FLD/FADD/FSTP m64, stack top and tags") {
    Fpu m;
    m.poke<double>(kD, 1.5);
    m.poke<double>(kD + 8, 2.25);
    m.at(0xdd, 0, kD).at(0xdc, 0, kD + 8).at(0xdd, 3, kD + 16);  // fld; fadd m64; fstp m64
    m.go(2);
    CHECK(m.top() == 7);
    CHECK(m.tag(0) == x87::kTagValid);
    CHECK(m.st(0) == 3.75L);
    CHECK(m.f().fsw == (7u << 11));
    m.run(1);
    CHECK(m.mem<double>(kD + 16) == 3.75);
    CHECK(m.top() == 0);
    CHECK(m.f().ftw == 0xffff);
}

TEST_CASE("x87: register arithmetic forms and operand order") {
    Fpu m;
    m.poke<double>(kD, 8.0);
    m.poke<double>(kD + 8, 2.0);
    // fld 8; fld 2 -> ST0=2 ST1=8
    m.at(0xdd, 0, kD).at(0xdd, 0, kD + 8);
    m.op({0xd8, 0xe1});  // fsub st0, st1: 2-8 = -6
    m.op({0xd8, 0xe9});  // fsubr st0, st1: 8-(-6) = 14
    m.op({0xdc, 0xf9});  // fdiv st1, st0: ST1 = 8/14
    m.op({0xdc, 0xe9});  // fsub st1, st0: ST1 = 8/14 - 14
    m.op({0xde, 0xc1});  // faddp st1, st0: ST1 += 14; pop
    REQUIRE(m.go(7).exit == Exit::InstructionLimit);
    CHECK(m.top() == 7);
    const long double expect = (8.0L / 14.0L - 14.0L) + 14.0L;
    CHECK(m.st(0) == expect);
    CHECK(m.tag(1) == x87::kTagEmpty);

    Fpu r;
    r.poke<double>(kD, 3.0);
    r.poke<double>(kD + 8, 12.0);
    r.at(0xdd, 0, kD).at(0xdd, 0, kD + 8);  // ST0 = 12, ST1 = 3
    r.op({0xde, 0xf9});                         // fdivp st1, st0: ST1 = 3/12, pop
    r.go(3);
    CHECK(r.st(0) == 0.25L);
    r.prog.clear();
    r.at(0xdd, 0, kD).at(0xdd, 0, kD + 8);
    r.op({0xde, 0xf1});  // fdivrp st1, st0: ST1 = 12/3, pop
    r.f() = X87{};
    r.go(3);
    CHECK(r.st(0) == 4.0L);
}

TEST_CASE("x87: integer loads, stores, rounding control, FISTTP") {
    Fpu m;
    m.poke<int32_t>(kD, -7);
    m.poke<int16_t>(kD + 4, 2);
    m.at(0xdb, 0, kD);         // fild m32: -7
    m.at(0xde, 6, kD + 4);     // fidiv m16: -3.5
    m.at(0xdf, 2, kD + 8);     // fist m16 (nearest even): -4
    m.at(0xdd, 1, kD + 16);    // fisttp m64: -3, pop
    m.go(4);
    CHECK(m.mem<int16_t>(kD + 8) == -4);
    CHECK(m.mem<int64_t>(kD + 16) == -3);
    CHECK(m.top() == 0);
    CHECK((m.f().fsw & fsw::PE) != 0);  // FIST of -3.5 is inexact

    Fpu up;
    up.poke<uint16_t>(kD, 0x0b7f);  // RC = up
    up.poke<double>(kD + 8, 2.5);
    up.at(0xd9, 5, kD).at(0xdd, 0, kD + 8).at(0xdb, 3, kD + 16);  // fldcw; fld; fistp m32
    up.go(3);
    CHECK(up.mem<int32_t>(kD + 16) == 3);

    Fpu big;
    big.poke<double>(kD, 1e20);
    big.at(0xdd, 0, kD).at(0xdb, 3, kD + 8);  // fistp m32 out of range: integer indefinite, IE
    big.go(2);
    CHECK(big.mem<uint32_t>(kD + 8) == 0x80000000u);
    CHECK((big.f().fsw & fsw::IE) != 0);
}

TEST_CASE("x87: precision control rounds the significand") {
    Fpu m;
    m.poke<uint16_t>(kD, 0x007f);  // PC = single, all masked
    m.poke<double>(kD + 8, 1.0);
    m.poke<double>(kD + 16, 3.0);
    m.at(0xd9, 5, kD).at(0xdd, 0, kD + 8).at(0xdc, 6, kD + 16);  // fldcw; fld 1; fdiv m64 3
    m.go(3);
    CHECK(m.st(0) == static_cast<long double>(1.0f / 3.0f));
    CHECK((m.f().fsw & fsw::PE) != 0);

    Fpu d;  // default PC = extended
    d.poke<double>(kD + 8, 1.0);
    d.poke<double>(kD + 16, 3.0);
    d.at(0xdd, 0, kD + 8).at(0xdc, 6, kD + 16);
    d.go(2);
    CHECK(d.st(0) == 1.0L / 3.0L);
}

TEST_CASE("x87: constants follow FCW.RC") {
    Fpu m;
    m.op({0xd9, 0xeb});  // fldpi
    m.go(1);
    CHECK(bits_of(m.st(0)) == 0xc90fdaa22168c235ull);
    Fpu dn;
    dn.poke<uint16_t>(kD, 0x077f);  // RC = down
    dn.at(0xd9, 5, kD).op({0xd9, 0xeb});
    dn.go(2);
    CHECK(bits_of(dn.st(0)) == 0xc90fdaa22168c234ull);
    Fpu z;
    z.op({0xd9, 0xee, 0xd9, 0xe8});  // fldz; fld1
    z.go(2);
    CHECK(z.st(0) == 1.0L);
    CHECK(z.tag(1) == x87::kTagZero);
}

TEST_CASE("x87: FCOM/FCOMPP/FNSTSW AX and FCOMI/FUCOMI flags") {
    Fpu m;
    m.poke<double>(kD, 1.0);
    m.poke<double>(kD + 8, 2.0);
    m.at(0xdd, 0, kD).at(0xdd, 0, kD + 8);  // ST0 = 2, ST1 = 1
    m.op({0xd8, 0xd1});                        // fcom st1: 2 > 1
    m.op({0xdf, 0xe0});                        // fnstsw ax
    m.go(4);
    CHECK((m.r(RAX) & (fsw::C0 | fsw::C2 | fsw::C3)) == 0);
    m.prog.clear();
    m.op({0xd9, 0xc9});                        // fxch: ST0 = 1, ST1 = 2
    m.op({0xde, 0xd9});                        // fcompp: 1 < 2
    m.op({0xdf, 0xe0});
    m.go(3);
    CHECK((m.r(RAX) & (fsw::C0 | fsw::C2 | fsw::C3)) == fsw::C0);
    CHECK(m.top() == 0);
    CHECK(m.f().ftw == 0xffff);

    Fpu c;
    c.poke<double>(kD, 5.0);
    c.at(0xdd, 0, kD).at(0xdd, 0, kD);  // 5, 5
    c.op({0xdb, 0xf1});                    // fcomi st0, st1: equal
    set_rflags(c.cpu.s, fl::Reserved1 | fl::OF | fl::SF | fl::AF | fl::CF);
    c.go(3);
    CHECK((c.flags() & (fl::ZF | fl::PF | fl::CF | fl::OF | fl::SF | fl::AF)) == fl::ZF);

    Fpu n;  // QNaN: FUCOMIP is quiet, FCOMI raises IE
    n.poke<double>(kD, NAN);
    n.poke<double>(kD + 8, 1.0);
    n.at(0xdd, 0, kD + 8).at(0xdd, 0, kD);  // ST0 = NaN, ST1 = 1
    n.op({0xdf, 0xe9});                        // fucomip st0, st1
    n.go(3);
    CHECK((n.flags() & (fl::ZF | fl::PF | fl::CF)) == (fl::ZF | fl::PF | fl::CF));
    CHECK((n.f().fsw & fsw::IE) == 0);
    CHECK(n.top() == 7);
    n.prog.clear();
    n.at(0xdd, 0, kD).op({0xdb, 0xf1});  // fld NaN; fcomi
    n.go(2);
    CHECK((n.f().fsw & fsw::IE) != 0);
}

TEST_CASE("x87: FTST, FXAM, FICOM") {
    Fpu m;
    m.poke<double>(kD, -0.0);
    m.at(0xdd, 0, kD).op({0xd9, 0xe5});  // fxam: -0 -> C3 = 1, C1 = sign
    m.go(2);
    CHECK((m.f().fsw & fsw::Cc) == (fsw::C3 | fsw::C1));
    m.prog.clear();
    m.op({0xdd, 0xc0, 0xd9, 0xe5});  // ffree st0; fxam on empty -> C3 C0, C1 = stale sign
    m.go(2);
    CHECK((m.f().fsw & fsw::Cc) == (fsw::C3 | fsw::C0 | fsw::C1));

    Fpu t;
    t.poke<double>(kD, -3.0);
    t.poke<int16_t>(kD + 8, -3);
    t.at(0xdd, 0, kD).op({0xd9, 0xe4});  // ftst: -3 < 0 -> C0
    t.go(2);
    CHECK((t.f().fsw & fsw::Cc) == fsw::C0);
    t.prog.clear();
    t.at(0xde, 3, kD + 8);  // ficomp m16: equal -> C3, pop
    t.go(1);
    CHECK((t.f().fsw & fsw::Cc) == fsw::C3);
    CHECK(t.top() == 0);
}

TEST_CASE("x87: stack overflow and underflow, masked") {
    Fpu m;
    for (int k = 0; k < 9; ++k) m.op({0xd9, 0xe8});  // 9 x fld1
    m.go(9);
    CHECK((m.f().fsw & (fsw::IE | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF | fsw::C1));
    CHECK(m.st_is_indefinite(0));
    CHECK(m.top() == 7);
    CHECK((m.f().fsw & fsw::ES) == 0);

    Fpu u;
    u.op({0xd8, 0xc1});  // fadd st0, st1 on an empty stack
    u.go(1);
    CHECK((u.f().fsw & (fsw::IE | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF));
    CHECK(u.st_is_indefinite(0));
    CHECK(u.tag(0) == x87::kTagSpecial);

    Fpu s;  // fstp m32 of an empty ST0 stores the indefinite; fist m16 the integer indefinite
    s.at(0xd9, 3, kD).at(0xdf, 2, kD + 4);
    s.go(2);
    CHECK(s.mem<uint32_t>(kD) == 0xffc00000u);
    CHECK(s.mem<uint16_t>(kD + 4) == 0x8000);

    Fpu c;  // compare with an empty register: unordered
    c.op({0xd9, 0xe8, 0xd8, 0xd1, 0xdf, 0xe0});  // fld1; fcom st1; fnstsw ax
    c.go(3);
    CHECK((c.r(RAX) & (fsw::C0 | fsw::C2 | fsw::C3)) == (fsw::C0 | fsw::C2 | fsw::C3));
}

TEST_CASE("x87: unmasked exceptions leave the stack, then #MF at the next waiting instruction") {
    Fpu m;
    m.poke<uint16_t>(kD, 0x037b);  // ZE unmasked
    m.poke<double>(kD + 8, 0.0);
    m.at(0xd9, 5, kD);            // fldcw
    m.op({0xd9, 0xe8});            // fld1
    m.at(0xdc, 6, kD + 8);        // fdiv m64 0.0 -> ZE, ST0 unchanged
    const uint64_t fdiv_at = Machine::kCode + 7 + 2;
    m.op({0xdf, 0xe0});            // fnstsw ax: non-waiting
    m.op({0xd9, 0xe8});            // fld1: #MF
    REQUIRE(m.go(4).exit == Exit::InstructionLimit);
    CHECK(m.st(0) == 1.0L);
    CHECK((m.r(RAX) & 0xffff) == (fsw::ZE | fsw::ES | fsw::B | (7u << 11)));
    CHECK(m.f().fop == ((4u << 8) | 0x34));
    CHECK(m.f().fdp == kD + 8);
    CHECK(m.f().fip == fdiv_at);
    const RunResult r = m.run(1);
    REQUIRE(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kMF);
    CHECK(m.top() == 7);
    // FNCLEX clears it; the FLD1 then runs.
    m.prog.clear();
    m.op({0xdb, 0xe2, 0xd9, 0xe8});
    REQUIRE(m.go(2).exit == Exit::InstructionLimit);
    CHECK(m.top() == 6);

    Fpu w;  // FWAIT delivers it too; FLDCW unmasking an old flag makes it pending
    w.poke<uint16_t>(kD, 0x037e);
    w.op({0xd9, 0xe8, 0xd9, 0xe0, 0xd9, 0xfa});  // fld1; fchs; fsqrt -> IE (masked)
    w.at(0xd9, 5, kD);                           // fldcw: IE unmasked -> ES
    w.op({0x9b});
    REQUIRE(w.go(4).exit == Exit::InstructionLimit);
    CHECK((w.f().fsw & (fsw::ES | fsw::B)) == (fsw::ES | fsw::B));
    const RunResult r2 = w.run(1);
    REQUIRE(r2.exit == Exit::Exception);
    CHECK(r2.fault.vector == kMF);
}

TEST_CASE("x87: unmasked overflow wraps the exponent; unmasked invalid leaves FIST's memory") {
    Fpu m;
    m.poke<uint16_t>(kD, 0x0377);  // OE unmasked
    static constexpr uint8_t big[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xfe, 0x7f};
    std::memcpy(m.bus.ram.data() + kD + 16, big, 10);
    m.at(0xd9, 5, kD).at(0xdb, 5, kD + 16).op({0xd9, 0xc0, 0xd8, 0xc9});  // fldcw; fld m80; fld st0; fmul st0, st1
    m.go(4);
    CHECK(m.f().regs[m.phys(0)][9] == 0x5f);
    CHECK(m.f().regs[m.phys(0)][8] == 0xfd);
    CHECK((m.f().fsw & (fsw::OE | fsw::ES)) == (fsw::OE | fsw::ES));

    Fpu v;
    v.poke<uint16_t>(kD, 0x037e);  // IE unmasked
    v.poke<double>(kD + 8, 1e30);
    v.poke<uint32_t>(kD + 16, 0x12345678);
    v.at(0xd9, 5, kD).at(0xdd, 0, kD + 8).at(0xdb, 3, kD + 16);  // fistp m32: out of range
    v.go(3);
    CHECK(v.mem<uint32_t>(kD + 16) == 0x12345678u);
    CHECK(v.top() == 7);  // not popped
    CHECK((v.f().fsw & (fsw::IE | fsw::ES)) == (fsw::IE | fsw::ES));
}

TEST_CASE("x87: #NM from CR0.TS/EM; FWAIT only with MP and TS") {
    Fpu m;
    m.op({0xd9, 0xe8});
    m.cpu.s.cr0 |= cr0::TS;
    RunResult r = m.go(1);
    REQUIRE(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kNM);
    CHECK(m.f().ftw == 0xffff);

    Fpu e;
    e.op({0x9b});
    e.cpu.s.cr0 = (e.cpu.s.cr0 | cr0::EM) & ~cr0::MP;
    CHECK(e.go(1).exit == Exit::InstructionLimit);  // WAIT ignores EM
    e.prog.clear();
    e.op({0xd9, 0xe8});
    r = e.go(1);
    REQUIRE(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kNM);

    Fpu w;
    w.op({0x9b});
    w.cpu.s.cr0 |= cr0::TS | cr0::MP;
    r = w.go(1);
    REQUIRE(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kNM);
}

TEST_CASE("x87: FXCH, FCHS, FABS, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM") {
    Fpu m;
    m.poke<double>(kD, 2.0);
    m.poke<double>(kD + 8, -9.0);
    m.at(0xdd, 0, kD).at(0xdd, 0, kD + 8);  // ST0 = -9, ST1 = 2
    m.op({0xd9, 0xe1, 0xd9, 0xfa});            // fabs; fsqrt -> 3
    m.op({0xd9, 0xfd});                        // fscale: 3 * 2^2 = 12
    m.op({0xd9, 0xc9});                        // fxch: ST0 = 2, ST1 = 12
    m.op({0xd9, 0xe0});                        // fchs: -2
    m.go(7);
    CHECK(m.st(0) == -2.0L);
    CHECK(m.st(1) == 12.0L);

    Fpu x;
    x.poke<double>(kD, 24.0);
    x.at(0xdd, 0, kD).op({0xd9, 0xf4});  // fxtract: ST0 = 1.5, ST1 = 4
    x.go(2);
    CHECK(x.st(0) == 1.5L);
    CHECK(x.st(1) == 4.0L);
    CHECK(x.top() == 6);

    Fpu p;
    p.poke<double>(kD, 3.0);
    p.poke<double>(kD + 8, 17.5);
    p.at(0xdd, 0, kD).at(0xdd, 0, kD + 8).op({0xd9, 0xf8});  // fprem: 17.5 rem 3 = 2.5, q = 5
    p.go(3);
    CHECK(p.st(0) == 2.5L);
    // q = 5 = 101b: C0 = Q2 = 1, C3 = Q1 = 0, C1 = Q0 = 1, C2 = 0 (complete)
    CHECK((p.f().fsw & fsw::Cc) == (fsw::C0 | fsw::C1));

    Fpu rnd;
    rnd.poke<double>(kD, 2.5);
    rnd.at(0xdd, 0, kD).op({0xd9, 0xfc});  // frndint, nearest even: 2
    rnd.go(2);
    CHECK(rnd.st(0) == 2.0L);
    CHECK((rnd.f().fsw & fsw::PE) != 0);
}

TEST_CASE("x87: transcendentals") {
    Fpu m;
    m.op({0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xf3});  // fld1; fld1; fpatan -> pi/4
    m.go(3);
    CHECK(m.top() == 7);
    CHECK(std::fabs(static_cast<double>(m.st(0)) - std::numbers::pi / 4) < 1e-15);

    Fpu t;
    t.op({0xd9, 0xee, 0xd9, 0xf2});  // fldz; fptan -> ST0 = 1, ST1 = 0
    t.go(2);
    CHECK(t.top() == 6);
    CHECK(t.st(0) == 1.0L);
    CHECK(t.st(1) == 0.0L);

    Fpu s;
    s.poke_ld(kD, 0x1p70L);  // out of range for FSINCOS: C2 = 1, unchanged
    s.at(0xdb, 5, kD).op({0xd9, 0xfb});
    s.go(2);
    CHECK((s.f().fsw & fsw::C2) != 0);
    CHECK(s.top() == 7);
    CHECK(s.st(0) == 0x1p70L);
}

TEST_CASE("x87: FCMOVcc, FST/FSTP ST(i), FFREE, FINCSTP/FDECSTP") {
    Fpu m;
    m.poke<double>(kD, 7.0);
    m.op({0xd9, 0xe8});                // fld1
    m.at(0xdd, 0, kD);                // fld 7: ST0 = 7, ST1 = 1
    m.op({0x31, 0xc0});                // xor eax, eax: ZF = 1, CF = 0
    m.op({0xda, 0xc1});                // fcmovb: not taken
    m.go(4);
    CHECK(m.st(0) == 7.0L);
    m.prog.clear();
    m.op({0xda, 0xc9});                // fcmove: taken
    m.go(1);
    CHECK(m.st(0) == 1.0L);

    Fpu s;
    s.poke<double>(kD, 5.0);
    s.op({0xd9, 0xee});       // fldz
    s.at(0xdd, 0, kD);       // fld 5
    s.op({0xdd, 0xd9});       // fstp st1: ST1 = 5, pop
    s.go(3);
    CHECK(s.top() == 7);
    CHECK(s.st(0) == 5.0L);
    CHECK(s.tag(0) == x87::kTagValid);
    s.prog.clear();
    s.op({0xdd, 0xc0, 0xd9, 0xf6, 0xd9, 0xf6});  // ffree st0; fdecstp; fdecstp
    s.go(3);
    CHECK(s.top() == 5);
    CHECK(s.f().ftw == 0xffff);
}

TEST_CASE("x87: FLDCW/FNSTCW reserved bits, FNINIT, FNCLEX") {
    Fpu m;
    m.poke<uint16_t>(kD, 0xffff);
    m.at(0xd9, 5, kD).at(0xd9, 7, kD + 2);
    m.go(2);
    CHECK(m.mem<uint16_t>(kD + 2) == 0x1f7f);
    m.prog.clear();
    m.op({0xd9, 0xe8, 0xdb, 0xe3});  // fld1; fninit
    m.go(2);
    CHECK(m.f().fcw == 0x037f);
    CHECK(m.f().fsw == 0);
    CHECK(m.f().ftw == 0xffff);
    CHECK(m.f().fip == 0);
}

TEST_CASE("x87: FNSTENV/FLDENV and FNSAVE/FRSTOR round trips") {
    Fpu m;
    m.poke<double>(kD, 2.0);
    m.op({0xd9, 0xeb, 0xd9, 0xee});  // fldpi; fldz
    m.at(0xdd, 0, kD);              // fld 2
    const uint64_t fld_at = Machine::kCode + 4;
    m.at(0xd9, 6, kD + 0x100);      // fnstenv
    m.go(4);
    const X87 before = m.f();
    CHECK(m.f().fcw == 0x037f);  // already all masked
    CHECK(m.mem<uint32_t>(kD + 0x100) == 0xffff037fu);
    CHECK(m.mem<uint32_t>(kD + 0x104) == (0xffff0000u | before.fsw));
    CHECK(m.mem<uint32_t>(kD + 0x108) == (0xffff0000u | before.ftw));
    CHECK(m.mem<uint32_t>(kD + 0x10c) == fld_at);
    CHECK(before.ftw == 0x13ff);  // R7 = pi valid, R6 = 0 zero, R5 = 2 valid, R0..R4 empty

    // FNSAVE then FRSTOR restores registers, tags, TOP.
    m.prog.clear();
    m.at(0xdd, 6, kD + 0x200);  // fnsave
    m.go(1);
    CHECK(m.f().ftw == 0xffff);
    CHECK(m.f().fsw == 0);
    CHECK(m.mem<uint32_t>(kD + 0x200 + 4) == (0xffff0000u | before.fsw));
    long double st0;
    std::memcpy(&st0, m.bus.ram.data() + kD + 0x200 + 28, 10);
    CHECK(st0 == 2.0L);
    m.prog.clear();
    m.at(0xdd, 4, kD + 0x200);  // frstor
    m.go(1);
    CHECK(m.f().ftw == before.ftw);
    CHECK(m.f().fsw == before.fsw);
    CHECK(m.st(0) == 2.0L);
    CHECK(m.st(1) == 0.0L);

    // FLDENV recomputes tags from contents, honouring only "empty": with a
    // tag word of all "valid", the never-written R0..R4 (zeros) tag as zero.
    m.poke<uint32_t>(kD + 0x108, 0xffff0000u);
    m.prog.clear();
    m.at(0xd9, 4, kD + 0x100);
    m.go(1);
    CHECK(m.f().ftw == 0x1155);
}

TEST_CASE("x87: 16-bit environment with a 66 prefix") {
    Fpu m;
    m.op({0xd9, 0xe8});
    m.op({0x66});
    m.at(0xd9, 6, kD);
    m.go(2);
    CHECK(m.mem<uint16_t>(kD) == 0x037f);
    CHECK(m.mem<uint16_t>(kD + 2) == m.f().fsw);
    CHECK(m.mem<uint16_t>(kD + 4) == m.f().ftw);
    CHECK(m.mem<uint16_t>(kD + 6) == static_cast<uint16_t>(Machine::kCode));
    CHECK(m.mem<uint16_t>(kD + 14) == 0);  // nothing written past 14 bytes
}

TEST_CASE("x87: a faulting store changes nothing") {
    Fpu m;
    m.op({0xd9, 0xe8, 0xd9, 0xe8});  // fld1 (warms the code TLB); fld1
    m.at(0xd9, 3, 0x9000);          // fstp m32 to a page that will fault
    REQUIRE(m.go(2).exit == Exit::InstructionLimit);
    const X87 before = m.f();
    m.cpu.s.cr0 |= cr0::PG;  // every TLB miss now faults; the code page stays cached
    const RunResult r = m.run(1);
    REQUIRE(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kPF);
    CHECK(std::memcmp(&before, &m.f(), sizeof(X87)) == 0);
}

TEST_CASE("x87: decoded forms and names") {
    struct Case {
        std::vector<uint8_t> bytes;
        const char* name;
    };
    const Case cases[] = {
        {{0xd8, 0xc1}, "fadd"},    {{0xdc, 0xe9}, "fsub"},     {{0xdc, 0xe1}, "fsubr"},   {{0xde, 0xf9}, "fdivp"},
        {{0xde, 0xd9}, "fcompp"},  {{0xda, 0xe9}, "fucompp"},  {{0xdb, 0xe3}, "fninit"},  {{0xdf, 0xe0}, "fnstsw"},
        {{0xdf, 0xf1}, "fcomip"},  {{0xd9, 0xd8}, "fstpnce"},  {{0xdd, 0xc8}, "fxch"},    {{0x9b}, "fwait"},
        {{0xdf, 0x28}, "fild"},    {{0xdb, 0x38}, "fstp"},     {{0xd9, 0x30}, "fnstenv"}, {{0xdd, 0x08}, "fisttp"},
    };
    for (const Case& k : cases) {
        DecodedInsn d;
        REQUIRE(decode(k.bytes, 8, d) == DecodeStatus::Ok);
        CHECK(std::string(mnemonic(d)) == k.name);
        CHECK(d.len == k.bytes.size());
    }
    const std::vector<std::vector<uint8_t>> invalid = {
        {0xd9, 0xd1}, {0xd9, 0xe2}, {0xda, 0xe8}, {0xdb, 0xe5}, {0xdd, 0xf0}, {0xde, 0xd8}, {0xdf, 0xe1}, {0xd9, 0x08}, {0xdb, 0x20},
    };
    for (const auto& b : invalid) {
        DecodedInsn d;
        CHECK(decode(b, 8, d) == DecodeStatus::Invalid);
    }
}

// ---- the emulated FPU against this machine's FPU ----
//
// For every x87 form (register forms and memory forms with [rsi]), random
// x87 states and operands run natively and emulated through the same code:
//   frstor [rdi]; push rdx; popfq; <insn>; pushfq; pop rax; fnsave [rdi]
// and the FNSAVE images (all but the FIP/FDP address fields), the memory
// operand and the arithmetic flags must agree bit for bit. Exception flags
// start masked-only so that nothing is pending; the instruction under test
// may raise unmasked ones (only non-waiting instructions follow it).

#include <cstdlib>
#include <random>
#include <sys/mman.h>

namespace {

struct Rng {
    std::mt19937_64 g;
    explicit Rng(uint64_t seed) : g(seed) {}
    uint64_t bits() { return g(); }
    unsigned below(unsigned n) { return static_cast<unsigned>(g() % n); }
};

// An 80-bit value of a random class (SDM Vol. 1 table 8-3).
void random_f80(Rng& r, uint8_t out[10]) {
    uint64_t mant = r.bits();
    unsigned exp;
    switch (r.below(12)) {
        case 0: exp = 0; mant = 0; break;                                         // zero
        case 1: exp = 0; mant &= ~(1ull << 63); break;                            // denormal
        case 2: exp = 0; mant |= 1ull << 63; break;                               // pseudo-denormal
        case 3: exp = 0x7fff; mant = 1ull << 63; break;                           // infinity
        case 4: exp = 0x7fff; mant |= 3ull << 62; break;                          // QNaN
        case 5: exp = 0x7fff; mant = (mant & ~(1ull << 62)) | (1ull << 63) | 1; break;  // SNaN
        case 6: exp = 1 + r.below(0x7ffe); mant &= ~(1ull << 63); break;          // unnormal
        case 7: exp = r.below(2) ? 0x7ffe - r.below(3) : 1 + r.below(3); mant |= 1ull << 63; break;  // extremes
        case 8: {                                                                 // an integer
            const unsigned n = r.below(66);
            exp = 0x3fff + (n ? n - 1 : 0);
            mant = n ? (mant | (1ull << 63)) & ~((n < 64 ? ~0ull >> n : 0)) : 0;
            if (!n) exp = 0;
            break;
        }
        default: exp = 0x3fff - 70 + r.below(140); mant |= 1ull << 63; break;  // ordinary
    }
    if (r.below(2)) exp |= 0x8000;
    std::memcpy(out, &mant, 8);
    out[8] = static_cast<uint8_t>(exp);
    out[9] = static_cast<uint8_t>(exp >> 8);
}

// A memory operand: a float of a random class, an integer of a random
// magnitude, or random bytes; 112 bytes so FLDENV/FRSTOR read random data.
void random_mem(Rng& r, uint8_t* m) {
    for (unsigned k = 0; k < 112; ++k) m[k] = static_cast<uint8_t>(r.bits());
    switch (r.below(4)) {
        case 0: {  // binary32 of a chosen exponent class
            uint32_t v = static_cast<uint32_t>(r.bits());
            const unsigned e = r.below(4) == 0 ? 0 : r.below(4) == 0 ? 0xff : 0x60 + r.below(0x40);
            v = (v & 0x807fffffu) | (e << 23);
            if (r.below(8) == 0) v &= 0xff800000u;
            std::memcpy(m, &v, 4);
            break;
        }
        case 1: {  // binary64
            uint64_t v = r.bits();
            const uint64_t e = r.below(4) == 0 ? 0 : r.below(4) == 0 ? 0x7ff : 0x3c0 + r.below(0x80);
            v = (v & 0x800fffffffffffffull) | (e << 52);
            if (r.below(8) == 0) v &= 0xfff0000000000000ull;
            std::memcpy(m, &v, 8);
            break;
        }
        case 2: {  // integer of random magnitude
            int64_t v = static_cast<int64_t>(r.bits() >> r.below(64));
            if (r.below(2)) v = -v;
            std::memcpy(m, &v, 8);
            break;
        }
        default: random_f80(r, m); break;
    }
}

// A random FNSAVE image (32-bit format) with no exception pending.
void random_state(Rng& r, uint8_t img[108]) {
    std::memset(img, 0, 108);
    const unsigned pc = r.below(4), rc = r.below(4);
    uint16_t masks = 0x3f;
    if (r.below(3) == 0) masks = static_cast<uint16_t>(r.bits() & 0x3f);
    const uint16_t fcw = static_cast<uint16_t>(0x40 | masks | pc << 8 | rc << 10);
    const unsigned top = r.below(8);
    uint16_t fsw = static_cast<uint16_t>(top << 11 | (r.bits() & (fsw::Cc | fsw::SF)));
    fsw |= static_cast<uint16_t>(r.bits() & masks);  // only masked flags: nothing pending
    uint16_t ftw = 0;
    for (unsigned p = 0; p < 8; ++p) {
        if (r.below(4) == 0) ftw |= static_cast<uint16_t>(3u << (2 * p));
    }
    const uint32_t d[3] = {0xffff0000u | fcw, 0xffff0000u | fsw, 0xffff0000u | ftw};
    std::memcpy(img, d, 12);
    for (unsigned k = 0; k < 8; ++k) random_f80(r, img + 28 + 10 * k);
}

using NativeFn = uint64_t (*)(void* img, void* mem, uint64_t flags);

// Runs one form over `cases` random states; returns the number of mismatches
// (the first few are reported).
unsigned compare_form(const std::vector<uint8_t>& insn, unsigned cases, uint64_t seed, uint8_t* page) {
    std::vector<uint8_t> code = {0xdd, 0x27, 0x52, 0x9d};  // frstor [rdi]; push rdx; popfq
    code.insert(code.end(), insn.begin(), insn.end());
    for (uint8_t b : {0x9c, 0x58, 0xdd, 0x37}) code.push_back(b);  // pushfq; pop rax; fnsave [rdi]
    std::memcpy(page, code.data(), code.size());
    page[code.size()] = 0xc3;  // ret
    const auto native = reinterpret_cast<NativeFn>(page);

    Fpu m;
    m.prog = code;
    std::memcpy(m.bus.ram.data() + Machine::kCode, code.data(), code.size());
    m.cpu.flush_code_cache();
    constexpr uint64_t kImg = kD + 0x400;

    Rng r(seed);
    unsigned bad = 0;
    for (unsigned n = 0; n < cases; ++n) {
        alignas(16) uint8_t img[108], mem[112], eimg[108], emem[112];
        random_state(r, img);
        random_mem(r, mem);
        const uint64_t flags_in = 2 | (r.bits() & fl::Arith);
        std::memcpy(eimg, img, 108);
        std::memcpy(emem, mem, 112);

        const uint64_t flags_out = native(img, mem, flags_in) & fl::Arith;

        std::memcpy(m.bus.ram.data() + kImg, eimg, 108);
        std::memcpy(m.bus.ram.data() + kD, emem, 112);
        m.cpu.s.fpu = X87{};
        m.cpu.s.rip = Machine::kCode;
        m.r(RDI) = kImg;
        m.r(RSI) = kD;
        m.r(RDX) = flags_in;
        m.r(RSP) = Machine::kStack;
        const RunResult res = m.run(7);
        std::memcpy(eimg, m.bus.ram.data() + kImg, 108);
        std::memcpy(emem, m.bus.ram.data() + kD, 112);
        const uint64_t eflags_out = m.r(RAX) & fl::Arith;

        // FIP (12..15) and FDP (20..23) hold addresses that differ by design.
        for (unsigned k = 12; k < 16; ++k) eimg[k] = img[k];
        for (unsigned k = 20; k < 24; ++k) eimg[k] = img[k];
        const bool same = res.exit == Exit::InstructionLimit && std::memcmp(img, eimg, 108) == 0 &&
                          std::memcmp(mem, emem, 112) == 0 && flags_out == eflags_out;
        if (!same && bad++ < 3) {
            std::string s = "x87 mismatch, insn";
            char buf[64];
            for (uint8_t b : insn) std::snprintf(buf, sizeof buf, " %02x", b), s += buf;
            std::snprintf(buf, sizeof buf, " case %u exit %d", n, static_cast<int>(res.exit));
            s += buf;
            uint16_t nsw, esw, nfcw, ntw, etw;
            std::memcpy(&nfcw, img, 2);
            std::memcpy(&nsw, img + 4, 2);
            std::memcpy(&esw, eimg + 4, 2);
            std::memcpy(&ntw, img + 8, 2);
            std::memcpy(&etw, eimg + 8, 2);
            std::snprintf(buf, sizeof buf, " fsw %04x/%04x ftw %04x/%04x", nsw, esw, ntw, etw);
            s += buf;
            std::snprintf(buf, sizeof buf, " flags %llx/%llx", static_cast<unsigned long long>(flags_out),
                          static_cast<unsigned long long>(eflags_out));
            s += buf;
            for (unsigned k = 0; k < 108; ++k) {
                if (img[k] != eimg[k]) {
                    std::snprintf(buf, sizeof buf, " img[%u] %02x/%02x", k, img[k], eimg[k]);
                    s += buf;
                }
            }
            for (unsigned k = 0; k < 112; ++k) {
                if (mem[k] != emem[k]) {
                    std::snprintf(buf, sizeof buf, " mem[%u] %02x/%02x", k, mem[k], emem[k]);
                    s += buf;
                }
            }
            MESSAGE(s);
        }
    }
    return bad;
}

}  // namespace

TEST_CASE("x87: every form matches the host FPU") {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    auto* page = static_cast<uint8_t*>(p);
    // BS_X87_CASES=N runs N cases per form (300 by default).
    const char* env = std::getenv("BS_X87_CASES");
    const unsigned cases = env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 300;
    unsigned forms = 0, failed_forms = 0;
    for (unsigned opc = 0xd8; opc <= 0xdf; ++opc) {
        for (unsigned modrm = 0; modrm < 256; ++modrm) {
            const bool reg = modrm >= 0xc0;
            if (!reg && (modrm & 0xc7) != 0x06) continue;  // memory forms: [rsi]
            if (opc == 0xdf && modrm == 0xe0) continue;    // fnstsw ax: RAX is the flags slot
            if ((opc == 0xd9 || opc == 0xdd) && modrm == 0x36) continue;  // fnstenv/fnsave store addresses
            const std::vector<uint8_t> insn = {static_cast<uint8_t>(opc), static_cast<uint8_t>(modrm)};
            DecodedInsn d;
            if (decode(insn, 8, d) != DecodeStatus::Ok) continue;
            ++forms;
            const unsigned bad = compare_form(insn, cases, opc * 256 + modrm, page);
            if (bad) {
                ++failed_forms;
                const std::string msg = std::string(mnemonic(d)) + ": " + std::to_string(bad) + " of " + std::to_string(cases) + " differ";
                MESSAGE(msg);
            }
        }
    }
    munmap(p, 4096);
    const std::string summary = std::to_string(forms) + " forms compared";
    MESSAGE(summary);
    CHECK(failed_forms == 0);
}

TEST_CASE("x87: real-mode 16-bit environment layout and FNSAVE/FRSTOR") {
    Fpu m;
    m.cpu.reset();
    m.cpu.s.seg[CS].base = 0;
    m.cpu.s.seg[CS].selector = 0;
    m.cpu.s.cr0 = cr0::ET | cr0::NE;
    m.cpu.mode_changed();
    m.cpu.flush_tlb();
    REQUIRE(m.cpu.s.code_size == 2);
    m.poke<uint16_t>(0x7000, 0x037b);  // ZE unmasked
    m.poke<uint32_t>(0x7004, 0);       // 0.0f
    m.op({0xd9, 0x2e, 0x00, 0x70});    // fldcw [0x7000]
    m.op({0xd9, 0xe8});                // fld1
    m.op({0xd8, 0x36, 0x04, 0x70});    // fdiv dword [0x7004]: ZE, unmasked
    m.op({0xd9, 0x36, 0x00, 0x80});    // fnstenv [0x8000]: 14 bytes, real-mode layout
    m.op({0xdd, 0x36, 0x00, 0x81});    // fnsave [0x8100]: 94 bytes
    m.op({0xdd, 0x26, 0x00, 0x81});    // frstor [0x8100]
    REQUIRE(m.go(4).exit == Exit::InstructionLimit);
    CHECK(m.mem<uint16_t>(0x8000) == 0x037b);
    CHECK(m.mem<uint16_t>(0x8002) == (fsw::ZE | fsw::ES | fsw::B | (7u << 11)));
    CHECK(m.mem<uint16_t>(0x8004) == 0x3fff);
    CHECK(m.mem<uint16_t>(0x8006) == Machine::kCode + 6);  // FIP[15:0]
    CHECK(m.mem<uint16_t>(0x8008) == 0x036);                // FIP[19:16] = 0, FOP = D8 36 -> 0x036
    CHECK(m.mem<uint16_t>(0x800a) == 0x7004);               // FDP[15:0]
    CHECK(m.mem<uint16_t>(0x800c) == 0);
    CHECK(m.f().fcw == 0x037f);  // FNSTENV masked everything: ES cleared
    CHECK((m.f().fsw & fsw::ES) == 0);
    REQUIRE(m.run(2).exit == Exit::InstructionLimit);
    CHECK(m.mem<uint16_t>(0x8100) == 0x037f);
    long double st0;
    std::memcpy(&st0, m.bus.ram.data() + 0x8100 + 14, 10);
    CHECK(st0 == 1.0L);
    CHECK(m.top() == 7);
    CHECK(m.st(0) == 1.0L);
    CHECK((m.f().fsw & (fsw::ZE | fsw::ES)) == fsw::ZE);  // masked by the FNSTENV before FNSAVE
}
