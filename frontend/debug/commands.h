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
//   finish                        run until the current function returns (step out)
//   next-phase | next-interrupt | next-mode | next-initcall   run to the next such event
//   step-interrupts on|off        whether a step runs through interrupt handlers
// Time travel
//   back [N]                      N instructions back (reverse step)
//   reverse-continue              back to the previous breakpoint hit
//   last-write [phys] ADDR [LEN]  back to the last instruction that wrote ADDR
//   goto ICOUNT                   to instruction count ICOUNT, forwards or back
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
#pragma once

#include <string>

namespace bs::frontend::debug {

class Debugger;
class Timeline;
class Ui;

struct CommandResult {
    enum class Status { Ok, Failed, Quit } status = Status::Ok;
    std::string output;  // what the command printed (lines end in '\n')
    std::string error;   // why it failed
};

class CommandRunner {
public:
    // `ui` may be null (--no-window): screenshots then fail.
    CommandRunner(Debugger& dbg, Ui* ui) : dbg_(dbg), ui_(ui) {}
    // The boot timeline, for bookmark, goto-bookmark and fault-chain (null:
    // --no-timeline, and those commands fail).
    void set_timeline(Timeline* t) { timeline_ = t; }

    // Runs one line. An empty line or a comment is Ok with no output.
    CommandResult execute(const std::string& line);

private:
    CommandResult load_breakpoints(const std::string& path);

    Debugger& dbg_;
    Ui* ui_;
    Timeline* timeline_ = nullptr;
};

}  // namespace bs::frontend::debug
