// The architectural state of one x86-64 logical processor, as a plain struct.
//
// Everything the guest can observe about the CPU lives here, at fixed offsets,
// so that the interpreter, a later JIT, the debugger and save states all read
// the same fields. Nothing here knows about devices or memory.
//
// Intel SDM Vol. 1 ch. 3 (basic execution environment), Vol. 3A ch. 2
// (system registers). Arithmetic flags are kept lazily: see flags.h.
#pragma once

#include <cstdint>
#include <cstring>

namespace bs::cpu {

enum Gpr : uint8_t {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15,
};

// Byte registers are numbered 0..15 for AL..R15B (SPL/BPL/SIL/DIL with REX)
// and 16..19 for AH, CH, DH, BH (legacy high bytes, only without REX).
inline constexpr uint8_t kAH = 16;

enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, kSegNone = 7 };

// RFLAGS bits (SDM Vol. 1 §3.4.3).
namespace fl {
inline constexpr uint64_t CF = 1u << 0;
inline constexpr uint64_t Reserved1 = 1u << 1;  // always 1
inline constexpr uint64_t PF = 1u << 2;
inline constexpr uint64_t AF = 1u << 4;
inline constexpr uint64_t ZF = 1u << 6;
inline constexpr uint64_t SF = 1u << 7;
inline constexpr uint64_t TF = 1u << 8;
inline constexpr uint64_t IF = 1u << 9;
inline constexpr uint64_t DF = 1u << 10;
inline constexpr uint64_t OF = 1u << 11;
inline constexpr uint64_t IOPL = 3u << 12;
inline constexpr uint64_t NT = 1u << 14;
inline constexpr uint64_t RF = 1u << 16;
inline constexpr uint64_t VM = 1u << 17;
inline constexpr uint64_t AC = 1u << 18;
inline constexpr uint64_t VIF = 1u << 19;
inline constexpr uint64_t VIP = 1u << 20;
inline constexpr uint64_t ID = 1u << 21;
inline constexpr uint64_t Arith = CF | PF | AF | ZF | SF | OF;
}  // namespace fl

// A segment register: the visible selector and the hidden descriptor cache.
// `attr` packs descriptor bits 40..47 and 52..55 as in VMX access rights:
// type(4) S(1) DPL(2) P(1) | AVL(1) L(1) D/B(1) G(1) in bits 0..7 and 12..15.
struct Segment {
    uint16_t selector = 0;
    uint16_t attr = 0;
    uint32_t limit = 0xffff;
    uint64_t base = 0;
};

namespace segattr {
inline constexpr uint16_t Accessed = 1u << 0;
inline constexpr uint16_t Writable = 1u << 1;  // data; readable for code
inline constexpr uint16_t Code = 1u << 3;
inline constexpr uint16_t S = 1u << 4;  // code/data (not system)
inline constexpr uint16_t Present = 1u << 7;
inline constexpr uint16_t L = 1u << 13;   // 64-bit code segment
inline constexpr uint16_t DB = 1u << 14;  // default operand size 32
inline constexpr uint16_t G = 1u << 15;
inline constexpr unsigned DplShift = 5;
}  // namespace segattr

struct DescriptorTable {
    uint64_t base = 0;
    uint16_t limit = 0xffff;
};

// One 128-bit XMM register.
union alignas(16) Xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    int8_t sb[16];
    int16_t sw[8];
    int32_t sd[4];
    int64_t sq[2];
    float f[4];
    double f64[2];
};

// x87 FPU state. Registers are kept by physical number (R0..R7) as 80-bit
// extended values; ST(i) is R[(top + i) & 7]. The tag word is the full
// two-bit form (valid/zero/special/empty) as FXSAVE's abridged tag derives it.
struct X87 {
    uint8_t regs[8][10] = {};  // 80-bit little-endian extended precision
    uint16_t fcw = 0x037f;
    uint16_t fsw = 0;          // TOP lives in bits 11..13 of fsw
    uint16_t ftw = 0xffff;     // all empty
    uint16_t fop = 0;
    uint64_t fip = 0, fdp = 0;
    uint16_t fcs = 0, fds = 0;
};

// Lazily evaluated arithmetic flags (see flags.h for the evaluation).
// `op` says which instruction kind last set the flags and at what width;
// `res`, `src1`, `src2` are its result and operands zero-extended from that
// width; `aux` carries a preserved CF (INC/DEC) or a carry-in (ADC/SBB).
// op == FlagOp::Eager means the six flags are materialised in `rflags`.
struct LazyFlags {
    uint64_t res = 0;
    uint64_t src1 = 0;
    uint64_t src2 = 0;
    uint8_t op = 0;     // FlagOp
    uint8_t width = 0;  // operand size in bytes: 1, 2, 4, 8
    uint8_t aux = 0;
};

