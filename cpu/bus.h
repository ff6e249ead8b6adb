// The CPU's only window on the machine: physical memory and I/O ports.
//
// The core calls these on slow paths only (TLB misses, MMIO, port I/O,
// code-page tracking); RAM accesses on the hot path go through host pointers
// cached in the software TLB. The machine in emu/ implements this.
#pragma once

#include <cstdint>

namespace bs::cpu {

// What backs one 4 KiB physical page.
struct PhysPage {
    uint8_t* host = nullptr;  // host memory of the page, or nullptr for MMIO/unbacked
    bool writable = false;    // false for ROM: writes are dropped (and logged)
    // A debugger watches reads: data reads take the slow path to
    // mmio_read (instruction fetches still come from `host`).
    bool watch_reads = false;
};

class Bus {
public:
    virtual ~Bus() = default;
    // The page containing physical address `pa` (pa is page-aligned).
    virtual PhysPage page(uint64_t pa) = 0;
    // Accesses to pages without host memory. `size` is 1, 2, 4 or 8.
    virtual uint64_t mmio_read(uint64_t pa, unsigned size) = 0;
    virtual void mmio_write(uint64_t pa, unsigned size, uint64_t value) = 0;
    // Port I/O (IN/OUT/INS/OUTS). `size` is 1, 2 or 4.
    virtual uint32_t io_in(uint16_t port, unsigned size) = 0;
    virtual void io_out(uint16_t port, unsigned size, uint32_t value) = 0;
    // Virtual time for RDTSC, in TSC ticks.
    virtual uint64_t tsc() = 0;
    // Called before each port access, device MMIO access and TSC read with
    // the number of instructions retired before the accessing one, so
    // devices can see the exact time of the access rather than the time the
    // CPU's slice began.
    virtual void sync_time(uint64_t icount) { (void)icount; }

    // ---- the CPU's interrupt inputs and its local APIC (a machine without
    // an interrupt controller never raises Cpu::intr_line/nmi_line) ----
    // The interrupt-acknowledge cycle: the vector of the interrupt the CPU
    // takes now (called when INTR is asserted and RFLAGS.IF allows it).
    virtual uint8_t intr_acknowledge() { return 0xff; }
    // The CPU took the NMI.
    virtual void nmi_acknowledge() {}
    // WRMSR IA32_APIC_BASE: false refuses the value (the CPU raises #GP).
    virtual bool set_apic_base(uint64_t value) { apic_base_ = value; return true; }
    virtual uint64_t apic_base() { return apic_base_; }
    // CR8 is the local APIC's task priority (TPR bits 7:4).
    virtual void set_tpr(uint8_t priority_class) { tpr_ = priority_class; }
    virtual uint8_t tpr() { return tpr_; }

private:
    // Storage for machines without a local APIC.
    uint64_t apic_base_ = 0xfee00000ull | (1u << 11) | (1u << 8);
    uint8_t tpr_ = 0;
};

}  // namespace bs::cpu
