// A20 masking as an input the machine drives (port 0x92, the i8042 output
// port): with A20 masked, the CPU's access to 1 MiB + x reaches x, and the
// CPU's translations and decoded code follow every change.
#include <doctest/doctest.h>

#include "emu/system.h"

using namespace bs;
using namespace bs::emu;

namespace {

// A System with the CPU in real mode at 0000:7C00, stack at 0000:7000, IF=0.
struct RealModeSystem {
    System sys{MachineConfig{}};
    explicit RealModeSystem(std::initializer_list<uint8_t> code) {
        sys.reset();
        cpu::CpuState& s = sys.cpu.s;
        s.seg[cpu::CS].selector = 0;
        s.seg[cpu::CS].base = 0;
        s.rip = 0x7c00;
        s.gpr[cpu::RSP] = 0x7000;
        sys.cpu.mode_changed();
        REQUIRE(sys.machine.write_phys(0x7c00, std::data(code), code.size()));
    }
    uint8_t reg8(unsigned r, bool high = false) const {
        return static_cast<uint8_t>(sys.cpu.s.gpr[r] >> (high ? 8 : 0));
    }
    uint8_t phys8(uint64_t pa) const {
        uint8_t v = 0;
        REQUIRE(sys.machine.read_phys(pa, &v, 1));
        return v;
    }
    StopReason run() {
        Limits l;
        l.max_instructions = 1000;
        return sys.run(l);
    }
};

}  // namespace

TEST_CASE("A20: with A20 masked an access at 1 MiB + x reaches x; port 0x92 toggles it under a running CPU") {
    RealModeSystem m({0xb8, 0xff, 0xff, 0x8e, 0xc0, 0x26, 0x8a, 0x1e, 0x10, 0x00, 0xe4, 0x92, 0x24, 0xfd, 0xe6, 0x92, 0x26, 0x8a, 0x0e, 0x10, 0x00, 0x26, 0xc6, 0x06, 0x20, 0x00, 0x55, 0x0c, 0x02, 0xe6, 0x92, 0x26, 0x8a, 0x16, 0x10, 0x00, 0xf4} /* mov ax, 0xffff; mov es, ax; mov bl, es:[0x10]; in al, 0x92; and al, 0xfd; out 0x92, al; mov cl, es:[0x10]; mov byte ptr es:[0x20], 0x55; or al, 2; out 0x92, al; mov dl, es:[0x10]; hlt */);
    const uint8_t at0 = 0x11, at1m = 0xaa;
    REQUIRE(m.sys.machine.write_phys(0x0, &at0, 1));
    REQUIRE(m.sys.machine.write_phys(0x100000, &at1m, 1));
    CHECK(m.run() == StopReason::Halted);
    CHECK(m.reg8(cpu::RBX) == 0xaa);  // A20 on: 1 MiB
    CHECK(m.reg8(cpu::RCX) == 0x11);  // masked: wraps to 0
    CHECK(m.phys8(0x10) == 0x55);     // the write wrapped too
    CHECK(m.phys8(0x100010) == 0);
    CHECK(m.reg8(cpu::RDX) == 0xaa);  // on again
    CHECK(m.sys.machine.a20());
}

TEST_CASE("A20: code written through the wrapped alias of its address is not run stale") {
    // With A20 masked, the routine `target` (at 0x7c14) has its immediate
    // rewritten through FFFF:7C25 (physical 1 MiB + 0x7c15) after it ran once.
    RealModeSystem m({0xb8, 0xff, 0xff, 0x8e, 0xc0, 0xe8, 0x0c, 0x00, 0x88, 0xd6, 0x26, 0xc6, 0x06, 0x25, 0x7c, 0x02, 0xe8, 0x01, 0x00, 0xf4, 0xb2, 0x01, 0xc3} /* mov ax, 0xffff; mov es, ax; call target; mov dh, dl; mov byte ptr es:[0x7c25], 2; call target; hlt; target: mov dl, 1; ret */);
    m.sys.machine.set_a20(false);
    CHECK(m.run() == StopReason::Halted);
    CHECK(m.reg8(cpu::RDX, true) == 1);  // first call
    CHECK(m.reg8(cpu::RDX) == 2);        // second call: the rewritten routine
}
