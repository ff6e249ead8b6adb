#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "emu/clock.h"

using bs::emu::Clock;

TEST_CASE("clock: events run in deadline order, ties in scheduling order") {
    Clock c;
    std::string log;
    auto a = c.add_event("a", [&](uint64_t, uint64_t) { log += 'a'; });
    auto b = c.add_event("b", [&](uint64_t, uint64_t) { log += 'b'; });
    auto d = c.add_event("d", [&](uint64_t, uint64_t) { log += 'd'; });
    c.schedule(d, 50);
    c.schedule(b, 100);
    c.schedule(a, 100);  // same deadline, scheduled later: runs after b
    CHECK(c.next_deadline() == 50);
    c.advance_to(200);
    CHECK(log == "dba");
    log.clear();
    c.schedule(a, 10);
    c.schedule(b, 10);
    c.schedule(a, 10);  // rescheduling moves a behind b
    c.advance_to(c.now() + 10);
    CHECK(log == "ba");
}

TEST_CASE("clock: cancel, pending and no deadline") {
    Clock c;
    int n = 0;
    auto e = c.add_event("e", [&](uint64_t, uint64_t) { ++n; });
    CHECK(c.next_deadline() == Clock::kNever);
    CHECK(c.insns_until(c.next_deadline()) == Clock::kNever);
    c.schedule(e, 5);
    CHECK(c.pending(e));
    c.cancel(e);
    CHECK_FALSE(c.pending(e));
    CHECK_FALSE(c.skip_to_next_event());
    c.advance_to(100);
    CHECK(n == 0);
}

TEST_CASE("clock: retired instructions make time, default 1 ns each") {
    Clock c;
    c.retire(1000);
    CHECK(c.now() == 1000);
    CHECK(c.tsc() == 1000);
    Clock slow(2500);  // 2.5 ns per instruction
    slow.retire(3);
    CHECK(slow.now() == 7);  // 7.5 ns: the half is carried
    slow.retire(1);
    CHECK(slow.now() == 10);
    CHECK(slow.insns_until(20) == 4);
    CHECK(slow.insns_until(21) == 5);
    Clock fast(250);  // 4 instructions per ns
    CHECK(fast.insns_until(10) == 40);
}

TEST_CASE("clock: run to the next deadline, late callbacks, HLT skip") {
    Clock c;
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    auto e = c.add_event("tick", [&](uint64_t now, uint64_t late) { runs.push_back({now, late}); });
    c.schedule(e, 100);
    uint64_t budget = c.insns_until(c.next_deadline());
    CHECK(budget == 100);
    c.retire(budget - 1);
    CHECK(runs.empty());
    c.retire(5);  // the CPU overshot a block by 4 instructions
    REQUIRE(runs.size() == 1);
    CHECK(runs[0] == std::pair<uint64_t, uint64_t>{104, 4});
    c.schedule(e, 1000);
    CHECK(c.skip_to_next_event());
    CHECK(c.now() == 1104);
    CHECK(runs.back() == std::pair<uint64_t, uint64_t>{1104, 0});
}

TEST_CASE("clock: a callback may schedule an event that is already due") {
    Clock c;
    std::string log;
    auto x = c.add_event("x", [&](uint64_t, uint64_t) { log += 'x'; });
    auto y = c.add_event("y", [&](uint64_t, uint64_t) {
        log += 'y';
        c.schedule(x, 0);
    });
    c.schedule(y, 10);
    c.advance_to(10);
    CHECK(log == "yx");
    CHECK(c.events_fired() == 2);
    CHECK(c.event_name(y) == "y");
}
