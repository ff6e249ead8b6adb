// The debugger's command language (commands.h).
#include "commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <fstream>
#include <sstream>

#include "cpu/flags.h"
#include "frontend/debug/breakpoints.h"
#include "frontend/debug/debugger.h"
#include "frontend/debug/timeline.h"
#include "frontend/debug/ui.h"

namespace bs::frontend::debug {

namespace {

std::string where(Debugger& d) {
    cpu::Cpu& c = d.sys().cpu;
    const std::string n = d.symbol_name(c.current_pc());
    return fmt::format("rip {:#x} ({}) {} cpl {} after {} instructions", c.current_pc(), n.empty() ? "?" : n,
                       cpu::to_string(c.mode()), c.s.cpl, d.sys().instructions());
}

// After a command that ran the machine: why it stopped, and where.
std::string stopped(Debugger& d) { return d.status() + "; " + where(d) + "\n"; }

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> w;
    for (std::string x; in >> x;) w.push_back(x);
    return w;
}

// The most a running command runs when given no limit.
constexpr uint64_t kDefaultMax = 5'000'000'000ull;

// How long a console command that steps may step before its first frame
// (a frame's share of the guest: Ui::frame).
constexpr double kFirstSliceMs = 12.0;

// The commands that move the machine: refused while something runs.
bool moves_machine(const std::string& cmd) {
    static const char* const kMoves[] = {
        "continue", "c", "step", "s", "next", "n", "finish", "next-phase", "next-interrupt", "next-mode",
        "next-initcall", "back", "goto", "reverse-continue", "rc", "last-write", "goto-bookmark", "frame-rate",
    };
    return std::find(std::begin(kMoves), std::end(kMoves), cmd) != std::end(kMoves);
}

constexpr const char* kHelp =
    "breakpoints (stop inside the emulator; COND: REG OP VALUE [&& ...], OP == != < <= > >= &)\n"
    "  break SPEC [if COND]      SPEC: SYMBOL | SYMBOL+OFF | 0xADDR | phys ADDR | return FUNC\n"
    "                            | io PORT[-PORT] [r|w|rw] | mmio ADDR[-ADDR] [r|w|rw] | vector N[-M]\n"
    "                            | syscall NR|NAME | cr0.pe | cr0.pg | efer.lme | cr0 | cr3 | cr4 | efer\n"
    "                            | lgdt | lidt | lldt | ltr | console TEXT\n"
    "  watch [-r|-a] [phys] ADDR [LEN] [if COND]   stop right after a write (-r: a read, -a: either)\n"
    "  delete ID|SPEC|all        enable ID|all, disable ID|all (ID: a number, or $ for the last)\n"
    "  ignore ID N               condition ID [COND]\n"
    "  info breakpoints | bl     save-breakpoints FILE | load-breakpoints FILE\n"
    "running and stepping\n"
    "  continue [MAX_INSNS]      run to a breakpoint or a stop\n"
    "  step [N]                  N instructions\n"
    "  next [N]                  step over CALL, INT n and BIOS calls\n"
    "  finish                    run until the current function returns\n"
    "  next-phase | next-interrupt | next-mode | next-initcall   run to the next such event\n"
    "  step-interrupts on|off    whether a step runs through interrupt handlers\n"
    "  (in this console they run while the window goes on: Pause or Escape stops them)\n"
    "time travel\n"
    "  back [N]                  N instructions back\n"
    "  reverse-continue          back to the previous breakpoint hit\n"
    "  last-write [phys] ADDR [LEN]   back to the last write of ADDR\n"
    "  goto ICOUNT               to an instruction count, forwards or back\n"
    "  scrub ICOUNT              as releasing the timeline's scrubber there (clamped to its range)\n"
    "the window\n"
    "  pause                     the Pause button: stops a run or a running command\n"
    "  expect-running            expect-paused\n"
    "  console LINE              (scripts) type LINE into the console pane; it may go on running\n"
    "  wait [MAX_FRAMES]         (scripts) draw frames until nothing runs\n"
    "looking and checking\n"
    "  where | regs              RIP and its symbol / the registers\n"
    "  expect-symbol NAME        expect-mode MODE        expect COND        expect-stop TEXT\n"
    "  save-state NAME           compare-state NAME (fails unless the machine equals it)\n"
    "  type TEXT                 send TEXT and a newline to COM1\n"
    "  expect-serial TEXT        save-serial FILE        screenshot FILE (.png, else .bmp)\n"
    "  frame-rate [SECONDS]      run the guest under the window and measure its frames a second\n"
    "  view TAB                  show an inspection tab (stack, memory, page walk, gdt, idt, tss, task, devices)\n"
    "the boot timeline\n"
    "  bookmark NAME             name this instruction count (saved to the bookmarks file)\n"
    "  goto-bookmark NAME        go to a bookmark, forwards or back\n"
    "  fault-chain               after a triple fault or panic: how it came about\n"
    "  help                      quit\n";

}  // namespace

