// The CPU's hook points for the boot tracer (issue 7).
//
// A tracer implements TraceSink and attaches it with Cpu::set_trace(). While
// one is attached the run loop keeps an exact instruction count per
// instruction (`icount`: instructions retired before the event's own
// instruction) and calls the sink at each hook; with none attached the hot
// path is untouched and each hook site is one predictable branch.
//
// Addresses are linear (RIP with CS base 0 in 64-bit mode); `from` is the
// address of the instruction that made the transfer.
#pragma once

#include <cstdint>

#include "state.h"

namespace bs::cpu {

struct EventRecord;

// The system registers TraceSink::table_load reports.
enum class TableReg : uint8_t { Gdtr, Idtr, Ldtr, Tr };

class TraceSink {
public:
    virtual ~TraceSink() = default;
    // Near CALL (E8, FF /2) after its push; `rsp` is the new stack pointer.
    virtual void call(uint64_t /*icount*/, uint64_t /*from*/, uint64_t /*target*/, uint64_t /*rsp*/) {}
    // Near RET (C3, C2) after its pop.
    virtual void ret(uint64_t /*icount*/, uint64_t /*from*/, uint64_t /*target*/, uint64_t /*rsp*/) {}
    // An interrupt or exception was delivered; `handler` is where it went.
    virtual void event(uint64_t /*icount*/, const EventRecord& /*e*/, uint64_t /*handler*/) {}
    // IRET/IRETQ completed.
    virtual void iret(uint64_t /*icount*/, uint64_t /*from*/, uint64_t /*target*/) {}
    // SYSCALL/SYSENTER entered the kernel (`nr` = RAX), SYSRET/SYSEXIT left it.
    virtual void syscall(uint64_t /*icount*/, uint64_t /*from*/, uint64_t /*nr*/) {}
    virtual void sysret(uint64_t /*icount*/, uint64_t /*target*/) {}
    // CR0, CR3, CR4 (reg 0, 3, 4) or EFER (reg kTraceEfer) was written.
    virtual void control_write(uint64_t /*icount*/, unsigned /*reg*/, uint64_t /*old*/, uint64_t /*now*/) {}
    // The execution mode or the CPL changed (after the instruction that did it).
    virtual void mode_change(uint64_t /*icount*/, CpuMode /*from*/, CpuMode /*to*/, unsigned /*cpl*/) {}
    // HLT stopped the CPU at `rip` (the instruction after HLT).
    virtual void halt(uint64_t /*icount*/, uint64_t /*rip*/) {}
    // LGDT, LIDT, LLDT or LTR loaded a system register (after the load):
    // `base` and `limit` of the table (for LLDT/LTR, of the descriptor's
    // segment), `selector` for LLDT/LTR (0 for LGDT/LIDT).
    virtual void table_load(uint64_t /*icount*/, TableReg /*reg*/, uint16_t /*selector*/, uint64_t /*base*/,
                            uint64_t /*limit*/) {}
};

inline constexpr unsigned kTraceEfer = 0x80;

// The name of control_write()'s `reg`: "CR0", "CR3", "CR4", "EFER".
inline const char* control_register_name(unsigned reg) {
    switch (reg) {
    case 0: return "CR0";
    case 3: return "CR3";
    case 4: return "CR4";
    case kTraceEfer: return "EFER";
    }
    return "CR?";
}

const char* to_string(CpuMode m);

}  // namespace bs::cpu
