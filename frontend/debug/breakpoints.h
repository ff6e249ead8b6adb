// The debugger's breakpoints as data: what each kind watches, the condition
// and hit count that decide whether a hit stops the machine, and the text
// form a breakpoint is written in (the `break`/`watch` commands, `info
// breakpoints`, breakpoint files). Debugger (debugger.h) arms them in the
// emulator; nothing here touches the machine.
//
// The text form, one breakpoint:
//   SPEC                     code at a linear address: symbol, SYMBOL+OFF, 0x...
//   phys ADDR                code at a physical address (valid before paging)
//   return FUNC              FUNC returns (stops where its caller resumes)
//   io PORT[-PORT] [r|w|rw]  port accesses (default rw)
//   mmio ADDR[-ADDR] [r|w|rw]  device MMIO (physical; default rw)
//   vector N[-M]             an interrupt or exception with that vector is delivered
//   syscall NR|NAME          SYSCALL/SYSENTER with RAX = NR
//   cr0.pe | cr0.pg | efer.lme   that bit changes
//   cr0 | cr3 | cr4 | efer   any write
//   lgdt | lidt | lldt | ltr     the instruction loads its register
//   console TEXT             COM1 has just printed TEXT
// followed by an optional `if COND`: terms `REG OP VALUE` joined by `&&`,
// OP one of == != < <= > >= & (bits in common), REG a general register
// (rax, eax, ax, al, r8..r15, r8d...), rip, rflags, cr0, cr2, cr3, cr4,
// efer, cpl, cs/ds/es/fs/gs/ss (selectors) or icount, VALUE a number or a
// symbol. A watchpoint is `watch [-r|-a] [phys] ADDR [LEN]` (see
// Debugger::add_watch).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cpu/state.h"
#include "cpu/trace.h"

namespace bs::frontend::debug {

enum class BreakKind : uint8_t {
    Code,      // linear address
    PhysCode,  // physical address
    Return,    // a function returns
    Port,
    Mmio,
    Vector,
    Syscall,
    Control,   // CR0/CR3/CR4/EFER written (or one bit of them changed)
    Table,     // LGDT/LIDT/LLDT/LTR
    Console,   // COM1 output
    Watch,     // memory written or read (physical range; `access`)
};

// Port, MMIO and watchpoint accesses.
inline constexpr unsigned kAccessRead = 1, kAccessWrite = 2;

// Which control register writes a Control breakpoint stops at: `reg` as
// cpu::TraceSink::control_write numbers it, `bit` a mask (0: any write).
struct ControlSpec {
    unsigned reg = 0;
    uint64_t bit = 0;
};

// `if COND`: all terms must hold, evaluated on the state the machine
// stopped in (after the instruction that hit).
struct Condition {
    enum class Op : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, And };
    struct Term {
        std::string reg;
        Op op;
        uint64_t value;
    };
    std::vector<Term> terms;
    std::string text;  // as written

    bool empty() const { return terms.empty(); }
    // `icount`: instructions retired (the `icount` pseudo-register).
    bool holds(const cpu::CpuState& s, uint64_t icount) const;
};

// A name or number in a condition or a spec; false when unknown.
using Resolver = std::function<bool(const std::string& spec, uint64_t& value)>;

// Parses `if`'s text. On failure returns false with the reason in `err`.
bool parse_condition(const std::string& text, const Resolver& resolve, Condition& out, std::string& err);
// Whether `reg` names something a condition can read.
bool is_condition_register(const std::string& reg);

struct Breakpoint {
    unsigned id = 0;
    BreakKind kind = BreakKind::Code;
    uint64_t lo = 0, hi = 0;  // address, port, vector or number range (inclusive)
    unsigned access = kAccessRead | kAccessWrite;
    ControlSpec control;
    cpu::TableReg table = cpu::TableReg::Gdtr;
    std::string text;  // Console: what to match
    std::string spec;  // the text form without the condition ("io 0x3f8 w")
    Condition cond;
    uint64_t ignore = 0;  // hits that do not stop, counted before stopping
    uint64_t hits = 0;    // hits whose condition held
    bool enabled = true;
    bool temporary = false;  // deleted once it has stopped the machine

    // "break io 0x3f8 w if al==0x41" / "watch phys 0x1000 8": the command
    // that makes it again.
    std::string command() const;
};

// Parses the text form after `break` (no `if`: see split_condition). `lin`
// resolves symbols and numbers. On failure returns false with the reason.
bool parse_breakpoint(const std::string& spec, const Resolver& resolve, Breakpoint& out, std::string& err);
// Splits "SPEC if COND" at the last " if ".
void split_condition(const std::string& text, std::string& spec, std::string& cond);

const char* to_string(BreakKind k);

// A count or an address as the commands take them: decimal, 0x hex or 0
// octal, nothing after it, no sign.
bool parse_number(const std::string& s, uint64_t& v);

}  // namespace bs::frontend::debug