CommandResult CommandRunner::execute(const std::string& line) { return run_line(line, true); }

CommandResult CommandRunner::submit(const std::string& line) { return run_line(line, false); }

const std::string& CommandRunner::running_command() const {
    static const std::string kNone;
    return job_ ? job_->line : kNone;
}

std::string CommandRunner::what_runs() const {
    if (job_) return "'" + job_->line + "' is running";
    // A script's runner: the console pane's own command.
    if (ui_ && ui_->console().running()) return "'" + ui_->console().running_command() + "' is running in the console";
    if (dbg_.state() == Debugger::State::Running) return "the machine is running";
    return "";
}

CommandResult CommandRunner::start_job(Job job, bool to_end) {
    job_ = std::move(job);
    if (advance(to_end, kFirstSliceMs)) return end_job();
    CommandResult res;
    res.status = CommandResult::Status::Running;
    return res;
}

bool CommandRunner::advance(bool to_end, double host_ms) {
    Debugger& d = dbg_;
    Job& j = *job_;
    if (j.kind == Job::Kind::Run) {
        if (to_end) d.complete_run();
        return d.state() != Debugger::State::Running;
    }
    // Steps: as a script's loop of step() / step_over(), cut into slices.
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        // A step over a call runs like `continue`: the frames run it.
        if (d.state() == Debugger::State::Running) {
            if (!to_end) return false;
            d.complete_run();
        }
        // Stopped by something other than the step's end: a breakpoint, a power-off.
        if (j.stepped && (d.state() != Debugger::State::Paused || !d.last_hits().empty())) return true;
        if (j.left == 0) return true;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (!to_end && ms >= host_ms) return false;
        --j.left;
        j.stepped = true;
        if (j.over) d.start_step_over(kDefaultMax);
        else d.step();
    }
}

CommandResult CommandRunner::end_job() {
    const Job::Kind kind = job_->kind;
    job_.reset();
    Debugger& d = dbg_;
    CommandResult res;
    if (kind == Job::Kind::Run) {
        res.output = stopped(d);
    } else {
        // A hit or a stop says why; a step that ended where it should says where only.
        const bool plain = d.last_hits().empty() && d.state() != Debugger::State::Finished;
        res.output = (plain ? "" : d.status() + "; ") + where(d) + "\n";
    }
    return res;
}

std::optional<CommandResult> CommandRunner::poll(double host_ms) {
    if (!job_ || !advance(false, host_ms)) return std::nullopt;
    return end_job();
}

CommandResult CommandRunner::stop() {
    dbg_.pause();
    if (!job_) return {};
    if (job_->kind == Job::Kind::Run) return end_job();
    // Between two steps the machine is paused already: the result says the
    // command was cut short (the one being taken counts).
    const uint64_t taken = job_->count - job_->left, count = job_->count;
    job_.reset();
    CommandResult res;
    res.output = fmt::format("paused after {} of {} steps; {}\n", taken, count, where(dbg_));
    return res;
}

