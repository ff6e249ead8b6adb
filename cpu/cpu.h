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
#include "trace.h"

namespace bs::cpu {

struct Descriptor;

// A fault or trap raised inside instruction execution.
struct CpuFault {
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint64_t address = 0;  // #PF: the linear address, for CR2 when delivered
};

[[noreturn]] void raise(uint8_t vector);
[[noreturn]] void raise(uint8_t vector, uint32_t error);
[[noreturn]] void raise_page_fault(uint64_t lin, uint32_t error);

enum class Access : uint8_t { Read, Write, Exec };

// Why run()/step() returned.
enum class Exit : uint8_t {
    None,
    InstructionLimit,  // executed the requested number of instructions
    Exception,         // exception_exit is set and an exception was raised
    Halt,              // HLT (or halted) with no interrupt deliverable now
    Shutdown,          // triple fault: the CPU is in the shutdown state
    Stopped,           // request_stop() was called (the machine wants attention)
    Breakpoint,        // about to execute an instruction at a code breakpoint
};

struct RunResult {
    Exit exit = Exit::None;
    CpuFault fault{};  // valid when exit == Exception
};

// Software TLB: direct mapped, one entry per linear page. There are two
// arrays, for supervisor and for user (CPL 3) accesses, because paging
// grants them different rights; each tag is set only when the access kind
// is allowed for that privilege, so the hot path compares one tag.
struct TlbEntry {
    uint64_t read_tag = ~0ull;   // linear page address when readable
    uint64_t write_tag = ~0ull;  // linear page address when writable (dirty, not code)
    uint64_t exec_tag = ~0ull;   // linear page address when executable
    uintptr_t addend = 0;        // host = linear + addend
    uint64_t phys = 0;           // physical page address
    bool global = false;         // from a global page (kept across CR3 writes)
    bool linked = false;         // a block link relies on it (see Cpu::linked)
    bool listed = false;         // its slot is in the array's fill list (see Cpu::TlbArrays)
    bool memory = false;         // host memory backs the page (read_tag may still be unset: a read watchpoint)
};

// The kinds of event delivered through the IVT/IDT (they differ in the
// privilege check on the gate, the saved RIP and the EXT bit of error codes).
enum class EventKind : uint8_t {
    Exception,     // a fault or trap raised by an instruction or by delivery
    External,      // INTR from the interrupt controller
    Nmi,
    SoftwareInt,   // INT n: gate DPL checked against CPL
    SoftwareExc,   // INT3, INTO: as INT n
    PrivSoftware,  // INT1 (ICEBP): no gate DPL check
};

// One delivered interrupt or exception, for reports after a crash.
struct EventRecord {
    uint64_t icount = 0;  // instructions retired before it
    uint64_t rip = 0;     // where the CPU was (the faulting or next instruction)
    uint16_t cs = 0;
    uint8_t vector = 0;
    EventKind kind = EventKind::Exception;
    bool has_error = false;
    uint32_t error = 0;
};

class Cpu {
public:
    // 4096 pages (16 MiB) per array: a working set of many MiB stays
    // mapped, and a miss costs one walk.
    static constexpr unsigned kTlbSize = 4096;
    static constexpr unsigned kEventHistory = 16;
    // TLB slot of a linear address: the page number, folded once with the
    // bits above the index so that buffers 16 MiB apart (or user and kernel
    // pages with the same low bits) do not share a slot.
    static unsigned tlb_index(uint64_t lin) {
        const uint64_t vpn = lin >> 12;
        return static_cast<unsigned>((vpn ^ (vpn >> 12)) & (kTlbSize - 1));
    }
    // Physical address width the MMU checks in paging entries (CPUID 0x80000008).
    static constexpr unsigned kPhysAddrBits = 40;

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
    // delivered through the IVT/IDT (the user-level instruction tests).
    bool exception_exit = true;

    // Interrupt inputs, levels driven by the machine (set them and raise
    // `attention` when they change). INTR is taken when RFLAGS.IF allows,
    // with Bus::intr_acknowledge() giving the vector; NMI is taken unless an
    // NMI handler is still running.
    bool intr_line = false;
    bool nmi_line = false;
    // The A20M# input: while masked (the PC's port 0x92 / i8042 output port),
    // bit 20 of every physical address the CPU forms is 0. Translations and
    // decoded code are keyed by the masked address, so a write through the
    // wrapped alias of code invalidates it.
    void set_a20_masked(bool masked) {
        const uint64_t mask = masked ? ~(1ull << 20) : ~0ull;
        if (mask == phys_mask_) return;
        phys_mask_ = mask;
        flush_tlb();
        flush_code_cache();
        attention = true;
    }

