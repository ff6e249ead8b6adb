// CPU family 'string' (cpu/exec_string.cpp): MOVS/STOS/LODS/SCAS/CMPS and
// INS/OUTS with REP/REPE/REPNE, DF, address size, segment override, the
// per-iteration commit on a fault and the chunked (interruptible) REP.
#include <doctest/doctest.h>

#include <cstring>

#include "harness.h"

using namespace bs::cpu;
using bs::test::Machine;

namespace {

constexpr uint64_t kSrc = 0x6000;
constexpr uint64_t kDst = 0x7000;

void fill(Machine& m, uint64_t at, unsigned n, uint8_t first) {
    for (unsigned k = 0; k < n; ++k) m.poke<uint8_t>(at + k, static_cast<uint8_t>(first + k));
}

}  // namespace

TEST_CASE("string: MOVS of every width, forward and backward") {
    Machine m;
    // movsb ; movsw ; movsd ; movsq ; std ; movsq ; movsb
    m.code({0xa4, 0x66, 0xa5, 0xa5, 0x48, 0xa5, 0xfd, 0x48, 0xa5, 0xa4});
    fill(m, kSrc, 32, 0x10);
    m.r(RSI) = kSrc;
    m.r(RDI) = kDst;
    REQUIRE(m.run(4).exit == Exit::InstructionLimit);
    CHECK(m.r(RSI) == kSrc + 15);
    CHECK(m.r(RDI) == kDst + 15);
    CHECK(std::memcmp(m.bus.ram.data() + kSrc, m.bus.ram.data() + kDst, 15) == 0);
    REQUIRE(m.run(3).exit == Exit::InstructionLimit);  // DF = 1: qword at +15, then byte at +7
    CHECK(m.r(RSI) == kSrc + 6);
    CHECK(m.r(RDI) == kDst + 6);
    CHECK(m.mem<uint8_t>(kDst + 7) == 0x17);
    CHECK(m.mem<uint64_t>(kDst + 15) == m.mem<uint64_t>(kSrc + 15));
}

TEST_CASE("string: REP MOVS/STOS, RCX = 0, LODS zero-extends") {
    Machine m;
    // rep movsq ; rep stosb ; rep stosd (rcx = 0) ; lodsd
    m.code({0xf3, 0x48, 0xa5, 0xf3, 0xaa, 0xf3, 0xab, 0xad});
    fill(m, kSrc, 24, 1);
    m.r(RSI) = kSrc;
    m.r(RDI) = kDst;
    m.r(RCX) = 3;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RCX) == 0);
    CHECK(std::memcmp(m.bus.ram.data() + kSrc, m.bus.ram.data() + kDst, 24) == 0);
    CHECK(m.mem<uint8_t>(kDst + 24) == 0);
    m.r(RAX) = 0xab;
    m.r(RCX) = 5;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.mem<uint64_t>(kDst + 24) == 0xab'abab'ababull);
    CHECK(m.r(RDI) == kDst + 29);
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);  // rcx = 0: nothing
    CHECK(m.r(RDI) == kDst + 29);
    m.r(RAX) = ~0ull;
    m.r(RSI) = kSrc;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RAX) == 0x0403'0201u);
    CHECK(m.r(RSI) == kSrc + 4);
}

TEST_CASE("string: REPE CMPS and REPNE SCAS stop on the condition") {
    Machine m;
    // repe cmpsb ; repne scasb ; cmpsw (no rep)
    m.code({0xf3, 0xa6, 0xf2, 0xae, 0x66, 0xa7});
    std::memcpy(m.bus.ram.data() + kSrc, "abcdefgh", 8);
    std::memcpy(m.bus.ram.data() + kDst, "abcdXfgh", 8);
    m.r(RSI) = kSrc;
    m.r(RDI) = kDst;
    m.r(RCX) = 8;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RCX) == 3);  // stopped after comparing 'e' with 'X'
    CHECK(m.r(RSI) == kSrc + 5);
    CHECK(m.r(RDI) == kDst + 5);
    CHECK((m.flags() & fl::ZF) == 0);
    CHECK((m.flags() & fl::CF) == 0);  // 'e' > 'X'
    // strlen idiom: scan for 0 from the start of a string.
    std::memcpy(m.bus.ram.data() + kDst, "hello\0", 6);
    m.r(RDI) = kDst;
    m.r(RAX) = 0;
    m.r(RCX) = ~0ull;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(~m.r(RCX) - 1 == 5);
    CHECK((m.flags() & fl::ZF) != 0);
    m.r(RSI) = kSrc;
    m.r(RDI) = kSrc;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK((m.flags() & fl::ZF) != 0);
    CHECK(m.r(RSI) == kSrc + 2);
}

