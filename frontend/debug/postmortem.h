// The post-mortem: when the machine stopped on a triple fault or the guest
// panicked, what happened, in words.
//
// A triple fault is a chain of failed deliveries at one instruction: the
// CPU records every delivery it attempts (Cpu::recent_events) -- the
// trace hooks only see the ones that succeeded -- and a failed delivery
// leaves the registers as they were, so the chain is the last attempts
// at the last instruction with the same RIP, and the final state still
// holds the IDTR, the IDT and the stack they failed on. Each step says
// why its delivery failed by checking the gate as the CPU does (SDM Vol. 3A
// §6.12.1, §6.14.1; the double-fault rules of §6.15, "Interrupt 8").
//
// A panic is a halt with interrupts disabled: the explanation names where
// it halted, the panic() call it is in (from the open call frames) and the
// last console lines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "emu/system.h"

namespace bs::frontend::debug {

struct FaultContext {
    emu::StopReason stop = emu::StopReason::InstructionLimit;
    cpu::CpuState state{};                  // the final state
    cpu::CpuMode mode = cpu::CpuMode::Real;
    std::vector<cpu::EventRecord> history;  // Cpu::recent_events(), oldest first
    // Reads guest memory by linear address (the IDT); false when unmapped.
    std::function<bool(uint64_t lin, void* out, size_t n)> read_linear;
    // "start_kernel+0x1a", or "" when no symbol is known.
    std::function<std::string(uint64_t lin)> symbol;
    std::vector<std::string> open_calls;    // the halted task's open calls, outermost first ("panic", ...)
    std::vector<std::string> console_tail;  // the last console lines
};

// What stopped the machine, explained; "" when the stop was not a triple
// fault or a halt (a power-off, a limit, a breakpoint).
std::string explain_stop(const FaultContext& c);

// Why delivering `vector` through the IDT of state `s` faults ("IDT entry 8
// lies beyond the IDT limit (IDTR base 0x2000, limit 0x0)"), as far as the
// gate itself tells.
std::string gate_problem(const FaultContext& c, uint8_t vector);

// "#PF (page fault)", "#GP (general protection)", "vector 0x20".
std::string vector_name(uint8_t vector);
// An error code's meaning for a vector: "not-present write, supervisor",
// "IDT entry 13, EXT", "GDT selector 0x10".
std::string error_meaning(uint8_t vector, uint32_t error);

}  // namespace bs::frontend::debug