CommandResult CommandRunner::run_line(const std::string& input, bool to_end) {
    CommandResult res;
    auto fail = [&](std::string why) {
        res.status = CommandResult::Status::Failed;
        res.error = std::move(why);
        return res;
    };
    std::string line = input;
    if (const size_t h = line.find('#'); h != std::string::npos) line.resize(h);
    std::istringstream ls(line);
    std::string cmd, arg;
    ls >> cmd;
    if (cmd.empty()) return res;
    std::getline(ls >> std::ws, arg);
    while (!arg.empty() && std::isspace(static_cast<unsigned char>(arg.back()))) arg.pop_back();
    const std::vector<std::string> w = words(arg);
    Debugger& d = dbg_;
    // A breakpoint id: a number, or $ for the last one made.
    auto parse_id = [&](const std::string& s, unsigned& id) {
        uint64_t v;
        if (s == "$") v = d.last_breakpoint_id();
        else if (!parse_number(s, v)) return false;
        id = static_cast<unsigned>(v);
        return d.breakpoint(id) != nullptr;
    };
    // An optional instruction limit for commands that run.
    uint64_t max = kDefaultMax;
    auto optional_max = [&](const std::string& s) { return s.empty() || parse_number(s, max); };
    // The line as the status line shows it while it runs.
    const std::string shown = arg.empty() ? cmd : cmd + " " + arg;
    // What the console pane printed since `mark` (the window-driving commands
    // show it in a script's output; the pane itself shows it already).
    auto console_since = [&](uint64_t mark) {
        return ui_ && source_ == Source::Script ? ui_->console_text_since(mark) : std::string();
    };
    const uint64_t console_mark = ui_ ? ui_->console_lines() : 0;

    if (moves_machine(cmd)) {
        if (const std::string busy = what_runs(); !busy.empty())
            return fail(busy + ": stop it first (Pause or Escape) to " + cmd);
    }

    if (cmd == "quit" || cmd == "q") {
        res.status = CommandResult::Status::Quit;
    } else if (cmd == "help") {
        res.output = kHelp;

    // ---- breakpoints ----
    } else if (cmd == "break" || cmd == "b") {
        std::string err;
        const unsigned id = d.add(arg, err);
        if (!id) return fail(err);
        res.output = fmt::format("breakpoint {}: {}\n", id, d.breakpoint(id)->command());
    } else if (cmd == "watch") {
        std::string err;
        const unsigned id = d.add_watch(arg, err);
        if (!id) return fail(err);
        const Breakpoint* b = d.breakpoint(id);
        res.output = fmt::format("watchpoint {}: {} (physical {:#x}-{:#x})\n", id, b->command(), b->lo, b->hi);
    } else if (cmd == "delete") {
        unsigned id;
        uint64_t a;
        if (arg == "all") {
            while (!d.breakpoint_list().empty()) d.remove(d.breakpoint_list().front().id);
        } else if (arg.find_first_not_of("0123456789") == std::string::npos && !arg.empty() && parse_id(arg, id)) {
            d.remove(id);
        } else if (arg == "$" && parse_id(arg, id)) {
            d.remove(id);
        } else if (d.resolve(arg, a)) {
            if (!d.breakpoints().count(a)) return fail(fmt::format("no code breakpoint at {} ({:#x})", arg, a));
            d.remove_breakpoint(a);
        } else {
            return fail("no breakpoint, symbol or address '" + arg + "'");
        }
    } else if (cmd == "enable" || cmd == "disable") {
        const bool on = cmd == "enable";
        unsigned id;
        if (arg == "all") {
            for (const Breakpoint& b : std::vector<Breakpoint>(d.breakpoint_list())) d.set_enabled(b.id, on);
        } else if (parse_id(arg, id)) {
            d.set_enabled(id, on);
        } else {
            return fail("no breakpoint '" + arg + "' (" + cmd + " ID|all)");
        }
    } else if (cmd == "ignore") {
        unsigned id;
        uint64_t n;
        if (w.size() != 2 || !parse_id(w[0], id) || !parse_number(w[1], n))
            return fail("usage: ignore ID N (ID an existing breakpoint)");
        d.set_ignore(id, n);
        res.output = fmt::format("breakpoint {}: the next {} hits do not stop\n", id, n);
    } else if (cmd == "condition") {
        unsigned id;
        if (w.empty() || !parse_id(w[0], id)) return fail("usage: condition ID [COND] (ID an existing breakpoint)");
        std::string err;
        if (!d.set_condition(id, arg.substr(arg.find(w[0]) + w[0].size()), err)) return fail(err);
    } else if (cmd == "info" || cmd == "bl") {
        if (cmd == "info" && arg != "breakpoints" && arg != "break" && arg != "b" && arg != "watchpoints")
            return fail("info what? (info breakpoints)");
        res.output = d.describe_breakpoints();
    } else if (cmd == "save-breakpoints") {
        if (arg.empty()) return fail("usage: save-breakpoints FILE");
        std::string err;
        if (!d.save_breakpoints(arg, err)) return fail(err);
        res.output = fmt::format("wrote {} breakpoints to {}\n", d.breakpoint_list().size(), arg);
    } else if (cmd == "load-breakpoints") {
        return load_breakpoints(arg);

    // ---- running and stepping ----
    } else if (cmd == "continue" || cmd == "c") {
        if (!optional_max(arg)) return fail("not a count: '" + arg + "'");
        d.start_continue(max);
        return start_job({.kind = Job::Kind::Run, .line = shown}, to_end);
    } else if (cmd == "step" || cmd == "s" || cmd == "next" || cmd == "n") {
        uint64_t n = 1;
        if (!arg.empty() && !parse_number(arg, n)) return fail("not a count: '" + arg + "'");
        const bool over = cmd == "next" || cmd == "n";
        return start_job({.kind = Job::Kind::Steps, .line = shown, .count = n, .left = n, .over = over}, to_end);
    } else if (cmd == "finish") {
        if (!optional_max(arg)) return fail("not a count: '" + arg + "'");
        d.start_step_out(max);
        return start_job({.kind = Job::Kind::Run, .line = shown}, to_end);
    } else if (cmd == "next-phase" || cmd == "next-interrupt" || cmd == "next-mode" || cmd == "next-initcall") {
        if (!optional_max(arg)) return fail("not a count: '" + arg + "'");
        const Debugger::Goal g = cmd == "next-phase"       ? Debugger::Goal::Phase
                                 : cmd == "next-interrupt" ? Debugger::Goal::Interrupt
                                 : cmd == "next-mode"      ? Debugger::Goal::ModeSwitch
                                                           : Debugger::Goal::Initcall;
        if ((g == Debugger::Goal::Initcall) && !d.symbols().kernel)
            return fail("next-initcall needs the kernel's symbols (vmlinux)");
        d.start_run_to(g, max);
        return start_job({.kind = Job::Kind::Run, .line = shown}, to_end);
    } else if (cmd == "step-interrupts") {
        if (arg != "on" && arg != "off") return fail("step-interrupts takes on or off");
        d.step_over_interrupts = arg == "on";

    // ---- time travel ----
    // Synchronous in the console too: a seek restores the checkpoint before
    // its target and re-executes at most one interval (Debugger::kCheckpointInterval).
    } else if (cmd == "back") {
        uint64_t n = 1;
        if (!arg.empty() && !parse_number(arg, n)) return fail("not a count: '" + arg + "'");
        if (!d.step_back(n)) return fail(d.status());
        res.output = where(d) + "\n";
    } else if (cmd == "goto") {
        uint64_t n;
        if (!parse_number(arg, n)) return fail("usage: goto ICOUNT");
        if (!d.seek(n)) return fail(d.status());
        res.output = where(d) + "\n";
    } else if (cmd == "reverse-continue" || cmd == "rc") {
        if (!d.reverse_continue()) return fail(d.status());
        res.output = stopped(d);
    } else if (cmd == "last-write") {
        std::vector<std::string> a = w;
        const bool phys = !a.empty() && a[0] == "phys";
        if (phys) a.erase(a.begin());
        uint64_t addr, len = 0, pa;
        if (a.empty() || a.size() > 2 || !d.resolve(a[0], addr)) return fail("usage: last-write [phys] ADDR [LEN]");
        if (a.size() == 2 && (!parse_number(a[1], len) || len == 0 || len > 4096))
            return fail("last-write: LEN is 1..4096 bytes");
        if (!len) {
            const uint64_t sz = d.symbol_size(addr);
            len = sz != ~0ull && sz > 0 && sz <= 4096 ? sz : 1;
        }
        pa = addr;
        if (!phys && !d.translate(addr, pa)) return fail(fmt::format("last-write: {:#x} is not mapped now", addr));
        if (!d.last_write(pa, len)) return fail(d.status());
        res.output = stopped(d);
    } else if (cmd == "scrub") {
        if (!timeline_) return fail("scrub needs the boot timeline (not --no-timeline)");
        uint64_t n;
        if (!parse_number(arg, n)) return fail("usage: scrub ICOUNT");
        // The slider's release, then what the timeline's next frame does first.
        timeline_->scrub_to(n);
        std::string why;
        if (!timeline_->go_to_requested(why)) return fail(why);
        res.output = console_since(console_mark) + stopped(d);
    } else if (cmd == "save-state") {
        if (arg.empty()) return fail("usage: save-state NAME");
        d.save_state(arg);
        res.output = fmt::format("saved state '{}' at instruction {}\n", arg, d.sys().instructions());
    } else if (cmd == "compare-state") {
        std::string diff;
        if (!d.compare_state(arg, diff)) return fail("state differs from '" + arg + "': " + diff);
        res.output = "ok: the machine equals state '" + arg + "'\n";

    // ---- looking and checking ----
    } else if (cmd == "expect-symbol") {
        uint64_t a;
        if (!d.resolve(arg, a)) return fail("no symbol '" + arg + "'");
        if (d.sys().cpu.current_pc() != a)
            return fail(fmt::format("expected RIP at {} ({:#x}), it is at {}", arg, a, where(d)));
        res.output = "ok: at " + arg + "\n";
    } else if (cmd == "expect-mode") {
        const char* m = cpu::to_string(d.sys().cpu.mode());
        if (arg != m) return fail(fmt::format("expected mode {}, it is {}", arg, m));
        res.output = fmt::format("ok: mode {}\n", m);
    } else if (cmd == "expect") {
        Condition c;
        std::string err;
        if (!parse_condition(arg, [&](const std::string& s, uint64_t& v) { return d.resolve(s, v); }, c, err))
            return fail(err);
        if (!c.holds(d.sys().cpu.s, d.sys().instructions()))
            return fail("expected " + arg + ", it does not hold; " + where(d));
        res.output = "ok: " + arg + "\n";
    } else if (cmd == "expect-stop") {
        if (arg.empty() || d.status().find(arg) == std::string::npos)
            return fail("expected the last stop to say '" + arg + "', it says '" + d.status() + "'");
        res.output = "ok: stopped for '" + arg + "'\n";
    } else if (cmd == "where") {
        res.output = where(d) + "\n";
    } else if (cmd == "regs") {
        cpu::CpuState s = d.sys().cpu.s;
        for (unsigned i = 0; i < 16; ++i) res.output += fmt::format("r{:<2} {:016x}{}", i, s.gpr[i], i % 4 == 3 ? "\n" : "  ");
        res.output += fmt::format("rip {:016x}  rflags {:08x}  cr0 {:08x}  cr3 {:016x}  cr4 {:08x}  efer {:x}\n", s.rip,
                                  cpu::get_rflags(s), s.cr0, s.cr3, s.cr4, s.efer);
    } else if (cmd == "expect-serial") {
        if (d.serial_output().find(arg) == std::string::npos) return fail("COM1 never printed '" + arg + "'");
        res.output = "ok: COM1 printed '" + arg + "'\n";
    } else if (cmd == "save-serial") {
        std::ofstream out(arg, std::ios::binary);
        out << d.serial_output();
        if (!out.flush()) return fail("cannot write '" + arg + "'");
    } else if (cmd == "type") {
        d.type_serial(arg + "\n");
    } else if (cmd == "frame-rate") {
        // The window's frame rate while the guest runs between frames (host
        // time: the one command whose output is not deterministic).
        if (!ui_) return fail("frame-rate needs the window (not --no-window)");
        double seconds = 2;
        try {
            size_t used = 0;
            if (!arg.empty()) seconds = std::stod(arg, &used);
            if (!arg.empty() && used != arg.size()) throw std::invalid_argument(arg);
        } catch (const std::exception&) {
            return fail("frame-rate takes seconds, not '" + arg + "'");
        }
        if (!(seconds > 0 && seconds <= 600)) return fail("frame-rate: seconds must be in (0, 600]");
        using clock = std::chrono::steady_clock;
        d.resume();
        const uint64_t first = d.sys().instructions();
        const auto start = clock::now();
        unsigned frames = 0;
        double slowest_ms = 0, elapsed = 0;
        while (d.state() == Debugger::State::Running && elapsed < seconds) {
            const auto f0 = clock::now();
            ui_->frame();
            ++frames;
            const auto f1 = clock::now();
            slowest_ms = std::max(slowest_ms, std::chrono::duration<double, std::milli>(f1 - f0).count());
            elapsed = std::chrono::duration<double>(f1 - start).count();
        }
        d.pause("paused after frame-rate");
        const double insns = static_cast<double>(d.sys().instructions() - first);
        res.output = fmt::format("{} frames in {:.2f} s: {:.1f} frames a second, the slowest {:.1f} ms; the guest ran "
                                 "{:.0f} million instructions a second between them\n",
                                 frames, elapsed, elapsed > 0 ? frames / elapsed : 0.0, slowest_ms,
                                 elapsed > 0 ? insns / elapsed / 1e6 : 0.0);
        res.output += stopped(d);
    // ---- the window, driven as a person would ----
    } else if (cmd == "console" || cmd == "wait") {
        if (source_ == Source::Console) return fail(cmd + " is for scripts (the window's frames go on by themselves)");
        if (!ui_) return fail(cmd + " needs the window (not --no-window)");
        if (cmd == "console") {
            if (arg.empty()) return fail("usage: console LINE");
            ui_->enter_console_line(arg);
            ui_->frame();
            res.output = console_since(console_mark);
        } else {
            uint64_t most = 10'000;
            if (!arg.empty() && !parse_number(arg, most)) return fail("usage: wait [MAX_FRAMES]");
            uint64_t frames = 0;
            for (; ui_->running() && frames < most; ++frames) ui_->frame();
            res.output = console_since(console_mark);
            if (ui_->running()) return fail(fmt::format("{} after {} frames", what_runs(), frames));
            res.output += fmt::format("ok: nothing runs after {} frames\n", frames);
        }
    } else if (cmd == "pause") {
        if (ui_) ui_->pause();
        else d.pause();
        res.output = console_since(console_mark);
    } else if (cmd == "expect-running") {
        const std::string busy = what_runs();
        if (busy.empty()) return fail("expected something to run; nothing does: " + d.status());
        // With the window: its status line, and how many frames it has drawn.
        res.output = ui_ ? fmt::format("ok: {} (frame {})\n", ui_->status_line(), ui_->frames()) : "ok: " + busy + "\n";
    } else if (cmd == "expect-paused") {
        if (const std::string busy = what_runs(); !busy.empty()) return fail("expected the machine paused; " + busy);
        if (d.state() == Debugger::State::Finished)
            return fail("expected the machine paused; it has stopped for good: " + d.status());
        res.output = "ok: paused: " + d.status() + "\n";
    } else if (cmd == "view") {
        if (!ui_) return fail("view needs the window (not --no-window)");
        if (!ui_->show_tab(arg)) return fail("no inspection tab '" + arg + "'");
    } else if (cmd == "bookmark" || cmd == "goto-bookmark" || cmd == "fault-chain") {
        if (!timeline_) return fail(cmd + " needs the boot timeline (not --no-timeline)");
        timeline_->update();
        if (cmd == "fault-chain") {
            const std::string chain = timeline_->fault_chain();
            if (chain.empty()) return fail("the machine did not stop on a triple fault or a panic");
            res.output = chain.back() == '\n' ? chain : chain + "\n";
        } else if (arg.empty()) {
            return fail(cmd + " needs a name");
        } else if (cmd == "bookmark") {
            if (!timeline_->bookmarks().add(d.sys().instructions(), arg)) return fail("not a bookmark name: '" + arg + "'");
            std::string err;
            if (!timeline_->bookmarks().save(err)) return fail(err);
            res.output = fmt::format("bookmark '{}' at instruction {}\n", arg, d.sys().instructions());
        } else {
            const std::vector<Bookmark>& list = timeline_->bookmarks().list();
            const auto b = std::find_if(list.begin(), list.end(), [&](const Bookmark& m) { return m.name == arg; });
            if (b == list.end()) return fail("no bookmark '" + arg + "'");
            std::string why;
            if (!timeline_->go_to(b->icount, why)) return fail(why);
            res.output = stopped(d);
        }
    } else if (cmd == "screenshot") {
        if (!ui_) return fail("screenshot needs the window (not --no-window)");
        std::string err;
        if (!ui_->screenshot(arg, err)) return fail(err);
        res.output = "wrote " + arg + "\n";
    } else {
        return fail("unknown command '" + cmd + "' (try help)");
    }
    return res;
}

