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

// Busy-wait loops are counted off rather than run (cpu.cpp, "spin loops"):
// whatever the budget, the machine ends as if every instruction had run.
TEST_CASE("spin loops: a countdown ends exactly as if run, cut anywhere") {
    for (uint64_t cut : {1ull, 2ull, 7ull, 1001ull, 1500000ull}) {
        Machine m;
        m.code({0x48, 0xc7, 0xc7, 0x40, 0x42, 0x0f, 0x00,  // 0x1000 mov rdi, 1000000
                0x48, 0xff, 0xcf,                          // 0x1007 dec rdi
                0x75, 0xfb,                                // 0x100a jnz 0x1007
                0x90});                                    // 0x100c nop
        m.run(cut);
        CHECK(m.cpu.instructions_retired() == cut);
        // mov, then (cut - 1) / 2 whole iterations and maybe a DEC.
        const uint64_t iterations = (cut - 1 + 1) / 2;
        CHECK(m.r(RDI) == 1000000 - iterations);
        CHECK(m.cpu.s.rip == ((cut - 1) % 2 ? 0x100au : 0x1007u));
        // The rest to the loop's end: 1 + 2000000 instructions, then the NOP.
        m.run(1 + 2000000 - cut);
        CHECK(m.r(RDI) == 0);
        CHECK(m.cpu.s.rip == 0x100c);
        CHECK((m.flags() & fl::ZF) != 0);
    }
    Machine m;
    m.code({0x48, 0xc7, 0xc7, 0x40, 0x42, 0x0f, 0x00, 0x48, 0xff, 0xcf, 0x75, 0xfb, 0x90});
    m.run(2000002);  // to the NOP's end
    CHECK(m.cpu.spin_instructions() > 1900000);  // counted off, not run
    CHECK(m.cpu.s.rip == 0x100d);
}

TEST_CASE("spin loops: a memory poll repeats until the memory changes") {
    Machine m;
    m.poke<uint64_t>(Machine::kData, 3);
    m.r(RDX) = 5;
    m.code({0xf3, 0x90,                                      // 0x1000 pause
            0x48, 0x8b, 0x04, 0x25, 0x00, 0x80, 0x00, 0x00,  // 0x1002 mov rax, [0x8000]
            0x48, 0x39, 0xd0,                                // 0x100a cmp rax, rdx
            0x72, 0xf1,                                      // 0x100d jb 0x1000
            0x90});                                          // 0x100f nop
    m.run(1000003);
    CHECK(m.cpu.instructions_retired() == 1000003);
    CHECK(m.cpu.s.rip == 0x1000 + 0x2 + 0x8 + 0x3);  // 1000003 = 250000 rounds + 3: at the JB
    CHECK(m.r(RAX) == 3);
    CHECK(m.cpu.spin_instructions() > 900000);
    m.poke<uint64_t>(Machine::kData, 9);  // "an interrupt handler" changed it
    m.run(1);  // the JB, back to the start
    m.run(4);  // pause, mov, cmp, jb falls through
    CHECK(m.cpu.s.rip == 0x100f);
    CHECK(m.r(RAX) == 9);
}

TEST_CASE("spin loops: a loop that stores, or reads a register it loads later, is run") {
    Machine m;
    m.r(RDX) = 5;
    // cmp rax, rdx reads RAX before the block loads it: not a fixed point
    // after one round, so not a poll; the store loop is not one either.
    m.code({0x48, 0x39, 0xd0,                                // 0x1000 cmp rax, rdx
            0x48, 0x8b, 0x04, 0x25, 0x00, 0x80, 0x00, 0x00,  // 0x1003 mov rax, [0x8000]
            0x72, 0xf3});                                    // 0x100b jb 0x1000
    m.run(100000);
    CHECK(m.cpu.spin_instructions() == 0);
    Machine n;
    n.code({0x48, 0x89, 0x04, 0x25, 0x00, 0x80, 0x00, 0x00,  // 0x1000 mov [0x8000], rax
            0x48, 0x39, 0xd0,                                // cmp rax, rdx
            0x72, 0xf3});                                    // jb 0x1000
    n.r(RDX) = 5;
    n.run(100000);
    CHECK(n.cpu.spin_instructions() == 0);
}
