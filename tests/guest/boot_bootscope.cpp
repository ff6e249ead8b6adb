// boot_bootscope FIRMWARE [KERNEL [INITRD [APPEND]]] - boot guest/firmware
// on Bootscope's own machine and CPU (emu::System), COM1 to stdout.
//
// The machine maps FIRMWARE at the reset vector; a KERNEL goes through the
// loader into fw_cfg, exactly as `qemu-system-x86_64 -bios FIRMWARE -kernel
// KERNEL` hands it over, and the firmware does the rest.  A test runner for
// boot_bootscope.sh, not a user tool (that is `bootscope run`).
//
// Exit status: 0 power-off, 10 halted for good, 11 instruction limit,
// 12 triple fault, 13 any other stop, 20 the image did not load.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "emu/system.h"

using namespace bs::emu;

namespace {
std::vector<uint8_t> read_file(const char* path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "boot_bootscope: cannot open %s\n", path);
        std::exit(20);
    }
    return {std::istreambuf_iterator<char>(f), {}};
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: boot_bootscope FIRMWARE [KERNEL [INITRD [APPEND]]]\n");
        return 2;
    }
    MachineConfig cfg;
    cfg.ram_size = 128 * MiB;
    cfg.firmware = read_file(argv[1]);
    System sys(cfg);
    sys.machine.com1.tx_sink = [](uint8_t b) { std::putchar(b); };

    BootState boot{};
    boot.mode = BootState::Mode::ResetVector;
    if (argc > 2) {
        KernelSpec spec;
        spec.image = read_file(argv[2]);
        spec.path = argv[2];
        if (argc > 3) spec.initrd = argv[3];
        if (argc > 4) spec.append = argv[4];
        try {
            boot = load_kernel(sys.machine, spec);
        } catch (const LoadError& e) {
            std::fprintf(stderr, "boot_bootscope: %s\n", e.what());
            return 20;
        }
    }
    sys.start(boot);
    Limits limits;
    limits.max_instructions = 4'000'000'000;  // the full guest boot takes about 0.5e9
    StopReason r = sys.run(limits);
    std::printf("\nboot_bootscope: stop: %s after %llu instructions\n", to_string(r),
                static_cast<unsigned long long>(sys.instructions()));
    switch (r) {
    case StopReason::PowerOff: return 0;
    case StopReason::Halted: return 10;
    case StopReason::InstructionLimit: return 11;
    case StopReason::Shutdown: return 12;
    default: return 13;
    }
}
