// `bootscope debug` (see debug_command.h) and its script commands.
//
// Script lines (one command a line, '#' starts a comment):
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
//   quit
#include "debug_command.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cinttypes>
#include <fstream>
#include <sstream>

#include "cpu/flags.h"
#include "frontend/debug/debugger.h"
#include "frontend/debug/ui.h"
#include "frontend/exit_status.h"

namespace bs::frontend {

using debug::Debugger;
using debug::Ui;

namespace {

std::string where(Debugger& d) {
    cpu::Cpu& c = d.sys().cpu;
    const std::string n = d.symbol_name(c.current_pc());
    return fmt::format("rip {:#x} ({}) {} cpl {} after {} instructions", c.current_pc(), n.empty() ? "?" : n,
                       cpu::to_string(c.mode()), c.s.cpl, d.sys().instructions());
}

int run_script(Debugger& d, Ui* ui, const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        spdlog::error("--script: cannot read '{}'", path);
        return kExitUsage;
    }
    std::string line;
    unsigned lineno = 0;
    auto fail = [&](const std::string& why) {
        spdlog::error("{}:{}: {}", path, lineno, why);
        return kExitDebugScript;
    };
    while (std::getline(in, line)) {
        ++lineno;
        if (const size_t h = line.find('#'); h != std::string::npos) line.resize(h);
        std::istringstream ls(line);
        std::string cmd, arg;
        ls >> cmd;
        if (cmd.empty()) continue;
        std::getline(ls >> std::ws, arg);
        while (!arg.empty() && std::isspace(static_cast<unsigned char>(arg.back()))) arg.pop_back();
        std::printf("> %s%s%s\n", cmd.c_str(), arg.empty() ? "" : " ", arg.c_str());
        if (cmd == "quit") break;
        if (cmd == "break" || cmd == "delete") {
            uint64_t a;
            if (!d.resolve(arg, a)) return fail("no symbol or address '" + arg + "'");
            if (cmd == "break") d.add_breakpoint(a);
            else d.remove_breakpoint(a);
        } else if (cmd == "continue" || cmd == "c") {
            uint64_t max = 5'000'000'000ull;
            if (!arg.empty()) max = std::stoull(arg, nullptr, 0);
            d.run_until_stop(max);
            std::printf("%s; %s\n", d.status().c_str(), where(d).c_str());
        } else if (cmd == "step" || cmd == "s") {
            const uint64_t n = arg.empty() ? 1 : std::stoull(arg, nullptr, 0);
            for (uint64_t k = 0; k < n; ++k) {
                if (!d.step()) break;
            }
            std::printf("%s\n", where(d).c_str());
        } else if (cmd == "step-interrupts") {
            d.step_over_interrupts = arg != "off";
        } else if (cmd == "expect-symbol") {
            uint64_t a;
            if (!d.resolve(arg, a)) return fail("no symbol '" + arg + "'");
            if (d.sys().cpu.current_pc() != a)
                return fail(fmt::format("expected RIP at {} ({:#x}), it is at {}", arg, a, where(d)));
            std::printf("ok: at %s\n", arg.c_str());
        } else if (cmd == "expect-mode") {
            const char* m = cpu::to_string(d.sys().cpu.mode());
            if (arg != m) return fail(fmt::format("expected mode {}, it is {}", arg, m));
            std::printf("ok: mode %s\n", m);
        } else if (cmd == "where") {
            std::printf("%s\n", where(d).c_str());
        } else if (cmd == "regs") {
            cpu::CpuState& s = d.sys().cpu.s;
            for (unsigned i = 0; i < 16; ++i) std::printf("r%-2u %016" PRIx64 "%s", i, s.gpr[i], i % 4 == 3 ? "\n" : "  ");
            std::printf("rip %016" PRIx64 "  rflags %08" PRIx64 "  cr0 %08" PRIx64 "  cr3 %016" PRIx64 "  cr4 %08" PRIx64
                        "  efer %" PRIx64 "\n",
                        s.rip, cpu::get_rflags(s), s.cr0, s.cr3, s.cr4, s.efer);
        } else if (cmd == "expect-serial") {
            if (d.serial_output().find(arg) == std::string::npos) return fail("COM1 never printed '" + arg + "'");
            std::printf("ok: COM1 printed '%s'\n", arg.c_str());
        } else if (cmd == "save-serial") {
            std::ofstream out(arg, std::ios::binary);
            out << d.serial_output();
            if (!out.flush()) return fail("cannot write '" + arg + "'");
        } else if (cmd == "type") {
            d.type_serial(arg + "\n");
        } else if (cmd == "screenshot") {
            if (!ui) return fail("screenshot needs the window (not --no-window)");
            std::string err;
            if (!ui->screenshot(arg, err)) return fail(err);
            std::printf("wrote %s\n", arg.c_str());
        } else {
            return fail("unknown command '" + cmd + "'");
        }
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

int debug_command(const RunOptions& ro, const DebugOptions& opt) {
    int status = 0;
    std::unique_ptr<Debugger> d = Debugger::create(ro, status);
    if (!d) return status;
    std::unique_ptr<Ui> ui;
    if (!opt.no_window) {
        ui = std::make_unique<Ui>(*d);
        std::string err;
        if (!ui->open(!opt.script.empty(), err)) {
            spdlog::error("{} (set SDL_VIDEODRIVER=offscreen for no display, or use --script with --no-window)", err);
            return kExitNoDisplay;
        }
        if (!ui->has_font())
            spdlog::warn("no PSF console font found (install console-setup-linux); the VGA pane shows plain text");
    }
    if (!opt.script.empty()) return run_script(*d, ui.get(), opt.script);
    while (ui->frame()) {
    }
    return kExitQuit;
}

}  // namespace bs::frontend
