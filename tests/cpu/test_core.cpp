// The decoder, the run loop, the block cache and the ALU/move/stack families.
#include <doctest/doctest.h>

#include "harness.h"

using namespace bs::cpu;
using bs::test::Machine;

TEST_CASE("decoder: lengths and fields of common encodings") {
    DecodedInsn d;
    const uint8_t add[] = {0x48, 0x01, 0xd8};  // add rax, rbx
    REQUIRE(decode(add, 8, d) == DecodeStatus::Ok);
    CHECK(d.len == 3);
    CHECK(d.opsize == 8);
    CHECK(d.reg == RBX);
    CHECK(d.rm == RAX);
    CHECK(std::string(mnemonic(d)) == "add");

    const uint8_t sib[] = {0x8b, 0x44, 0x8d, 0x10};  // mov eax, [rbp+rcx*4+0x10]
    REQUIRE(decode(sib, 8, d) == DecodeStatus::Ok);
    CHECK(d.len == 4);
    CHECK(d.base == RBP);
    CHECK(d.index == RCX);
    CHECK(d.scale == 2);
    CHECK(d.disp == 0x10);
    CHECK(d.seg == SS);

    const uint8_t rip[] = {0x48, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12};  // mov rax, [rip+0x12345678]
    REQUIRE(decode(rip, 8, d) == DecodeStatus::Ok);
    CHECK(d.base == kRipBase);
    CHECK(d.len == 7);

    const uint8_t movabs[] = {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8};
    REQUIRE(decode(movabs, 8, d) == DecodeStatus::Ok);
    CHECK(d.len == 10);
    CHECK(d.imm == 0x0807060504030201ull);

    const uint8_t ah[] = {0x88, 0xe0};  // mov al, ah
    REQUIRE(decode(ah, 8, d) == DecodeStatus::Ok);
    CHECK(d.reg == kAH);
    const uint8_t spl[] = {0x40, 0x88, 0xe0};  // mov al, spl
    REQUIRE(decode(spl, 8, d) == DecodeStatus::Ok);
    CHECK(d.reg == RSP);

    const uint8_t bx_si[] = {0x8b, 0x40, 0x05};  // 16-bit: mov ax, [bx+si+5]
    REQUIRE(decode(bx_si, 2, d) == DecodeStatus::Ok);
    CHECK(d.base == RBX);
    CHECK(d.index == RSI);
    CHECK(d.opsize == 2);
}

TEST_CASE("decoder: invalid, truncated and over-long encodings") {
    DecodedInsn d;
    const uint8_t vex[] = {0xc5, 0xf8, 0x77};  // vzeroupper
    CHECK(decode(vex, 8, d) == DecodeStatus::Invalid);
    const uint8_t trunc[] = {0x48, 0x81};
    CHECK(decode(trunc, 8, d) == DecodeStatus::NeedMore);
    const uint8_t lock_reg[] = {0xf0, 0x01, 0xd8};  // lock add eax, ebx: #UD
    CHECK(decode(lock_reg, 8, d) == DecodeStatus::Invalid);
    uint8_t longer[16];
    std::memset(longer, 0x66, sizeof longer);
    CHECK(decode(longer, 8, d) == DecodeStatus::Invalid);
    CHECK(d.len == 15);
    const uint8_t inc40[] = {0x40};  // INC eax in 32-bit mode; REX alone in 64-bit
    CHECK(decode(inc40, 4, d) == DecodeStatus::Ok);
    CHECK(decode(inc40, 8, d) == DecodeStatus::NeedMore);
}

TEST_CASE("alu: add/sub/cmp flags through lazy evaluation") {
    Machine m;
    m.code({0x48, 0x01, 0xd8,         // add rax, rbx
            0x0f, 0x92, 0xc1});       // setb cl — may be absent until the bit family lands
    m.r(RAX) = ~0ull;
    m.r(RBX) = 1;
    REQUIRE(m.run(1).exit == Exit::InstructionLimit);
    CHECK(m.r(RAX) == 0);
    const uint64_t f = m.flags();
    CHECK((f & fl::CF) != 0);
    CHECK((f & fl::ZF) != 0);
    CHECK((f & fl::PF) != 0);
    CHECK((f & fl::AF) != 0);
    CHECK((f & fl::SF) == 0);
    CHECK((f & fl::OF) == 0);

    Machine n;
    n.code({0x3c, 0x80});  // cmp al, 0x80 with al = 0x7f: signed overflow
    n.r(RAX) = 0x7f;
    n.run(1);
    CHECK((n.flags() & (fl::OF | fl::SF | fl::CF)) == (fl::OF | fl::SF | fl::CF));
}

TEST_CASE("alu: adc/sbb chain carries, inc keeps CF") {
    Machine m;
    m.code({0x48, 0x01, 0xc8,   // add rax, rcx
            0x48, 0x11, 0xda,   // adc rdx, rbx
            0x48, 0xff, 0xc6}); // inc rsi
    m.r(RAX) = ~0ull; m.r(RCX) = 2; m.r(RDX) = 5; m.r(RBX) = 7; m.r(RSI) = 0;
    m.run(3);
    CHECK(m.r(RAX) == 1);
    CHECK(m.r(RDX) == 13);
    CHECK(m.r(RSI) == 1);
    CHECK((m.flags() & fl::CF) == 0);  // adc produced no carry; inc keeps it
}

