// CPU family 'mmx' (cpu/exec_mmx.cpp, state rules cpu/x87_mmx.h): the
// aliasing of the x87 registers, the MMX state transitions and the
// exception checks. The results of every form are compared with the host by
// tests/difftest; these cases pin the rules down where the difftest cannot
// (CR0 bits) or where a regression would be hard to read there.
#include <doctest/doctest.h>

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
