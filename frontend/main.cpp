// bootscope: the command line (CLI11) and logging (spdlog).
//
//   bootscope run [options]   boot firmware + kernel + initrd, COM1 on the terminal
//   bootscope debug [options] the same machine in the SDL debugger window
//
// Exit statuses are in exit_status.h and the README.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "debug/debug_command.h"
#include "exit_status.h"
#include "run.h"
#include "trace_cmds.h"
#include "trace_diff.h"
#include "trace_export.h"

using namespace bs::frontend;

namespace {

// The options of `run`, shared with `trace record`.
void add_run_options(CLI::App* cmd, RunOptions& ro) {
    cmd->add_option("--kernel", ro.kernel, "Kernel image: a bzImage, a Multiboot or an ELF64 kernel (default: the bundled guest)");
    cmd->add_option("--initrd", ro.initrd, "Initial ramdisk (default with the bundled kernel: its initramfs)");
    cmd->add_option("--append", ro.append, "Kernel command line");
    cmd->add_option("--firmware", ro.firmware, "Firmware image mapped at the reset vector (default: the bundled one)");
    cmd->add_option("--memory,-m", ro.memory, "Guest RAM, as QEMU's -m reads it: 512 (MiB), 512M, 1G")
        ->capture_default_str();
    cmd->add_option("--rtc", ro.rtc, "Where the RTC's date comes from: fixed:YYYY-MM-DD[THH:MM:SS] or host")
        ->capture_default_str();
    cmd->add_option("--serial", ro.serial, "COM1: stdio, file:PATH or none")->capture_default_str();
    cmd->add_option("--max-instructions", ro.max_instructions, "Stop after this many guest instructions (0: no limit)");
    cmd->add_option("--max-time", ro.max_time, "Stop after this much virtual time: 10s, 250ms, 40us, 100ns");
    cmd->add_option("--record-io", ro.record_io, "Write every port and device MMIO access to this file (for bug reports)");
    cmd->add_flag("--no-reboot", ro.no_reboot, "Stop instead of resetting when the guest asks for a reset");
    cmd->add_flag("--show-vga", ro.show_vga, "Print the VGA text screen when the machine stops");
    cmd->add_flag("--no-flight-recorder", ro.no_flight_recorder,
                  "Do not keep the last 65536 trace events in memory (they are written out on a triple fault "
                  "or a guest panic)");
    cmd->add_option("--crash-trace", ro.crash_trace, "Where the flight recorder's events go on a crash")
        ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Bootscope: a full-system x86-64 PC emulator for watching a kernel boot", "bootscope"};
    app.set_version_flag("--version", "bootscope " BOOTSCOPE_VERSION);
    app.require_subcommand(0, 1);

    std::string log_level = "warn";
    app.add_option("--log-level", log_level,
                   "Log verbosity: trace, debug, info (adds a summary on exit), warn, error, critical, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();

    RunOptions ro;
    auto* run = app.add_subcommand(
        "run",
        "Boot from the reset vector: the firmware loads the kernel (Linux boot protocol or Multiboot) and its "
        "initrd; the guest's COM1 is the terminal. With no options, boots the bundled guest. "
        "On a terminal: Ctrl-A x quits, Ctrl-A c opens the monitor.");
    add_run_options(run, ro);

    DebugOptions dbo;
    auto* debug = app.add_subcommand(
        "debug",
        "The SDL debugger window, powered on and paused at the reset vector: disassembly, registers, memory, "
        "the VGA screen, the serial console, devices; step, continue, breakpoints on symbols or addresses");
    add_run_options(debug, ro);
    debug->add_option("--script", dbo.script,
                      "Run these debugger commands (break, continue, step, expect-symbol, screenshot, quit, ...) "
                      "with the window hidden, then quit");
    debug->add_flag("--no-window", dbo.no_window, "With --script: no SDL at all (no screenshots)");
    debug->add_option("--bookmarks", dbo.bookmarks,
                      "The timeline's bookmarks file, one 'INSTRUCTION_COUNT NAME' a line "
                      "(default: bootscope-bookmarks.txt beside the kernel)");
    debug->add_flag("--no-timeline", dbo.no_timeline, "Do not record the boot for the timeline and post-mortem panes");

    auto* trace = app.add_subcommand("trace", "Record and read boot traces");
    trace->require_subcommand(1);
    auto* record = trace->add_subcommand("record", "Boot as `run` does and record the boot trace");
    add_run_options(record, ro);
    record->add_option("-o,--output", ro.trace_out, "The trace file to write")->required();
    std::string dump_path;
    auto* dump = trace->add_subcommand("dump", "Print a trace file's header and raw events, one per line");
    dump->add_option("file", dump_path, "A trace file from `trace record`")->required();
    TraceReadOptions tro;
    auto add_symbol_options = [&tro](CLI::App* cmd) {
        cmd->add_option("--vmlinux", tro.vmlinux, "Kernel ELF with symbols (default: vmlinux beside the traced kernel)");
        cmd->add_option("--initrd", tro.initrd, "Initramfs holding the user programs (default: the traced one)");
    };
    auto* show = trace->add_subcommand("show", "The call tree of each task, symbolised, like ftrace's function_graph");
    show->add_option("file", dump_path, "A trace file from `trace record`")->required();
    add_symbol_options(show);
    show->add_option("--depth", tro.depth, "Levels of the tree to show (0: all)");
    show->add_option("--min-insns", tro.min_insns, "Hide calls that retired fewer instructions");
    show->add_option("--min-ns", tro.min_ns, "Hide calls that took less virtual time (nanoseconds)");
    show->add_option("--function", tro.function, "Only the subtrees rooted at this function");
    show->add_option("--task", tro.task, "Only tasks whose name contains this");
    show->add_option("--match", tro.match, "Only calls whose name matches this glob, e.g. '*_init' (others are see-through)");
    show->add_option("--section", tro.section, "Only calls into this kernel section, e.g. .init.text");
    auto* phases = trace->add_subcommand("phases", "The boot's phases with their start, instructions and duration");
    phases->add_option("file", dump_path, "A trace file from `trace record`")->required();
    add_symbol_options(phases);
    phases->add_option("--svg", tro.svg, "Also draw the boot chart (a bar per phase, bootgraph-style) into this SVG file");
    std::string export_format, export_out;
    auto* exp = trace->add_subcommand("export", "The trace as Chrome Trace Event JSON (Perfetto's UI) or JSON lines");
    exp->add_option("file", dump_path, "A trace file from `trace record`")->required();
    add_symbol_options(exp);
    exp->add_option("--format", export_format, "chrome: Chrome Trace Event JSON; jsonl: one raw event a line")
        ->required()
        ->check(CLI::IsMember({"chrome", "jsonl"}));
    exp->add_option("-o,--output", export_out, "The file to write (default: standard output)");
    std::string diff_b;
    TraceDiffOptions tdo;
    auto* diff = trace->add_subcommand(
        "diff", "What changed between two boots: first divergence, calls added/removed/reordered, phase deltas");
    diff->add_option("a", dump_path, "The reference trace")->required();
    diff->add_option("b", diff_b, "The trace to compare with it")->required();
    diff->add_option("--threshold-pct", tdo.threshold_pct, "A phase's change counts above this percentage...")
        ->capture_default_str();
    diff->add_option("--threshold-insns", tdo.threshold_insns, "...and above this many instructions...")
        ->capture_default_str();
    diff->add_option("--threshold-ns", tdo.threshold_ns, "...or (its duration) above this many nanoseconds")
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    }
    spdlog::set_default_logger(spdlog::stderr_color_mt("bootscope"));
    spdlog::set_pattern("bootscope: %l: %v");
    spdlog::set_level(spdlog::level::from_str(log_level));

    if (*run) return run_command(ro);
    if (*record) return run_command(ro);
    if (*debug) return debug_command(ro, dbo);
    if (*dump) return trace_dump_command(dump_path);
    if (*show) return trace_show_command(dump_path, tro);
    if (*phases) return trace_phases_command(dump_path, tro);
    if (*exp) return trace_export_command(dump_path, tro, export_format, export_out);
    if (*diff) return trace_diff_command(dump_path, diff_b, tdo);
    std::fprintf(stderr, "A subcommand is required\nRun with --help for more information.\n");
    return kExitUsage;
}
