// Port accesses see the exact virtual time of the accessing instruction,
// whatever the slicing of the run: a program that reads the PIT's counter
// in a loop prints the same values run in one go and one instruction at a
// time (as a debugger steps it).
#include <doctest/doctest.h>

#include <string>

#include "emu/system.h"

using namespace bs;
using namespace bs::emu;

namespace {

// Real mode at 0000:7C00: PIT channel 0 in mode 2 (rate 1000), then 40
// times: latch channel 0, read the count (low, high) and print both bytes
// on debugcon (0xE9) after about 4000 instructions of work; then HLT with IF=0.
std::string run_program(bool single_steps) {
    System sys{MachineConfig{}};
    sys.reset();
    cpu::CpuState& s = sys.cpu.s;
    s.seg[cpu::CS].selector = 0;
    s.seg[cpu::CS].base = 0;
    s.rip = 0x7c00;
    s.gpr[cpu::RSP] = 0x7000;
    sys.cpu.mode_changed();
    const uint8_t code[] = {
        0xb0, 0x34, 0xe6, 0x43,        // mov al, 0x34; out 0x43, al   (ch0, lo/hi, mode 2)
        0xb0, 0xe8, 0xe6, 0x40,        // mov al, 0xe8; out 0x40, al
        0xb0, 0x03, 0xe6, 0x40,        // mov al, 0x03; out 0x40, al   (1000)
        0xb9, 0x28, 0x00,              // mov cx, 40
        // loop:
        0xb0, 0x00, 0xe6, 0x43,        // mov al, 0; out 0x43, al      (latch ch0)
        0xe4, 0x40, 0xe6, 0xe9,        // in al, 0x40; out 0xe9, al
        0xe4, 0x40, 0xe6, 0xe9,        // in al, 0x40; out 0xe9, al
        0xbb, 0xd0, 0x07,              // mov bx, 2000  (about 4 us: a few PIT ticks)
        0x4b, 0x75, 0xfd,              // dec bx; jnz -3
        0xe2, 0xec,                    // loop loop
        0xf4,                          // hlt
    };
    REQUIRE(sys.machine.write_phys(0x7c00, code, sizeof code));
    std::string out;
    sys.machine.platform.debugcon_sink = [&](uint8_t b) { out.push_back(static_cast<char>(b)); };
    Limits l;
    StopReason r;
    if (single_steps) {
        l.max_instructions = 1;
        int guard = 1000000;
        while ((r = sys.run(l)) == StopReason::InstructionLimit && --guard) {}
    } else {
        l.max_instructions = 1000000;
        r = sys.run(l);
    }
    CHECK(r == StopReason::Halted);
    return out;
}

}  // namespace

TEST_CASE("port I/O: devices see the exact time of the access, whatever the slicing") {
    const std::string whole = run_program(false);
    const std::string stepped = run_program(true);
    REQUIRE(whole.size() == 80);
    CHECK(whole == stepped);
    // The counter moves between iterations (each is about 4000 instructions = 4 us).
    CHECK(whole.substr(0, 2) != whole.substr(2, 2));
}