// Model-specific registers the core keeps (SDM Vol. 4).
struct Msrs {
    uint64_t star = 0, lstar = 0, cstar = 0, fmask = 0;
    uint64_t kernel_gs_base = 0;
    uint64_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
    uint64_t tsc_aux = 0;
    uint64_t pat = 0x0007040600070406ull;
    uint64_t misc_enable = 1;  // fast strings
    uint64_t mtrr_def_type = 0;
    int64_t tsc_offset = 0;  // RDTSC = virtual TSC + tsc_offset (WRMSR IA32_TSC sets it)
};

// What the logical processor is doing (SDM Vol. 3A §28.4.2 activity states).
enum class Activity : uint8_t { Active, Halted, Shutdown };

enum class CpuMode : uint8_t { Real, Protected16, Protected32, Compat16, Compat32, Long64, V8086 };

struct CpuState {
    uint64_t gpr[16] = {};
    uint64_t rip = 0;
    // Address of the instruction after the one executing; branches write it.
    uint64_t next_rip = 0;
    // RFLAGS without the six arithmetic flags while `lf.op != Eager`.
    uint64_t rflags = fl::Reserved1;
    LazyFlags lf{};

    Segment seg[6]{};
    Segment ldtr{}, tr{};
    DescriptorTable gdtr{}, idtr{};

    uint64_t cr0 = 0x60000010, cr2 = 0, cr3 = 0, cr4 = 0, cr8 = 0;
    uint64_t efer = 0;
    uint64_t dr[8] = {0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x400};
    Msrs msr{};

    Xmm xmm[16]{};
    uint32_t mxcsr = 0x1f80;
    X87 fpu{};

    // PAE paging outside long mode: the four PDPTEs, loaded from CR3 when
    // CR3 is written or paging is enabled (SDM Vol. 3A §4.4.1).
    uint64_t pdpte[4] = {};

    Activity activity = Activity::Active;
    // Interrupts are inhibited for one instruction after STI (that set IF)
    // and MOV SS/POP SS (SDM Vol. 3A §6.8.3).
    bool interrupt_shadow = false;
    // An NMI handler is running: further NMIs wait for the next IRET.
    bool nmi_blocked = false;

    uint8_t cpl = 0;
    // Code size of CS for decoding: 2, 4 or 8 bytes. Kept in sync with CS.
    uint8_t code_size = 2;
    // Stack address size (SS.B or 64-bit mode): 2, 4 or 8.
    uint8_t stack_size = 2;

    uint64_t& reg(unsigned i) { return gpr[i]; }
};

namespace cr0 {
inline constexpr uint64_t PE = 1u << 0, MP = 1u << 1, EM = 1u << 2, TS = 1u << 3, ET = 1u << 4,
                          NE = 1u << 5, WP = 1u << 16, AM = 1u << 18, NW = 1u << 29, CD = 1u << 30,
                          PG = 1u << 31;
}
namespace cr4 {
inline constexpr uint64_t VME = 1u << 0, PVI = 1u << 1, TSD = 1u << 2, DE = 1u << 3, PSE = 1u << 4,
                          PAE = 1u << 5, MCE = 1u << 6, PGE = 1u << 7, PCE = 1u << 8,
                          OSFXSR = 1u << 9, OSXMMEXCPT = 1u << 10, UMIP = 1u << 11,
                          FSGSBASE = 1u << 16, PCIDE = 1u << 17, SMEP = 1u << 20, SMAP = 1u << 21;
}
namespace efer {
inline constexpr uint64_t SCE = 1u << 0, LME = 1u << 8, LMA = 1u << 10, NXE = 1u << 11;
}

// Page-fault error code bits (SDM Vol. 3A §4.7).
namespace pferr {
inline constexpr uint32_t P = 1u << 0, W = 1u << 1, U = 1u << 2, RSVD = 1u << 3, I = 1u << 4;
}

// Exception vectors (SDM Vol. 3A §6.3.1).
enum Vector : uint8_t {
    kDE = 0, kDB = 1, kNMI = 2, kBP = 3, kOF = 4, kBR = 5, kUD = 6, kNM = 7, kDF = 8,
    kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14, kMF = 16, kAC = 17, kMC = 18, kXM = 19,
};

}  // namespace bs::cpu
