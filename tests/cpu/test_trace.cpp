// The tracer's hook points (cpu/trace.h): each fires once, at the right
// instruction count, with the right addresses.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness.h"

using namespace bs::cpu;
using bs::test::FlatBus;
using bs::test::Machine;

namespace {

struct Recorder final : TraceSink {
    std::vector<std::string> log;
    void add(const std::string& s) { log.push_back(s); }
    static std::string hex(uint64_t v) {
        char b[32];
        std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(v));
        return b;
    }
    void call(uint64_t n, uint64_t from, uint64_t to, uint64_t rsp) override {
        add(std::to_string(n) + " call " + hex(from) + "->" + hex(to) + " rsp " + hex(rsp));
    }
    void ret(uint64_t n, uint64_t from, uint64_t to, uint64_t rsp) override {
        add(std::to_string(n) + " ret " + hex(from) + "->" + hex(to) + " rsp " + hex(rsp));
    }
    void event(uint64_t n, const EventRecord& e, uint64_t handler) override {
        add(std::to_string(n) + " event " + std::to_string(e.vector) + " -> " + hex(handler));
    }
    void iret(uint64_t n, uint64_t from, uint64_t to) override {
        add(std::to_string(n) + " iret " + hex(from) + "->" + hex(to));
    }
    void control_write(uint64_t n, unsigned reg, uint64_t old, uint64_t now) override {
        add(std::to_string(n) + " cr" + std::to_string(reg) + " " + hex(old) + "->" + hex(now));
    }
    void mode_change(uint64_t n, CpuMode from, CpuMode to, unsigned cpl) override {
        add(std::to_string(n) + " mode " + to_string(from) + "->" + to_string(to) + " cpl " + std::to_string(cpl));
    }
    void halt(uint64_t n, uint64_t rip) override { add(std::to_string(n) + " halt " + hex(rip)); }
};

}  // namespace

TEST_CASE("trace hooks: near CALL and RET with exact instruction counts") {
    Machine m;
    Recorder rec;
    m.cpu.set_trace(&rec);
    // 1000: nop; call 1010; nop; ...   1010: nop; ret
    m.code({0x90, 0xe8, 0x0a, 0x00, 0x00, 0x00, 0x90});
    m.poke<uint8_t>(0x1010, 0x90);
    m.poke<uint8_t>(0x1011, 0xc3);
    m.cpu.flush_code_cache();
    m.run(5);
    REQUIRE(rec.log.size() == 2);
    CHECK(rec.log[0] == "1 call 1001->1010 rsp eff8");
    CHECK(rec.log[1] == "3 ret 1011->1006 rsp f000");
    m.cpu.set_trace(nullptr);
    m.code({0xe8, 0x0b, 0x00, 0x00, 0x00});
    m.run(1);
    CHECK(rec.log.size() == 2);  // detached: nothing more
}

TEST_CASE("trace hooks: INT n, IRET, CR0 and the mode change, HLT (real mode)") {
    FlatBus bus{1u << 20};
    Cpu cpu{bus};
    cpu.exception_exit = false;
    Recorder rec;
    cpu.s.seg[CS].selector = 0;
    cpu.s.seg[CS].base = 0;
    cpu.s.rip = 0x7c00;
    cpu.s.gpr[RSP] = 0x7000;
    cpu.mode_changed();
    cpu.set_trace(&rec);
    const uint8_t prog[] = {
        0xcd, 0x21,              // int 0x21
        0x0f, 0x20, 0xc0,        // mov eax, cr0
        0x0c, 0x01,              // or al, 1
        0x0f, 0x22, 0xc0,        // mov cr0, eax
        0xf4,                    // hlt
    };
    std::memcpy(bus.ram.data() + 0x7c00, prog, sizeof prog);
    const uint16_t ivt[2] = {0x0010, 0x1234};
    std::memcpy(bus.ram.data() + 0x21 * 4, ivt, 4);
    bus.ram[0x12340 + 0x10] = 0xcf;  // iret
    CHECK(cpu.run(100).exit == Exit::Halt);
    const std::vector<std::string> want = {
        "0 event 33 -> 12350",
        "1 iret 12350->7c02",
        "4 cr0 60000010->60000011",
        "4 mode real->protected16 cpl 0",
        "5 halt 7c0b",
    };
    CHECK(rec.log == want);
}

TEST_CASE("trace hooks: a fault mid-block counts the instructions before it, traced or not") {
    for (bool traced : {false, true}) {
        Machine m;
        Recorder rec;
        if (traced) m.cpu.set_trace(&rec);
        m.code({0x90, 0x90, 0x0f, 0x0b});  // nop; nop; ud2
        const RunResult r = m.run(10);
        CHECK(r.exit == Exit::Exception);
        CHECK(r.fault.vector == kUD);
        CHECK(m.cpu.instructions_retired() == 2);
    }
}
