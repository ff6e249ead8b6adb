// The debugger's view of one machine, independent of any window: it builds
// the machine as `bootscope run` does, powers it on paused at the reset
// vector, and steps, runs and stops it at breakpoints; the window (ui.h) and
// the script runner (script.h) both drive it.
//
// Determinism: the same script (or the same clicks) gives the same guest
// run, and a boot the debugger only continues is `bootscope run`'s boot
// (the same slices). A stop inside a slice -- a step, a breakpoint -- is
// not invisible yet: devices see virtual time advance per CPU slice (the
// clock's now() is the slice's start), so a PIT read after a stop can
// differ by the instructions since the slice began. Exact in-slice device
// time (System::time_at at each I/O access) would make stops invisible;
// that is the machine's work, not the debugger's. Host input typed into the
// serial pane enters as `bootscope run`'s typed input does.
//
// Breakpoints are linear addresses. One at the start of a function (any
// symbol's address) fires exactly when a CALL, RET, IRET or SYSRET lands
// there, through a cpu::TraceSink hook, at full speed. One elsewhere is
// "precise": while any is set the machine runs one instruction at a time
// and compares RIP (slower, still exact). Both are also checked whenever a
// run stops.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "emu/system.h"
#include "emu/trace/analysis.h"
#include "frontend/run.h"

namespace bs::frontend::debug {

class BreakSink;

class Debugger {
public:
    // Builds the machine from `bootscope run`'s options. On failure returns
    // nullptr, with the exit status (exit_status.h) in `status`.
    static std::unique_ptr<Debugger> create(const RunOptions& opt, int& status);
    ~Debugger();

    emu::System& sys() { return *sys_; }
    const emu::trace::Symbolizer& symbols() const { return syms_; }

    // ---- names ----
    // "start_kernel+0x1a", "bios:post+0x3", or "" when no symbol is known.
    std::string symbol_name(uint64_t lin) const;
    // A breakpoint spec: a symbol name, SYMBOL+OFFSET, or a number (0x... hex);
    // false if none of them.
    bool resolve(const std::string& spec, uint64_t& lin) const;
    bool is_symbol_start(uint64_t lin) const;

    // ---- guest memory, read without side effects ----
    // Physical: RAM, ROM and video memory (as the CPU sees them).
    bool read_phys(uint64_t pa, uint8_t* out, size_t n);
    // Linear: through the page tables of the moment (debug_translate), page by page.
    bool read_linear(uint64_t lin, uint8_t* out, size_t n);
    bool translate(uint64_t lin, uint64_t& pa) { return sys_->cpu.debug_translate(lin, pa); }

    // ---- tracing ----
    // Every CPU trace hook (cpu/trace.h) is passed on to `tap` as well (the
    // boot timeline's recorder); nullptr detaches it. The CPU has one trace
    // sink, the debugger's, which forwards.
    void set_trace_tap(cpu::TraceSink* tap);

    // ---- breakpoints ----
    const std::set<uint64_t>& breakpoints() const { return breakpoints_; }
    void add_breakpoint(uint64_t lin);
    void remove_breakpoint(uint64_t lin);

    // ---- execution ----
    // Asynchronous interrupts that arrive during a step are run through to
    // their IRET, so a step lands on the next instruction of the code being
    // stepped (on by default). Off: a step may end in the handler.
    bool step_over_interrupts = true;

    enum class State { Paused, Running, Finished };
    State state() const { return state_; }
    // Why the machine last stopped ("breakpoint at start_kernel", "step", ...).
    const std::string& status() const { return status_; }
    emu::StopReason last_stop() const { return last_stop_; }

    // One instruction (see step_over_interrupts). Returns false when the machine
    // stopped for another reason (power-off, triple fault, ...).
    bool step();
    // Continue / pause (the window's buttons; frames call run_for()).
    void resume();
    void pause(const std::string& why = "paused");
    // While running: runs for about `host_ms` of host time and returns true when
    // the machine stopped (breakpoint, power-off, ...).
    bool run_for(double host_ms);
    // Runs until a breakpoint or a stop, at most `max_insns` instructions
    // (scripts). Returns the reason.
    emu::StopReason run_until_stop(uint64_t max_insns);

    // The registers before the last step or run, for highlighting changes.
    const cpu::CpuState& previous() const { return prev_; }

    // ---- consoles ----
    const std::string& serial_output() const { return serial_; }
    void type_serial(const std::string& bytes) { sys_->machine.com1.host_input(bytes); }

private:
    Debugger() = default;
    // Runs up to n instructions honouring breakpoints; InstructionLimit when
    // none hit and nothing stopped the machine.
    emu::StopReason run_chunk(uint64_t n);
    void finish(emu::StopReason r);
    void load_symbols(const std::string& fw_path, const std::string& kernel_path, uint64_t setup_addr, bool linux_kernel);

    std::unique_ptr<emu::System> sys_;
    std::unique_ptr<BreakSink> sink_;
    emu::trace::Symbolizer syms_;
    std::set<uint64_t> breakpoints_;
    size_t precise_ = 0;  // breakpoints not at a symbol's start
    bool reboot_ = true;
    State state_ = State::Paused;
    std::string status_ = "paused at the reset vector";
    emu::StopReason last_stop_ = emu::StopReason::InstructionLimit;
    cpu::CpuState prev_{};
    std::string serial_;
};

}  // namespace bs::frontend::debug
