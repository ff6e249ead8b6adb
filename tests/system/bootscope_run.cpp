// bootscope_run: runs a bare-metal system-test ROM image on Bootscope.
//
// Usage: bootscope_run IMAGE [MAX_INSTRUCTIONS]
//
// The machine is the PC machine with 32 MiB of RAM and the image as its
// firmware (mapped at 0xF0000 and below 4 GiB), the CPU at its reset vector.
// Output, the same as kvm_run and qemu_run.sh: the bytes the guest wrote to
// port 0xE9, then one line: exit=<v> (the byte written to isa-debug-exit),
// shutdown (triple fault), halted, or timeout (the instruction limit).
// Other stops print their StopReason name.
//
// Exit status: 0 when the run ended, 1 when Bootscope failed, 2 on bad
// arguments.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "emu/system.h"

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: bootscope_run IMAGE [MAX_INSTRUCTIONS]\n");
        return 2;
    }
    const uint64_t max_insns = argc == 3 ? std::strtoull(argv[2], nullptr, 0) : 200'000'000ull;
    std::ifstream in(argv[1], std::ios::binary);
    std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in || image.size() != 64 * 1024) {
        std::fprintf(stderr, "bootscope_run: %s: not a 64 KiB ROM image\n", argv[1]);
        return 2;
    }

    int last = '\n';
    try {
        bs::emu::MachineConfig cfg;
        cfg.ram_size = 32ull << 20;
        cfg.firmware = std::move(image);
        bs::emu::System sys(cfg);
        sys.machine.platform.debugcon_sink = [&last](uint8_t b) {
            std::fputc(b, stdout);
            last = b;
        };
        sys.cpu.reset();
        const bs::emu::StopReason r = sys.run({.max_instructions = max_insns});
        std::string line;
        switch (r) {
        case bs::emu::StopReason::GuestExit:
            line = "exit=" + std::to_string(sys.machine.exit_status() >> 1);
            break;
        case bs::emu::StopReason::Shutdown: line = "shutdown"; break;
        case bs::emu::StopReason::Halted: line = "halted"; break;
        case bs::emu::StopReason::InstructionLimit:
        case bs::emu::StopReason::TimeLimit: line = "timeout"; break;
        default: line = bs::emu::to_string(r); break;
        }
        if (last != '\n') std::fputc('\n', stdout);
        std::printf("%s\n", line.c_str());
        return 0;
    } catch (const std::exception& e) {
        if (last != '\n') std::fputc('\n', stdout);
        std::fflush(stdout);
        std::fprintf(stderr, "bootscope_run: %s\n", e.what());
        return 1;
    }
}
