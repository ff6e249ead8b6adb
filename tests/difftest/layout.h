// The differential test's shared vocabulary: the address-space layout that
// the native child and the emulated CPU both see, the architectural state
// block both sides load and store, and one generated test case.
//
// Addresses are fixed and below 2 GiB so the native prologue/epilogue can
// use absolute disp32 addressing and RIP-relative operands in the code page
// reach the data buffer.
#pragma once

#include <cstdint>

namespace bs::difftest {

// Guest-visible memory (identical addresses natively and emulated).
inline constexpr uint64_t kDataBase = 0x10000000;   // random data + stack
inline constexpr uint64_t kDataSize = 0x4000;       // 4 pages
inline constexpr uint64_t kGuardBase = 0x0ff00000;  // PROT_NONE around the data
inline constexpr uint64_t kGuardSize = 0x00200000;
inline constexpr uint64_t kCodeBase = 0x20000000;   // prologue, epilogue, landing pads
inline constexpr uint64_t kCodeSize = 0x10000;
inline constexpr uint64_t kInsnAddr = kCodeBase + 0x8000;  // the instruction under test
inline constexpr uint64_t kEpilogue = kCodeBase + 0x400;
inline constexpr uint64_t kPadStride = 32;           // landing pads every 32 bytes
inline constexpr uint64_t kPadFirst = kCodeBase + 0x1000;
inline constexpr uint64_t kInsnSlot = 64;            // bytes at kInsnAddr reserved (insn + fall-through pad)
inline constexpr uint64_t kCtlBase = 0x20100000;     // native control block (state in/out)
inline constexpr uint64_t kHoleBase = 0x30000000;    // PROT_NONE: branch targets that fault on fetch

// FXSAVE64 image offsets (SDM Vol. 1 §10.5.1, table 10-2).
namespace fx {
inline constexpr unsigned FCW = 0, FSW = 2, FTW = 4, FOP = 6, FIP = 8, FDP = 16, MXCSR = 24,
                          MXCSR_MASK = 28, ST = 32, XMM = 160;
}

// Architectural state as both sides load and store it. `fx` is an FXSAVE64
// image (x87 with abridged tags, MXCSR, XMM0-15); ST(i) slots are in stack
// order, tag bits by physical register, as FXSAVE writes them.
struct alignas(64) ArchState {
    uint8_t fx[512];
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t rflags;
};

// Bytes planted in the data buffer after it is filled from the seed.
struct Poke {
    uint32_t offset = 0;  // from kDataBase
    uint8_t len = 0;
    uint8_t data[16] = {};
};

struct Case {
    uint8_t bytes[16] = {};
    uint8_t len = 0;
    uint64_t mem_seed = 0;
    Poke pokes[3];
    uint8_t npokes = 0;
    ArchState in{};
    // Masks of what is left undefined (from Zydis): RFLAGS bits, FSW C0-C3.
    uint64_t undef_flags = 0;
    uint16_t undef_fsw = 0;
    bool x87 = false;  // the form uses the x87/MMX register file
};

// Fills the data buffer of a case deterministically (both sides call it).
void fill_data(const Case& c, uint8_t* buf);

}  // namespace bs::difftest