    uint64_t instructions_retired() const { return icount_; }

    // The boot tracer's hooks (trace.h); nullptr detaches.
    void set_trace(TraceSink* sink) { trace_ = sink; }
    TraceSink* trace_sink() const { return trace_; }
    // While tracing: instructions retired before the executing instruction.
    uint64_t trace_icount() const { return trace_icount_; }
    // Linear address of the executing instruction.
    uint64_t current_pc() const { return seg_base_[CS] + s.rip; }
    // Instructions retired before `i`, an instruction of the running block.
    uint64_t icount_of(const DecodedInsn& i) const;
    // Port I/O handlers call this first: the machine catches up to the
    // access's exact virtual time.
    void io_sync(const DecodedInsn& i) { bus_.sync_time(icount_of(i)); }
    // Instructions retired before the executing one, exact wherever the CPU
    // is: inside a block (the MMIO and MSR slow paths, which have no
    // DecodedInsn at hand), between blocks (event delivery) and outside run().
    uint64_t current_icount() const;
    // Device MMIO, RDTSC and the TSC MSR call this first, as port I/O calls
    // io_sync(): what the guest sees of time must not depend on where the
    // machine's run loop happened to cut its slices.
    void sync_time() { bus_.sync_time(current_icount()); }
    CpuMode mode() const { return mode_; }
    // Events delivered so far, per vector, and the last kEventHistory of
    // them, oldest first.
    uint64_t events_delivered(uint8_t vector) const { return event_count_[vector]; }
    std::vector<EventRecord> recent_events() const;
    // Ends run() after the current instruction with Exit::Stopped (the guest
    // asked the machine for something: power-off, reset, a debugger stop).
    void request_stop() {
        stop_ = true;
        attention = true;
    }

    // Code breakpoints (the debugger's): run() ends with Exit::Breakpoint,
    // RIP at the instruction, before executing an instruction whose linear
    // address (CS base + RIP) or physical address is listed, however it is
    // reached: a jump, call, return, interrupt or falling through. No cost
    // per instruction: decoded blocks end before any instruction at the page
    // offset of a listed address, such blocks are flagged and never linked
    // to, and only entering a flagged block compares addresses. Changing
    // the lists drops the decoded blocks.
    void set_code_breakpoints(std::vector<uint64_t> linear, std::vector<uint64_t> physical);
    // Off: nothing stops (the lists stay).
    bool code_breakpoints_armed = true;
    // The instruction at RIP now does not stop at its breakpoint the next
    // time run() comes to it without retiring anything first: a debugger's
    // continue from the breakpoint it stands on.
    void skip_code_breakpoint_once() { skip_code_breakpoint(icount_, current_pc()); }
    // The same for the instruction at `lin` when `icount` instructions have
    // retired (a REP string continuing after a chunk: cpu/exec_string.cpp).
    void skip_code_breakpoint(uint64_t icount, uint64_t lin) {
        break_skip_icount_ = icount;
        break_skip_lin_ = lin;
    }
    bool has_code_breakpoints() const { return !break_lin_.empty() || !break_phys_.empty(); }

    // Instructions of busy-wait loops counted off rather than run (cpu.cpp,
    // "spin loops"); they are in instructions_retired() too.
    uint64_t spin_instructions() const { return spin_instructions_; }

    // Drops every cached translation and decoded block.
    void flush_tlb();
    void flush_code_cache();
    // Called when the segment/mode state changed so decoding must follow.
    void mode_changed();

    // --- memory access (used by instruction handlers) ---
    // Linear address of `seg:offset` (offset already wrapped to the address
    // size). In 64-bit mode ES/CS/SS/DS count as base 0 (SDM Vol. 3A §3.4.4)
    // and a non-canonical address raises #GP(0), or #SS(0) through SS.
    // Outside 64-bit mode the access of `size` bytes must lie within the
    // segment's limit (SDM Vol. 3A §5.3), else #GP(0), or #SS(0) through
    // SS. One compare does both checks: the offsets of each segment are
    // valid in [seg_lo_, seg_lo_ + span + 7] (for 64-bit mode the range that
    // makes base + offset canonical); offsets in the last 7 bytes, and
    // outside, take check_limit().
    uint64_t linear(unsigned seg, uint64_t offset, unsigned size = 1) const {
        if (offset - seg_lo_[seg] > seg_span_[seg]) [[unlikely]] check_limit(seg, offset, size);
        return seg_base_[seg] + offset;
    }

