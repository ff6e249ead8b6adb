// The virtual clock and the event queue: the only time the guest can see.
//
// Time is a count of virtual nanoseconds derived from retired instructions
// (default: 1 instruction = 1 ns, configurable in picoseconds per
// instruction). Devices never tick: they compute their counters from
// (now - load time) and schedule an event only for their next visible change
// (an output edge, an interrupt), like QEMU's hw/ timers and Dolphin's
// CoreTiming. Each event is registered once by name and has at most one
// pending deadline; schedule() on a pending event moves it.
//
// Determinism: due events run in (deadline, scheduling sequence) order. The
// sequence number is a counter bumped by every schedule() call, so ties are
// broken by insertion order and never by a pointer or a hash.
//
// The run loop uses it like this:
//     uint64_t n = clock.insns_until(clock.next_deadline());   // budget
//     ... run the CPU for at most n instructions, retiring r ...
//     clock.retire(r);        // advances now and runs due events
// and for HLT with interrupts enabled: clock.skip_to_next_event().
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "emu/snapshot_io.h"

namespace bs::emu {

using EventId = uint32_t;

class Clock {
public:
    static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
    // Callback of an event: the virtual time it runs at, and how late it is
    // (now - deadline), which is non-zero when the CPU overshot a block.
    using Callback = std::function<void(uint64_t now, uint64_t late)>;

    explicit Clock(uint64_t ps_per_insn = 1000) { set_ps_per_insn(ps_per_insn); }

    // --- configuration ---
    void set_ps_per_insn(uint64_t ps) { ps_per_insn_ = ps ? ps : 1; }
    uint64_t ps_per_insn() const { return ps_per_insn_; }

    // --- time ---
    uint64_t now() const { return now_; }
    // TSC: one tick per virtual nanosecond (a 1 GHz invariant TSC).
    uint64_t tsc() const { return now_; }

    // Instructions to run so that virtual time reaches `deadline` (at least 1).
    uint64_t insns_until(uint64_t deadline) const {
        if (deadline == kNever) return kNever;
        if (deadline <= now_) return 1;
        // The default of one instruction per nanosecond needs no 128-bit
        // division (devices ask on every port access).
        if (ps_per_insn_ == 1000 && frac_ps_ == 0) return deadline - now_;
        unsigned __int128 need_ps = (unsigned __int128)(deadline - now_) * 1000u;
        need_ps = need_ps > frac_ps_ ? need_ps - frac_ps_ : 0;
        unsigned __int128 n = (need_ps + ps_per_insn_ - 1) / ps_per_insn_;
        if (n == 0) n = 1;
        return n > kNever ? kNever : (uint64_t)n;
    }

    // The virtual time `insns` instructions from now, not yet retired (what
    // the tracer stamps on events inside a CPU slice).
    uint64_t time_after(uint64_t insns) const {
        return now_ + (uint64_t)(((unsigned __int128)insns * ps_per_insn_ + frac_ps_) / 1000u);
    }

    // Accounts for `insns` retired instructions, then runs every due event.
    void retire(uint64_t insns) {
        if (ps_per_insn_ == 1000 && frac_ps_ == 0) {
            now_ += insns;  // the default, without 128-bit arithmetic
            run_due();
            return;
        }
        unsigned __int128 ps = (unsigned __int128)insns * ps_per_insn_ + frac_ps_;
        now_ += (uint64_t)(ps / 1000u);
        frac_ps_ = (uint64_t)(ps % 1000u);
        run_due();
    }

    // Moves time forward to `t` (never backwards), stopping at each event's
    // deadline on the way so that callbacks see now() == their deadline.
    void advance_to(uint64_t t) {
        for (;;) {
            uint64_t d = next_deadline();
            if (d > t) break;
            if (d > now_) {
                now_ = d;
                frac_ps_ = 0;
            }
            run_due();
        }
        if (t > now_) {
            now_ = t;
            frac_ps_ = 0;
        }
    }

    // HLT-skip: jumps to the next deadline and runs it. Returns false (and
    // does nothing) when no event is pending: the guest halted for good.
    bool skip_to_next_event() {
        uint64_t d = next_deadline();
        if (d == kNever) return false;
        advance_to(d);
        return true;
    }

    // --- events ---
    EventId add_event(std::string name, Callback cb) {
        events_.push_back(Event{std::move(name), std::move(cb), false, 0, 0});
        return (EventId)(events_.size() - 1);
    }
    // Arms `id` to run `delta` ns from now (replacing a pending deadline).
    void schedule(EventId id, uint64_t delta) {
        schedule_at(id, delta >= kNever - now_ ? kNever - 1 : now_ + delta);
    }
    void schedule_at(EventId id, uint64_t when) {
        Event& e = events_.at(id);
        e.armed = true;
        e.when = when;
        e.seq = next_seq_++;
        cached_valid_ = false;
    }
    void cancel(EventId id) {
        Event& e = events_.at(id);
        if (e.armed) {
            e.armed = false;
            cached_valid_ = false;
        }
    }
    bool pending(EventId id) const { return events_.at(id).armed; }
    uint64_t deadline(EventId id) const { return events_.at(id).armed ? events_.at(id).when : kNever; }
    const std::string& event_name(EventId id) const { return events_.at(id).name; }
    size_t event_count() const { return events_.size(); }

