#include <doctest/doctest.h>

#include "devices/pit8254.h"
#include "probe.h"

using bs::devices::Pit8254;
using bs::emu::Clock;

namespace {
constexpr uint64_t kMs = 1'000'000;
void program(Pit8254& pit, unsigned ch, unsigned mode, uint16_t count) {
    pit.write(3, uint8_t((ch << 6) | 0x30 | (mode << 1)));  // lobyte/hibyte
    pit.write(ch, uint8_t(count));
    pit.write(ch, uint8_t(count >> 8));
}
// Nanoseconds of `ticks` PIT input clocks.
uint64_t ns_of(uint64_t ticks) { return ticks * 1'000'000'000ull / Pit8254::kFreqHz; }
}  // namespace

TEST_CASE("pit: mode 2 at 100 Hz raises IRQ0 every 10 ms of virtual time") {
    Clock clock;
    Pit8254 pit(clock);
    bs::test::IrqProbe irq;
    irq.attach(pit.irq0, &clock);
    program(pit, 0, 2, 11932);  // LATCH for HZ=100, as Linux
    CHECK(pit.out(0));
    clock.advance_to(105 * kMs);
    REQUIRE(irq.rises.size() >= 10);
    for (size_t i = 0; i < 10; ++i) {
        uint64_t expected = ns_of(11932 * (i + 1));
        CHECK(irq.rises[i] >= expected);
        CHECK(irq.rises[i] <= expected + 1000);
    }
    CHECK(irq.rises.size() == 10);
    // Between pulses OUT is high; it is low for one input clock before reload.
    CHECK(irq.falls == 10);
}

TEST_CASE("pit: mode 2 counter reads at given virtual times") {
    Clock clock;
    Pit8254 pit(clock);
    program(pit, 0, 2, 1000);
    clock.advance_to(ns_of(300) + 1);
    pit.write(3, 0x00);  // latch counter 0
    uint16_t v = pit.read(0);
    v |= uint16_t(pit.read(0) << 8);
    CHECK(v == 700);
    clock.advance_to(ns_of(1250) + 1);
    CHECK(pit.count_now(0) == 750);
}

TEST_CASE("pit: mode 3 square wave period and duty") {
    Clock clock;
    Pit8254 pit(clock);
    bs::test::IrqProbe irq;
    irq.attach(pit.irq0, &clock);
    program(pit, 0, 3, 1000);
    CHECK(pit.out(0));
    clock.advance_to(ns_of(499) + 1);
    CHECK(pit.out(0));
    clock.advance_to(ns_of(501) + 1);
    CHECK_FALSE(pit.out(0));
    clock.advance_to(ns_of(5000) + 1);
    REQUIRE(irq.rises.size() == 5);
    CHECK(irq.rises[0] >= ns_of(1000));
    CHECK(irq.rises[0] <= ns_of(1000) + 1000);
    CHECK(irq.rises[4] - irq.rises[3] >= ns_of(1000) - 1000);
    CHECK(irq.rises[4] - irq.rises[3] <= ns_of(1000) + 1000);
}

TEST_CASE("pit: mode 0 interrupt on terminal count fires once") {
    Clock clock;
    Pit8254 pit(clock);
    bs::test::IrqProbe irq;
    irq.attach(pit.irq0, &clock);
    program(pit, 0, 0, 100);
    CHECK_FALSE(pit.out(0));
    clock.advance_to(ns_of(1000));
    REQUIRE(irq.rises.size() == 1);
    CHECK(irq.rises[0] == (100ull * 1'000'000'000ull + Pit8254::kFreqHz - 1) / Pit8254::kFreqHz + 0);
    CHECK(pit.out(0));
    CHECK(pit.count_now(0) > 0xf000);  // keeps counting down past zero
}

TEST_CASE("pit: modes 1, 4 and 5") {
    Clock clock;
    Pit8254 pit(clock);
    // Mode 4: one-tick low strobe at terminal count.
    program(pit, 0, 4, 10);
    clock.advance_to(ns_of(10) + 1);
    CHECK_FALSE(pit.out(0));
    clock.advance_to(ns_of(12));
    CHECK(pit.out(0));
    // Mode 1 on channel 2: waits for a gate edge, then OUT low until terminal count.
    program(pit, 2, 1, 50);
    CHECK(pit.out(2));
    uint64_t t0 = clock.now();
    clock.advance_to(t0 + ns_of(100));
    CHECK(pit.count_now(2) == 50);  // not triggered
    pit.set_gate(2, true);
    uint64_t t1 = clock.now();
    CHECK_FALSE(pit.out(2));
    clock.advance_to(t1 + ns_of(51));
    CHECK(pit.out(2));
    // Mode 5: strobe after a gate trigger.
    pit.set_gate(2, false);
    program(pit, 2, 5, 20);
    pit.set_gate(2, true);
    uint64_t t2 = clock.now();
    clock.advance_to(t2 + ns_of(20) + 1);
    CHECK_FALSE(pit.out(2));
    clock.advance_to(t2 + ns_of(22));
    CHECK(pit.out(2));
}

TEST_CASE("pit: lobyte-only and hibyte-only access, read-back status") {
    Clock clock;
    Pit8254 pit(clock);
    pit.write(3, 0x14);  // ch0, lobyte only, mode 2
    pit.write(0, 200);
    CHECK(pit.count_now(0) == 200);
    pit.write(3, 0x64);  // ch1, hibyte only, mode 2
    pit.write(1, 0x02);
    CHECK(pit.count_now(1) == 0x200);
    // Read-back: status and count of channel 0.
    pit.write(3, 0xc2);
    uint8_t status = pit.read(0);
    CHECK(status == (0x80 | (1 << 4) | (2 << 1)));
    CHECK(pit.read(0) == 200);
    // Null count bit after a new control word.
    pit.write(3, 0x34);
    pit.write(3, 0xe2);  // status only
    CHECK((pit.read(0) & 0x40) == 0x40);
}

TEST_CASE("pit: channel 2 gate and OUT as Linux calibrates the TSC") {
    Clock clock;
    Pit8254 pit(clock);
    pit.set_gate(2, false);
    program(pit, 2, 0, 0xffff);
    uint64_t t0 = clock.now();
    clock.advance_to(t0 + ns_of(1000));
    CHECK(pit.count_now(2) == 0xffff);  // gate low: counting inhibited
    pit.set_gate(2, true);
    uint64_t t1 = clock.now();
    clock.advance_to(t1 + ns_of(0xfffe));
    CHECK_FALSE(pit.out(2));
    clock.advance_to(t1 + ns_of(0xffff) + 1);
    CHECK(pit.out(2));
}

TEST_CASE("pit: BCD counting") {
    Clock clock;
    Pit8254 pit(clock);
    pit.write(3, 0x35);  // ch0, lo/hi, mode 2, BCD
    pit.write(0, 0x00);
    pit.write(0, 0x10);  // 1000 decimal
    clock.advance_to(ns_of(1) + 1);
    pit.write(3, 0x00);
    uint16_t v = pit.read(0);
    v |= uint16_t(pit.read(0) << 8);
    CHECK(v == 0x0999);
}
