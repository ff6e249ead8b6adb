// Local APIC in xAPIC mode (MMIO page at 0xFEE00000), one per CPU; Bootscope has one.
//
// Reference: Intel SDM Vol. 3A chapter 10 (11 in newer editions) "Advanced
// Programmable Interrupt Controller": register map (Table 10-1), TPR/PPR
// (10.8.3), EOI (10.8.5), SVR and software enable (10.4.7, 10.9), LVT
// (10.5.1), the timer (10.5.4), ICR (10.6.1), ESR (10.5.3).
//
// The PIC reaches the CPU through LINT0 in ExtINT mode ("virtual wire"); when
// the APIC is hardware-disabled through IA32_APIC_BASE the PIC's INTR goes to
// the CPU directly. Like QEMU, the BSP's LINT0 resets to ExtINT unmasked so
// that a firmware which never touches the APIC still receives PIC interrupts.
// The timer counts at a 1 GHz bus clock (one tick per virtual nanosecond)
// divided by the divide configuration register.
//
// Not emulated: x2APIC (MSR interface), TSC-deadline timer mode (logged),
// INIT/SIPI/SMI delivery (there is one CPU: logged), the thermal/perf/CMCI
// interrupt sources (their LVT registers are stored), relocating the APIC
// base (logged; the page stays at 0xFEE00000), arbitration priority (APR
// reads 0).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "emu/clock.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class LocalApic {
public:
    static constexpr uint64_t kDefaultBase = 0xfee00000;
    static constexpr uint64_t kBaseBsp = 1u << 8, kBaseEnable = 1u << 11;

    explicit LocalApic(emu::Clock& clock);

    void reset();

    // MMIO access at `offset` within the 4 KiB page; sizes 1, 2, 4, 8.
    uint64_t mmio_read(uint32_t offset, unsigned size);
    void mmio_write(uint32_t offset, unsigned size, uint64_t value);
    uint32_t read_reg(uint32_t offset);
    void write_reg(uint32_t offset, uint32_t value);

    // IA32_APIC_BASE (MSR 0x1B), for the CPU's RDMSR/WRMSR.
    uint64_t apic_base() const { return apic_base_; }
    void set_apic_base(uint64_t value);
    bool hw_enabled() const { return apic_base_ & kBaseEnable; }
    bool sw_enabled() const { return svr_ & 0x100; }

    // A fixed/lowest-priority interrupt from the IOAPIC or an IPI.
    void deliver_fixed(uint8_t vector, bool level_triggered);
    void deliver_nmi();
    // LINT0/LINT1 pins (LINT0 is wired to the PIC's INTR output).
    void set_lint(unsigned pin, bool level);
    // True when the PIC's INTR reaches the CPU (hardware-disabled APIC, or
    // LINT0 unmasked in ExtINT mode).
    bool accepts_pic() const;
    // Whether an APIC message addressed this way targets this CPU.
    bool matches_destination(uint8_t dest, bool logical) const;

    // Highest IRR vector the CPU would take now (priority above PPR), or -1.
    int pending_vector() const;
    // Moves the pending vector from IRR to ISR and returns it, or returns the
    // spurious vector when nothing is pending any more.
    uint8_t acknowledge();
    bool nmi_pending() const { return nmi_pending_; }
    void clear_nmi() { nmi_pending_ = false; }

    uint8_t id() const { return uint8_t(id_ >> 24); }
    uint32_t ppr() const;
    uint32_t timer_current_count() const;
    // Registers as the debugger shows them (no side effects, unlike read_reg):
    // ISR/TMR/IRR as 8 words (bit v of the 256 = vector v), the LVT in
    // register order (CMCI 0x2F0, timer 0x320, thermal, perf, LINT0, LINT1, error).
    const uint32_t* isr() const { return isr_; }
    const uint32_t* tmr() const { return tmr_; }
    const uint32_t* irr() const { return irr_; }
    static constexpr unsigned kLvtEntries = 7;
    uint32_t lvt(unsigned index) const { return lvt_[index]; }
    uint32_t tpr() const { return tpr_; }
    uint32_t svr() const { return svr_; }
    uint32_t esr() const { return esr_; }
    uint32_t ldr() const { return ldr_; }
    uint32_t dfr() const { return dfr_; }
    uint64_t icr() const { return uint64_t(icr_hi_) << 32 | icr_lo_; }
    uint32_t timer_initial_count() const { return initial_count_; }
    uint32_t timer_divide_config() const { return dcr_; }

    // Called after an EOI of a level-triggered vector (to the IOAPIC).
    std::function<void(uint8_t vector)> on_level_eoi;
    // Called whenever something the CPU polls may have changed.
    std::function<void()> on_change;

    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    static int highest(const uint32_t* bits);
    static bool test(const uint32_t* bits, unsigned v) { return bits[v >> 5] & (1u << (v & 31)); }
    static void set(uint32_t* bits, unsigned v) { bits[v >> 5] |= 1u << (v & 31); }
    static void clear(uint32_t* bits, unsigned v) { bits[v >> 5] &= ~(1u << (v & 31)); }
    void changed() {
        if (on_change) on_change();
    }
    void set_error(uint32_t bits);
    void send_ipi();
    unsigned divide() const;
    void timer_arm();
    void on_timer();
    void deliver_lvt(unsigned index);

    emu::Clock& clock_;
    emu::EventId ev_timer_;

    enum Lvt { kLvtCmci, kLvtTimer, kLvtThermal, kLvtPerf, kLvtLint0, kLvtLint1, kLvtError, kLvtCount };

    uint64_t apic_base_ = kDefaultBase | kBaseBsp | kBaseEnable;
    uint32_t id_ = 0;
    uint32_t tpr_ = 0, ldr_ = 0, dfr_ = 0xffffffff, svr_ = 0xff;
    uint32_t isr_[8] = {}, tmr_[8] = {}, irr_[8] = {};
    uint32_t esr_ = 0, esr_pending_ = 0;
    uint32_t icr_lo_ = 0, icr_hi_ = 0;
    uint32_t lvt_[kLvtCount] = {};
    uint32_t initial_count_ = 0, dcr_ = 0;
    uint64_t timer_load_ = 0;  // virtual ns when the initial count was written
    uint64_t timer_next_ = 0;  // virtual ns of the next expiry
    bool lint_level_[2] = {};
    bool nmi_pending_ = false;
};

}  // namespace bs::devices
