// Whole-machine snapshots: a restored machine has the same future, going
// back or forth, in the same System or in a fresh one; unchanged pages are
// shared; mismatched machines are refused.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "guest_systems.h"

using namespace bs;
using namespace bs::emu;
using bs::test::GuestSystem;

namespace {

struct Point {
    Snapshot snap;
    std::string serial;
};

// Runs on to position `target` and records the state there.
Point run_to(GuestSystem& g, uint64_t target) {
    REQUIRE(g.sys->instructions() <= target);
    REQUIRE(g.sys->run({.max_instructions = target - g.sys->instructions()}) == StopReason::InstructionLimit);
    return {Snapshot::take(*g.sys), g.serial};
}

}  // namespace

TEST_CASE("snapshot: restore at N1, run to N2 again: the same state and serial output (bundled guest boot)") {
    // The whole boot is ~60M instructions: everything here stays before 45M.
    constexpr uint64_t kN1 = 15'000'000, kN2 = 25'000'000, kN3 = 35'000'000;
    auto g = GuestSystem::bundled();
    const Point p1 = run_to(*g, kN1);
    const Point p2 = run_to(*g, kN2);
    CHECK(!p1.snap.same_state(p2.snap));  // the guest did something in between

    SUBCASE("forwards again from N1") {
        p1.snap.restore(*g->sys);
        CHECK(g->sys->instructions() == kN1);
        CHECK(Snapshot::take(*g->sys).same_state(p1.snap));
        g->serial = p1.serial;
        const Point again = run_to(*g, kN2);
        CHECK_MESSAGE(again.snap.same_state(p2.snap), test::first_difference(again.snap, p2.snap));
        CHECK(again.snap.digest() == p2.snap.digest());
        CHECK(again.serial == p2.serial);
    }
    SUBCASE("backwards after running further, then forwards to a later snapshot") {
        const Point p3 = run_to(*g, kN3);
        p1.snap.restore(*g->sys);
        g->serial = p1.serial;
        const Point again = run_to(*g, kN2);
        CHECK_MESSAGE(again.snap.same_state(p2.snap), test::first_difference(again.snap, p2.snap));
        CHECK(again.serial == p2.serial);
        // Forwards past where the machine is: straight to N3.
        p3.snap.restore(*g->sys);
        CHECK(Snapshot::take(*g->sys).same_state(p3.snap));
        CHECK(g->sys->machine.clock().now() == p3.snap.time_ns());
        // And the future from there is the same as before: run on a little
        // from the restored N3 and from a straight run.
        auto straight = GuestSystem::bundled();
        const Point s4 = run_to(*straight, kN3 + 5'000'000);
        const Point r4 = run_to(*g, kN3 + 5'000'000);
        CHECK_MESSAGE(r4.snap.same_state(s4.snap), test::first_difference(r4.snap, s4.snap));
    }
}

TEST_CASE("snapshot: one taken during the boot moves to a fresh machine and has the same future") {
    constexpr uint64_t kAt = 30'000'000, kEnd = 45'000'000;  // calibrate_delay prints at 42.7 M
    auto g = GuestSystem::bundled();
    const Point at = run_to(*g, kAt);
    const Point end = run_to(*g, kEnd);

    auto fresh = GuestSystem::bundled();  // same configuration and images, never run
    at.snap.restore(*fresh->sys);
    fresh->serial = at.serial;
    CHECK(Snapshot::take(*fresh->sys).same_state(at.snap));
    const Point again = run_to(*fresh, kEnd);
    CHECK_MESSAGE(again.snap.same_state(end.snap), test::first_difference(again.snap, end.snap));
    CHECK(again.serial == end.serial);
    CHECK(again.serial.size() > at.serial.size());  // the guest printed in between
}

TEST_CASE("snapshot: unchanged pages are shared with the base, zero pages cost nothing") {
    auto g = GuestSystem::bundled();
    run_to(*g, 20'000'000);
    const auto t0 = std::chrono::steady_clock::now();
    const Snapshot first = Snapshot::take(*g->sys);
    const auto t1 = std::chrono::steady_clock::now();
    run_to(*g, 40'000'000);
    const auto t2 = std::chrono::steady_clock::now();
    const Snapshot second = Snapshot::take(*g->sys, &first);
    const auto t3 = std::chrono::steady_clock::now();
    const Snapshot again = Snapshot::take(*g->sys, &second);
    const auto t4 = std::chrono::steady_clock::now();
    first.restore(*g->sys);
    const auto t5 = std::chrono::steady_clock::now();
    CHECK(Snapshot::take(*g->sys).same_state(first));

    const size_t ram = g->sys->machine.ram().size();
    CHECK(first.copied_bytes() < ram / 2);                // most of RAM is still zero
    CHECK(second.copied_bytes() < first.copied_bytes());  // 20M instructions change less than the boot so far
    CHECK(again.copied_bytes() == 0);                     // nothing ran: everything is shared
    CHECK(again.unshared_bytes(&second) == again.state_bytes());
    CHECK(again.same_state(second));
    auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    MESSAGE("first snapshot: ", first.copied_bytes() / 1024, " KiB copied, ", first.state_bytes(), " state bytes, ",
            ms(t1 - t0), " ms; after 20M more instructions: ", second.copied_bytes() / 1024, " KiB copied, ",
            ms(t3 - t2), " ms; restoring the first: ", ms(t5 - t4), " ms");
}

TEST_CASE("snapshot: restoring into another kind of machine, or while running, is refused") {
    auto g = GuestSystem::bundled();
    const Snapshot s = Snapshot::take(*g->sys);
    MachineConfig small;
    small.ram_size = 64 * MiB;
    System other(small);
    CHECK_THROWS_AS(s.restore(other), SnapshotError);

    // From a trace hook inside run(): neither taking nor restoring.
    struct Hook : cpu::TraceSink {
        System* sys = nullptr;
        const Snapshot* snap = nullptr;
        int refused = 0;
        void control_write(uint64_t, unsigned, uint64_t, uint64_t) override {
            try {
                (void)Snapshot::take(*sys);
            } catch (const SnapshotError&) {
                ++refused;
            }
            try {
                snap->restore(*sys);
            } catch (const SnapshotError&) {
                ++refused;
            }
        }
    } hook;
    hook.sys = g->sys.get();
    hook.snap = &s;
    g->sys->cpu.set_trace(&hook);
    g->sys->run({.max_instructions = 20'000'000});  // the firmware and setup write CR0
    g->sys->cpu.set_trace(nullptr);
    CHECK(hook.refused >= 2);
    CHECK(hook.refused % 2 == 0);
}

TEST_CASE("snapshot: a corrupted state stream is refused loudly") {
    std::vector<uint8_t> bytes;
    {
        SnapshotWriter w;
        w.section("pit", 1);
        w.put(uint32_t{7});
        bytes = w.take();
    }
    SnapshotReader ok(bytes);
    ok.section("pit", 1);
    CHECK(ok.get<uint32_t>() == 7);
    CHECK(ok.at_end());
    SnapshotReader wrong_name(bytes);
    CHECK_THROWS_AS(wrong_name.section("rtc", 1), SnapshotError);
    SnapshotReader wrong_version(bytes);
    CHECK_THROWS_AS(wrong_version.section("pit", 2), SnapshotError);
    SnapshotReader short_read(bytes);
    short_read.section("pit", 1);
    CHECK_THROWS_AS(short_read.get<uint64_t>(), SnapshotError);
}
