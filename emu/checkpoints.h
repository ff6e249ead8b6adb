// Checkpoints: periodic snapshots of a running System and seeking to any
// instruction by re-execution — the machinery under the debugger's reverse
// step, reverse continue and "when was this address last written".
//
// How it works. The machine is deterministic and its stops are invisible
// (the same state gives the same future, however a run is cut into pieces;
// see system.cpp). So any past instruction count can be reached again by
// restoring the newest snapshot at or before it and running forward exactly
// to it. Checkpoints runs the machine in pieces that end at multiples of
// Options::interval and takes a snapshot at each of them (they share
// unchanged memory pages, see snapshot.h); seek() restores and re-executes.
// The cost of a seek is a restore (the pages that differ: milliseconds) plus
// at most one interval of re-execution (20M instructions: 0.1-0.3 s).
//
// Positions are absolute instruction counts (System::instructions(), what
// the trace and the debugger show as icount): position N is the machine with
// N instructions retired, about to execute instruction number N.
//
// Memory is bounded by Options::max_snapshots: beyond it the snapshot whose
// removal leaves the smallest gap is dropped (never the oldest, never the
// newest), so old history thins out evenly rather than disappearing.
//
// The guest's future must be a function of its state. Anything the host does
// to the machine breaks that: writing guest memory or registers, queueing
// serial or keyboard input, raising an NMI, loading another image. After
// such a change, call discard_after(sys.instructions()) so snapshots of the
// old future are not mistaken for the new one. (Host input is part of the
// state once queued, but input given later is not replayed after a seek.)
//
// Host-side effects repeat during re-execution: the serial sinks see the
// guest's output again, trace sinks see the events again. replaying() says
// whether the executing instruction has run before, so a sink can drop what
// the user has already seen.
//
// For the debugger (all positions absolute):
//
//     emu::Checkpoints cp(sys, {.interval = 20'000'000});
//     cp.run({.max_instructions = n});          // instead of sys.run(...)
//
//     // back N: one seek.
//     cp.seek(sys.instructions() - n);
//
//     // reverse continue: replay the window before `end` with the
//     // breakpoints attached as a TraceSink that records the icount of each
//     // hit (System::current_instruction()) instead of stopping; land on the
//     // last hit, or search the window before.
//     const uint64_t now = sys.instructions();
//     for (uint64_t end = now;;) {
//         const uint64_t from = cp.window_start(end);
//         cp.seek(from);
//         hits.clear();                         // the sink fills it
//         cp.run_to(end);                       // hits in [from, end)
//         if (!hits.empty()) { cp.seek(hits.back()); break; }
//         if (from == cp.oldest()) { cp.seek(now); break; }   // none: stay
//         end = from;
//     }
//
//     // last write of an address: the same loop, recording instead the
//     // System::current_instruction() of each store to the address (a
//     // write watch on its page); seek() to the last one lands just before
//     // the write, seek(last + 1) just after it.
//
// A Break requested during re-execution (a breakpoint sink calling
// System::request_break) ends run_to()/seek() early with StopReason::Break:
// call them again to go on. Use from one thread; not inside System::run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "emu/snapshot.h"
#include "emu/system.h"

namespace bs::emu {

class Checkpoints {
public:
    struct Options {
        uint64_t interval = 20'000'000;  // instructions between snapshots (> 0)
        size_t max_snapshots = 64;       // at least 2; older ones are thinned beyond it
        bool reboot = false;             // passed as Limits::reboot to System::run
    };

    // Takes the first snapshot at the machine's current position (the
    // oldest place seek() can reach).
    explicit Checkpoints(System& sys, Options options);
    explicit Checkpoints(System& sys) : Checkpoints(sys, Options{}) {}
    Checkpoints(const Checkpoints&) = delete;
    Checkpoints& operator=(const Checkpoints&) = delete;

    // System::run with snapshots: the same limits (max_instructions counts
    // from the current position, max_time_ns is virtual time from now) and
    // the same stop reasons, the run cut at each multiple of the interval to
    // take a snapshot there (unless one exists).
    StopReason run(const Limits& limits);
    // Runs forward to position `target` (>= the current position):
    // StopReason::InstructionLimit on arrival, or why the machine stopped
    // first (Break, GuestExit, Halted...).
    StopReason run_to(uint64_t target);
    // Goes to position `target`, backwards or forwards: runs on if the
    // machine is already at or after the newest snapshot at or before
    // `target`, otherwise restores that snapshot and re-executes. Same
    // results as run_to(); a target before the oldest snapshot throws
    // SnapshotError.
    StopReason seek(uint64_t target);

    // Takes a snapshot at the current position now (if there is none): a
    // finer point to come back to, e.g. where the user started stepping.
    void take();
    // Drops the snapshots after position `icount` (the host changed the
    // machine: its old future is void) and forgets that positions after it
    // have run.
    void discard_after(uint64_t icount);

    // The snapshot window before `position` for a reverse search: the
    // position of the newest snapshot strictly before it, or oldest().
    uint64_t window_start(uint64_t position) const;
    uint64_t oldest() const { return snaps_.front().icount(); }
    uint64_t newest() const { return snaps_.back().icount(); }
    // Positions of the snapshots held, oldest first.
    std::vector<uint64_t> positions() const;
    size_t count() const { return snaps_.size(); }
    const Snapshot& at(size_t i) const { return snaps_[i]; }
    // Bytes held by all snapshots (state plus memory pages, each shared
    // page counted once).
    size_t memory_bytes() const;

    // The highest position the machine has reached (instructions before it
    // have run at least once).
    uint64_t frontier() const { return frontier_; }
    // True while the executing instruction (inside run(): from a serial
    // sink or a trace hook) has run before: its effects were seen already.
    bool replaying() const { return sys_.current_instruction() < frontier_; }

    const Options& options() const { return opt_; }

private:
    // Index of the newest snapshot at or before `icount`, or -1.
    long newest_at_or_before(uint64_t icount) const;
    void snapshot_here();
    void thin();

    System& sys_;
    Options opt_;
    std::vector<Snapshot> snaps_;  // sorted by icount, never empty
    uint64_t frontier_ = 0;
};

}  // namespace bs::emu
