// The debugger's command language, shared by `bootscope debug --script FILE`
// and the window's console pane: one command a line, '#' starts a comment.
//
// Breakpoints (the kinds and conditions: breakpoints.h)
//   break SPEC [if COND]          stop at SPEC: SYMBOL, SYMBOL+OFF, 0xADDR, or a kind:
//                                 phys ADDR, return FUNC, io PORT[-PORT] [r|w|rw],
//                                 mmio ADDR[-ADDR] [r|w|rw], vector N[-M], syscall NR|NAME,
//                                 cr0.pe, cr0.pg, efer.lme, cr0, cr3, cr4, efer,
//                                 lgdt, lidt, lldt, ltr, console TEXT
//   watch [-r|-a] [phys] ADDR [LEN] [if COND]  stop right after a write to the
//                                 range (-r: a data read, -a: a read or a write)
//   delete ID|SPEC|all            remove breakpoints (by id, or code ones by address)
//   enable ID|all, disable ID|all
//   ignore ID N                   the next N hits do not stop
//   condition ID [COND]           set (or clear) a breakpoint's condition
//   info breakpoints              list them (also: bl)
//   save-breakpoints FILE         write them as commands; load-breakpoints FILE reads them
//   (ID may be $: the breakpoint made last)
// Running and stepping
//   continue [MAX_INSNS]          run to a breakpoint or a stop
//   step [N]                      N instructions (interrupts run through: step-interrupts)
//   next [N]                      N instructions, CALL / INT n / BIOS calls run to their return
//   finish [MAX_INSNS]            run until the current function returns (step out)
//   next-phase | next-interrupt | next-mode | next-initcall [MAX_INSNS]   run to the next such event
//   step-interrupts on|off        whether a step runs through interrupt handlers
// Time travel (synchronous in the console too: a seek re-executes at most
// one checkpoint interval, Debugger::kCheckpointInterval)
//   back [N]                      N instructions back (reverse step)
//   reverse-continue              back to the previous breakpoint hit
//   last-write [phys] ADDR [LEN]  back to the last instruction that wrote ADDR
//   goto ICOUNT                   to instruction count ICOUNT, forwards or back
//   scrub ICOUNT                  what releasing the timeline's scrubber there does: pauses a
//                                 run, clamps ICOUNT to the scrubber's range, goes there
// The window, driven as a person would (scripts test it with these)
//   console LINE                  type LINE into the console pane and press Enter: draws the
//                                 frame that runs it and prints what the pane printed; a
//                                 command that runs the machine is left running (script only)
//   wait [MAX_FRAMES]             draw frames until nothing runs; fails if something still
//                                 runs after MAX_FRAMES (10000) (script only)
//   pause                         the Pause button (Escape): stops the run or the running command
//   expect-running                fail unless a console command or a run is going on
//   expect-paused                 fail unless nothing runs and the machine can go on
// Looking and checking
//   regs | where                  the registers / RIP, its symbol, mode and icount
//   expect-symbol NAME            fail unless RIP is exactly at NAME
//   expect-mode MODE              fail unless the CPU mode is MODE (real, long64, ...)
//   expect COND                   fail unless COND holds (e.g. expect rax==0x3 && cpl==0)
//   expect-stop TEXT              fail unless the last stop's reason contains TEXT
//   save-state NAME               remember the whole machine and COM1's output
//   compare-state NAME            fail unless the machine equals the state saved as NAME
//   type TEXT                     send TEXT and a newline to COM1
//   expect-serial TEXT            fail unless COM1's output so far contains TEXT
//   save-serial FILE              write COM1's output so far to FILE
//   screenshot FILE               the window as .png (else .bmp)
//   view TAB                      show an inspection tab (Ui::show_tab)
//   frame-rate [SECONDS]          run under the window, print its frames a second (host time)
// The boot timeline (timeline.h)
//   bookmark NAME                 name the current instruction count (saved to the bookmarks file)
//   goto-bookmark NAME            go there, forwards or back
//   fault-chain                   after a triple fault or a panic: the chain of faults, explained
//   help                          list the commands
//   quit
//
// A command either succeeds, with text to show, or fails with a reason; a
// script stops at its first failure (exit status 20), the console shows it.
//
// Scripts run every command to its end. The console pane must not hold the
// window, so there the commands that run the machine for an unbounded time
// (continue, step, next, finish, next-phase/-interrupt/-mode/-initcall)
// only start (submit()): the window's frames run the guest between them,
// the status line says what is running, Pause or Escape stops it, and the
// pane prints the command's result when it is over, in the words a script
// would have printed. While one runs (or the Continue button's run), a
// command that would move the machine (those, the time-travel commands,
// frame-rate) is refused with a message saying what runs: stop it first.
// The others (where, break, info, expect..., type, ...) run at once, on the
// machine as it stands between two frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bs::frontend::debug {