    // The earliest pending deadline, or kNever.
    uint64_t next_deadline() const {
        if (!cached_valid_) {
            cached_deadline_ = kNever;
            for (const Event& e : events_)
                if (e.armed && e.when < cached_deadline_) cached_deadline_ = e.when;
            cached_valid_ = true;
        }
        return cached_deadline_;
    }

    // Runs every event whose deadline is <= now, in (deadline, seq) order.
    // Events scheduled by callbacks for a time <= now run in this call too.
    void run_due() {
        while (next_deadline() <= now_) {
            size_t best = events_.size();
            for (size_t i = 0; i < events_.size(); ++i) {
                const Event& e = events_[i];
                if (!e.armed || e.when > now_) continue;
                if (best == events_.size() || e.when < events_[best].when ||
                    (e.when == events_[best].when && e.seq < events_[best].seq))
                    best = i;
            }
            Event& e = events_[best];
            e.armed = false;
            cached_valid_ = false;
            uint64_t when = e.when;
            ++fired_;
            if (e.cb) e.cb(now_, now_ - when);
        }
    }

    // Number of events run since construction (for tests and statistics).
    uint64_t events_fired() const { return fired_; }

    // --- save states (emu/snapshot.h) ---
    // The time (with its fraction of a nanosecond), the scheduling sequence
    // and every event's deadline. Events are registered by name when the
    // machine is built, so a machine of the same configuration has the same
    // list: they are matched by id and load() checks the names.
    void save(SnapshotWriter& w) const {
        w.section("clock", 1);
        w.put(ps_per_insn_);
        w.put(now_);
        w.put(frac_ps_);
        w.put(next_seq_);
        w.put(fired_);
        w.put(static_cast<uint32_t>(events_.size()));
        for (const Event& e : events_) {
            w.put(static_cast<uint32_t>(e.name.size()));
            w.bytes(e.name.data(), e.name.size());
            w.put(e.armed);
            w.put(e.when);
            w.put(e.seq);
        }
    }
    void load(SnapshotReader& r) {
        r.section("clock", 1);
        if (r.get<uint64_t>() != ps_per_insn_)
            throw SnapshotError("snapshot: taken with another instruction duration (ps_per_insn)");
        r.get(now_);
        r.get(frac_ps_);
        r.get(next_seq_);
        r.get(fired_);
        if (r.get<uint32_t>() != events_.size()) throw SnapshotError("snapshot: the machine has other clock events");
        for (Event& e : events_) {
            const auto len = r.get<uint32_t>();
            if (len > 256) throw SnapshotError("snapshot: bad clock event name");
            std::string name(len, '\0');
            r.bytes(name.data(), len);
            if (name != e.name)
                throw SnapshotError("snapshot: clock event '" + name + "' where the machine has '" + e.name + "'");
            r.get(e.armed);
            r.get(e.when);
            r.get(e.seq);
        }
        cached_valid_ = false;
    }

private:
    struct Event {
        std::string name;
        Callback cb;
        bool armed;
        uint64_t when;
        uint64_t seq;
    };
    std::vector<Event> events_;
    uint64_t now_ = 0;
    uint64_t frac_ps_ = 0;
    uint64_t ps_per_insn_ = 1000;
    uint64_t next_seq_ = 0;
    uint64_t fired_ = 0;
    mutable uint64_t cached_deadline_ = kNever;
    mutable bool cached_valid_ = true;
};

// a * b / c without overflow (for frequency conversions).
// When a * b fits in 64 bits (elapsed times of hours at MHz rates do), the
// division stays in 64 bits: no libgcc call, and a constant divisor becomes
// a multiplication. Same results either way.
inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c) {
    uint64_t p;
    if (!__builtin_mul_overflow(a, b, &p)) [[likely]] return p / c;
    return (uint64_t)((unsigned __int128)a * b / c);
}
inline uint64_t muldiv64_ceil(uint64_t a, uint64_t b, uint64_t c) {
    uint64_t p;
    if (!__builtin_mul_overflow(a, b, &p)) [[likely]] return p / c + (p % c != 0);
    return (uint64_t)(((unsigned __int128)a * b + c - 1) / c);
}

constexpr uint64_t kNsPerSec = 1'000'000'000ull;

}  // namespace bs::emu
