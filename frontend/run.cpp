// `bootscope run` (see run.h).
//
// The loop hands the machine chunks of instructions; between chunks it
// moves what the user typed into COM1, handles Ctrl-A escapes and the
// monitor, and checks the limits. Guest-visible state depends only on the
// inputs: host time enters only through --rtc=host and through when typed
// characters arrive.
#include "run.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "console.h"
#include "cpu/flags.h"
#include "emu/system.h"
#include "emu/trace/reader.h"
#include "emu/trace/recorder.h"
#include "emu/trace/symbols.h"
#include "exit_status.h"

namespace bs::frontend {

namespace fs = std::filesystem;
using emu::StopReason;

namespace {

// Events the flight recorder keeps (56 bytes each).
constexpr size_t kFlightRecords = 1 << 16;

}  // namespace

// Where the bundled guest lives: $BOOTSCOPE_GUEST_DIR, then next to the
// binary in the build tree (build/frontend/bootscope -> build/guest), then
// the install prefix (bin/bootscope -> share/bootscope).
std::vector<fs::path> guest_dirs() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("BOOTSCOPE_GUEST_DIR")) dirs.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        dirs.push_back(exe.parent_path().parent_path() / "guest");
        dirs.push_back(exe.parent_path().parent_path() / "share" / "bootscope");
    }
    return dirs;
}

// A bundled image by name, or an empty path after saying where it looked.
fs::path find_bundled(const char* name) {
    std::string looked;
    for (const fs::path& d : guest_dirs()) {
        const fs::path p = d / name;
        if (fs::exists(p)) return p;
        looked += "\n  " + p.string();
    }
    spdlog::error("the bundled {} was not found; looked in:{}\n(build it with `make`, or name a file with an option)",
                  name, looked);
    return {};
}

namespace {

bool read_file(const std::string& path, std::vector<uint8_t>& out, const char* what) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        spdlog::error("cannot read the {} '{}'", what, path);
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(f), {});
    return true;
}

const char* kind_name(cpu::EventKind k) {
    switch (k) {
    case cpu::EventKind::Exception: return "exception";
    case cpu::EventKind::External: return "interrupt";
    case cpu::EventKind::Nmi: return "NMI";
    case cpu::EventKind::SoftwareInt: return "INT n";
    case cpu::EventKind::SoftwareExc: return "INT3/INTO";
    case cpu::EventKind::PrivSoftware: return "INT1";
    }
    return "?";
}