TEST_CASE("string: 32-bit address size wraps ESI/EDI/ECX; segment override applies to the source") {
    Machine m;
    // addr32 rep movsb ; fs movsb ; fs stosb (the destination stays ES)
    m.code({0x67, 0xf3, 0xa4, 0x64, 0xa4, 0x64, 0xaa});
    m.r(RSI) = 0xffff'ffff'0000'6000ull;  // upper half ignored, then cleared
    m.r(RDI) = 0x1'0000'7000ull;
    m.r(RCX) = 0xffff'ffff'0000'0002ull;
    fill(m, kSrc, 4, 0x41);
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RSI) == kSrc + 2);
    CHECK(m.r(RDI) == kDst + 2);
    CHECK(m.r(RCX) == 0);
    CHECK(m.mem<uint16_t>(kDst) == 0x4241);

    m.cpu.s.seg[FS].base = 0x1000;
    m.cpu.mode_changed();
    m.r(RSI) = kSrc - 0x1000;  // fs:rsi = kSrc
    m.r(RDI) = kDst + 0x10;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.mem<uint8_t>(kDst + 0x10) == 0x41);
    m.r(RAX) = 0x99;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.mem<uint8_t>(kDst + 0x11) == 0x99);
}

TEST_CASE("string: a long REP yields every 4096 iterations with RIP at the instruction") {
    Machine m;
    // rep stosb ; nop
    m.code({0xf3, 0xaa, 0x90});
    m.r(RDI) = 0x20000;
    m.r(RCX) = 10000;
    m.r(RAX) = 0x5a;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.cpu.s.rip == Machine::kCode);
    CHECK(m.r(RCX) == 10000 - 4096);
    CHECK(m.r(RDI) == 0x20000 + 4096);
    REQUIRE(m.run(2).exit == Exit::InstructionLimit);
    CHECK(m.cpu.s.rip == Machine::kCode + 2);
    CHECK(m.r(RCX) == 0);
    CHECK(m.mem<uint8_t>(0x20000 + 9999) == 0x5a);
    CHECK(m.mem<uint8_t>(0x20000 + 10000) == 0);
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);  // the nop after it
    CHECK(m.cpu.s.rip == Machine::kCode + 3);
}

TEST_CASE("string: INS/OUTS go through the bus, REP included") {
    Machine m;
    m.cpu.s.cpl = 0;
    // rep outsb ; insw ; outsd (REX.W stays 32-bit)
    m.code({0xf3, 0x6e, 0x66, 0x6d, 0x48, 0x6f});
    fill(m, kSrc, 8, 0x61);
    m.r(RSI) = kSrc;
    m.r(RDI) = kDst;
    m.r(RDX) = 0x3f8;
    m.r(RCX) = 3;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    REQUIRE(m.bus.outs.size() == 3);
    CHECK(m.bus.outs[2].port == 0x3f8);
    CHECK(m.bus.outs[2].size == 1);
    CHECK(m.bus.outs[2].value == 0x63);
    m.bus.io_value = 0xbeef;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.bus.last_in_port == 0x3f8);
    CHECK(m.mem<uint16_t>(kDst) == 0xbeef);
    CHECK(m.r(RDI) == kDst + 2);
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    REQUIRE(m.bus.outs.size() == 4);
    CHECK(m.bus.outs[3].size == 4);
    CHECK(m.bus.outs[3].value == 0x6766'6564u);
}

TEST_CASE("string: a fault in the middle of REP MOVS commits the finished iterations") {
    Machine m;
    // Identity-mapped 4-level page tables for the first 2 MiB, page 0x9000
    // not present.
    const uint64_t pml4 = 0x20000, pdpt = 0x21000, pd = 0x22000, pt = 0x23000;
    m.poke<uint64_t>(pml4, pdpt | 7);
    m.poke<uint64_t>(pdpt, pd | 7);
    m.poke<uint64_t>(pd, pt | 7);
    for (uint64_t k = 0; k < 512; ++k) m.poke<uint64_t>(pt + 8 * k, k == 9 ? 0 : (k << 12) | 7);
    // mov al, [rsi] ; mov [rdi], al ; rep movsb
    m.code({0x8a, 0x06, 0x88, 0x07, 0xf3, 0xa4});
    fill(m, kSrc, 0x100, 0);
    m.r(RSI) = kSrc;
    m.r(RDI) = 0x8f80;
    m.r(RCX) = 0x100;
    REQUIRE(m.run(2).exit == Exit::InstructionLimit);  // code, source and first destination page in use
    m.cpu.s.cr3 = pml4;
    m.cpu.s.cr4 |= cr4::PAE;
    m.cpu.s.cr0 |= cr0::PG;
    const RunResult r = m.run(1);
    REQUIRE(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kPF);
    CHECK(m.cpu.s.rip == Machine::kCode + 4);
    CHECK(m.r(RCX) == 0x80);
    CHECK(m.r(RSI) == kSrc + 0x80);
    CHECK(m.r(RDI) == 0x9000);
    CHECK(m.mem<uint8_t>(0x8fff) == 0x7f);
}