    uint64_t segment_base(unsigned seg) const { return seg_base_[seg]; }

    template <class T> T read(uint64_t lin);
    template <class T> void write(uint64_t lin, T value);
    // Reads/writes of arbitrary size (FXSAVE, XMM, x87 80-bit) byte by byte
    // through the TLB, checking the whole range before writing anything.
    void read_bytes(uint64_t lin, void* dst, unsigned n);
    void write_bytes(uint64_t lin, const void* src, unsigned n);
    // Checks that [lin, lin+n) is writable, raising #PF/#GP now if it is not.
    void probe_write(uint64_t lin, unsigned n);
    // Checks that the byte at `lin` is readable (#PF as a read would raise)
    // without reading it: no MMIO device sees an access (CLFLUSH).
    void probe_read(uint64_t lin);

    Bus& bus() { return bus_; }

    // ---- save states (emu/snapshot.h) ----
    // What the CPU keeps outside `s` that a save state must carry: the
    // instruction counter (the clock and every trace count stand on it),
    // the A20M# input, and the delivered-event statistics that crash
    // reports and the debugger show.
    struct Counters {
        uint64_t icount = 0;
        bool a20_masked = false;
        uint64_t events_delivered[256] = {};
        EventRecord history[kEventHistory] = {};
        unsigned history_next = 0;
    };
    Counters counters() const;
    // Puts a saved state in place (between runs). What derives from it (the
    // mode, segment bases and limits, the TLB array in use) is recomputed
    // without trace events, and every cache is dropped: TLB entries, decoded
    // blocks and their links. A pending stop request is cleared; the machine
    // sets intr_line/nmi_line.
    void restore(const CpuState& state, const Counters& counters);

    // I/O permission of IN/OUT/INS/OUTS (SDM Vol. 1 §19.5): in protected
    // mode with CPL > IOPL, and in virtual-8086 mode, the TSS I/O bitmap
    // decides; #GP(0) when any of the `size` bits from `port` is set.
    void check_io_permission(uint16_t port, unsigned size) {
        if (!(s.cr0 & cr0::PE)) return;
        const unsigned iopl = static_cast<unsigned>((s.rflags & fl::IOPL) >> 12);
        if (s.cpl > iopl || (s.rflags & fl::VM)) check_io_bitmap(port, size);
    }

    // Effective address of the decoded memory operand (offset, before segment).
    uint64_t effective_address(const DecodedInsn& i) const { return effective_address(i, s.next_rip); }
    // The same for an instruction other than the executing one, ending at
    // `next_rip` (what RIP-relative operands count from).
    uint64_t effective_address(const DecodedInsn& i, uint64_t next_rip) const {
        uint64_t a = static_cast<uint64_t>(static_cast<int64_t>(i.disp));
        if (i.base != kNoReg) a += i.base == kRipBase ? next_rip : s.gpr[i.base];
        if (i.index != kNoReg) a += s.gpr[i.index] << i.scale;
        if (i.addrsize == 4) return static_cast<uint32_t>(a);
        if (i.addrsize == 2) return static_cast<uint16_t>(a);
        return a;
    }

    // --- system architecture (cpu/system.cpp, cpu/interrupts.cpp,
    //     cpu/control.cpp), used by the system instruction handlers ---
    bool protected_mode() const { return s.cr0 & cr0::PE; }
    bool v86_mode() const { return s.rflags & fl::VM; }
    bool long_mode() const { return s.efer & efer::LMA; }
    bool mode64() const { return s.code_size == 8; }
    void set_cpl(unsigned cpl);
    // POPF and friends changed RFLAGS.AC/IF/TF: re-derive what depends on them.
    void flags_changed() {
        select_tlb();
        attention = true;
    }

