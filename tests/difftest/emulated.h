// The emulated side: the same case run in Bootscope's Cpu.
//
// TestBus holds the data buffer, the instruction's code page and a set of
// 4-level page tables that map exactly those at the same linear addresses
// as the native layout; every other page is not present, so the core's MMU
// raises #PF (with the error code and the no-partial-store behaviour of the
// hardware) where the host's unmapped pages do.
#pragma once

#include <string>

#include "cpu/bus.h"
#include "cpu/cpu.h"
#include "layout.h"

namespace bs::difftest {

class TestBus : public cpu::Bus {
public:
    cpu::PhysPage page(uint64_t pa) override;
    uint64_t mmio_read(uint64_t pa, unsigned size) override;
    void mmio_write(uint64_t pa, unsigned size, uint64_t value) override;
    uint32_t io_in(uint16_t, unsigned) override { return 0xffffffff; }
    void io_out(uint16_t, unsigned, uint32_t) override {}
    uint64_t tsc() override { return 0; }

    // Builds the page tables (physical 0x1000-0x5fff); returns CR3.
    uint64_t build_page_tables();

    alignas(4096) uint8_t data[kDataSize];
    alignas(4096) uint8_t code[4096];
    alignas(4096) uint8_t tables[5][4096];  // PML4, PDPT, PD, PT (data), PT (code)
};

struct EmuResult {
    ArchState out{};
    bool fault = false;
    uint8_t vector = 0;
    uint32_t error = 0;
    std::string abnormal;  // non-empty: the core ended the step some other way
};

struct HostSelectors {
    uint16_t cs, ss, ds, es, fs, gs;
};
HostSelectors host_selectors();

class Emulated {
public:
    Emulated();
    EmuResult run(const Case& c);
    const uint8_t* memory() const { return bus_.data; }
    // The core's CPUID vendor string, or "" when CPUID faults.
    std::string vendor_id();

private:
    void load(const Case& c);
    TestBus bus_;
    cpu::Cpu cpu_;
    HostSelectors sel_;
};

// Full x87 tag (00 valid, 01 zero, 10 special, 11 empty) of an 80-bit value
// marked non-empty, as FXRSTOR derives it (SDM Vol. 1 §10.5.1.1).
unsigned x87_tag(const uint8_t* v);

}  // namespace bs::difftest
