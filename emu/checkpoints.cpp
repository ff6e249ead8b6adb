// Periodic snapshots and seeking by re-execution (see checkpoints.h).
#include "emu/checkpoints.h"

#include <algorithm>
#include <stdexcept>

namespace bs::emu {

Checkpoints::Checkpoints(System& sys, Options options) : sys_(sys), opt_(options) {
    if (opt_.interval == 0) throw std::invalid_argument("checkpoints: the interval must be at least 1 instruction");
    if (opt_.max_snapshots < 2) throw std::invalid_argument("checkpoints: keep at least 2 snapshots");
    frontier_ = sys_.instructions();
    snaps_.push_back(Snapshot::take(sys_));
}

StopReason Checkpoints::run(const Limits& limits) {
    const uint64_t start = sys_.instructions();
    const uint64_t end = limits.max_instructions ? start + limits.max_instructions : ~0ull;
    const uint64_t time_end = limits.max_time_ns ? sys_.machine.clock().now() + limits.max_time_ns : Clock::kNever;
    for (;;) {
        const uint64_t pos = sys_.instructions();
        if (pos >= end) return StopReason::InstructionLimit;
        // Pieces end at multiples of the interval, wherever the run began,
        // so that runs along one timeline meet the snapshots already taken.
        const uint64_t boundary = (pos / opt_.interval + 1) * opt_.interval;
        Limits piece;
        piece.max_instructions = std::min(end, boundary) - pos;
        piece.reboot = limits.reboot;
        if (time_end != Clock::kNever) {
            const uint64_t now = sys_.machine.clock().now();
            if (now >= time_end) return StopReason::TimeLimit;
            piece.max_time_ns = time_end - now;
        }
        const StopReason r = sys_.run(piece);
        frontier_ = std::max(frontier_, sys_.instructions());
        if (r != StopReason::InstructionLimit) return r;
        // Only at an instruction limit: a machine stopped otherwise (a
        // break, a time limit after a HLT skip) may be in another state at
        // the same position than a run passing through it.
        if (sys_.instructions() % opt_.interval == 0) snapshot_here();
    }
}

StopReason Checkpoints::run_to(uint64_t target) {
    const uint64_t pos = sys_.instructions();
    if (target < pos)
        throw std::invalid_argument("checkpoints: run_to(" + std::to_string(target) + ") is behind the machine (" +
                                    std::to_string(pos) + "); use seek()");
    if (target == pos) return StopReason::InstructionLimit;
    Limits l;
    l.max_instructions = target - pos;
    l.reboot = opt_.reboot;
    return run(l);
}

StopReason Checkpoints::seek(uint64_t target) {
    const long i = newest_at_or_before(target);
    if (i < 0)
        throw SnapshotError("checkpoints: position " + std::to_string(target) + " is before the oldest snapshot (" +
                            std::to_string(oldest()) + ")");
    const Snapshot& from = snaps_[static_cast<size_t>(i)];
    const uint64_t pos = sys_.instructions();
    // Already on the way there: running on is cheaper than going back.
    if (pos < from.icount() || pos > target) from.restore(sys_);
    return run_to(target);
}

void Checkpoints::take() { snapshot_here(); }

void Checkpoints::discard_after(uint64_t icount) {
    // The oldest snapshot stays: it is where seek() can always go.
    while (snaps_.size() > 1 && snaps_.back().icount() > icount) snaps_.pop_back();
    frontier_ = std::min(frontier_, std::max(icount, snaps_.back().icount()));
}

uint64_t Checkpoints::window_start(uint64_t position) const {
    const long i = newest_at_or_before(position == 0 ? 0 : position - 1);
    return i < 0 ? oldest() : snaps_[static_cast<size_t>(i)].icount();
}

std::vector<uint64_t> Checkpoints::positions() const {
    std::vector<uint64_t> v;
    v.reserve(snaps_.size());
    for (const Snapshot& s : snaps_) v.push_back(s.icount());
    return v;
}

size_t Checkpoints::memory_bytes() const {
    std::vector<const void*> pages;
    size_t bytes = 0;
    for (const Snapshot& s : snaps_) {
        bytes += s.state_bytes();
        s.ram().collect_pages(pages);
        s.vram().collect_pages(pages);
    }
    std::sort(pages.begin(), pages.end());
    const size_t unique = static_cast<size_t>(std::unique(pages.begin(), pages.end()) - pages.begin());
    return bytes + unique * PageImage::kPageSize;
}

long Checkpoints::newest_at_or_before(uint64_t icount) const {
    const auto it = std::upper_bound(snaps_.begin(), snaps_.end(), icount,
                                     [](uint64_t v, const Snapshot& s) { return v < s.icount(); });
    return static_cast<long>(it - snaps_.begin()) - 1;
}

void Checkpoints::snapshot_here() {
    const uint64_t pos = sys_.instructions();
    const long i = newest_at_or_before(pos);
    if (i >= 0 && snaps_[static_cast<size_t>(i)].icount() == pos) return;
    // The nearest snapshot before shares the most pages with this one.
    Snapshot s = Snapshot::take(sys_, i >= 0 ? &snaps_[static_cast<size_t>(i)] : nullptr);
    snaps_.insert(snaps_.begin() + (i + 1), std::move(s));
    thin();
}

// Drops the inner snapshot whose neighbours are closest together (the
// oldest of equals) until the cap holds: the history keeps its whole span
// with gaps that grow evenly.
void Checkpoints::thin() {
    while (snaps_.size() > opt_.max_snapshots) {
        size_t best = 1;
        uint64_t best_gap = ~0ull;
        for (size_t k = 1; k + 1 < snaps_.size(); ++k) {
            const uint64_t gap = snaps_[k + 1].icount() - snaps_[k - 1].icount();
            if (gap < best_gap) {
                best_gap = gap;
                best = k;
            }
        }
        snaps_.erase(snaps_.begin() + static_cast<long>(best));
    }
}

}  // namespace bs::emu