    // MOV/POP Sreg, LDS...LSS: loads a data or stack segment register with
    // the checks of the current mode (#GP/#SS/#NP with the selector).
    void load_segment(unsigned sreg, uint16_t selector);
    // Far JMP/CALL to selector:offset, far RET (popping `extra` more bytes
    // of parameters), with operand size `opsize` (2, 4, 8).
    void far_jump(uint16_t selector, uint64_t offset, unsigned opsize);
    void far_call(uint16_t selector, uint64_t offset, unsigned opsize);
    void far_return(unsigned opsize, uint16_t extra);
    void iret(unsigned opsize);
    // INT n / INT3 / INTO / INT1: delivers the event now (a trap: the saved
    // RIP is the next instruction).
    void software_interrupt(uint8_t vector, EventKind kind);
    void halt();
    void load_ldtr(uint16_t selector);
    void load_tr(uint16_t selector);
    // LAR/LSL/VERR/VERW: the descriptor's attributes as LAR reports them,
    // or nothing (ZF=0) when the selector does not pass the checks.
    bool descriptor_visible(uint16_t selector, bool for_lsl, uint64_t& lar, uint64_t& limit);
    bool verify_segment(uint16_t selector, bool write);

    uint64_t read_cr(unsigned n);
    void write_cr(unsigned n, uint64_t value);
    uint64_t read_dr(unsigned n);
    void write_dr(unsigned n, uint64_t value);
    // RDMSR/WRMSR: false for an MSR the CPU does not have or a value it
    // refuses (the instruction raises #GP(0)).
    bool read_msr(uint32_t index, uint64_t& value);
    bool write_msr(uint32_t index, uint64_t value);
    void invlpg(uint64_t lin);
    void syscall();
    void sysret(unsigned opsize);
    void sysenter();
    void sysexit(unsigned opsize);

    // Translates a linear address as an access of the current privilege
    // would, without side effects on the guest (no A/D bits, no fault):
    // for the debugger. Returns false when not mapped.
    bool debug_translate(uint64_t lin, uint64_t& phys);

    // A CS load by a far transfer, interrupt or return (selector RPL := cpl).
    void load_code_segment(uint16_t selector, const Descriptor& d, unsigned cpl);

private:
    struct BlockCache;
    struct Block;
    struct Link;
    struct Walk;
    friend class SupervisorAccess;

    const Block& find_block();
    const Block* linked(const Block& from) const;
    const Block& link_block(const Block& from);
    // Bumped whenever a block link may no longer give find_block()'s answer.
    uint64_t chain_epoch_ = 1;
    unsigned execute_traced(const DecodedInsn* insn, unsigned n);
    unsigned traced_done_ = 0;
    const Block* running_ = nullptr;  // the block executing now; nullptr between blocks
    const Block& decode_block(uint64_t lin, uint64_t phys, const uint8_t* page);
    // Code breakpoints: the sorted lists, a bit per page offset some
    // breakpoint has (decode_block ends blocks there), the position skipped.
    std::vector<uint64_t> break_lin_, break_phys_;
    std::vector<uint64_t> break_offsets_;  // 4096 bits, empty when no breakpoints
    uint64_t break_skip_icount_ = ~0ull, break_skip_lin_ = ~0ull;
    bool break_offset(uint64_t lin) const {
        const uint64_t off = lin & 0xfff;
        return (break_offsets_[off >> 6] >> (off & 63)) & 1;
    }
    // Entering flagged block `b` at RIP: whether a breakpoint stops it.
    bool code_break_hit(const Block& b) const;
    // Busy-wait loops counted off rather than run (cpu.cpp, "spin loops").
    enum class Spin : uint8_t { None, Countdown, Poll };
    void classify_spin(Block& b);
    // Instructions of whole iterations of `b` (just come round to itself)
    // that can be counted off within `budget`; registers updated.
    uint64_t spin_skip(const Block& b, uint64_t budget);
    uint64_t spin_instructions_ = 0;
    void code_page_written(uint64_t phys_page);
    void mark_code_page(uint64_t phys_page);
    size_t blocks_page_count() const;
    bool page_has_code(uint64_t pfn) const;

