// The CPU's debugger support: code breakpoints (Cpu::set_code_breakpoints)
// however the instruction is reached, and pages whose data reads are
// watched (PhysPage::watch_reads) while their code still runs.
#include <doctest/doctest.h>

#include "harness.h"

using namespace bs;
using namespace bs::cpu;
using bs::test::Machine;

namespace {

// Runs until the CPU stops at a breakpoint (or `max` instructions); the
// instructions retired on the way.
uint64_t run_to_break(Machine& m, Exit& exit, uint64_t max = 1'000'000) {
    const uint64_t before = m.cpu.instructions_retired();
    exit = m.run(max).exit;
    return m.cpu.instructions_retired() - before;
}

}  // namespace

TEST_CASE("code breakpoint: reached by falling through and by a loop's back edge") {
    Machine m;
    m.code({0xb9, 0x03, 0x00, 0x00, 0x00,  // 0x1000 mov ecx, 3
            0xff, 0xc9,                    // 0x1005 dec ecx
            0x75, 0xfc,                    // 0x1007 jnz 0x1005
            0x90});                        // 0x1009 nop
    m.cpu.set_code_breakpoints({0x1005}, {});
    Exit e;
    CHECK(run_to_break(m, e) == 1);  // mov, then stops before dec
    CHECK(e == Exit::Breakpoint);
    CHECK(m.cpu.s.rip == 0x1005);
    CHECK(m.r(RCX) == 3);
    for (uint64_t left = 2; left >= 1; --left) {
        m.cpu.skip_code_breakpoint_once();  // continue from the breakpoint
        CHECK(run_to_break(m, e) == 2);     // dec, jnz back to it
        CHECK(e == Exit::Breakpoint);
        CHECK(m.r(RCX) == left);
    }
    m.cpu.skip_code_breakpoint_once();
    CHECK(run_to_break(m, e, 3) == 3);  // dec, jnz falls through, nop
    CHECK(e != Exit::Breakpoint);
    CHECK(m.r(RCX) == 0);
}

TEST_CASE("code breakpoint: in the middle of a straight run, by linear or physical address") {
    for (bool physical : {false, true}) {
        Machine m;  // paging is off: linear = physical
        m.code({0x90, 0x90, 0x90, 0x48, 0xff, 0xc0, 0x90, 0x90});  // nop x3, inc rax, nop, nop
        if (physical) m.cpu.set_code_breakpoints({}, {0x1003});
        else m.cpu.set_code_breakpoints({0x1003}, {});
        Exit e;
        CHECK(run_to_break(m, e) == 3);
        CHECK(e == Exit::Breakpoint);
        CHECK(m.cpu.s.rip == 0x1003);
        CHECK(m.r(RAX) == 0);
        // Stopping does not consume the instruction: running again stops
        // again, unless told to go on from it.
        CHECK(m.run(1).exit == Exit::Breakpoint);
        m.cpu.skip_code_breakpoint_once();
        CHECK(m.run(1).exit == Exit::InstructionLimit);
        CHECK(m.r(RAX) == 1);
    }
}

TEST_CASE("code breakpoint: a call's target, and nothing when disarmed or cleared") {
    Machine m;
    m.code({0xe8, 0x01, 0x00, 0x00, 0x00,  // 0x1000 call 0x1006
            0x90,                          // 0x1005 nop
            0x48, 0xff, 0xc0,              // 0x1006 inc rax
            0xc3});                        // 0x1009 ret
    m.cpu.set_code_breakpoints({0x1006}, {});
    Exit e;
    CHECK(run_to_break(m, e) == 1);
    CHECK(e == Exit::Breakpoint);
    CHECK(m.cpu.s.rip == 0x1006);

    m.cpu.s.rip = 0x1000;
    m.cpu.code_breakpoints_armed = false;
    CHECK(run_to_break(m, e, 4) == 4);
    CHECK(e == Exit::InstructionLimit);
    CHECK(m.r(RAX) == 1);

    m.cpu.code_breakpoints_armed = true;
    m.cpu.set_code_breakpoints({}, {});
    m.cpu.s.rip = 0x1000;
    CHECK(run_to_break(m, e, 4) == 4);
    CHECK(m.r(RAX) == 2);
}

TEST_CASE("code breakpoint: a REP string's later chunks are no new arrival") {
    Machine m;
    m.r(RCX) = 10000;  // more than one chunk of iterations
    m.r(RDI) = 0x10000;
    m.r(RAX) = 0xab;
    m.code({0xf3, 0xaa,  // 0x1000 rep stosb
            0x90, 0x90});
    m.cpu.set_code_breakpoints({0x1000}, {});
    Exit e;
    CHECK(run_to_break(m, e) == 0);  // stops before it
    CHECK(e == Exit::Breakpoint);
    m.cpu.skip_code_breakpoint_once();
    CHECK(run_to_break(m, e, 5) == 5);  // three chunks, two nops
    CHECK(e == Exit::InstructionLimit);
    CHECK(m.r(RCX) == 0);
    CHECK(m.mem<uint8_t>(0x10000 + 9999) == 0xab);
    // Executing it again is an arrival.
    m.r(RCX) = 10;
    m.cpu.s.rip = 0x1000;
    CHECK(run_to_break(m, e) == 0);
    CHECK(e == Exit::Breakpoint);
}

namespace {

// A FlatBus whose page 0x8000 has its data reads watched: they come here.
class WatchingBus final : public cpu::Bus {
public:
    test::FlatBus flat;
    std::vector<uint64_t> reads;
    cpu::PhysPage page(uint64_t pa) override {
        cpu::PhysPage p = flat.page(pa);
        p.watch_reads = (pa & ~0xfffull) == 0x8000;
        return p;
    }
    uint64_t mmio_read(uint64_t pa, unsigned size) override {
        reads.push_back(pa);
        uint64_t v = 0;
        std::memcpy(&v, flat.ram.data() + pa, size);
        return v;
    }
    void mmio_write(uint64_t pa, unsigned size, uint64_t value) override {
        std::memcpy(flat.ram.data() + pa, &value, size);
    }
    uint32_t io_in(uint16_t, unsigned) override { return 0; }
    void io_out(uint16_t, unsigned, uint32_t) override {}
    uint64_t tsc() override { return 0; }
};

}  // namespace

TEST_CASE("read-watched page: data reads leave the fast path, code on it runs unseen") {
    WatchingBus bus;
    cpu::Cpu c(bus);
    c.set_flat64_user_mode();
    c.s.gpr[RSP] = 0xf000;
    // Code on the watched page: mov rax, [0x8100]; mov [0x8108], rax.
    const uint8_t code[] = {0x48, 0x8b, 0x04, 0x25, 0x00, 0x81, 0x00, 0x00,
                            0x48, 0x89, 0x04, 0x25, 0x08, 0x81, 0x00, 0x00};
    std::memcpy(bus.flat.ram.data() + 0x8000, code, sizeof code);
    const uint64_t value = 0x1122334455667788ull;
    std::memcpy(bus.flat.ram.data() + 0x8100, &value, 8);
    c.s.rip = 0x8000;
    c.run(2);
    CHECK(c.s.gpr[RAX] == value);
    REQUIRE(bus.reads.size() == 1);  // the load, not the fetches
    CHECK(bus.reads[0] == 0x8100);
    uint64_t stored;
    std::memcpy(&stored, bus.flat.ram.data() + 0x8108, 8);
    CHECK(stored == value);  // writes to the page still reach memory
}
