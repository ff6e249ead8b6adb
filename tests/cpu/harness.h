// A RAM-only test machine for CPU unit tests: flat physical memory, ports
// recorded, and helpers to place code and run it in 64-bit user mode.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/operands.h"

namespace bs::test {

class FlatBus final : public cpu::Bus {
public:
    explicit FlatBus(size_t bytes = 1u << 20) : ram(bytes, 0) {}
    cpu::PhysPage page(uint64_t pa) override {
        if (pa + 0x1000 <= ram.size()) return {ram.data() + pa, true};
        return {};
    }
    uint64_t mmio_read(uint64_t, unsigned) override {
        ++mmio_reads;
        return ~0ull;
    }
    void mmio_write(uint64_t, unsigned, uint64_t) override {}
    uint32_t io_in(uint16_t port, unsigned) override {
        last_in_port = port;
        return io_value;
    }
    void io_out(uint16_t port, unsigned size, uint32_t value) override { outs.push_back({port, size, value}); }
    uint64_t tsc() override { return tsc_value; }

    struct Out { uint16_t port; unsigned size; uint32_t value; };
    std::vector<uint8_t> ram;
    std::vector<Out> outs;
    uint16_t last_in_port = 0;
    uint32_t io_value = 0;
    uint64_t tsc_value = 0;
    unsigned mmio_reads = 0;
};

// A CPU in flat 64-bit user mode with code at kCode and a stack below kStack.
struct Machine {
    static constexpr uint64_t kCode = 0x1000;
    static constexpr uint64_t kData = 0x8000;
    static constexpr uint64_t kStack = 0xf000;

    FlatBus bus;
    cpu::Cpu cpu{bus};

    Machine() {
        cpu.set_flat64_user_mode();
        cpu.s.rip = kCode;
        cpu.s.gpr[cpu::RSP] = kStack;
    }
    // Switches to 32-bit protected mode (long mode off, CS.D = 1, the same
    // flat 4 GiB segments, CPL 3, paging off): the environment of the forms
    // that are #UD in 64-bit mode (AAA, DAA, ...).
    void set_flat32_user_mode() {
        cpu::CpuState& s = cpu.s;
        s.efer &= ~(cpu::efer::LMA | cpu::efer::LME);
        s.seg[cpu::CS].attr = static_cast<uint16_t>((s.seg[cpu::CS].attr & ~cpu::segattr::L) | cpu::segattr::DB);
        cpu.mode_changed();
        cpu.flush_tlb();
        cpu.flush_code_cache();
    }
    // Places code at `at` and points RIP at it. The host writes RAM behind
    // the CPU's back, so decoded blocks are dropped.
    void code(std::initializer_list<uint8_t> bytes, uint64_t at = kCode) {
        std::memcpy(bus.ram.data() + at, std::data(bytes), bytes.size());
        cpu.flush_code_cache();
        cpu.s.rip = at;
    }
    // Runs `n` instructions; returns the result.
    cpu::RunResult run(uint64_t n = 1) { return cpu.run(n); }
    uint64_t& r(unsigned reg) { return cpu.s.gpr[reg]; }
    uint64_t flags() { return cpu::get_rflags(cpu.s); }
    template <class T> T mem(uint64_t at) {
        T v;
        std::memcpy(&v, bus.ram.data() + at, sizeof(T));
        return v;
    }
    template <class T> void poke(uint64_t at, T v) { std::memcpy(bus.ram.data() + at, &v, sizeof(T)); }
};

}  // namespace bs::test
