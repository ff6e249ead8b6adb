// The debugger's view of one machine, independent of any window: it builds
// the machine as `bootscope run` does, powers it on paused at the reset
// vector, and steps, runs, stops and rewinds it; the window (ui.h) and the
// command language (commands.h: scripts and the console pane) drive it.
//
// Determinism: the same script (or the same clicks) gives the same guest
// run, and stops are invisible to the guest: port and device MMIO accesses
// and TSC reads see the exact virtual time of their instruction whatever
// the run was cut into (emu/system.cpp), so a boot with stops, steps and
// rewinds prints what `bootscope run` prints. The continued runs still
// follow `bootscope run`'s 2M-instruction grid, which no longer matters to
// the guest but keeps the two runs' host-side slicing alike. Host input
// typed into the serial pane enters as `bootscope run`'s typed input does
// (and is not replayed by time travel: see seek()).
//
// Breakpoints (breakpoints.h) are evaluated inside the emulator, through
// the CPU's trace hooks (cpu/trace.h) and the machine's I/O and memory
// callbacks, at full speed: nothing runs per instruction for them.
//   - code, linear or physical: the CPU stops before the instruction however
//     it is reached (Cpu::set_code_breakpoints: decoded blocks start at a
//     breakpoint's page offset, and only entering such a block compares);
//   - return: the RET that pops the return address the function was called
//     with; port and MMIO: Machine::on_io (chained: --record-io still
//     works); vector: TraceSink::event; syscall: TraceSink::syscall;
//     CR0/CR3/CR4/EFER: TraceSink::control_write; LGDT/LIDT/LLDT/LTR:
//     TraceSink::table_load; console: COM1's transmitter;
//   - watchpoints: the watched physical pages are read-only for the CPU's
//     fast path (Machine::set_watched_pages), so their writes reach the
//     machine, which reports each before storing it. Exact: the machine
//     stops right after the writing instruction, with the old and new
//     values and the writer's RIP. Read (and access) watchpoints take the
//     pages' data reads off the fast path the same way (PhysPage::
//     watch_reads); instruction fetches from the pages stay fast and unseen.
// A hook only asks the machine to stop after the current instruction
// (System::request_break) and notes a candidate hit; the condition and
// the ignore count are looked at on the state the machine stopped in, and
// a hit that does not count lets the run go on.
//
// Time travel: while the debugger runs it takes a whole-machine snapshot
// every kCheckpointInterval instructions (emu/checkpoints.h, which thins
// old ones beyond its limit); seek() restores the newest one at or before
// the target and re-executes to it, exactly.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emu/checkpoints.h"
#include "emu/snapshot.h"
#include "emu/system.h"
#include "emu/trace/analysis.h"
#include "frontend/debug/breakpoints.h"
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
    // A symbol name, SYMBOL+OFFSET, or a number (0x... hex); false if none.
    bool resolve(const std::string& spec, uint64_t& lin) const;
    bool is_symbol_start(uint64_t lin) const;
    // The size of the symbol starting at `lin` (0 when unknown).
    uint64_t symbol_size(uint64_t lin) const;

    // ---- guest memory, read without side effects ----
    // Physical: RAM, ROM and video memory (as the CPU sees them).
    bool read_phys(uint64_t pa, uint8_t* out, size_t n) const;
    // Linear: through the page tables of the moment (debug_translate), page by page.
    bool read_linear(uint64_t lin, uint8_t* out, size_t n) const;
    bool translate(uint64_t lin, uint64_t& pa) const { return sys_->cpu.debug_translate(lin, pa); }

    // ---- tracing ----
    // Every CPU trace hook (cpu/trace.h) is passed on to `tap` as well (the
    // boot timeline's recorder); nullptr detaches it. The CPU has one trace
    // sink, the debugger's, which forwards. During seek()'s re-execution the
    // tap sees the re-executed instructions' hooks again.
    void set_trace_tap(cpu::TraceSink* tap);

    // ---- breakpoints (breakpoints.h) ----
    // Adds one from its text form ("start_kernel", "io 0x3f8 w if al==0x41"):
    // its id, or 0 with the reason in `err`.
    unsigned add(const std::string& text, std::string& err);
    // A watchpoint: "[-r|-a|-w] [phys] ADDR [LEN]": data reads, reads and
    // writes, or writes (the default); ADDR a symbol or number; LEN defaults
    // to the symbol's size, else 8. A linear range is watched
    // at the physical pages it maps to now. Its id, or 0 with `err`.
    unsigned add_watch(const std::string& text, std::string& err);
    bool remove(unsigned id);
    bool set_enabled(unsigned id, bool on);
    bool set_ignore(unsigned id, uint64_t count);
    bool set_condition(unsigned id, const std::string& cond, std::string& err);
    const std::vector<Breakpoint>& breakpoint_list() const { return bps_; }
    const Breakpoint* breakpoint(unsigned id) const;
    unsigned last_breakpoint_id() const { return next_id_ - 1; }
    // The listing: one line per breakpoint (`info breakpoints`).
    std::string describe_breakpoints() const;
    // Writes the breakpoints as the commands that make them again (the
    // console's load-breakpoints runs such a file). False with `err`.
    bool save_breakpoints(const std::string& path, std::string& err) const;

    // The window's simple view: linear code breakpoints (enabled), added
    // and removed by address.
    const std::set<uint64_t>& breakpoints() const { return code_lin_; }
    void add_breakpoint(uint64_t lin);
    void remove_breakpoint(uint64_t lin);

    // What the last stop was for: each counted hit ("breakpoint 2 (io 0x3f8
    // w): port 0x3f8 write 0x41 by start_kernel+0x10").
    struct Hit {
        unsigned id;  // 0: a stepping goal (finish, next-phase, ...)
        std::string what;
    };
    const std::vector<Hit>& last_hits() const { return hits_; }

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

    // One instruction (see step_over_interrupts). Returns false when the
    // machine stopped for another reason (power-off, triple fault, ...).
    bool step();
    // One instruction, but a CALL, INT n (the firmware's BIOS calls) or
    // INT3/INTO runs until it returns to the next instruction (or a
    // breakpoint stops it first).
    bool step_over(uint64_t max_insns);
    // Runs until the current function returns: the first RET (or IRET)
    // that leaves the stack above where it is now (step out).
    bool step_out(uint64_t max_insns);
    // Runs to the next event of a kind (or a breakpoint first):
    enum class Goal {
        None,
        Phase,      // a boot phase as `trace phases` names them: protected
                    // mode, long mode, start_kernel, a call made directly by
                    // start_kernel/rest_init/kernel_init, an initcall, user space
        Interrupt,  // any interrupt or exception delivered (stops at its handler)
        ModeSwitch, // the CPU mode changes (real, protected, long, ...)
        Initcall,   // do_one_initcall calls an initcall (stops at its entry)
    };
    bool run_to(Goal goal, uint64_t max_insns);
    // Continue / pause (the window's buttons; frames call run_for()). A
    // resumed run has no goal and no instruction limit.
    void resume();
    // Stops a run (and its goal): the status says `why`.
    void pause(const std::string& why = "paused");
    // While running: runs for about `host_ms` of host time and returns true when
    // the machine stopped (breakpoint, goal, the run's instruction limit,
    // power-off, ...).
    bool run_for(double host_ms);
    // Runs until a breakpoint or a stop, at most `max_insns` instructions
    // (scripts). Returns the reason.
    emu::StopReason run_until_stop(uint64_t max_insns);

    // ---- runs started now, run later ----
    // Each start_* sets up what ends the run (a goal, a landing, at most
    // `max_insns` instructions) and resumes the machine without running
    // it. Scripts then run it to its stop with complete_run(): step_over,
    // step_out, run_to and run_until_stop above are exactly that. The
    // window instead lets its frames run it (run_for, ~12 ms a frame), so a
    // long run never holds the window. The goal and the limit hold until
    // the machine stops, for any reason (pause() and time travel too); the
    // status then says why as the synchronous call's would ("finish:
    // returned to ...", "phase: start_kernel", a breakpoint's hit).
    void start_continue(uint64_t max_insns);
    // False when nothing was started: the instruction is no CALL, INT n,
    // INT3 or INTO, so it was stepped at once (step()), or the machine had
    // stopped for good.
    bool start_step_over(uint64_t max_insns);
    void start_step_out(uint64_t max_insns);
    void start_run_to(Goal goal, uint64_t max_insns);
    // Runs a started run until it stops, without a time limit: the reason
    // (InstructionLimit when the run's limit ended it).
    emu::StopReason complete_run();

    // The registers before the last step or run, for highlighting changes.
    const cpu::CpuState& previous() const { return prev_; }

    // ---- time travel ----
    // Instructions between the snapshots taken while running.
    static constexpr uint64_t kCheckpointInterval = 5'000'000;
    // Puts the machine at instruction count `icount`: forwards by running
    // (breakpoints do not stop it), backwards by restoring the newest
    // checkpoint at or before it and re-executing. The timeline pane calls
    // it. The COM1 log is cut back with the machine; trace taps see the
    // re-executed hooks again. Breakpoint hit counts and next-phase's
    // first entries (protected mode, long mode, user space) go back with the
    // machine. Host input typed at the serial pane after the checkpoint is
    // not replayed. False (with status()) when the machine
    // stopped before reaching it.
    bool seek(uint64_t icount);
    // `back N`: seek(now - N).
    bool step_back(uint64_t n);
    // Back to the latest breakpoint hit before now (re-runs from the
    // checkpoints before now, recording hits). False when there is none.
    bool reverse_continue();
    // Back to just after the last instruction that wrote any byte of the
    // physical range [pa, pa+len) before now. False when none did since
    // the first checkpoint.
    bool last_write(uint64_t pa, uint64_t len);
    const emu::Checkpoints& checkpoints() const { return *checkpoints_; }

    // Named states for tests and notes (`save-state`, `compare-state`): the
    // whole machine and the COM1 output. compare_state says what differs.
    void save_state(const std::string& name);
    bool compare_state(const std::string& name, std::string& differences);

    // ---- consoles ----
    const std::string& serial_output() const { return serial_; }
    // Typed input changes the machine's future: snapshots after now are dropped.
    void type_serial(const std::string& bytes);

