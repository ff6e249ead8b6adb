// Checkpoints: seek() anywhere equals a straight run to there; snapshots sit
// at the interval's multiples, stay under the cap and are dropped when the
// host changes the future; replaying() tells re-executed output apart.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "emu/checkpoints.h"
#include "guest_systems.h"

using namespace bs;
using namespace bs::emu;
using bs::test::GuestSystem;

TEST_CASE("checkpoints: seek() to several points equals a straight run to them (bundled guest boot)") {
    const std::vector<uint64_t> points = {2'500'000, 17'000'001, 24'999'999, 9'000'000, 30'000'000, 1, 21'123'457};
    // The reference: one straight run, a snapshot at each point.
    std::map<uint64_t, Snapshot> ref;
    std::map<uint64_t, std::string> ref_serial;
    {
        auto straight = GuestSystem::bundled();
        for (uint64_t p : std::set<uint64_t>(points.begin(), points.end())) {
            REQUIRE(straight->sys->run({.max_instructions = p - straight->sys->instructions()}) ==
                    StopReason::InstructionLimit);
            ref.emplace(p, Snapshot::take(*straight->sys));
            ref_serial[p] = straight->serial;
        }
    }

    auto g = GuestSystem::bundled();
    Checkpoints cp(*g->sys, {.interval = 5'000'000});
    std::string out;  // the output as a user would see it: replayed bytes dropped
    g->sys->machine.com1.tx_sink = [&](uint8_t b) {
        if (!cp.replaying()) out.push_back(static_cast<char>(b));
        g->serial.push_back(static_cast<char>(b));
    };
    REQUIRE(cp.run_to(30'000'000) == StopReason::InstructionLimit);
    CHECK(cp.positions() == std::vector<uint64_t>{0, 5'000'000, 10'000'000, 15'000'000, 20'000'000, 25'000'000,
                                                  30'000'000});
    CHECK(cp.frontier() == 30'000'000);
    const std::string seen = out;
    CHECK(seen == ref_serial[30'000'000]);

    for (uint64_t p : points) {
        CAPTURE(p);
        REQUIRE(cp.seek(p) == StopReason::InstructionLimit);
        REQUIRE(g->sys->instructions() == p);
        const Snapshot here = Snapshot::take(*g->sys);
        CHECK_MESSAGE(here.same_state(ref.at(p)), test::first_difference(here, ref.at(p)));
    }
    CHECK(out == seen);  // every byte re-executed was flagged as a replay
    CHECK(cp.count() == 7);
    MESSAGE("7 snapshots over 30M instructions hold ", cp.memory_bytes() / 1024, " KiB");
}

TEST_CASE("checkpoints: the cap thins old snapshots evenly and keeps both ends") {
    auto g = GuestSystem::bundled();
    Checkpoints cp(*g->sys, {.interval = 1'000'000, .max_snapshots = 6});
    REQUIRE(cp.run({.max_instructions = 20'000'000}) == StopReason::InstructionLimit);
    const auto pos = cp.positions();
    REQUIRE(pos.size() == 6);
    CHECK(pos.front() == 0);
    CHECK(pos.back() == 20'000'000);
    for (size_t i = 1; i < pos.size(); ++i) {
        CHECK(pos[i] > pos[i - 1]);
        CHECK(pos[i] - pos[i - 1] <= 8'000'000);  // no hole much larger than an even spread (4M)
    }
    // Every point is still reachable, in order or not.
    for (uint64_t p : {19'999'999ull, 123ull, 7'777'777ull}) {
        REQUIRE(cp.seek(p) == StopReason::InstructionLimit);
        CHECK(g->sys->instructions() == p);
    }
    CHECK(cp.count() <= 6);
}

TEST_CASE("checkpoints: discard_after() forgets the old future; seeks before the oldest are refused") {
    auto g = GuestSystem::bundled();
    REQUIRE(g->sys->run({.max_instructions = 3'000'000}) == StopReason::InstructionLimit);
    Checkpoints cp(*g->sys, {.interval = 2'000'000});
    CHECK(cp.oldest() == 3'000'000);
    REQUIRE(cp.run_to(12'000'000) == StopReason::InstructionLimit);
    CHECK(cp.positions() == std::vector<uint64_t>{3'000'000, 4'000'000, 6'000'000, 8'000'000, 10'000'000,
                                                  12'000'000});
    CHECK_THROWS_AS(cp.seek(2'999'999), SnapshotError);
    CHECK_THROWS(cp.run_to(11'000'000));  // behind the machine: that is seek()'s job

    REQUIRE(cp.seek(7'000'000) == StopReason::InstructionLimit);
    CHECK(cp.window_start(7'000'000) == 6'000'000);
    CHECK(cp.window_start(6'000'000) == 4'000'000);
    CHECK(cp.window_start(3'000'000) == 3'000'000);
    // The debugger writes a register: positions after 7M have another future.
    g->sys->cpu.s.gpr[cpu::RAX] ^= 1;
    cp.discard_after(g->sys->instructions());
    CHECK(cp.positions() == std::vector<uint64_t>{3'000'000, 4'000'000, 6'000'000});
    CHECK(cp.frontier() == 7'000'000);
    CHECK(!cp.replaying());
    cp.take();
    CHECK(cp.newest() == 7'000'000);
}

TEST_CASE("checkpoints: reverse continue over the Multiboot kernel finds the last LAPIC timer interrupt") {
    // The debugger's reverse continue, as checkpoints.h sketches it, with a
    // "breakpoint" on the APIC timer's vector: a sink records where each
    // delivery happened; the machine lands on the last one before `now`.
    struct Hits : cpu::TraceSink {
        std::vector<uint64_t> at;
        void event(uint64_t icount, const cpu::EventRecord& e, uint64_t) override {
            if (e.vector == 0x30) at.push_back(icount);
        }
    } hits;
    auto g = GuestSystem::multiboot();
    Checkpoints cp(*g->sys, {.interval = 1000});  // the kernel runs ~12k instructions
    g->sys->cpu.set_trace(&hits);
    REQUIRE(cp.run({}) == StopReason::GuestExit);
    const std::vector<uint64_t> all = hits.at;
    REQUIRE(all.size() == 10);
    const uint64_t now = g->sys->instructions();
    REQUIRE(cp.count() > 3);

    // Step back to just before the exit, then reverse-continue twice.
    for (int round = 0; round < 2; ++round) {
        const uint64_t start = g->sys->instructions();
        uint64_t landed = ~0ull;
        for (uint64_t end = start;;) {
            const uint64_t from = cp.window_start(end);
            cp.seek(from);
            hits.at.clear();
            cp.run_to(end);
            if (!hits.at.empty()) {
                landed = hits.at.back();
                cp.seek(landed);
                break;
            }
            REQUIRE(from != cp.oldest());
            end = from;
        }
        const uint64_t expect = round == 0 ? all[9] : all[8];
        CHECK(landed == expect);
        CHECK(g->sys->instructions() == expect);
        (void)now;
    }
    g->sys->cpu.set_trace(nullptr);
}
