// Systems with real guests for the snapshot, checkpoint and invisible-stop
// tests: the bundled guest (guest/firmware.bin, bzImage, initramfs.cpio as
// `bootscope run` boots them) and the Multiboot test kernel
// (tests/multiboot/mb.S), each with its COM1 output collected.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "emu/snapshot.h"
#include "emu/system.h"

namespace bs::test {

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), "cannot open ", path, " (build the guest and tests/multiboot first)");
    return {std::istreambuf_iterator<char>(f), {}};
}

// A System and what its guest wrote on COM1. Not movable: the serial sink
// points into it.
struct GuestSystem {
    std::unique_ptr<emu::System> sys;
    std::string serial;

    GuestSystem() = default;
    GuestSystem(const GuestSystem&) = delete;
    GuestSystem& operator=(const GuestSystem&) = delete;

    emu::System& operator*() { return *sys; }
    emu::System* operator->() { return sys.get(); }

    // The bundled guest at its reset vector, 128 MiB.
    static std::unique_ptr<GuestSystem> bundled() {
        emu::MachineConfig cfg;
        cfg.firmware = read_file(std::string(BOOTSCOPE_GUEST_DIR) + "/firmware.bin");
        emu::KernelSpec spec;
        spec.path = std::string(BOOTSCOPE_GUEST_DIR) + "/bzImage";
        spec.image = read_file(spec.path);
        spec.initrd = std::string(BOOTSCOPE_GUEST_DIR) + "/initramfs.cpio";
        return boot(std::move(cfg), spec);
    }

    // tests/multiboot/mb.elf with `append` on its command line.
    static std::unique_ptr<GuestSystem> multiboot(const std::string& append = "hello world") {
        emu::KernelSpec spec;
        spec.path = BOOTSCOPE_MB_ELF;
        spec.image = read_file(spec.path);
        spec.append = append;
        return boot(emu::MachineConfig{}, spec);
    }

private:
    static std::unique_ptr<GuestSystem> boot(emu::MachineConfig cfg, const emu::KernelSpec& spec) {
        auto g = std::make_unique<GuestSystem>();
        g->sys = std::make_unique<emu::System>(std::move(cfg));
        GuestSystem* self = g.get();
        g->sys->machine.com1.tx_sink = [self](uint8_t b) { self->serial.push_back(static_cast<char>(b)); };
        g->sys->start(emu::load_kernel(g->sys->machine, spec));
        return g;
    }
};

// A deterministic PRNG for run slicing (xorshift64*).
class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed ? seed : 1) {}
    uint64_t next() {
        s_ ^= s_ >> 12;
        s_ ^= s_ << 25;
        s_ ^= s_ >> 27;
        return s_ * 0x2545f4914f6cdd1dull;
    }
    uint64_t below(uint64_t n) { return next() % n; }

private:
    uint64_t s_;
};

// Runs `sys` to position `target` in randomly sized pieces: many single
// steps and short runs, some long ones. Returns the stop that ended it
// (InstructionLimit on arrival) and counts the pieces.
inline emu::StopReason run_in_pieces(emu::System& sys, uint64_t target, Rng& rng, uint64_t* pieces = nullptr) {
    while (sys.instructions() < target) {
        uint64_t k;
        switch (rng.below(8)) {
        case 0: case 1: case 2: k = 1; break;
        case 3: case 4: k = 1 + rng.below(64); break;
        case 5: k = 1 + rng.below(20'000); break;
        default: k = 1 + rng.below(3'000'000); break;
        }
        k = std::min(k, target - sys.instructions());
        if (pieces) ++*pieces;
        const emu::StopReason r = sys.run({.max_instructions = k});
        if (r != emu::StopReason::InstructionLimit) return r;
    }
    return emu::StopReason::InstructionLimit;
}

// Where two snapshots of the same machine differ, for failure messages.
inline std::string first_difference(const emu::Snapshot& a, const emu::Snapshot& b) {
    if (a.icount() != b.icount())
        return "icount " + std::to_string(a.icount()) + " vs " + std::to_string(b.icount());
    const auto& x = a.state();
    const auto& y = b.state();
    if (x.size() != y.size()) return "state sizes differ";
    for (size_t i = 0; i < x.size(); ++i)
        if (x[i] != y[i]) return "CPU/device state differs at byte " + std::to_string(i);
    if (!a.ram().same_contents(b.ram())) return "RAM differs";
    if (!a.vram().same_contents(b.vram())) return "video memory differs";
    return "none";
}

}  // namespace bs::test
