// Whole-machine snapshots: everything that determines the future of a
// System, taken between runs and put back into the same System at any time,
// backwards or forwards. With deterministic re-execution (the same state
// gives the same future; stops are invisible, see system.cpp) they are what
// the debugger's time travel stands on (emu/checkpoints.h).
//
// What a snapshot holds:
//   - the CPU: all of CpuState (GPRs, RIP, lazy flags, segment caches,
//     descriptor tables, control and debug registers, MSRs, x87/MMX/SSE, the
//     PDPTEs, the activity state, the interrupt shadow, NMI blocking) and the
//     instruction counter, the A20M# input and the event statistics;
//   - the machine: the clock (time, its fraction of a nanosecond, the
//     scheduling sequence and every event's deadline), every device's
//     registers and queues (UART FIFOs and host input still queued, the
//     i8042 queue, fw_cfg's selector and offset), A20, the guest's pending
//     request and exit status, the last interrupt source;
//   - RAM and VGA video memory, 4 KiB page by page. Pages equal to the page
//     at the same address in a base snapshot (normally the previous one)
//     share its storage, and all-zero pages take none, so a series of
//     snapshots costs about the memory the guest changed between them.
//
// What it does not hold: configuration (the MachineConfig, the firmware ROM,
// fw_cfg's items: restore checks that they match), host-side attachments
// (trace sinks, the recorder, serial sinks and other callbacks, which stay
// as they are), and caches the CPU rebuilds (TLB entries, decoded blocks and
// their links are dropped on restore; x86 may drop TLB entries at any time,
// so only a guest that relies on a stale translation could tell).
//
// Usage:
//     Snapshot a = Snapshot::take(sys);          // between runs
//     sys.run({.max_instructions = 1'000'000});
//     Snapshot b = Snapshot::take(sys, &a);      // shares a's unchanged pages
//     a.restore(sys);                            // back; b.restore(sys) forth
//
// Cost, for the bundled guest's boot on a 128 MiB machine: taking one is a
// compare of RAM against the base (a few to ~15 ms) plus the pages that
// changed (about 2 MiB for the first, 0.1-0.4 MiB per 20M instructions after
// that); restoring writes only the pages that differ (~6 ms).
//
// Snapshots are immutable values: copies share their memory pages. Taking
// and restoring are for one thread at a time per System.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "emu/snapshot_io.h"

namespace bs::emu {

class System;

// A copy of a memory region in 4 KiB pages. Unchanged pages are shared with
// the image captured before, all-zero pages are stored as nothing.
class PageImage {
public:
    static constexpr size_t kPageSize = 4096;

    PageImage() = default;
    // Copies [mem, mem + size) (size a multiple of kPageSize). Each page
    // equal to the page at the same index of `base` (an image of the same
    // region, or nullptr) shares its storage.
    static PageImage capture(const uint8_t* mem, size_t size, const PageImage* base);
    // Writes the image back to [mem, mem + size()).
    void restore(uint8_t* mem) const;

    size_t size() const { return pages_.size() * kPageSize; }
    // Pages this capture had to copy (neither shared nor zero).
    size_t pages_copied() const { return copied_; }
    // Whether page `index` shares its storage with `other`'s page at the
    // same index (or both are zero).
    bool shares_page(const PageImage& other, size_t index) const {
        return index < other.pages_.size() && pages_[index] == other.pages_[index];
    }
    size_t page_count() const { return pages_.size(); }
    bool page_is_zero(size_t index) const { return !pages_[index]; }
    // Appends the storage of each non-zero page (to count shared pages once).
    void collect_pages(std::vector<const void*>& out) const {
        for (const auto& p : pages_)
            if (p) out.push_back(p.get());
    }
    // Same bytes (shared pages are not compared).
    bool same_contents(const PageImage& other) const;
    // A hash of the bytes (FNV-1a over words), continuing from `h`.
    uint64_t digest(uint64_t h) const;

private:
    using Page = std::array<uint8_t, kPageSize>;
    std::vector<std::shared_ptr<const Page>> pages_;  // nullptr: all zero
    size_t copied_ = 0;
};

class Snapshot {
public:
    // The state of `sys` now. It must not be running (throws SnapshotError
    // from inside run(), e.g. from a trace hook). `base`: an earlier
    // snapshot of the same System whose unchanged pages this one shares
    // (the nearest one before it is best); nullptr copies every page.
    static Snapshot take(const System& sys, const Snapshot* base = nullptr);
    // Puts the state back into `sys`: the System it was taken from, or one
    // built with the same configuration and images. Not inside run().
    // Throws SnapshotError on a mismatch (RAM size, clock events, fw_cfg
    // items), leaving `sys` in an unspecified state.
    void restore(System& sys) const;

    // Where the machine was: instructions retired and virtual time (ns).
    uint64_t icount() const { return icount_; }
    uint64_t time_ns() const { return time_ns_; }

    // Memory cost: bytes of CPU and device state, and bytes of RAM and
    // video memory this snapshot had to copy rather than share.
    size_t state_bytes() const { return state_.size(); }
    size_t copied_bytes() const {
        return (ram_.pages_copied() + vram_.pages_copied()) * PageImage::kPageSize;
    }
    // Bytes held in pages that `previous` (another snapshot of the same
    // machine) does not share: what keeping this one costs next to it.
    size_t unshared_bytes(const Snapshot* previous) const;

    // Whole-machine equality and a digest of everything (tests, and the
    // debugger's "did anything change").
    bool same_state(const Snapshot& other) const;
    uint64_t digest() const;

    // The CPU, clock and device state as saved (for diagnostics).
    const std::vector<uint8_t>& state() const { return state_; }
    const PageImage& ram() const { return ram_; }
    const PageImage& vram() const { return vram_; }

private:
    std::vector<uint8_t> state_;
    PageImage ram_, vram_;
    uint64_t icount_ = 0, time_ns_ = 0;
};

}  // namespace bs::emu
