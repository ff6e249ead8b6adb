// The MMX register file and how it aliases the x87 FPU state: the rules
// every MMX-register instruction follows, in one place (exec_mmx.cpp, and the
// SSE forms with an MMX operand).
//
// MMX register i is the 64-bit mantissa of x87 physical register R(i)
// (SDM Vol. 1 §9.2.1, §9.5). An MMX instruction
//   - first raises #UD if CR0.EM, #NM if CR0.TS, #MF if an unmasked x87
//     exception is pending (FSW.ES with CR0.NE = 1; CR0.NE = 0 ignores it,
//     as the x87 family does), the exception conditions each MMX
//     instruction's page in SDM Vol. 2 lists;
//   - then sets TOP to 0 and marks all eight registers non-empty (§9.5.1;
//     the full tag of each follows from its contents, as FXSAVE/FNSTENV
//     derive it). On the reference host a form that reads memory does so
//     first (a faulting load leaves the x87 state alone), while a store to
//     memory clears TOP before it writes (a faulting store leaves TOP = 0
//     and the tags as they were);
//   - writes a register's mantissa and sets its sign and exponent to all
//     ones (§9.5.2).
// EMMS marks all eight registers empty and, as the reference host does, also
// sets TOP to 0 (the SDM mentions only the tags).
// FIP/FDP/FOP are not updated (not architecturally defined for MMX).
//
// The SSE forms with an MMX operand (exec_sse.cpp: CVTPI2PS, CVTPS2PI,
// CVTTPS2PI, CVTPI2PD, CVTPD2PI, CVTTPD2PI, MOVDQ2Q, MOVQ2DQ) make the SSE
// checks (#UD on CR0.EM or !CR4.OSFXSR, #NM on CR0.TS), then `check_pending`,
// read memory, enter the MMX state and only then compute: on the reference
// host an unmasked SIMD exception (#XM) leaves TOP = 0 and the tags valid,
// a faulting load (#PF, misaligned m128 #GP) leaves the x87 state alone.
// CVTPI2PS/CVTPI2PD with a memory source have no MMX operand at all: no #MF
// and no change to the x87 state.
#pragma once

#include <cstdint>
#include <cstring>

#include "cpu.h"
#include "x87.h"

namespace bs::cpu::mmx {

// #MF for an unmasked x87 exception pending (ignored with CR0.NE = 0).
inline void check_pending(const Cpu& c) {
    if ((c.s.fpu.fsw & fsw::ES) && (c.s.cr0 & cr0::NE)) raise(kMF);
}

// The checks every MMX instruction makes before anything else.
inline void check(const Cpu& c, const DecodedInsn& i) {
    if (i.lock || (c.s.cr0 & cr0::EM)) raise(kUD);
    if (c.s.cr0 & cr0::TS) raise(kNM);
    check_pending(c);
}

inline uint64_t get(const X87& f, unsigned r) {
    uint64_t v;
    std::memcpy(&v, f.regs[r & 7], 8);
    return v;
}

inline void clear_top(X87& f) { f.fsw = static_cast<uint16_t>(f.fsw & ~fsw::TopMask); }

// The x87 side of an executing MMX instruction: TOP = 0, all registers in use.
inline void enter(X87& f) {
    clear_top(f);
    x87::retag(f, 0);
}

// Writes MMX register r (and enters the MMX state).
inline void set(X87& f, unsigned r, uint64_t v) {
    std::memcpy(f.regs[r & 7], &v, 8);
    f.regs[r & 7][8] = 0xff;
    f.regs[r & 7][9] = 0xff;
    enter(f);
}

// EMMS: every register empty, TOP = 0.
inline void empty(X87& f) {
    clear_top(f);
    f.ftw = 0xffff;
}

}  // namespace bs::cpu::mmx
