// bootscope: the command line (CLI11) and logging (spdlog).
//
// `bootscope run` boots the bundled guest. Until the guest kernel and the PC
// machine are wired together (issue 6) it runs the CPU demo program, a small
// 64-bit program that prints through the debugcon port and powers off.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "exit_status.h"

extern const unsigned char bootscope_demo[];
extern const std::size_t bootscope_demo_size;

namespace {

using namespace bs;
using namespace bs::frontend;

// The demo's machine: flat RAM, debugcon on 0xE9, power-off on 0x604.
class DemoBus final : public cpu::Bus {
public:
    explicit DemoBus(size_t bytes) : ram(bytes) {}
    cpu::PhysPage page(uint64_t pa) override {
        if (pa + 0x1000 <= ram.size()) return {ram.data() + pa, true};
        return {};
    }
    uint64_t mmio_read(uint64_t pa, unsigned size) override {
        spdlog::debug("unclaimed MMIO read of {} bytes at {:#x}", size, pa);
        return ~0ull;
    }
    void mmio_write(uint64_t pa, unsigned size, uint64_t value) override {
        spdlog::debug("unclaimed MMIO write of {} bytes at {:#x} ({:#x})", size, pa, value);
    }
    uint32_t io_in(uint16_t port, unsigned size) override {
        spdlog::debug("unclaimed port read {:#x} ({} bytes)", port, size);
        return ~0u;
    }
    void io_out(uint16_t port, unsigned size, uint32_t value) override {
        if (port == 0xe9 && size == 1) {
            std::fputc(static_cast<int>(value & 0xff), stdout);
        } else if (port == 0x604 && size == 2 && (value & 0x2000)) {
            powered_off = true;
        } else {
            spdlog::debug("unclaimed port write {:#x} <- {:#x} ({} bytes)", port, value, size);
        }
    }
    uint64_t tsc() override { return 0; }

    std::vector<uint8_t> ram;
    bool powered_off = false;
};

int run_demo(uint64_t max_instructions) {
    constexpr uint64_t kLoad = 0x10000;
    DemoBus bus(1u << 20);
    std::memcpy(bus.ram.data() + kLoad, bootscope_demo, bootscope_demo_size);
    cpu::Cpu cpu(bus);
    cpu.set_flat64_user_mode();
    cpu.s.cpl = 0;
    cpu.s.rip = kLoad;
    cpu.s.gpr[cpu::RSP] = 0x80000;
    uint64_t left = max_instructions;
    while (!bus.powered_off && left) {
        // Run in slices so a power-off request ends the run promptly.
        const uint64_t slice = std::min<uint64_t>(left, 1000);
        const cpu::RunResult r = cpu.run(slice);
        left -= std::min<uint64_t>(left, slice);
        if (r.exit == cpu::Exit::Exception && !bus.powered_off) {
            std::fflush(stdout);
            spdlog::error("CPU exception {} (error code {:#x}) at RIP {:#x}", r.fault.vector, r.fault.error,
                          cpu.s.rip);
            return kExitUnhandledFault;
        }
    }
    std::fflush(stdout);
    spdlog::info("{} instructions retired", cpu.instructions_retired());
    if (!bus.powered_off) {
        spdlog::error("instruction limit reached ({})", max_instructions);
        return kExitLimit;
    }
    return kExitPowerOff;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Bootscope: a full-system x86-64 PC emulator for watching a kernel boot", "bootscope"};
    app.set_version_flag("--version", "bootscope " BOOTSCOPE_VERSION);
    app.require_subcommand(0, 1);

    std::string log_level = "warn";
    app.add_option("--log-level", log_level, "Log verbosity: trace, debug, info, warn, error, critical, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();

    auto* run = app.add_subcommand("run", "Boot the bundled guest with its serial console on the terminal");
    uint64_t max_instructions = 100'000'000;
    run->add_option("--max-instructions", max_instructions, "Stop after this many guest instructions")
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

    if (*run) return run_demo(max_instructions);
    std::fprintf(stderr, "A subcommand is required\nRun with --help for more information.\n");
    return kExitUsage;
}
