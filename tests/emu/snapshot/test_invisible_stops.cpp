// Stops are invisible: running a machine to instruction N in one run() gives
// exactly the state (CPU, RAM, devices, clock, serial output) of running
// there in arbitrary pieces, single steps included. Time travel (seek by
// re-execution from a snapshot) stands on this.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "guest_systems.h"

using namespace bs;
using namespace bs::emu;
using bs::test::GuestSystem;

namespace {

// 32-bit protected mode at 0x7C00, interrupts off: the local APIC timer
// (divide by 16, periodic, masked LVT) counts down from 100000; then 40
// times: read its current count (MMIO 0xFEE00390) and the TSC, print two
// bytes of each on debugcon, spin about 2000 instructions. The values move
// between iterations and depend on the exact instruction that reads them.
std::string apic_count_program(bool single_steps, std::vector<uint64_t>* mmio_at = nullptr) {
    System sys{MachineConfig{}};
    BootState boot{};
    boot.mode = BootState::Mode::Protected32;
    boot.entry = 0x7c00;
    sys.start(boot);
    const uint8_t code[] = {
        0xc7, 0x05, 0xf0, 0x00, 0xe0, 0xfe, 0xff, 0x01, 0x00, 0x00,  // mov dword [0xfee000f0], 0x1ff (SVR)
        0xc7, 0x05, 0xe0, 0x03, 0xe0, 0xfe, 0x03, 0x00, 0x00, 0x00,  // mov dword [0xfee003e0], 3 (divide by 16)
        0xc7, 0x05, 0x20, 0x03, 0xe0, 0xfe, 0x40, 0x00, 0x03, 0x00,  // mov dword [0xfee00320], 0x30040 (periodic, masked)
        0xc7, 0x05, 0x80, 0x03, 0xe0, 0xfe, 0xa0, 0x86, 0x01, 0x00,  // mov dword [0xfee00380], 100000
        0xb9, 0x28, 0x00, 0x00, 0x00,                                // mov ecx, 40
        // loop:
        0xa1, 0x90, 0x03, 0xe0, 0xfe,                                // mov eax, [0xfee00390]
        0xe6, 0xe9, 0xc1, 0xe8, 0x08, 0xe6, 0xe9,                    // out 0xe9, al; shr eax, 8; out 0xe9, al
        0x0f, 0x31,                                                  // rdtsc
        0xe6, 0xe9, 0xc1, 0xe8, 0x08, 0xe6, 0xe9,                    // out 0xe9, al; shr eax, 8; out 0xe9, al
        0xbb, 0xe8, 0x03, 0x00, 0x00,                                // mov ebx, 1000
        0x4b, 0x75, 0xfd,                                            // dec ebx; jnz -3
        0xe2, 0xe1,                                                  // loop loop
        0xf4,                                                        // hlt
    };
    REQUIRE(sys.machine.write_phys(0x7c00, code, sizeof code));
    std::string out;
    sys.machine.platform.debugcon_sink = [&](uint8_t b) { out.push_back(static_cast<char>(b)); };
    sys.machine.on_io = [&](Machine::IoKind kind, uint64_t, unsigned, uint64_t) {
        if (mmio_at && (kind == Machine::IoKind::MmioRead || kind == Machine::IoKind::MmioWrite))
            mmio_at->push_back(sys.current_instruction());
    };
    StopReason r;
    if (single_steps) {
        int guard = 1'000'000;
        while ((r = sys.run({.max_instructions = 1})) == StopReason::InstructionLimit && --guard) {}
    } else {
        r = sys.run({.max_instructions = 1'000'000});
    }
    CHECK(r == StopReason::Halted);
    return out;
}

}  // namespace

TEST_CASE("invisible stops: LAPIC timer count (MMIO) and RDTSC read the same values in one run and in single steps") {
    const std::string whole = apic_count_program(false);
    const std::string stepped = apic_count_program(true);
    REQUIRE(whole.size() == 160);
    CHECK(whole == stepped);
    CHECK(whole.substr(0, 2) != whole.substr(4, 2));  // the count moves
}