    template <class T> T read_slow(uint64_t lin);
    template <class T> void write_slow(uint64_t lin, T value);
    TlbEntry& tlb_fill(uint64_t lin, Access acc);
    uint64_t translate(uint64_t lin, Access acc);
    bool walk(uint64_t lin, Access acc, bool user, bool commit, Walk& w);
    uint64_t read_phys64(uint64_t pa);
    void write_phys32(uint64_t pa, uint32_t v);
    // Bus::page() for the pages the walker and tlb_fill() touch, kept until
    // flush_tlb() as the TLB keeps its host addresses (a machine changes
    // what backs a page only with a flush: watchpoints, A20): a TLB miss
    // then costs no virtual call per level.
    struct BusPage {
        uint64_t page = ~0ull;
        PhysPage pg;
    };
    static constexpr unsigned kBusPages = 64;
    BusPage bus_pages_[kBusPages];
    PhysPage bus_page(uint64_t page) {
        BusPage& c = bus_pages_[(page >> 12) & (kBusPages - 1)];
        if (c.page != page) [[unlikely]] {
            c.pg = bus_.page(page);
            c.page = page;
        }
        return c.pg;
    }
    void load_pdptes(uint64_t cr3);
    void flush_tlb_nonglobal();

    // Events: delivery through the IVT/IDT and the double-fault rules.
    void service_events();
    void deliver_event(uint8_t vector, EventKind kind, bool has_error, uint32_t error);
    void deliver(uint8_t vector, EventKind kind, bool has_error, uint32_t error);
    void deliver_real(uint8_t vector, uint64_t ret);
    void iret_body(unsigned opsize);
    void write_cr_body(unsigned n, uint64_t value);
    void deliver_protected(uint8_t vector, EventKind kind, bool has_error, uint32_t error);
    void deliver_long(uint8_t vector, EventKind kind, bool has_error, uint32_t error);
    void check_io_bitmap(uint16_t port, unsigned size);
    void drop_inner_segments();
    Descriptor check_outer_stack(uint16_t ss, unsigned new_cpl, bool to64);
    void load_returned_ss(uint16_t ss, const Descriptor& d, unsigned cpl);

    Bus& bus_;
    // The TLB arrays: [0] supervisor, [1] user; [2] stays empty: with
    // alignment checking on (CR0.AM, RFLAGS.AC, CPL 3) every access takes
    // the slow path, which checks. Each array lists the slots filled since
    // it was last flushed, so a flush (every CR3 write) clears those rather
    // than the whole array. On the heap: they are too large for a Cpu on
    // the stack.
    struct TlbArrays {
        TlbEntry entries[3][kTlbSize];
        uint16_t filled[3][kTlbSize];
        unsigned filled_count[3] = {};
    };
    std::unique_ptr<TlbArrays> tlbs_ = std::make_unique<TlbArrays>();
    TlbEntry* tlb_ = tlbs_->entries[0];  // the array the fast paths look in
    bool user_access_ = false;     // accesses have user rights (CPL 3, not implicit supervisor)
    bool align_check_ = false;     // #AC on misaligned data accesses
    void select_tlb();
    bool tlb_has_large_ = false;   // some entry came from a 2M/4M/1G page
    uint64_t phys_mask_ = ~0ull;   // A20M#: ~(1 << 20) while masked
    bool stop_ = false;
    TraceSink* trace_ = nullptr;
    uint64_t trace_icount_ = 0;
    CpuMode mode_ = CpuMode::Real;
    uint8_t mode_cpl_ = 0;
    EventRecord event_history_[kEventHistory];
    unsigned event_next_ = 0;
    uint64_t event_count_[256] = {};
    uint64_t icount_ = 0;
    uint64_t seg_base_[8] = {};  // effective segment bases; [kSegNone] = 0
    // Valid offsets of each segment: [seg_lo_, seg_hi_]; seg_span_ is
    // seg_hi_ - seg_lo_ - 7 (so any access of up to 8 bytes at an offset
    // whose distance from seg_lo_ is at most the span fits), ~0 unchecked.
    uint64_t seg_lo_[8] = {};
    uint64_t seg_hi_[8] = {};
    uint64_t seg_span_[8] = {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
    void check_limit(unsigned seg, uint64_t offset, unsigned size) const;
    void compute_limits();
    uint64_t rip_mask_ = 0xffff;  // IP wraps at the code size outside 64-bit mode
    std::unique_ptr<BlockCache> blocks_;

public:
    // Set by anything that must stop the current block (code invalidated,
    // mode change, pending interrupt). Checked after every instruction.
    bool attention = false;
};

// ---- inline fast paths ----

template <class T> inline T Cpu::read(uint64_t lin) {
    const TlbEntry& e = tlb_[tlb_index(lin)];
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
