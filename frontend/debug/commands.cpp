// The debugger's command language (commands.h).
#include "commands.h"

#include <fmt/format.h>

#include <cctype>
#include <cinttypes>
#include <fstream>
#include <sstream>

#include "cpu/flags.h"
#include "frontend/debug/debugger.h"
#include "frontend/debug/ui.h"

namespace bs::frontend::debug {

namespace {

std::string where(Debugger& d) {
    cpu::Cpu& c = d.sys().cpu;
    const std::string n = d.symbol_name(c.current_pc());
    return fmt::format("rip {:#x} ({}) {} cpl {} after {} instructions", c.current_pc(), n.empty() ? "?" : n,
                       cpu::to_string(c.mode()), c.s.cpl, d.sys().instructions());
}

bool parse_count(const std::string& s, uint64_t& n) {
    try {
        size_t used = 0;
        n = std::stoull(s, &used, 0);
        return used == s.size();
    } catch (const std::exception&) {
        return false;
    }
}

constexpr const char* kHelp =
    "break SPEC | delete SPEC   breakpoint at a symbol, SYMBOL+OFF or a 0x address\n"
    "continue [MAX_INSNS]       run to a breakpoint or a stop\n"
    "step [N]                   N instructions\n"
    "step-interrupts on|off     whether a step runs through interrupt handlers\n"
    "where | regs               RIP and its symbol / the registers\n"
    "expect-symbol NAME         fail unless RIP is at NAME\n"
    "expect-mode MODE           fail unless the CPU mode is MODE\n"
    "type TEXT                  send TEXT and a newline to COM1\n"
    "expect-serial TEXT         fail unless COM1 printed TEXT\n"
    "save-serial FILE           write COM1's output to FILE\n"
    "screenshot FILE            the window as .png (else .bmp)\n"
    "quit\n";

}  // namespace

CommandResult CommandRunner::execute(const std::string& input) {
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
    Debugger& d = dbg_;

    if (cmd == "quit" || cmd == "q") {
        res.status = CommandResult::Status::Quit;
    } else if (cmd == "help") {
        res.output = kHelp;
    } else if (cmd == "break" || cmd == "b" || cmd == "delete") {
        uint64_t a;
        if (!d.resolve(arg, a)) return fail("no symbol or address '" + arg + "'");
        if (cmd == "delete") d.remove_breakpoint(a);
        else d.add_breakpoint(a);
    } else if (cmd == "continue" || cmd == "c") {
        uint64_t max = 5'000'000'000ull;
        if (!arg.empty() && !parse_count(arg, max)) return fail("not a count: '" + arg + "'");
        d.run_until_stop(max);
        res.output = d.status() + "; " + where(d) + "\n";
    } else if (cmd == "step" || cmd == "s") {
        uint64_t n = 1;
        if (!arg.empty() && !parse_count(arg, n)) return fail("not a count: '" + arg + "'");
        for (uint64_t k = 0; k < n; ++k) {
            if (!d.step()) break;
        }
        res.output = where(d) + "\n";
    } else if (cmd == "step-interrupts") {
        if (arg != "on" && arg != "off") return fail("step-interrupts takes on or off");
        d.step_over_interrupts = arg == "on";
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
    } else if (cmd == "where") {
        res.output = where(d) + "\n";
    } else if (cmd == "regs") {
        cpu::CpuState& s = d.sys().cpu.s;
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

}  // namespace bs::frontend::debug
