// Intel 8259A programmable interrupt controller, as the PC's cascaded pair.
//
// Reference: Intel 8259A datasheet (ICW1-4, OCW1-3, "Interrupt sequence",
// "Special mask mode", "Poll command"), and the PIIX/ICH ELCR registers at
// ports 0x4D0/0x4D1 that make individual inputs level triggered.
//
// Inputs are level lines (set_irq); edge detection happens here, against the
// last seen input level. The master's INT output goes to the CPU through the
// local APIC's LINT0; the slave's INT output is master input 2.
//
// Not emulated: MCS-80/85 mode (ICW4 bit 0 clear: logged), buffered mode
// (ICW4 bits 2-3: no effect on a PC), ICW1 LTIM (logged; ELCR is the PC's
// way to select level triggering), the real chip's acknowledge timing.
#pragma once

#include <cstdint>
#include <string>

#include "emu/irq.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class Pic8259 {
public:
    Pic8259(const char* name, bool is_master, uint8_t elcr_mask);

    void reset();
    // ICW1 reset: everything but the ELCR.
    void init_reset();

    uint8_t read(unsigned offset);              // offset 0 or 1 (port 0x20/0x21, 0xA0/0xA1)
    void write(unsigned offset, uint8_t value);
    uint8_t read_elcr() const { return elcr_; }
    void write_elcr(uint8_t v) { elcr_ = v & elcr_mask_; }

    // Drives input `irq` (0-7) to `level`.
    void set_irq(unsigned irq, bool level);
    // Highest-priority unmasked request that beats the in-service level, or -1.
    int get_irq() const;
    // The CPU's INTA cycle for input `irq`: sets ISR (unless auto-EOI), clears
    // an edge request.
    void intack(unsigned irq);

    // INT output (drives the CPU or the master's input 2).
    emu::IrqLine int_out;

    uint8_t irr() const { return irr_; }
    uint8_t isr() const { return isr_; }
    uint8_t imr() const { return imr_; }
    uint8_t irq_base() const { return irq_base_; }
    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    int priority_of(uint8_t mask) const;
    void update_irq();
    uint8_t poll_read();

    const char* name_;
    bool is_master_;
    uint8_t elcr_mask_;

    uint8_t last_irr_ = 0;  // input levels seen so far (edge detector)
    uint8_t irr_ = 0, isr_ = 0, imr_ = 0;
    uint8_t elcr_ = 0;
    uint8_t priority_add_ = 0;  // lowest-priority rotation: IRQ (priority_add) is highest
    uint8_t irq_base_ = 0;
    bool read_isr_ = false;
    bool poll_ = false;
    bool special_mask_ = false;
    int init_state_ = 0;  // 0 ready, 1 expect ICW2, 2 ICW3, 3 ICW4
    bool init4_ = false, single_ = false;
    bool auto_eoi_ = false, rotate_on_auto_eoi_ = false;
    bool special_fully_nested_ = false;
};

// The PC pair: master at 0x20 (IRQ0-7), slave at 0xA0 (IRQ8-15) on master
// input 2.
class PicPair {
public:
    PicPair();
    void reset();

    // ISA IRQ 0-15.
    void set_irq(unsigned irq, bool level);
    // Level of the master's INT output (the CPU's INTR through LINT0).
    bool intr() const { return master.int_out.level(); }
    // The INTA cycle: returns the vector, including the spurious vectors
    // (base+7 of the chip) when the request went away.
    uint8_t acknowledge();
    // The ISA IRQ (0-15) the last acknowledge answered for (7 or 15 when
    // spurious), or -1 before any.
    int last_irq() const { return last_irq_; }

    uint8_t io_read(uint16_t port);
    void io_write(uint16_t port, uint8_t value);

    std::string dump() const;
    void save(emu::SnapshotWriter& w) const;  // both chips (see Pic8259::save)
    void load(emu::SnapshotReader& r);

    Pic8259 master;
    Pic8259 slave;

private:
    int last_irq_ = -1;
};

}  // namespace bs::devices