private:
    friend class BreakSink;
    Debugger() = default;
    struct Candidate {
        unsigned id;  // 0: the stepping goal
        std::string what;
        std::vector<uint8_t> old;  // watchpoints: the bytes before the write
    };
    // Runs up to n instructions honouring breakpoints; Break when one
    // counted, InstructionLimit when none did and nothing stopped the machine.
    emu::StopReason run_chunk(uint64_t n);
    // One System::run of at most n instructions, checkpointing on the way.
    emu::StopReason run_machine(uint64_t n);
    // The candidates of the last run: true when one counts (fills hits_).
    bool confirm_hits();
    void candidate(unsigned id, std::string what, std::vector<uint8_t> old = {});
    // A data access to a watched page (Machine::on_watched_write/_read).
    void watched_access(uint64_t pa, unsigned size, uint64_t value, bool write);
    // The code breakpoints at RIP (linear and physical) as candidates.
    void code_candidates();
    // Breakpoints off for step()'s own instruction, and while suspended.
    void set_armed(bool on);
    // After a breakpoint list change: the hooks' indexes and the watched pages.
    void rearm();
    unsigned add_parsed(Breakpoint b);
    void finish(emu::StopReason r);
    void set_hit_status();
    // A counted hit stopped the run: paused, the status says which (with
    // the started run's label before a goal's own hit).
    void stop_on_hits();
    // The started run is over: its goal, landing, limit and label go.
    void end_run();
    // Resumes a run of at most `max_insns` instructions, labelled for the status.
    void start_run(uint64_t max_insns, const char* label);
    void load_symbols(const std::string& fw_path, const std::string& kernel_path, const std::string& initrd_path,
                      uint64_t setup_addr, bool linux_kernel);
    std::string where_name(uint64_t lin) const;
    // Time travel: to `icount` with breakpoints suspended.
    bool go_to(uint64_t icount);
    // Going back to `position`: breakpoint hits and first-time boot phases
    // after it are forgotten, as if the run had not gone further.
    void forget_after(uint64_t position);
    struct LoggedHit {
        uint64_t icount;  // where the machine stopped for it
        unsigned id;
    };
    std::vector<LoggedHit> hit_log_;  // counted hits, in order
    // Drops the COM1 output of instructions at or after `position`.
    void trim_serial(uint64_t position);

    std::unique_ptr<emu::System> sys_;
    std::unique_ptr<BreakSink> sink_;
    emu::trace::Symbolizer syms_;
    bool reboot_ = true;
    State state_ = State::Paused;
    std::string status_ = "paused at the reset vector";
    emu::StopReason last_stop_ = emu::StopReason::InstructionLimit;
    cpu::CpuState prev_{};
    std::string serial_;
    std::vector<uint64_t> serial_at_;  // the instruction that printed each byte
    // The started run (start_*): where its instruction limit ends it, and
    // what its goal's stop is called ("step over", "finish"; "" for none).
    uint64_t run_end_ = UINT64_MAX;
    std::string run_label_;

    // Breakpoints and what the hooks look at.
    std::vector<Breakpoint> bps_;
    unsigned next_id_ = 1;
    std::set<uint64_t> code_lin_;     // enabled linear code breakpoints
    std::set<uint64_t> code_phys_;    // enabled physical code breakpoints
    bool suspended_ = false;          // seek: breakpoints do not stop
    std::vector<Candidate> candidates_;
    std::vector<Hit> hits_;

    std::unique_ptr<emu::Checkpoints> checkpoints_;
    // Reverse searches: record hits (icount, id) instead of stopping.
    struct Recorded {
        uint64_t icount;  // where the machine stopped for it
        unsigned id;
        std::string what;
    };
    bool recording_ = false;
    std::vector<Recorded> recorded_;
    struct SavedState {
        emu::Snapshot snap;
        std::string serial;
    };
    std::map<std::string, SavedState> saved_;
};

}  // namespace bs::frontend::debug
