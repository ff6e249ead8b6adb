// Motorola MC146818A real-time clock and 128 bytes of CMOS RAM (ports 0x70/0x71).
//
// Reference: MC146818A datasheet (registers A-D, "Update cycle", periodic
// interrupt rate table), and the CMOS layout of the IBM PC/AT as SeaBIOS and
// Linux read it (memory size at 0x15-0x18, 0x30-0x31, 0x34-0x35, 0x5B-0x5D;
// century at 0x32).
//
// The time of day is a count of guest seconds anchored at a virtual time; the
// registers are computed from it when read. An update event runs once per
// virtual second (update-ended and alarm flags); the periodic event runs only
// while PIE is set. Register C is cleared by a read, which lowers IRQ8.
//
// Not emulated: daylight-saving adjustment (DSE bit is stored only), the
// square-wave output pin, divider-chain reset (DV other than 010 is logged and
// time keeps running), PF being set while PIE is clear.
#pragma once

#include <cstdint>
#include <string>

#include "emu/clock.h"
#include "emu/irq.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

// Seconds since 1970-01-01 00:00:00 for a civil date (UTC, proleptic Gregorian).
int64_t civil_to_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute, unsigned second);
struct CivilTime {
    int year;
    unsigned month, day, hour, minute, second, weekday;  // weekday 0 = Sunday
};
CivilTime seconds_to_civil(int64_t seconds);

class RtcMc146818 {
public:
    // Register A/B/C bits.
    static constexpr uint8_t kRegA_UIP = 0x80;
    static constexpr uint8_t kRegB_SET = 0x80, kRegB_PIE = 0x40, kRegB_AIE = 0x20, kRegB_UIE = 0x10,
                             kRegB_DM = 0x04, kRegB_24H = 0x02;
    static constexpr uint8_t kRegC_IRQF = 0x80, kRegC_PF = 0x40, kRegC_AF = 0x20, kRegC_UF = 0x10;

    RtcMc146818(emu::Clock& clock, int64_t start_seconds);

    void reset();
    uint8_t read(unsigned offset);  // offset 0 = index port 0x70, 1 = data port 0x71
    void write(unsigned offset, uint8_t value);

    // Direct CMOS access for the machine (memory-size bytes) and tests.
    uint8_t cmos(unsigned index) const { return cmos_[index & 0x7f]; }
    void set_cmos(unsigned index, uint8_t value) { cmos_[index & 0x7f] = value; }
    // Current guest time in seconds since the epoch.
    int64_t time_seconds() const;
    void set_time_seconds(int64_t seconds);

    bool nmi_disabled() const { return nmi_disabled_; }

    emu::IrqLine irq8;

    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    uint8_t to_reg(unsigned v) const;
    unsigned from_reg(uint8_t v) const;
    uint8_t hour_to_reg(unsigned h) const;
    unsigned hour_from_reg(uint8_t v) const;
    void store_time_regs(int64_t seconds);
    int64_t time_from_regs() const;
    uint8_t read_reg(unsigned index);
    void write_reg(unsigned index, uint8_t value);
    bool running() const { return !(cmos_[0x0b] & kRegB_SET); }
    uint64_t next_second_boundary() const;
    void schedule_update();
    void schedule_periodic();
    void on_update();
    void on_periodic();
    void update_irq();

    emu::Clock& clock_;
    emu::EventId ev_update_, ev_periodic_;
    int64_t start_seconds_;
    int64_t base_seconds_ = 0;  // guest time at base_ns_
    uint64_t base_ns_ = 0;
    uint8_t cmos_[128] = {};
    uint8_t index_ = 0;
    bool nmi_disabled_ = false;
};

}  // namespace bs::devices