// A file save-breakpoints wrote (or a person): breakpoint commands only.
CommandResult CommandRunner::load_breakpoints(const std::string& path) {
    CommandResult res;
    std::ifstream in(path);
    if (path.empty() || !in) {
        res.status = CommandResult::Status::Failed;
        res.error = "load-breakpoints: cannot read '" + path + "'";
        return res;
    }
    static const char* const kAllowed[] = {"break", "b", "watch", "ignore", "condition", "enable", "disable", "delete"};
    std::string line;
    unsigned lineno = 0, made = 0;
    while (std::getline(in, line)) {
        ++lineno;
        const std::vector<std::string> w = words(line.substr(0, line.find('#')));
        if (w.empty()) continue;
        if (std::find(std::begin(kAllowed), std::end(kAllowed), w[0]) == std::end(kAllowed)) {
            res.status = CommandResult::Status::Failed;
            res.error = fmt::format("{}:{}: '{}' is not a breakpoint command", path, lineno, w[0]);
            return res;
        }
        const CommandResult r = execute(line);
        if (r.status == CommandResult::Status::Failed) {
            res.status = CommandResult::Status::Failed;
            res.error = fmt::format("{}:{}: {}", path, lineno, r.error);
            return res;
        }
        made += w[0] == "break" || w[0] == "b" || w[0] == "watch";
    }
    res.output = fmt::format("loaded {} breakpoints from {}\n", made, path);
    return res;
}

}  // namespace bs::frontend::debug
