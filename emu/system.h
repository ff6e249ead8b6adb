// A whole computer: the PC machine and its CPU, and the loop that runs them.
//
// Everything that runs a guest goes through System: `bootscope run`, the
// debugger, the bare-metal system tests and the benchmarks. The loop hands
// the CPU slices of instructions bounded by the next device event, retires
// them on the virtual clock, lets HLT skip to the next event, and turns the
// guest's requests (power-off, isa-debug-exit, reset) and the CPU's stops
// (triple fault, a dead halt) into one StopReason.
#pragma once

#include <cstdint>

#include "cpu/cpu.h"
#include "emu/loader.h"
#include "emu/machine.h"

namespace bs::emu {

enum class StopReason {
    PowerOff,          // ACPI S5 through port 0x604
    GuestExit,         // isa-debug-exit (port 0xF4): see Machine::exit_status()
    Reset,             // the guest asked for a reset and Limits::reboot is false
    Shutdown,          // triple fault: the CPU entered shutdown
    Halted,            // HLT with no way to wake (IF=0, or no event will ever come)
    InstructionLimit,  // Limits::max_instructions retired
    TimeLimit,         // Limits::max_time_ns of virtual time passed
    Break,             // request_break() (the debugger's breakpoints)
};
const char* to_string(StopReason r);

struct Limits {
    uint64_t max_instructions = 0;  // 0: none
    uint64_t max_time_ns = 0;       // virtual; 0: none
    bool reboot = false;            // a reset request resets the machine and goes on
};

class System {
public:
    explicit System(MachineConfig config);
    System(const System&) = delete;
    System& operator=(const System&) = delete;

    Machine machine;
    cpu::Cpu cpu;

    // Puts the CPU where a loader said the image starts (reset vector, or the
    // 32-/64-bit entry states of Multiboot and ELF64).
    void start(const BootState& boot);
    // Power-on reset of the machine and the CPU; RAM keeps its contents.
    void reset();

    // Runs until something stops the machine (never returns None).
    // `run({.max_instructions = 1})` is the debugger's single step: one
    // instruction retired (an interrupt delivered before it included).
    StopReason run(const Limits& limits);
    // Ends the current run() after the executing instruction with
    // StopReason::Break. For the debugger, from a cpu::TraceSink hook (a call
    // or interrupt reaching a breakpoint stops with RIP at its target). It
    // only ends the loop early: nothing the guest sees changes.
    void request_break() {
        break_requested_ = true;
        cpu.request_stop();
    }

    uint64_t instructions() const { return cpu.instructions_retired(); }
    // Instructions retired before the executing one, exact also inside
    // run(): from a device callback (a byte on the serial port) or a trace
    // hook. Between runs, instructions().
    uint64_t current_instruction() const { return cpu.current_icount(); }
    // True inside run(), including the callbacks it makes.
    bool running() const { return running_; }

    // Snapshot::restore() calls this once the CPU and the machine are back:
    // the run loop's own view (slice bounds, the CPU's interrupt inputs, a
    // pending break) follows the restored state. Not for use inside run().
    void state_restored();
    // Virtual time (ns) when instruction number `icount` began: exact also
    // inside a CPU slice, before the slice is retired on the clock.
    uint64_t time_at(uint64_t icount) const {
        return machine.clock().time_after(icount >= slice_start_ ? icount - slice_start_ : 0);
    }

private:
    void wire();
    uint64_t slice_start_ = 0;  // icount at which the clock's now() was taken
    uint64_t slice_end_ = 0;    // icount at which the running slice is planned to end
    bool break_requested_ = false;
    bool running_ = false;
};

}  // namespace bs::emu