class Debugger;
class Timeline;
class Ui;

struct CommandResult {
    // Running: submit() started the command; poll() or stop() gives its result.
    enum class Status { Ok, Failed, Quit, Running } status = Status::Ok;
    std::string output;  // what the command printed (lines end in '\n')
    std::string error;   // why it failed
};

class CommandRunner {
public:
    // Where the lines come from. The window-driving commands (console,
    // wait) are for scripts; the console pane refuses them.
    enum class Source { Script, Console };
    // `ui` may be null (--no-window): screenshots then fail.
    CommandRunner(Debugger& dbg, Ui* ui, Source source = Source::Script) : dbg_(dbg), ui_(ui), source_(source) {}
    // The boot timeline, for bookmark, goto-bookmark, fault-chain and scrub
    // (null: --no-timeline, and those commands fail).
    void set_timeline(Timeline* t) { timeline_ = t; }

    // Runs one line to its end. An empty line or a comment is Ok with no output.
    CommandResult execute(const std::string& line);

    // ---- the console pane (see the top of this file) ----
    // Like execute(), except that a command that runs the machine only
    // starts it and returns Running, unless it is over at once (a single
    // step, a machine that has stopped for good).
    CommandResult submit(const std::string& line);
    // A submitted command is running, and the line it was typed as.
    bool running() const { return job_.has_value(); }
    const std::string& running_command() const;
    // Called once a frame after the guest's slice (Debugger::run_for): a
    // stepping command steps on for about `host_ms`; once the running
    // command is over, its result.
    std::optional<CommandResult> poll(double host_ms);
    // The Pause button: pauses the machine and ends the running command
    // where it stands; its result (as if it had stopped there).
    CommandResult stop();

private:
    // A command that runs the machine, between its start and its result.
    struct Job {
        enum class Kind {
            Run,    // continue, finish, next-*: a Debugger run, over when the machine stops
            Steps,  // step N, next N: one step (or step over) after another
        } kind = Kind::Run;
        std::string line;     // as typed (the status line shows it)
        uint64_t count = 0;   // Steps: the steps asked for
        uint64_t left = 0;    // Steps: steps still to take
        bool over = false;    // Steps: next (CALL / INT n run to their return)
        bool stepped = false; // Steps: one has been taken
    };
    CommandResult run_line(const std::string& line, bool to_end);
    // Makes `job` the running command and runs it on: to its end when
    // `to_end`, else for a first slice; Running when it goes on.
    CommandResult start_job(Job job, bool to_end);
    // Runs the job on, to its end or for `host_ms`: true when it is over.
    bool advance(bool to_end, double host_ms);
    // The over job's result, worded as a script prints it; no job after.
    CommandResult end_job();
    // What runs, when a console command or a run is going on ("" when none).
    std::string what_runs() const;
    CommandResult load_breakpoints(const std::string& path);

    Debugger& dbg_;
    Ui* ui_;
    Source source_;
    Timeline* timeline_ = nullptr;
    std::optional<Job> job_;
};

}  // namespace bs::frontend::debug