TEST_CASE("move: 32-bit writes zero-extend, 8/16-bit merge, movsx/movzx") {
    Machine m;
    m.code({0x89, 0xd8,               // mov eax, ebx
            0x66, 0x89, 0xd9,         // mov cx, bx
            0x88, 0xfa,               // mov dl, bh
            0x48, 0x0f, 0xbe, 0xf3,   // movsx rsi, bl
            0x0f, 0xb7, 0xfb});       // movzx edi, bx
    m.r(RAX) = ~0ull; m.r(RCX) = ~0ull; m.r(RDX) = ~0ull; m.r(RSI) = 0; m.r(RDI) = ~0ull;
    m.r(RBX) = 0x1234'5678'9abc'def0ull;
    m.run(5);
    CHECK(m.r(RAX) == 0x9abcdef0ull);
    CHECK(m.r(RCX) == 0xffff'ffff'ffff'def0ull);
    CHECK(m.r(RDX) == 0xffff'ffff'ffff'ffdeull);
    CHECK(m.r(RSI) == 0xffff'ffff'ffff'fff0ull);
    CHECK(m.r(RDI) == 0xdef0);
}

TEST_CASE("stack: call/ret, push/pop, enter/leave") {
    Machine m;
    // 0x1000: call +3 ; 0x1005: jmp to self (never reached before ret)
    m.code({0xe8, 0x02, 0x00, 0x00, 0x00,   // call 0x1007
            0xeb, 0xfe,                     // 0x1005: jmp $
            0x55,                           // 0x1007: push rbp
            0x48, 0x89, 0xe5,               // mov rbp, rsp
            0xc8, 0x10, 0x00, 0x00,         // enter 16, 0
            0xc9,                           // leave
            0x5d,                           // pop rbp
            0xc3});                         // ret
    m.r(RBP) = 0x4242;
    m.run(8);
    CHECK(m.cpu.s.rip == 0x1005);
    CHECK(m.r(RSP) == Machine::kStack);
    CHECK(m.r(RBP) == 0x4242);
    CHECK(m.mem<uint64_t>(Machine::kStack - 8) == 0x1005);
}

TEST_CASE("stack: jcc and loop") {
    Machine m;
    m.code({0x31, 0xc0,       // xor eax, eax
            0xff, 0xc0,       // inc eax
            0xe2, 0xfc,       // loop -4
            0x83, 0xf8, 0x05, // cmp eax, 5
            0x75, 0xfe});     // jne $ (not taken)
    m.r(RCX) = 5;
    m.run(2 + 5 * 2 - 1 + 2);
    CHECK(m.r(RAX) == 5);
    CHECK(m.r(RCX) == 0);
    CHECK(m.cpu.s.rip == 0x100b);
}

TEST_CASE("faults leave state untouched and report the vector") {
    Machine m;
    m.code({0x0f, 0x0b});  // ud2 lands with the misc family; VEX is #UD today
    m.code({0xc5, 0xf8, 0x77});
    auto r = m.run(1);
    CHECK(r.exit == Exit::Exception);
    CHECK(r.fault.vector == kUD);
    CHECK(m.cpu.s.rip == Machine::kCode);

    Machine w;  // a write beyond RAM goes to MMIO and is dropped; a fault-free run
    w.code({0x48, 0x89, 0x03});  // mov [rbx], rax
    w.r(RBX) = 0x200000;
    CHECK(w.run(1).exit == Exit::InstructionLimit);
}

TEST_CASE("self-modifying code: a store into the running block takes effect") {
    Machine m;
    // mov byte [rip+1], 0x90 ... overwrite the next instruction's first byte.
    // 0x1000: c6 05 00 00 00 00 xx -> RIP-relative to next insn (0x1007)
    m.code({0xc6, 0x05, 0x00, 0x00, 0x00, 0x00, 0x90,  // mov byte [rip+0], 0x90
            0xcc,                                      // 0x1007: int3 → becomes nop
            0x90});
    m.run(1);
    CHECK(m.mem<uint8_t>(0x1007) == 0x90);
    m.run(1);
    CHECK(m.cpu.s.rip == 0x1008);
}

TEST_CASE("block cache: an instruction spanning two pages is invalidated by a write to either page") {
    Machine m;
    // mov rax, imm64 placed so that its immediate crosses into the next page.
    const uint64_t at = 0x2000 - 4;
    m.code({0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 0x90}, at);
    m.run(1);
    CHECK(m.r(RAX) == 0x0807060504030201ull);
    // Patch the high byte of the immediate, on the second page, through the guest.
    m.code({0xc6, 0x04, 0x25, 0x05, 0x20, 0x00, 0x00, 0xaa});  // mov byte [0x2005], 0xaa
    m.run(1);
    m.cpu.s.rip = at;
    m.run(1);
    CHECK(m.r(RAX) == 0xaa07060504030201ull);
}

TEST_CASE("block cache: code rewritten by the host between runs is re-decoded after flush") {
    Machine m;
    m.code({0xb0, 0x01});  // mov al, 1
    m.run(1);
    CHECK((m.r(RAX) & 0xff) == 1);
    m.code({0xb0, 0x02});  // host writes bypass the CPU; code() flushes
    m.run(1);
    CHECK((m.r(RAX) & 0xff) == 2);
}

TEST_CASE("an instruction crossing into unbacked memory faults without retiring") {
    Machine m;
    // The last byte of RAM-backed space is followed by unbacked (MMIO) space:
    // an instruction crossing into it cannot be fetched.
    const uint64_t end = m.bus.ram.size();
    m.bus.ram[end - 1] = 0x48;  // REX.W, then the opcode would be in MMIO
    m.cpu.s.rip = end - 1;
    const auto r = m.run(1);
    CHECK(r.exit == Exit::Exception);
    CHECK(m.cpu.s.rip == end - 1);
}
