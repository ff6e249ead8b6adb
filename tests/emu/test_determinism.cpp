// Determinism: a scripted bare-metal "program" drives the machine through the
// same calls a CPU run loop makes (port/MMIO accesses, retire(), halt_skip(),
// intr_pending()/acknowledge()); two runs must produce the same event log and
// serial output, byte for byte.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "emu/machine.h"

using namespace bs::emu;

namespace {

struct Run {
    std::vector<std::string> events;
    std::string serial;
    int exit_status = -1;
    uint64_t end_time = 0;
};

// The program: PIC at 0x20/0x28, PIT 1 kHz on IRQ0, RTC 64 Hz periodic on
// IRQ8, the local APIC timer (vector 0x40) periodic every 800 us, COM1 at
// 115200 with THRE and RX interrupts; each PIT tick prints a character; host
// input arrives on COM1; after 40 PIT ticks the program halts between
// interrupts, and after 60 it exits through isa-debug-exit.
Run run_program(uint64_t ps_per_insn = 1000) {
    MachineConfig cfg;
    cfg.ps_per_insn = ps_per_insn;
    Machine m(cfg);
    Run r;
    m.com1.tx_sink = [&](uint8_t b) { r.serial += char(b); };
    auto out = [&](uint16_t p, uint8_t v) { m.io_out(p, 1, v); };
    auto in = [&](uint16_t p) { return uint8_t(m.io_in(p, 1)); };
    for (auto [p, v] : std::vector<std::pair<uint16_t, uint8_t>>{
             {0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01}, {0xa0, 0x11}, {0xa1, 0x28}, {0xa1, 0x02},
             {0xa1, 0x01}, {0x21, 0xe8}, {0xa1, 0xfe},                   // unmask IRQ0, 1, 2, 4 and IRQ8
             {0x43, 0x34}, {0x40, 1193 & 0xff}, {0x40, 1193 >> 8},       // PIT 1 kHz
             {0x70, 0x0a}, {0x71, 0x2a}, {0x70, 0x0b}, {0x71, 0x42},     // RTC 64 Hz periodic
             {0x3fb, 0x80}, {0x3f8, 1}, {0x3f9, 0}, {0x3fb, 0x03},       // 115200 8N1
             {0x3fa, 0x07}, {0x3fc, 0x0b}, {0x3f9, 0x01}})
        out(p, v);
    m.mmio_write(0xfee000f0, 4, 0x1ff);
    m.mmio_write(0xfee003e0, 4, 0x3);  // divide by 16
    m.mmio_write(0xfee00320, 4, 0x20040);
    m.mmio_write(0xfee00380, 4, 50000);  // 800 us
    m.com1.host_input("hello");

    unsigned ticks = 0;
    bool if_flag = true;
    uint64_t blocks = 0;
    char buf[96];
    while (m.request() == Machine::Request::None) {
        if (if_flag && m.intr_pending()) {
            uint8_t vec = m.acknowledge();
            std::snprintf(buf, sizeof buf, "%llu %#x", (unsigned long long)m.clock().now(), vec);
            r.events.push_back(buf);
            m.retire(60);  // the handler's own instructions
            switch (vec) {
            case 0x20:
                ++ticks;
                out(0x3f8, uint8_t('a' + ticks % 26));
                if (ticks == 60) out(0xf4, 0x2a);
                out(0x20, 0x20);
                break;
            case 0x24:
                while (in(0x3fd) & 1) r.events.push_back(std::string("rx ") + char(in(0x3f8)));
                out(0x20, 0x20);
                break;
            case 0x28:
                out(0x70, 0x0c);  // acknowledge: read register C
                (void)in(0x71);
                out(0x70, 0x0b);
                out(0xa0, 0x20);
                out(0x20, 0x20);
                break;
            case 0x40: m.mmio_write(0xfee000b0, 4, 0); break;
            default: r.events.push_back("unexpected"); break;
            }
            continue;
        }
        if (ticks >= 40) {  // idle: HLT with interrupts enabled
            if (!m.halt_skip()) break;
            continue;
        }
        // A 37-instruction block, cut short at the next device deadline.
        uint64_t n = std::min<uint64_t>(37, m.insn_budget());
        m.retire(n);
        if (++blocks % 100 == 0) (void)m.io_in(0x40, 1);  // the program polls the PIT sometimes
    }
    r.exit_status = m.exit_status();
    r.end_time = m.clock().now();
    return r;
}

}  // namespace

TEST_CASE("determinism: the same program gives the same event log twice") {
    Run a = run_program();
    Run b = run_program();
    CHECK(a.exit_status == (0x2a << 1 | 1));
    CHECK(a.events.size() > 100);
    CHECK(a.events == b.events);
    CHECK(a.serial == b.serial);
    CHECK(a.end_time == b.end_time);
    CHECK(a.serial.size() == 60);
    // Every source took part, in virtual-time order.
    auto has = [&](const std::string& suffix) {
        for (const auto& e : a.events)
            if (e.size() >= suffix.size() && e.compare(e.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
        return false;
    };
    CHECK(has(" 0x20"));
    CHECK(has(" 0x28"));
    CHECK(has(" 0x40"));
    CHECK(has(" 0x24"));
    CHECK(has("rx o"));
    CHECK_FALSE(has("unexpected"));
    // 60 PIT periods of 1193 input clocks: the program ends just after 60 ms.
    CHECK(a.end_time >= 59'990'000);
    CHECK(a.end_time <= 60'100'000);
}

TEST_CASE("determinism: instruction timing scales the clock, not the device periods") {
    Run slow = run_program(2000);  // 2 ns per instruction
    CHECK(slow.exit_status == (0x2a << 1 | 1));
    CHECK(slow.serial.size() == 60);
    CHECK(slow.end_time >= 59'990'000);
    CHECK(slow.end_time <= 60'200'000);
}
