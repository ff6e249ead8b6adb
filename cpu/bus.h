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
};

}  // namespace bs::cpu
