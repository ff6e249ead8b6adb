// Intel 82093AA I/O APIC (version 0x20, as in ICH chipsets) at 0xFEC00000.
//
// Reference: 82093AA datasheet (IOREGSEL/IOWIN, IOAPICID/IOAPICVER/IOAPICARB,
// redirection table entries), ICH9 datasheet for the EOI register at +0x40.
//
// 24 input pins; ISA IRQs are wired as on QEMU's pc machine (IRQ0 -> pin 2,
// others identity). Edge-triggered pins latch a request on a rising edge and
// deliver it when unmasked (as QEMU); level-triggered pins deliver while
// asserted and remote IRR is clear, and remote IRR is cleared by the local
// APIC's EOI broadcast or the EOI register.
//
// Not emulated: polarity inversion (ISA lines are given as active-high logical
// levels: bit 13 is stored only), SMI/INIT delivery (logged).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "emu/snapshot_io.h"

namespace bs::devices {

class IoApic {
public:
    static constexpr uint64_t kBase = 0xfec00000;
    static constexpr unsigned kPins = 24;

    struct Message {
        uint8_t vector;
        uint8_t delivery_mode;  // 0 fixed, 1 lowest priority, 4 NMI, 7 ExtINT
        bool level;
        bool logical;
        uint8_t dest;
    };

    IoApic();
    void reset();

    uint64_t mmio_read(uint32_t offset, unsigned size);
    void mmio_write(uint32_t offset, unsigned size, uint64_t value);

    void set_irq(unsigned pin, bool level);
    // EOI broadcast from a local APIC for `vector`.
    void eoi(uint8_t vector);

    uint64_t redirection(unsigned pin) const { return redir_[pin]; }
    uint32_t irr() const { return irr_; }

    // Delivers an interrupt message to the local APIC bus.
    std::function<void(const Message&)> deliver;

    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    uint32_t read_reg(uint8_t index) const;
    void write_reg(uint8_t index, uint32_t value);
    void service();

    uint8_t sel_ = 0;
    uint32_t id_ = 0;
    uint32_t irr_ = 0;   // latched requests (edge) / asserted lines (level)
    uint32_t line_ = 0;  // input levels (edge detector)
    uint64_t redir_[kPins] = {};
};

}  // namespace bs::devices
