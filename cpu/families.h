// Instruction families: each file cpu/exec_<family>.cpp holds the handlers of
// one chapter of the ISA and its table of forms, and exports the table here.
// The decoder gathers all of them (decoder.cpp: all_forms()).
#pragma once

#include <span>

#include "decoder.h"

namespace bs::cpu {

std::span<const Form> forms_alu();      // exec_alu.cpp: add..cmp, inc/dec/neg/not, test, logic
std::span<const Form> forms_shift();    // exec_shift.cpp: shifts, rotates, shld/shrd
std::span<const Form> forms_muldiv();   // exec_muldiv.cpp: mul/imul/div/idiv
std::span<const Form> forms_bit();      // exec_bit.cpp: bt*, bsf/bsr, lzcnt/tzcnt/popcnt, bswap, setcc, cmovcc
std::span<const Form> forms_move();     // exec_move.cpp: mov forms, movsx/movzx, lea, xchg, cmpxchg*, xadd, cbw.., lahf/sahf, flags insns, nop
std::span<const Form> forms_stack();    // exec_stack.cpp: push/pop (all forms), call/ret/jmp/jcc/loop/jrcxz, enter/leave, pushf/popf
std::span<const Form> forms_string();   // exec_string.cpp: movs/stos/lods/scas/cmps/ins/outs with rep
std::span<const Form> forms_misc();     // exec_misc.cpp: cpuid, rdtsc(p), ud2, hlt, in/out, system forms of core II
std::span<const Form> forms_sse();      // exec_sse.cpp: SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, fxsave/fxrstor, ldmxcsr/stmxcsr
std::span<const Form> forms_x87();      // exec_x87.cpp: the x87 FPU
std::span<const Form> forms_mmx();      // exec_mmx.cpp: MMX-register forms of MMX, SSE, SSE2, SSSE3 integer SIMD, emms
std::span<const Form> forms_system();   // exec_system.cpp: segment loads, far transfers, INT/IRET, CR/DR/MSR, descriptor tables

}  // namespace bs::cpu
