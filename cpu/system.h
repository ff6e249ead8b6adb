// Internal helpers of the system architecture (segments.cpp,
// interrupts.cpp, control.cpp): segment descriptors as the processor reads
// them from the GDT/LDT/IDT, implicit supervisor accesses, and stack pushes
// to a stack that is not (yet) the current one.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace bs::cpu {

// An 8-byte segment or gate descriptor (SDM Vol. 3A §3.4.5, §6.11).
struct Descriptor {
    uint64_t raw = 0;
    uint32_t upper = 0;  // bits 95:64 of a 16-byte system descriptor (long mode)

    uint8_t type() const { return (raw >> 40) & 0xf; }
    bool s() const { return (raw >> 44) & 1; }  // code/data (not system)
    unsigned dpl() const { return (raw >> 45) & 3; }
    bool present() const { return (raw >> 47) & 1; }
    bool code() const { return s() && (type() & 8); }
    bool data() const { return s() && !(type() & 8); }
    bool conforming() const { return code() && (type() & 4); }
    bool readable() const { return !code() || (type() & 2); }  // code: R bit; data: always
    bool writable_data() const { return data() && (type() & 2); }
    bool l() const { return (raw >> 53) & 1; }
    bool db() const { return (raw >> 54) & 1; }
    uint64_t base() const {
        return ((raw >> 16) & 0xffffff) | (((raw >> 56) & 0xff) << 24);
    }
    uint64_t base64() const { return base() | (static_cast<uint64_t>(upper) << 32); }
    uint32_t limit() const {
        const uint32_t l = static_cast<uint32_t>((raw & 0xffff) | (((raw >> 48) & 0xf) << 16));
        return ((raw >> 55) & 1) ? (l << 12) | 0xfff : l;
    }
    // Attributes as Segment::attr keeps them (bits 40..47 and 52..55).
    uint16_t attr() const {
        return static_cast<uint16_t>(((raw >> 40) & 0xff) | (((raw >> 52) & 0xf) << 12));
    }
    // Gates: target selector and offset, IST (long mode).
    uint16_t gate_selector() const { return static_cast<uint16_t>(raw >> 16); }
    uint64_t gate_offset32() const { return (raw & 0xffff) | ((raw >> 32) & 0xffff0000ull); }
    uint64_t gate_offset64() const { return gate_offset32() | (static_cast<uint64_t>(upper) << 32); }
    unsigned ist() const { return (raw >> 32) & 7; }
};

// System descriptor types (S = 0).
namespace systype {
inline constexpr uint8_t Tss16Avail = 1, Ldt = 2, Tss16Busy = 3, CallGate16 = 4, TaskGate = 5, IntGate16 = 6,
                         TrapGate16 = 7, Tss32Avail = 9, Tss32Busy = 11, CallGate32 = 12, IntGate32 = 14,
                         TrapGate32 = 15;
}

// Implicit supervisor accesses (descriptor tables, the TSS, the IDT; SDM
// Vol. 3A §4.6.1): paging rights of CPL 0 whatever the current CPL.
class SupervisorAccess {
public:
    explicit SupervisorAccess(Cpu& c) : c_(c) {
        c_.tlb_ = c_.tlbs_->entries[0];
        c_.user_access_ = c_.align_check_ = false;
    }
    ~SupervisorAccess() { c_.select_tlb(); }
    SupervisorAccess(const SupervisorAccess&) = delete;
    SupervisorAccess& operator=(const SupervisorAccess&) = delete;

private:
    Cpu& c_;
};

// Reads the descriptor `selector` names in the GDT or LDT. False when the
// index is outside the table's limit (or the LDT is unusable); the caller
// raises its own fault with the selector. `wide` reads 16 bytes (long-mode
// system descriptors).
bool fetch_descriptor(Cpu& c, uint16_t selector, Descriptor& d, bool wide = false);
// Sets the accessed bit of a code/data descriptor in memory, as a load does.
void mark_accessed(Cpu& c, uint16_t selector, Descriptor& d);

// Loads a segment register's hidden part from a descriptor.
inline void load_descriptor(Segment& seg, uint16_t selector, const Descriptor& d) {
    seg.selector = selector;
    seg.base = d.base();
    seg.limit = d.limit();
    seg.attr = d.attr();
}
// Real-mode and virtual-8086 loads: base = selector * 16.
void load_real_segment(Cpu& c, unsigned sreg, uint16_t selector);
// A null selector in a data segment register: unusable, base 0 (Intel).
void load_null_segment(Segment& seg, uint16_t selector);

// Writes values downwards from `sp` on a stack whose base, address size
// and privilege are given, before anything is committed (interrupt
// delivery, far CALL, ...). Faults propagate (#PF, #SS for non-canonical).
class StackWriter {
public:
    StackWriter(Cpu& c, uint64_t base, uint64_t sp, unsigned addr_size, unsigned seg_fault_vector = kSS)
        : c_(c), base_(base), sp_(sp), mask_(addr_size == 8 ? ~0ull : addr_size == 4 ? 0xffffffffull : 0xffffull),
          vec_(seg_fault_vector) {}
    void push(uint64_t v, unsigned size);
    uint64_t sp() const { return sp_; }

private:
    Cpu& c_;
    uint64_t base_, sp_, mask_;
    unsigned vec_;
};

// Reads `size` bytes at offset `off` from the stack (SS) as the current
// privilege would, wrapping at the stack address size.
uint64_t stack_read(Cpu& c, uint64_t off, unsigned size);
// RSP updated by `delta` within the stack address size.
uint64_t stack_moved(const Cpu& c, int64_t delta);

// RFLAGS bits that POPF/IRET may change at the current privilege.
uint64_t writable_flags(const Cpu& c, unsigned opsize);

}  // namespace bs::cpu
