// One x86-64 CPU: state, MMU with a software TLB, the block cache and the
// interpreter loop.
//
// The machine owns a Cpu and a Bus; the Cpu reaches memory and ports only
// through the Bus. Faults raised while executing an instruction unwind as a
// C++ exception (`CpuFault`) to the run loop, which leaves RIP at the
// faulting instruction; no architectural state is committed by a faulting
// instruction (handlers read and write memory before they write registers).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "bus.h"
#include "decoder.h"
#include "flags.h"
#include "state.h"

namespace bs::cpu {

// A fault or trap raised inside instruction execution.
struct CpuFault {
    uint8_t vector;
    bool has_error;
    uint32_t error;
};

[[noreturn]] void raise(uint8_t vector);
[[noreturn]] void raise(uint8_t vector, uint32_t error);

enum class Access : uint8_t { Read, Write, Exec };

// Why run()/step() returned.
enum class Exit : uint8_t {
    None,
    InstructionLimit,  // executed the requested number of instructions
    Exception,         // an exception was raised and exception_exit is set
    Halt,              // HLT with nothing to wake it
    Shutdown,          // triple fault
};

struct RunResult {
    Exit exit = Exit::None;
    CpuFault fault{};  // valid when exit == Exception
};

// Software TLB: direct mapped, one entry per linear page per privilege class.
struct TlbEntry {
    uint64_t read_tag = ~0ull;   // linear page address when readable
    uint64_t write_tag = ~0ull;  // linear page address when writable (and not code)
    uint64_t exec_tag = ~0ull;   // linear page address when executable
    uintptr_t addend = 0;        // host = linear + addend
    uint64_t phys = 0;           // physical page address
};

class Cpu {
public:
    static constexpr unsigned kTlbSize = 1024;
    // TLB slot of a linear address: the page number folded with its higher
    // bits, so that buffers a power-of-two apart do not share a slot.
    static unsigned tlb_index(uint64_t lin) {
        const uint64_t vpn = lin >> 12;
        return static_cast<unsigned>((vpn ^ (vpn >> 10) ^ (vpn >> 20)) & (kTlbSize - 1));
    }

    explicit Cpu(Bus& bus);
    ~Cpu();
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    CpuState s;

    // Architectural reset (SDM Vol. 3A §9.1.1).
    void reset();
    // Puts the CPU in 64-bit mode, CPL 3, flat segments, paging off: the
    // environment of user-level instruction tests.
    void set_flat64_user_mode();

    // Executes up to `max_insns` instructions.
    RunResult run(uint64_t max_insns);
    // Executes exactly one instruction (or raises one exception).
    RunResult step() { return run(1); }

    // When set, exceptions end run() with Exit::Exception instead of being
    // delivered through the IDT. Core I always behaves this way.
    bool exception_exit = true;

    uint64_t instructions_retired() const { return icount_; }

    // Drops every cached translation and decoded block.
    void flush_tlb();
    void flush_code_cache();
    // Called when the segment/mode state changed so decoding must follow.
    void mode_changed();

    // --- memory access (used by instruction handlers) ---
    // Linear address of `seg:offset` (offset already wrapped to the address
    // size). In 64-bit mode ES/CS/SS/DS count as base 0 (SDM Vol. 3A §3.4.4).
    uint64_t linear(unsigned seg, uint64_t offset) const { return seg_base_[seg] + offset; }

    template <class T> T read(uint64_t lin);
    template <class T> void write(uint64_t lin, T value);
    // Reads/writes of arbitrary size (FXSAVE, XMM, x87 80-bit) byte by byte
    // through the TLB, checking the whole range before writing anything.
    void read_bytes(uint64_t lin, void* dst, unsigned n);
    void write_bytes(uint64_t lin, const void* src, unsigned n);
    // Checks that [lin, lin+n) is writable, raising #PF/#GP now if it is not.
    void probe_write(uint64_t lin, unsigned n);

    Bus& bus() { return bus_; }

    // I/O permission of IN/OUT/INS/OUTS (SDM Vol. 1 §19.5.1): in protected
    // mode with CPL > IOPL, and in virtual-8086 mode, the TSS I/O bitmap
    // decides. The bitmap is not modelled yet (CPU core II), so such accesses
    // raise #GP(0), as with a TSS that has no bitmap.
    void check_io_permission() const {
        if (!(s.cr0 & cr0::PE)) return;
        const unsigned iopl = static_cast<unsigned>((s.rflags & fl::IOPL) >> 12);
        if (s.cpl > iopl || (s.rflags & fl::VM)) raise(kGP, 0);
    }

    // Effective address of the decoded memory operand (offset, before segment).
    uint64_t effective_address(const DecodedInsn& i) const {
        uint64_t a = static_cast<uint64_t>(static_cast<int64_t>(i.disp));
        if (i.base != kNoReg) a += i.base == kRipBase ? s.next_rip : s.gpr[i.base];
        if (i.index != kNoReg) a += s.gpr[i.index] << i.scale;
        if (i.addrsize == 4) return static_cast<uint32_t>(a);
        if (i.addrsize == 2) return static_cast<uint16_t>(a);
        return a;
    }

private:
    struct BlockCache;
    struct Block;

    const Block& find_block();
    const Block& decode_block(uint64_t lin, uint64_t phys);
    void code_page_written(uint64_t phys_page);
    void mark_code_page(uint64_t phys_page);

    template <class T> T read_slow(uint64_t lin);
    template <class T> void write_slow(uint64_t lin, T value);
    TlbEntry& tlb_fill(uint64_t lin, Access acc);
    uint64_t translate(uint64_t lin, Access acc);

    Bus& bus_;
    TlbEntry tlb_[kTlbSize];
    uint64_t icount_ = 0;
    uint64_t seg_base_[8] = {};  // effective segment bases; [kSegNone] = 0
    uint64_t rip_mask_ = 0xffff;  // IP wraps at the code size outside 64-bit mode
    std::unique_ptr<BlockCache> blocks_;

public:
    // Set by anything that must stop the current block (code invalidated,
    // mode change, pending interrupt). Checked after every instruction.
    bool attention = false;
};

// ---- inline fast paths ----

template <class T> inline T Cpu::read(uint64_t lin) {
    TlbEntry& e = tlb_[tlb_index(lin)];
    if (e.read_tag == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000 - sizeof(T)) [[likely]] {
        T v;
        std::memcpy(&v, reinterpret_cast<const void*>(lin + e.addend), sizeof(T));
        return v;
    }
    return read_slow<T>(lin);
}

template <class T> inline void Cpu::write(uint64_t lin, T value) {
    TlbEntry& e = tlb_[tlb_index(lin)];
    if (e.write_tag == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000 - sizeof(T)) [[likely]] {
        std::memcpy(reinterpret_cast<void*>(lin + e.addend), &value, sizeof(T));
        return;
    }
    write_slow<T>(lin, value);
}

}  // namespace bs::cpu
