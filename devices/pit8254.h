// Intel 8254 programmable interval timer: three 16-bit counters at 1.193182 MHz.
//
// Reference: Intel 8254 datasheet (modes 0-5, control word, counter latch,
// read-back command, GATE behaviour table). On the PC, counter 0 drives IRQ0,
// counter 1 is the (unused) refresh timer, counter 2's gate and output are
// bits 0 and 5 of port 0x61 (see devices/platform.h).
//
// Time is computed, not ticked: each counter remembers the virtual time it was
// loaded (or triggered) and derives its count and OUT from (now - load time).
// Only counter 0 schedules an event, for its next OUT edge.
//
// Simplifications: a new count takes effect immediately in every mode (the
// chip waits for the end of the current period in modes 2 and 3); the count is
// loaded on the write itself rather than on the next CLK edge.
#pragma once

#include <cstdint>
#include <string>

#include "emu/clock.h"
#include "emu/irq.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class Pit8254 {
public:
    static constexpr uint64_t kFreqHz = 1193182;

    explicit Pit8254(emu::Clock& clock);

    void reset();
    uint8_t read(unsigned offset);  // offset 0-3 (ports 0x40-0x43)
    void write(unsigned offset, uint8_t value);

    void set_gate(unsigned ch, bool level);
    bool gate(unsigned ch) const { return ch_[ch].gate; }
    // OUT of a counter at the current virtual time.
    bool out(unsigned ch) const;
    // The counting element's value now (what a latch would capture).
    uint16_t count_now(unsigned ch) const;
    unsigned mode(unsigned ch) const { return ch_[ch].mode; }
    // The reload value (1..0x10000) and whether one was written since the control word.
    uint32_t reload(unsigned ch) const { return ch_[ch].count ? ch_[ch].count : 0x10000; }
    bool loaded(unsigned ch) const { return ch_[ch].loaded; }
    bool bcd(unsigned ch) const { return ch_[ch].bcd; }

    emu::IrqLine irq0;  // counter 0 OUT

    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    enum RwState : uint8_t { kLsb = 1, kMsb = 2, kWord0 = 3, kWord1 = 4 };
    struct Channel {
        uint32_t count = 0x10000;  // reload value, 0 means 0x10000
        bool loaded = false;       // a count was written after the control word
        bool triggered = false;    // modes 1/5: a gate edge started the count
        bool running = false;      // ticks accumulate
        uint64_t load_time = 0;    // virtual ns when counting (re)started
        uint64_t frozen = 0;       // ticks accumulated before load_time
        uint8_t mode = 0, rw_mode = 3;
        bool bcd = false;
        bool gate = true;
        uint8_t read_state = kWord0, write_state = kWord0, write_latch = 0;
        bool count_latched = false;
        uint8_t latch_state = 0;
        uint16_t latched_count = 0;
        bool status_latched = false;
        uint8_t status = 0;
        bool null_count = true;
        uint64_t next_tick = 0;  // tick of the scheduled OUT edge (counter 0)
    };

    uint64_t ticks(const Channel& c) const;
    bool out_at(const Channel& c, uint64_t d) const;
    uint16_t count_at(const Channel& c, uint64_t d) const;
    // Next tick > d where OUT changes, or ~0 when OUT is final.
    uint64_t next_transition(const Channel& c, uint64_t d) const;
    uint64_t time_of_tick(const Channel& c, uint64_t t) const;
    void load_count(unsigned ch, uint32_t value);
    void latch_count(unsigned ch);
    void restart(Channel& c);
    void update_irq();
    void arm_timer();
    void on_timer();

    emu::Clock& clock_;
    emu::EventId ev_;
    Channel ch_[3];
};

}  // namespace bs::devices
