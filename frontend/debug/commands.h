// The debugger's command language, shared by `bootscope debug --script FILE`
// and the window's console pane: one command a line, '#' starts a comment.
//
//   break SPEC | delete SPEC      a breakpoint at a symbol or a 0x address
//   continue [MAX_INSNS]          run to a breakpoint or a stop
//   step [N]                      N instructions (step-over-interrupts on)
//   step-interrupts on|off        whether a step runs through interrupts
//   expect-symbol NAME            fail unless RIP is exactly at NAME
//   expect-mode MODE              fail unless the CPU mode is MODE (real, long64, ...)
//   regs | where                  print the registers / RIP and its symbol
//   type TEXT                     send TEXT and a newline to COM1
//   expect-serial TEXT            fail unless COM1's output so far contains TEXT
//   save-serial FILE              write COM1's output so far to FILE
//   screenshot FILE               the window as .png (else .bmp)
//   help                          list the commands
//   quit
//
// A command either succeeds, with text to show, or fails with a reason; a
// script stops at its first failure (exit status 20), the console shows it.
#pragma once

#include <string>

namespace bs::frontend::debug {

class Debugger;
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

    // Runs one line. An empty line or a comment is Ok with no output.
    CommandResult execute(const std::string& line);

private:
    Debugger& dbg_;
    Ui* ui_;
};

}  // namespace bs::frontend::debug
