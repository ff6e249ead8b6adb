// Random encodings and initial states for one instruction form.
//
// The generator builds prefixes, REX, opcode, ModRM/SIB/displacement and
// immediates from a `Form`, asks Zydis for the length and the immediate
// positions, then aims every memory operand, stack pointer, string pointer
// and branch target at the shared layout (layout.h): memory operands land in
// the data buffer (sometimes misaligned, sometimes just off its end or at a
// non-canonical address), branches land on landing pads.
#pragma once

#include <Zydis/Zydis.h>

#include <string>

#include "cpu/decoder.h"
#include "layout.h"
#include "rng.h"

namespace bs::difftest {

// What the generator needs to know about a form beyond its table entry.
struct FormInfo {
    const cpu::Form* form = nullptr;
    std::string pattern;      // encoding pattern for the report, e.g. "NP 0F 58 /r"
    const char* skip = nullptr;  // why the form is not run natively, or nullptr
    bool string_op = false;   // MOVS/STOS/LODS/SCAS/CMPS: RSI/RDI/RCX pinned
    bool rep_cond = false;    // SCAS/CMPS: F2 is meaningful
    bool rel_branch = false;  // Jcc/JMP/CALL/LOOP/JrCXZ rel
    bool indirect = false;    // CALL/JMP r/m (near)
    bool near_ret = false;    // RET / RET imm16
    bool near_branch = false; // any of the three above (vendor rule for 66)
    bool frame = false;       // ENTER/LEAVE: RBP pinned
    bool popf = false;        // POPF: stack top must keep TF and AC clear
    bool xlat = false;        // XLAT: RBX pinned
    bool rdi_mem = false;     // MASKMOVQ/MASKMOVDQU: RDI pinned
    bool x87 = false;         // uses the x87/MMX register file
    bool bsf_bsr = false;     // vendor rule for a zero source
};

FormInfo classify(const cpu::Form& f);

// Host and emulator policy that changes what is generated.
struct GenPolicy {
    bool amd_branches = false;   // Zydis decodes 66-prefixed near branches as AMD does
    bool prefix66_on_near_branches = true;  // false when host and core vendors differ
};

class Generator {
public:
    explicit Generator(const GenPolicy& policy);
    // Generates one case of `fi`.
    void make(const FormInfo& fi, Rng& rng, Case& out) const;
    // Decodes with the reference decoder; false if Zydis rejects the bytes.
    bool reference(const uint8_t* bytes, size_t n, ZydisDecodedInstruction& insn) const;

private:
    GenPolicy policy_;
    ZydisDecoder zydis_{};
};

}  // namespace bs::difftest
