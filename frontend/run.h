// `bootscope run`: boot a firmware + kernel + initrd on the PC machine with
// the guest's COM1 on the terminal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "emu/system.h"

namespace bs::frontend {

struct RunOptions {
    std::string firmware;  // empty: the bundled guest/firmware.bin
    std::string kernel;    // empty: the bundled guest/bzImage
    std::string initrd;    // empty: the bundled guest/initramfs.cpio (only with the bundled kernel)
    std::string append;
    std::string memory = "128M";
    std::string rtc = "fixed:2024-01-01";
    std::string serial = "stdio";  // stdio | file:PATH | none
    uint64_t max_instructions = 0;  // 0: none
    std::string max_time;           // virtual: "10s", "500ms", "2000000ns", ... empty: none
    std::string record_io;          // a file for the port/MMIO log
    bool no_reboot = false;
    bool show_vga = false;
    std::string trace_out;  // `trace record -o FILE`: record the boot trace there
    bool no_flight_recorder = false;          // the in-memory ring of the last events
    std::string crash_trace = "bootscope-crash.trace";  // where the ring goes on a triple fault or a panic
};

// A bundled image ("firmware.bin", "bzImage", "initramfs.cpio") from
// $BOOTSCOPE_GUEST_DIR, beside the binary or in the install prefix; an empty
// path after logging where it looked.
std::filesystem::path find_bundled(const char* name);

// The machine `run`, `trace record` and `debug` boot: the images named by
// the options or the bundled guest, loaded, the CPU at its start state.
struct LoadedMachine {
    std::unique_ptr<emu::System> sys;
    emu::BootState boot{};
    std::string fw_path, kernel_path, initrd_path;
    std::vector<uint8_t> kernel_image;  // as read (the trace header hashes it)
};
// --memory and --rtc into a machine configuration: 0, or kExitUsage after
// saying what is wrong.
int machine_config(const RunOptions& opt, emu::MachineConfig& cfg);
// Finds, reads and loads the images into a new System started at the
// loader's entry state: 0, or kExitBadImage after saying what is wrong.
int load_machine(const RunOptions& opt, emu::MachineConfig cfg, LoadedMachine& out);

// Runs the machine; returns the process exit status (exit_status.h).
int run_command(const RunOptions& opt);

// `bootscope trace dump FILE`: the raw events, one per line.
int trace_dump_command(const std::string& path);

// "10s", "250ms", "3us", "100ns" (or a bare number of seconds) in
// nanoseconds; throws std::invalid_argument.
uint64_t parse_duration_ns(const std::string& text);

}  // namespace bs::frontend