std::string cpu_state(cpu::Cpu& c) {
    cpu::CpuState& s = c.s;
    static const char* kNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                     "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    std::string out;
    char line[160];
    for (unsigned i = 0; i < 16; i += 4) {
        std::snprintf(line, sizeof line, "  %-3s %016" PRIx64 "  %-3s %016" PRIx64 "  %-3s %016" PRIx64
                                         "  %-3s %016" PRIx64 "\n",
                      kNames[i], s.gpr[i], kNames[i + 1], s.gpr[i + 1], kNames[i + 2], s.gpr[i + 2], kNames[i + 3],
                      s.gpr[i + 3]);
        out += line;
    }
    std::snprintf(line, sizeof line, "  rip %016" PRIx64 "  rflags %08" PRIx64 "  cpl %u\n", s.rip,
                  cpu::get_rflags(s), s.cpl);
    out += line;
    static const char* kSeg[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (unsigned i = 0; i < 6; ++i) {
        std::snprintf(line, sizeof line, "  %s %04x base %016" PRIx64 " limit %08x attr %04x\n", kSeg[i],
                      s.seg[i].selector, s.seg[i].base, s.seg[i].limit, s.seg[i].attr);
        out += line;
    }
    std::snprintf(line, sizeof line,
                  "  cr0 %08" PRIx64 " cr2 %016" PRIx64 " cr3 %016" PRIx64 " cr4 %08" PRIx64 " efer %" PRIx64 "\n",
                  s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
    out += line;
    std::snprintf(line, sizeof line, "  gdt %016" PRIx64 "/%04x idt %016" PRIx64 "/%04x tr %04x\n", s.gdtr.base,
                  s.gdtr.limit, s.idtr.base, s.idtr.limit, s.tr.selector);
    out += line;
    return out;
}

std::string recent_events(const cpu::Cpu& c) {
    std::string out;
    char line[160];
    for (const cpu::EventRecord& e : c.recent_events()) {
        std::snprintf(line, sizeof line, "  #%-12" PRIu64 " vector %3u %-10s at %04x:%016" PRIx64 "%s", e.icount,
                      e.vector, kind_name(e.kind), e.cs, e.rip, e.has_error ? " error " : "\n");
        out += line;
        if (e.has_error) {
            std::snprintf(line, sizeof line, "%#x\n", e.error);
            out += line;
        }
    }
    return out.empty() ? "  (none)\n" : out;
}

// The monitor prompt (Ctrl-A c): look at the paused machine.
// Returns false when the user wants to quit.
bool monitor(Console& con, emu::System& sys) {
    std::fputs("\nbootscope monitor: help for commands, cont to resume\n", stderr);
    std::string line;
    while (con.read_line("(bootscope) ", line)) {
        std::istringstream in(line);
        std::string cmd, arg;
        in >> cmd >> arg;
        if (cmd.empty()) continue;
        if (cmd == "c" || cmd == "cont") return true;
        if (cmd == "q" || cmd == "quit") return false;
        if (cmd == "help" || cmd == "h") {
            std::fputs("  info registers   CPU registers\n  info events      the last interrupts and exceptions\n"
                       "  info devices     device state\n  screen           the VGA text screen\n"
                       "  x ADDR [N]       N bytes of guest-physical memory (hex)\n  cont | quit\n",
                       stderr);
        } else if (cmd == "info" && (arg == "registers" || arg == "r")) {
            std::fputs(cpu_state(sys.cpu).c_str(), stderr);
        } else if (cmd == "info" && arg == "events") {
            std::fputs(recent_events(sys.cpu).c_str(), stderr);
        } else if (cmd == "info" && arg == "devices") {
            std::fputs(sys.machine.dump().c_str(), stderr);
        } else if (cmd == "screen") {
            std::fputs(sys.machine.vga.text_dump().c_str(), stderr);
        } else if (cmd == "x") {
            uint64_t addr = 0, n = 64;
            try {
                addr = std::stoull(arg, nullptr, 0);
                std::string count;
                if (in >> count) n = std::min<uint64_t>(std::stoull(count, nullptr, 0), 4096);
            } catch (const std::exception&) {
                std::fputs("x: ADDR and N are numbers (0x... for hex)\n", stderr);
                continue;
            }
            std::vector<uint8_t> buf(n);
            if (!sys.machine.read_phys(addr, buf.data(), n)) {
                std::fputs("x: not guest RAM\n", stderr);
                continue;
            }
            for (uint64_t k = 0; k < n; ++k) {
                if (k % 16 == 0) std::fprintf(stderr, "%s%016" PRIx64 ":", k ? "\n" : "", addr + k);
                std::fprintf(stderr, " %02x", buf[k]);
            }
            std::fputc('\n', stderr);
        } else {
            std::fprintf(stderr, "unknown command '%s' (help lists them)\n", line.c_str());
        }
    }
    return true;  // EOF on the prompt: resume
}

}  // namespace

uint64_t parse_duration_ns(const std::string& text) {
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        throw std::invalid_argument("not a duration: '" + text + "' (use e.g. 10s, 250ms, 40us, 100ns)");
    }
    const std::string unit = text.substr(used);
    double scale;
    if (unit.empty() || unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us") scale = 1e3;
    else if (unit == "ns") scale = 1;
    else throw std::invalid_argument("unknown time unit '" + unit + "' in '" + text + "' (s, ms, us, ns)");
    if (!(v > 0) || v * scale > 1.8e19) throw std::invalid_argument("duration out of range: '" + text + "'");
    return static_cast<uint64_t>(v * scale);
}

int machine_config(const RunOptions& opt, emu::MachineConfig& cfg) {
    try {
        cfg.ram_size = emu::parse_memory_size(opt.memory);
        cfg.rtc = emu::parse_rtc_option(opt.rtc);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitUsage;
    }
    return 0;
}

int load_machine(const RunOptions& opt, emu::MachineConfig cfg, LoadedMachine& out) {
    // Images: named ones, or the bundled guest.
    out.fw_path = opt.firmware;
    out.kernel_path = opt.kernel;
    out.initrd_path = opt.initrd;
    if (out.fw_path.empty()) {
        out.fw_path = find_bundled("firmware.bin").string();
        if (out.fw_path.empty()) return kExitBadImage;
    }
    if (opt.kernel.empty()) {
        out.kernel_path = find_bundled("bzImage").string();
        if (out.kernel_path.empty()) return kExitBadImage;
        if (out.initrd_path.empty()) {
            out.initrd_path = find_bundled("initramfs.cpio").string();
            if (out.initrd_path.empty()) return kExitBadImage;
        }
    }
    if (!read_file(out.fw_path, cfg.firmware, "firmware")) return kExitBadImage;
    if (cfg.firmware.empty() || cfg.firmware.size() % 65536 != 0 || cfg.firmware.size() > 16 * emu::MiB) {
        spdlog::error("firmware '{}' is {} bytes: it must be a non-empty multiple of 64 KiB, at most 16 MiB",
                      out.fw_path, cfg.firmware.size());
        return kExitBadImage;
    }
    emu::KernelSpec spec;
    spec.path = out.kernel_path;
    spec.append = opt.append;
    spec.initrd = out.initrd_path;
    if (!read_file(out.kernel_path, spec.image, "kernel")) return kExitBadImage;
    try {
        out.sys = std::make_unique<emu::System>(cfg);
        out.boot = emu::load_kernel(out.sys->machine, spec);
    } catch (const emu::LoadError& e) {
        spdlog::error("cannot load '{}': {} ({})", out.kernel_path, e.what(), emu::to_string(e.kind()));
        return kExitBadImage;
    } catch (const std::exception& e) {
        spdlog::error("cannot set up the machine: {}", e.what());
        return kExitBadImage;
    }
    spdlog::info("{} kernel '{}', firmware '{}', {} MiB RAM", emu::to_string(out.boot.kind), out.kernel_path,
                 out.fw_path, cfg.ram_size / emu::MiB);
    out.sys->start(out.boot);
    out.kernel_image = std::move(spec.image);
    return 0;
}

int run_command(const RunOptions& opt) {
    emu::MachineConfig cfg;
    if (const int status = machine_config(opt, cfg)) return status;
    uint64_t max_time_ns = 0;
    if (!opt.max_time.empty()) {
        try {
            max_time_ns = parse_duration_ns(opt.max_time);
        } catch (const std::exception& e) {
            spdlog::error("--max-time: {}", e.what());
            return kExitUsage;
        }
    }
    // Serial backend.
    FILE* serial_out = nullptr;
    bool serial_stdio = false;
    if (opt.serial == "stdio") {
        serial_out = stdout;
        serial_stdio = true;
    } else if (opt.serial.rfind("file:", 0) == 0 && opt.serial.size() > 5) {
        serial_out = std::fopen(opt.serial.c_str() + 5, "wb");
        if (!serial_out) {
            spdlog::error("--serial: cannot write '{}'", opt.serial.substr(5));
            return kExitUsage;
        }
    } else if (opt.serial != "none") {
        spdlog::error("--serial: '{}' is not stdio, file:PATH or none", opt.serial);
        return kExitUsage;
    }

    LoadedMachine lm;
    if (const int status = load_machine(opt, cfg, lm)) return status;
    std::unique_ptr<emu::System>& sys = lm.sys;
    const emu::BootState& boot = lm.boot;
    const std::string &fw_path = lm.fw_path, &kernel_path = lm.kernel_path, &initrd_path = lm.initrd_path;

    emu::Machine& m = sys->machine;
    m.com1.tx_sink = [serial_out, serial_stdio](uint8_t b) {
        if (!serial_out) return;
        std::fputc(b, serial_out);
        if (serial_stdio && b == '\n') std::fflush(serial_out);
    };
    std::FILE* io_log = nullptr;
    if (!opt.record_io.empty()) {
        io_log = std::fopen(opt.record_io.c_str(), "w");
        if (!io_log) {
            spdlog::error("--record-io: cannot write '{}'", opt.record_io);
            return kExitUsage;
        }
        m.on_io = [io_log, &m](emu::Machine::IoKind k, uint64_t addr, unsigned size, uint64_t v) {
            static const char* kKinds[] = {"in", "out", "mmio-read", "mmio-write"};
            std::fprintf(io_log, "%" PRIu64 " %s %#" PRIx64 " %u %#" PRIx64 "\n", m.clock().now(),
                         kKinds[static_cast<int>(k)], addr, size, v);
        };
    }

    // The boot trace (`trace record -o FILE`), or else the flight recorder:
    // the last events kept in memory, written out on a triple fault or a panic.
    std::FILE* trace_file = nullptr;
    std::unique_ptr<emu::trace::Recorder> recorder;
    const bool flight = opt.trace_out.empty() && !opt.no_flight_recorder;
    if (!opt.trace_out.empty() || flight) {
        if (!opt.trace_out.empty()) {
            trace_file = std::fopen(opt.trace_out.c_str(), "wb");
            if (!trace_file) {
                spdlog::error("-o: cannot write '{}'", opt.trace_out);
                return kExitUsage;
            }
        }
        auto image = [](const std::string& path, const std::vector<uint8_t>& bytes) {
            return fmt::format("{} {} bytes fnv1a64:{:016x}", path, bytes.size(),
                               emu::trace::fnv1a64(bytes.data(), bytes.size()));
        };
        std::vector<uint8_t> initrd_bytes;
        if (!initrd_path.empty()) read_file(initrd_path, initrd_bytes, "initrd");
        std::string header;
        header += "bootscope: " BOOTSCOPE_VERSION "\n";
        header += "firmware: " + image(fw_path, sys->machine.config().firmware) + "\n";
        header += "kernel: " + image(kernel_path, lm.kernel_image) + "\n";
        if (!initrd_path.empty()) header += "initrd: " + image(initrd_path, initrd_bytes) + "\n";
        header += "append: " + opt.append + "\n";
        header += "memory: " + std::to_string(cfg.ram_size) + "\n";
        header += "rtc: " + opt.rtc + "\n";
        header += "ps-per-insn: " + std::to_string(cfg.ps_per_insn) + "\n";
        if (boot.kind == emu::ImageKind::Linux) header += fmt::format("setup-addr: {:#x}\n", boot.setup_addr);
        if (flight) {
            header += "flight-recorder: the last " + std::to_string(kFlightRecords) + " events\n";
            recorder = std::make_unique<emu::trace::Recorder>(*sys, kFlightRecords, header);
        } else {
            recorder = std::make_unique<emu::trace::Recorder>(*sys, trace_file, header);
            // With the kernel's symbols beside it, exec calls carry the program's path.
            const fs::path vmlinux = fs::path(kernel_path).parent_path() / "vmlinux";
            std::vector<uint8_t> elf;
            if (fs::exists(vmlinux) && read_file(vmlinux.string(), elf, "vmlinux")) {
                try {
                    const auto syms = emu::trace::SymbolTable::from_elf(elf, vmlinux.string());
                    if (const auto* fn = syms.find("do_execve")) recorder->set_exec_function(fn->addr);
                } catch (const emu::trace::SymbolError& e) {
                    spdlog::warn("{}", e.what());
                }
            }
        }
        recorder->attach();
    }

    Console con(serial_stdio);
    const auto wall_start = std::chrono::steady_clock::now();
    const uint64_t time_end = max_time_ns ? m.clock().now() + max_time_ns : 0;
    // A chunk is a few milliseconds of emulation: the latency of typed input.
    constexpr uint64_t kChunk = 2'000'000;
    StopReason r = StopReason::InstructionLimit;
    bool user_quit = false;
    for (;;) {
        // Input is taken before every chunk, the first one included, so bytes
        // already waiting on a pipe or file reach the guest at virtual time 0
        // even when its whole run fits in one chunk (a HLT-driven guest does).
        std::string typed;
        const Console::Event ev = con.poll(typed);
        if (!typed.empty()) m.com1.host_input(typed);
        if (ev == Console::Event::Quit) {
            user_quit = true;
            break;
        }
        if (ev == Console::Event::Monitor && !monitor(con, *sys)) {
            user_quit = true;
            break;
        }

        emu::Limits lim;
        lim.reboot = !opt.no_reboot;
        lim.max_instructions = kChunk;
        if (opt.max_instructions) {
            const uint64_t left = opt.max_instructions - std::min(opt.max_instructions, sys->instructions());
            if (left == 0) break;
            lim.max_instructions = std::min(kChunk, left);
        }
        if (time_end) {
            if (m.clock().now() >= time_end) {
                r = StopReason::TimeLimit;
                break;
            }
            lim.max_time_ns = time_end - m.clock().now();
        }
        r = sys->run(lim);
        if (serial_out) std::fflush(serial_out);
        if (r != StopReason::InstructionLimit && r != StopReason::TimeLimit) break;
        if (r == StopReason::TimeLimit && time_end && m.clock().now() >= time_end) break;
    }
    con.restore();
    if (recorder && trace_file) {
        const bool ok = recorder->finish(user_quit ? StopReason::InstructionLimit : r);
        spdlog::info("trace: {} records written to '{}'", recorder->records(), opt.trace_out);
        recorder.reset();
        if (std::fclose(trace_file) != 0 || !ok) {
            spdlog::error("-o: writing the trace to '{}' failed", opt.trace_out);
            return kExitUsage;
        }
    }
    // A triple fault or a halt for good: the flight recorder's last events.
    const bool crashed = !user_quit && (r == StopReason::Shutdown || r == StopReason::Halted);
    if (recorder && !trace_file && crashed) {
        std::FILE* f = std::fopen(opt.crash_trace.c_str(), "wb");
        if (f && recorder->dump(f, r) && std::fclose(f) == 0) {
            spdlog::error("the last {} events before the stop are in '{}' (bootscope trace show {})",
                          std::min<uint64_t>(recorder->records(), kFlightRecords), opt.crash_trace, opt.crash_trace);
        } else {
            if (f) std::fclose(f);
            spdlog::error("--crash-trace: cannot write '{}'", opt.crash_trace);
        }
    }
    if (recorder) recorder->finish(r);
    recorder.reset();
    if (serial_out) std::fflush(serial_out);
    if (serial_out && !serial_stdio) std::fclose(serial_out);
    if (io_log) std::fclose(io_log);

    // The summary (--log-level info).
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const uint64_t insns = sys->instructions();
    spdlog::info("stopped: {}", user_quit ? "quit by the user" : emu::to_string(r));
    spdlog::info("{} instructions retired, {:.6f} s virtual time, {:.3f} s wall time, {:.1f} MIPS", insns,
                 m.clock().now() / 1e9, wall, wall > 0 ? insns / wall / 1e6 : 0.0);
    if (spdlog::should_log(spdlog::level::info)) {
        std::string by_vector;
        for (unsigned v = 0; v < 256; ++v) {
            const uint64_t n = sys->cpu.events_delivered(static_cast<uint8_t>(v));
            if (n) by_vector += fmt::format(" {:#04x}:{}", v, n);
        }
        spdlog::info("interrupts and exceptions by vector:{}", by_vector.empty() ? " none" : by_vector);
    }
    if (opt.show_vga) std::fprintf(stderr, "---- VGA text screen ----\n%s-------------------------\n",
                                   m.vga.text_dump().c_str());

    if (user_quit) return kExitQuit;
    switch (r) {
    case StopReason::PowerOff: return kExitPowerOff;
    case StopReason::GuestExit: return m.exit_status();
    case StopReason::Reset:
        spdlog::error("the guest reset the machine (--no-reboot)");
        return kExitReset;
    case StopReason::Shutdown:
        spdlog::error("triple fault: the CPU shut down\nCPU state:\n{}last interrupts and exceptions:\n{}",
                      cpu_state(sys->cpu), recent_events(sys->cpu));
        return kExitShutdown;
    case StopReason::Halted:
        if (!(sys->cpu.s.rflags & cpu::fl::IF)) {
            spdlog::error("the guest halted with interrupts disabled (a kernel panic halts this way) at rip {:#x}",
                          sys->cpu.s.rip);
        } else {
            spdlog::error("the guest halted waiting for an interrupt that no device will raise, at rip {:#x}",
                          sys->cpu.s.rip);
        }
        return kExitGuestPanic;
    case StopReason::Break:  // only the debugger asks for breaks
    case StopReason::InstructionLimit:
        spdlog::error("instruction limit reached ({} instructions)", insns);
        return kExitLimit;
    case StopReason::TimeLimit:
        spdlog::error("virtual time limit reached ({})", opt.max_time);
        return kExitLimit;
    }
    return kExitLimit;
}

int trace_dump_command(const std::string& path) {
    emu::trace::Trace t;
    try {
        t = emu::trace::read_trace_file(path);
    } catch (const emu::trace::TraceError& e) {
        spdlog::error("{}: {}", path, e.what());
        return kExitBadTrace;
    }
    std::fputs(t.header.c_str(), stdout);
    std::fputs("---\n", stdout);
    for (const emu::trace::Event& e : t.events) {
        const emu::trace::Fields& f = e.f;
        std::printf("%12" PRIu64 " %12" PRIu64 "ns cpl%u %-9s", e.r.icount, e.r.time_ns, f.cpl,
                    emu::trace::to_string(f.kind));
        switch (f.kind) {
        case emu::trace::Kind::Console: std::printf(" %s", e.text.c_str()); break;
        case emu::trace::Kind::ModeChange:
            std::printf(" %s -> %s", cpu::to_string(cpu::CpuMode(f.aux >> 8)), cpu::to_string(cpu::CpuMode(f.aux & 0xff)));
            break;
        case emu::trace::Kind::PortSummary:
            std::printf(" port %#06x reads %" PRIu64 " writes %" PRIu64, f.aux, e.r.a, e.r.b);
            break;
        case emu::trace::Kind::Stop: std::printf(" %s", emu::to_string(StopReason(f.aux))); break;
        default:
            std::printf(" aux %#x a %#" PRIx64 " b %#" PRIx64 " c %#" PRIx64 " rsp %#" PRIx64 " cr3 %#" PRIx64, f.aux,
                        e.r.a, e.r.b, e.r.c, e.r.rsp, f.cr3);
            break;
        }
        std::putchar('\n');
    }
    return 0;
}

}  // namespace bs::frontend
