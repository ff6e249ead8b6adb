// The x86-64 instruction decoder and its instruction-form tables.
//
// Every instruction the core knows is one `Form`: one line in a family's
// table (cpu/table_*.inc), naming its encoding, its operand attributes and
// the handler that executes it. The same forms drive decoding, dispatch,
// disassembly names and the test lists. SDM Vol. 2 ch. 2 (instruction
// format) and appendix A (opcode maps).
//
// Decoding produces a `DecodedInsn` with named fields; the block cache keeps
// them per guest physical page (see block_cache.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bs::cpu {

class Cpu;
struct DecodedInsn;
using Handler = void (*)(Cpu&, const DecodedInsn&);

// Opcode maps (SDM Vol. 2 appendix A).
enum Map : uint8_t { kMap1 = 0, kMap0F = 1, kMap0F38 = 2, kMap0F3A = 3 };

// The mandatory-prefix column of a form.
enum Pfx : uint8_t {
    kPfxAny = 0,  // legacy: 66 is operand size, F2/F3 are REPNE/REP
    kPfxNP,       // no 66/F2/F3 (SSE "NP" forms; 66 would select another form)
    kPfx66,
    kPfxF3,
    kPfxF2,
};

// ModRM.mod constraint of a form.
enum ModReq : uint8_t { kModAny = 0, kModMem, kModReg };

// Immediate and displacement kinds that follow ModRM (SDM Vol. 2 §A.2.2).
enum Imm : uint8_t {
    kImmNone = 0,
    kImmB,     // 8-bit (zero- or sign-extended by the handler)
    kImmW,     // 16-bit
    kImmZ,     // 16 or 32 bits by operand size (sign-extended to 64 in 64-bit)
    kImmV,     // 16, 32 or 64 bits by operand size (MOV r, imm)
    kImmWB,    // ENTER: 16-bit then 8-bit (second in imm2)
    kImmAp,    // far pointer: offset (16/32 by operand size) then selector
    kImmMoffs, // MOV AL/rAX, moffs: address-size offset
    kRelB,     // 8-bit relative branch displacement
    kRelZ,     // 16/32-bit relative branch displacement
};

// Form attributes.
namespace fa {
inline constexpr uint32_t ModRM = 1u << 0;     // has a ModRM byte
inline constexpr uint32_t Byte = 1u << 1;      // operand size is 8 bits
inline constexpr uint32_t Def64 = 1u << 2;     // 64-bit default operand size in 64-bit mode (66 gives 16)
inline constexpr uint32_t Force64 = 1u << 3;   // always 64-bit in 64-bit mode (66 ignored)
inline constexpr uint32_t Inv64 = 1u << 4;     // #UD in 64-bit mode
inline constexpr uint32_t Only64 = 1u << 5;    // only valid in 64-bit mode
inline constexpr uint32_t Lockable = 1u << 6;  // LOCK allowed (memory destination forms)
inline constexpr uint32_t OpReg = 1u << 7;     // register number in opcode bits 0..2 (+REX.B)
inline constexpr uint32_t Branch = 1u << 8;    // ends a decoded block (control transfer)
inline constexpr uint32_t NoOpsize = 1u << 9;  // operand size prefix irrelevant (SSE, x87, ...)
inline constexpr uint32_t Rex_W_Only = 1u << 10;  // valid only with REX.W (CMPXCHG16B handled by handler)
inline constexpr uint32_t Privileged = 1u << 11;  // CPL 0 only (checked by the handler)
inline constexpr uint32_t Serializing = 1u << 12; // ends a decoded block (mode may change)
inline constexpr uint32_t Opsize32Default64 = 1u << 13;  // 32-bit default even in 64-bit mode; REX.W gives 64
inline constexpr uint32_t ForceReg = 1u << 14;  // ModRM.mod is ignored: r/m always names a register (MOV CR/DR)
}  // namespace fa

struct Form {
    const char* mnemonic;  // lowercase, named as Zydis names it
    Map map;
    uint8_t opcode;
    int8_t reg;            // ModRM.reg selector (0..7) or -1
    int8_t rm;             // ModRM.rm selector with mod == 3 (0..7) or -1
    ModReq mod;
    Pfx pfx;
    Imm imm;
    uint32_t attrs;
    Handler handler[4];    // by operand size: [0] 8-bit, [1] 16, [2] 32, [3] 64
    const char* isa;       // "base", "x87", "sse", "sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "system", ...
    // When set, the handlers used when ModRM.mod == 3: instantiations for a
    // register r/m operand only (operands.h, Rm::Reg), cheaper than handler[].
    Handler reg_handler[4] = {};
};

// Sentinel register numbers in DecodedInsn.
inline constexpr uint8_t kNoReg = 0xff;
inline constexpr uint8_t kRipBase = 0xfe;  // RIP-relative addressing

// One decoded instruction. All fields are named and resolved: register
// numbers include REX bits, byte registers use 16..19 for AH..BH, the
// effective segment is final, immediates are sign-extended where the
// encoding says so.
struct DecodedInsn {
    Handler handler = nullptr;
    const Form* form = nullptr;
    uint64_t imm = 0;       // immediate, or branch displacement (sign-extended)
    int32_t disp = 0;       // memory displacement (sign-extended)
    uint16_t imm2 = 0;      // second immediate (ENTER level, far selector)
    uint8_t len = 0;        // instruction length in bytes (1..15)
    uint8_t opsize = 4;     // operand size in bytes: 1, 2, 4, 8
    uint8_t addrsize = 8;   // address size in bytes: 2, 4, 8
    uint8_t reg = 0;        // ModRM.reg (+REX.R), or the opcode register for OpReg forms
    uint8_t rm = 0;         // ModRM.rm (+REX.B) when mod == 3
    uint8_t mod = 3;        // ModRM.mod; 3 means register operand
    uint8_t base = kNoReg;  // memory base register, kRipBase, or kNoReg
    uint8_t index = kNoReg; // memory index register or kNoReg
    uint8_t scale = 0;      // log2 of the SIB scale
    uint8_t seg = 3;        // effective segment (SegReg) for memory operands
    uint8_t rep = 0;        // 0, 0xF3 or 0xF2 (last of them)
    uint8_t lock = 0;       // LOCK prefix present
    uint8_t rex = 0;        // REX byte (0 when absent)
    uint8_t modrm = 0;      // raw ModRM byte (x87 register forms decode on it)
    uint8_t opsize_prefix = 0;  // 66 prefix present
    uint8_t seg_override = kNoReg;  // explicit segment prefix (for string source), or kNoReg

    bool is_mem() const { return mod != 3; }
};

enum class DecodeStatus : uint8_t {
    Ok,         // a known form; `handler` executes it
    Invalid,    // #UD on execution (unknown opcode, bad prefix, VEX/EVEX/XOP...)
    NeedMore,   // the bytes given end inside the instruction
};

// Decodes one instruction from `bytes` (up to 15 are examined) for a code
// segment of `code_size` bytes (2, 4 or 8). On Invalid, `out.len` is the
// number of bytes examined and `out.handler` raises #UD; on Ok, `out.len` is
// the instruction's length. Thread-safe, allocation-free.
DecodeStatus decode(std::span<const uint8_t> bytes, unsigned code_size, DecodedInsn& out);

// All forms of all families, for tests and disassembly.
std::span<const Form* const> all_forms();

// Zydis-style mnemonic of a decoded instruction (size-dependent names such as
// cwde/cdqe or movsb/movsq resolved).
const char* mnemonic(const DecodedInsn& insn);

}  // namespace bs::cpu