TEST_CASE("invisible stops: System::current_instruction() names the accessing instruction inside a run") {
    std::vector<uint64_t> whole, stepped;
    apic_count_program(false, &whole);
    apic_count_program(true, &stepped);
    REQUIRE(whole.size() == 4 + 40);
    CHECK(whole == stepped);
    // Four register writes, then one count read per iteration of 2010 instructions.
    for (uint64_t k = 0; k < 4; ++k) CHECK(whole[k] == k);
    for (uint64_t k = 0; k < 40; ++k) CHECK(whole[4 + k] == 5 + 2010 * k);
}

TEST_CASE("invisible stops: the bundled guest's boot, 40M instructions in one run and in random pieces") {
    // (Should the boot ever end sooner, both runs must end at the same power-off.)
    constexpr uint64_t kTarget = 40'000'000;
    auto whole = GuestSystem::bundled();
    const StopReason stop = whole->sys->run({.max_instructions = kTarget});
    REQUIRE((stop == StopReason::InstructionLimit || stop == StopReason::PowerOff));
    const uint64_t end = whole->sys->instructions();
    const Snapshot a = Snapshot::take(**whole);

    for (uint64_t seed : {1u, 0x5eed5u}) {
        CAPTURE(seed);
        auto pieces = GuestSystem::bundled();
        test::Rng rng(seed);
        uint64_t n = 0;
        StopReason r = test::run_in_pieces(**pieces, end, rng, &n);
        if (r == StopReason::InstructionLimit && stop != r) r = pieces->sys->run({});
        REQUIRE(r == stop);
        MESSAGE("seed ", seed, ": ", n, " pieces");
        const Snapshot b = Snapshot::take(**pieces);
        CHECK_MESSAGE(a.same_state(b), test::first_difference(a, b));
        CHECK(pieces->serial == whole->serial);
    }
    CHECK(!whole->serial.empty());  // the guest got far enough to talk
}

TEST_CASE("invisible stops: a single-stepped stretch of the bundled guest's boot") {
    // 200k single steps around the kernel's early timer setup, the rest in two runs.
    constexpr uint64_t kFrom = 25'000'000, kSteps = 200'000, kTarget = 30'000'000;
    auto whole = GuestSystem::bundled();
    REQUIRE(whole->sys->run({.max_instructions = kTarget}) == StopReason::InstructionLimit);
    auto stepped = GuestSystem::bundled();
    REQUIRE(stepped->sys->run({.max_instructions = kFrom}) == StopReason::InstructionLimit);
    for (uint64_t i = 0; i < kSteps; ++i) REQUIRE(stepped->sys->run({.max_instructions = 1}) == StopReason::InstructionLimit);
    REQUIRE(stepped->sys->run({.max_instructions = kTarget - kFrom - kSteps}) == StopReason::InstructionLimit);
    const Snapshot a = Snapshot::take(**whole), b = Snapshot::take(**stepped);
    CHECK_MESSAGE(a.same_state(b), test::first_difference(a, b));
    CHECK(stepped->serial == whole->serial);
}

TEST_CASE("invisible stops: the Multiboot kernel (PIT, RTC, LAPIC timer, HLT) to its exit, whole and in pieces") {
    auto whole = GuestSystem::multiboot();
    REQUIRE(whole->sys->run({}) == StopReason::GuestExit);
    CHECK(whole->sys->machine.exit_status() == (0x21 << 1 | 1));
    const uint64_t end = whole->sys->instructions();
    const Snapshot a = Snapshot::take(**whole);

    for (uint64_t seed : {7u, 99u, 12345u}) {
        CAPTURE(seed);
        auto pieces = GuestSystem::multiboot();
        test::Rng rng(seed);
        StopReason r = test::run_in_pieces(**pieces, end, rng);
        if (r == StopReason::InstructionLimit) r = pieces->sys->run({});  // the exit comes after the last instruction
        CHECK(r == StopReason::GuestExit);
        const Snapshot b = Snapshot::take(**pieces);
        CHECK_MESSAGE(a.same_state(b), test::first_difference(a, b));
        CHECK(pieces->serial == whole->serial);
    }
    CHECK(whole->serial.find("mb: apic timer 10 ticks") != std::string::npos);
}
