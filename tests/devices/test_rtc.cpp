#include <doctest/doctest.h>

#include "devices/rtc_mc146818.h"
#include "probe.h"

using bs::devices::RtcMc146818;
using bs::emu::Clock;

namespace {
constexpr uint64_t kSec = 1'000'000'000ull;
uint8_t rd(RtcMc146818& rtc, uint8_t index) {
    rtc.write(0, index);
    return rtc.read(1);
}
void wr(RtcMc146818& rtc, uint8_t index, uint8_t v) {
    rtc.write(0, index);
    rtc.write(1, v);
}
// 2024-03-15 13:45:30 UTC, a Friday.
const int64_t kStart = bs::devices::civil_to_seconds(2024, 3, 15, 13, 45, 30);
}  // namespace

TEST_CASE("rtc: civil date conversion round-trips") {
    CHECK(bs::devices::civil_to_seconds(1970, 1, 1, 0, 0, 0) == 0);
    CHECK(bs::devices::civil_to_seconds(2024, 1, 1, 0, 0, 0) == 1704067200);
    auto c = bs::devices::seconds_to_civil(kStart);
    CHECK(c.year == 2024);
    CHECK(c.month == 3);
    CHECK(c.day == 15);
    CHECK(c.hour == 13);
    CHECK(c.minute == 45);
    CHECK(c.second == 30);
    CHECK(c.weekday == 5);
    auto leap = bs::devices::seconds_to_civil(bs::devices::civil_to_seconds(2000, 2, 29, 23, 59, 59) + 1);
    CHECK(leap.month == 3);
    CHECK(leap.day == 1);
}

TEST_CASE("rtc: reads back the configured date in BCD, then binary and 12-hour") {
    Clock clock;
    RtcMc146818 rtc(clock, kStart);
    CHECK(rd(rtc, 0x00) == 0x30);
    CHECK(rd(rtc, 0x02) == 0x45);
    CHECK(rd(rtc, 0x04) == 0x13);
    CHECK(rd(rtc, 0x06) == 0x06);  // Friday = 6 (Sunday = 1)
    CHECK(rd(rtc, 0x07) == 0x15);
    CHECK(rd(rtc, 0x08) == 0x03);
    CHECK(rd(rtc, 0x09) == 0x24);
    CHECK(rd(rtc, 0x32) == 0x20);
    clock.advance_to(45 * kSec);
    CHECK(rd(rtc, 0x00) == 0x15);
    CHECK(rd(rtc, 0x02) == 0x46);
    wr(rtc, 0x0b, 0x02 | 0x04);  // 24h, binary
    CHECK(rd(rtc, 0x00) == 15);
    CHECK(rd(rtc, 0x04) == 13);
    wr(rtc, 0x0b, 0x04);  // 12h, binary
    CHECK(rd(rtc, 0x04) == (0x80 | 1));
    wr(rtc, 0x0b, 0x00);  // 12h, BCD
    CHECK(rd(rtc, 0x04) == 0x81);
}

TEST_CASE("rtc: setting the time with SET") {
    Clock clock;
    RtcMc146818 rtc(clock, kStart);
    wr(rtc, 0x0b, 0x82);  // SET, 24h, BCD
    wr(rtc, 0x04, 0x08);
    wr(rtc, 0x02, 0x00);
    wr(rtc, 0x00, 0x00);
    clock.advance_to(10 * kSec);
    CHECK(rd(rtc, 0x00) == 0x00);  // frozen while SET
    wr(rtc, 0x0b, 0x02);
    clock.advance_to(13 * kSec);
    CHECK(rd(rtc, 0x04) == 0x08);
    CHECK(rd(rtc, 0x00) == 0x03);
    CHECK(rtc.time_seconds() == bs::devices::civil_to_seconds(2024, 3, 15, 8, 0, 3));
}

TEST_CASE("rtc: update-in-progress window before each second") {
    Clock clock;
    RtcMc146818 rtc(clock, kStart);
    clock.advance_to(kSec / 2);
    CHECK((rd(rtc, 0x0a) & 0x80) == 0);
    clock.advance_to(kSec - 100'000);
    CHECK((rd(rtc, 0x0a) & 0x80) == 0x80);
    clock.advance_to(kSec + 10);
    CHECK((rd(rtc, 0x0a) & 0x80) == 0);
    CHECK((rd(rtc, 0x0a) & 0x7f) == 0x26);
}

TEST_CASE("rtc: periodic interrupt at the programmed rate, register C clears on read") {
    Clock clock;
    RtcMc146818 rtc(clock, kStart);
    bs::test::IrqProbe irq;
    irq.attach(rtc.irq8, &clock);
    wr(rtc, 0x0a, 0x26);  // 1024 Hz
    wr(rtc, 0x0b, 0x42);  // PIE
    std::vector<uint64_t> times;
    while (times.size() < 8) {
        clock.skip_to_next_event();
        if (irq.level) {
            times.push_back(clock.now());
            uint8_t c = rd(rtc, 0x0c);
            CHECK((c & 0xc0) == 0xc0);
            CHECK_FALSE(irq.level);
            CHECK(rd(rtc, 0x0c) == 0);
        }
    }
    for (size_t i = 1; i < times.size(); ++i) CHECK(times[i] - times[i - 1] == doctest::Approx(976562.5).epsilon(0.000002));
    // 2 Hz (rate 15).
    wr(rtc, 0x0a, 0x2f);
    uint64_t t0 = clock.now();
    unsigned periodic = 0;
    while (clock.next_deadline() <= t0 + 2 * kSec) {
        clock.skip_to_next_event();
        if (rd(rtc, 0x0c) & 0x40) ++periodic;
    }
    CHECK(periodic == 4);
}

TEST_CASE("rtc: update-ended and alarm interrupts") {
    Clock clock;
    RtcMc146818 rtc(clock, kStart);
    bs::test::IrqProbe irq;
    irq.attach(rtc.irq8, &clock);
    wr(rtc, 0x0b, 0x12);  // UIE
    clock.advance_to(kSec);
    CHECK(irq.level);
    CHECK(irq.rises.back() == kSec);
    CHECK(rd(rtc, 0x0c) == 0x90);
    // Alarm at 13:45:35 (seconds match, minutes/hours don't care).
    wr(rtc, 0x0b, 0x22);  // AIE only
    wr(rtc, 0x01, 0x35);
    wr(rtc, 0x03, 0xc0);
    wr(rtc, 0x05, 0xc0);
    clock.advance_to(4 * kSec + 1);
    CHECK_FALSE(irq.level);
    clock.advance_to(5 * kSec);
    CHECK(irq.level);
    CHECK((rd(rtc, 0x0c) & 0xa0) == 0xa0);
}

TEST_CASE("rtc: CMOS RAM, index port and NMI disable bit") {
    Clock clock;
    RtcMc146818 rtc(clock, kStart);
    wr(rtc, 0x40, 0x5a);
    CHECK(rd(rtc, 0x40) == 0x5a);
    CHECK(rd(rtc, 0x0d) == 0x80);
    rtc.write(0, 0x80 | 0x40);
    CHECK(rtc.nmi_disabled());
    CHECK(rtc.read(1) == 0x5a);
    rtc.write(0, 0x0f);
    CHECK_FALSE(rtc.nmi_disabled());
}
