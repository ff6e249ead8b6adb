// Interrupt request lines: level signals from a device to a controller.
//
// A device owns an IrqLine and drives it from its single update_irq(); the
// machine connects the line to a controller input (PIC pin, IOAPIC pin).
// Edge detection belongs to the receiving controller, as in QEMU's qemu_irq.
#pragma once

#include <functional>
#include <utility>

namespace bs::emu {

class IrqLine {
public:
    using Sink = std::function<void(bool level)>;

    void connect(Sink sink) { sink_ = std::move(sink); }
    // Drives the line; the sink hears only changes.
    void set(bool level) {
        if (level == level_) return;
        level_ = level;
        if (sink_) sink_(level);
    }
    void raise() { set(true); }
    void lower() { set(false); }
    // A rising then falling edge (for edge-triggered inputs).
    void pulse() {
        set(true);
        set(false);
    }
    bool level() const { return level_; }
    // Save states: puts the level back without telling the sink (the
    // receiver's state is restored along with it).
    void restore(bool level) { level_ = level; }

private:
    Sink sink_;
    bool level_ = false;
};

}  // namespace bs::emu
