// Guest RAM and the size option that sets it.
//
// RAM is one zero-filled host allocation. Below 4 GiB it ends at
// min(size, 3 GiB); the rest appears at 4 GiB (as QEMU's pc machine with
// gigabyte alignment), so the PCI/APIC hole 0xC0000000-0xFFFFFFFF is never RAM.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bs::emu {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr uint64_t kDefaultRamSize = 128 * MiB;
constexpr uint64_t kMinRamSize = 1 * MiB;
constexpr uint64_t kMaxRamSize = 64 * GiB;
constexpr uint64_t kLowRamLimit = 3 * GiB;  // RAM above this moves to 4 GiB

// A bad --memory value; what() names the problem.
class MemorySizeError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// Reads a size as QEMU's -m does: a number (fractions allowed) with an
// optional suffix B, K, M, G or T (either case); no suffix means MiB. The
// result is rounded up to 8 KiB as QEMU does, and must lie in
// [kMinRamSize, kMaxRamSize].
uint64_t parse_memory_size(std::string_view text);

class GuestRam {
public:
    explicit GuestRam(uint64_t size);
    uint64_t size() const { return size_; }
    uint64_t below_4g() const { return size_ < kLowRamLimit ? size_ : kLowRamLimit; }
    uint64_t above_4g() const { return size_ - below_4g(); }
    // Host pointer of RAM at offset `off` (< size()).
    uint8_t* at(uint64_t off) { return data_.get() + off; }
    const uint8_t* at(uint64_t off) const { return data_.get() + off; }
    // Guest-physical address -> RAM offset, or ~0 when `pa` is not RAM.
    uint64_t offset_of(uint64_t pa) const {
        if (pa < below_4g()) return pa;
        if (pa >= 4 * GiB && pa - 4 * GiB < above_4g()) return below_4g() + (pa - 4 * GiB);
        return ~0ull;
    }
    // True when [pa, pa+len) is all RAM (contiguous in guest-physical space).
    bool contains(uint64_t pa, uint64_t len) const;

private:
    struct Free {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    uint64_t size_;
    std::unique_ptr<uint8_t, Free> data_;
};

}  // namespace bs::emu
