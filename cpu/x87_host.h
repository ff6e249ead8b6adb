// Host x87 execution of guest x87 arithmetic.
//
// The emulated FPU computes on this machine's own x87 unit: a guest
// instruction runs as the same host instruction (same opcode byte and
// ModRM.reg; its register operands renumbered to ST(0)/ST(1), its memory
// operand moved to a host buffer at [rdi]) under the guest's precision and
// rounding control and exception masks. The host status word then gives the
// exception flags, C0..C3 and the result the silicon produces, bit for bit:
// NaN propagation, unsupported formats, denormals, the round-up indication
// in C1, and the responses to unmasked exceptions (no store after an
// unmasked invalid/denormal/zero-divide, the exponent-wrapped result of an
// unmasked overflow/underflow). FNCLEX follows FNSTSW in every sequence, so
// an unmasked exception never reaches a waiting host instruction (no host
// SIGFPE). The guest's stack, tags,
// stack faults and unmasked-exception responses are emulated around it in
// exec_x87.cpp.
//
// The instruction bytes are emitted with .byte so that no assembler's
// operand-order convention (AT&T's fsubp/fsubrp swap) can get in the way.
// Requires an x86-64 host and GCC/Clang inline assembly.
#pragma once

#include <cstdint>

namespace bs::cpu::x87host {

// An 80-bit value as the host's FLD/FSTP m80 see it (10 bytes used).
struct alignas(16) F80 {
    uint8_t b[16];
};

// Loads the guest's FCW and condition codes C0..C3 into the host FPU for the
// lifetime of the guard (host stack empty, no exception flags), so that an
// instruction that leaves a condition bit alone leaves the guest's value;
// afterwards resets the host FPU and restores its control word.
class HostFpu {
public:
    HostFpu(uint16_t guest_fcw, uint16_t guest_fsw) {
        asm volatile("fnstcw %0" : "=m"(saved_));
        const uint32_t env[7] = {0xffff0000u | guest_fcw, 0xffff0000u | (guest_fsw & 0x4700u), 0xffffffffu, 0, 0, 0,
                                 0xffff0000u};
        asm volatile("fnclex\n\tfldenv %0" : : "m"(env));
    }
    // FNINIT also empties the host stack when an unmasked exception kept an
    // instruction from popping (the x86-64 ABI wants it empty between calls).
    ~HostFpu() { asm volatile("fninit\n\tfldcw %0" : : "m"(saved_)); }
    HostFpu(const HostFpu&) = delete;
    HostFpu& operator=(const HostFpu&) = delete;

private:
    uint16_t saved_ = 0;
};

#define BS_X87_CLOBBERS "memory", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

// Runs the host instruction `Op ModRM` with `In` values loaded (st[0] is
// ST(0), st[1] ST(1)) and `Out` values left on the host stack afterwards,
// which are stored back to st[0], st[1]. A memory operand, when ModRM
// encodes one, is [rdi] = `mem`. Out == -1: one value, or two when the
// instruction left C2 clear (FPTAN, FSINCOS). Returns the host status word
// read right after the instruction.
template <uint8_t Op, uint8_t ModRM, int In, int Out>
inline uint16_t exec(F80* st, void* mem) {
    uint16_t sw;
    F80* s0 = &st[0];
    F80* s1 = &st[1];
    if constexpr (In == 0 && Out == 1) {
        asm volatile(".byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\tfstpt (%[s0])"
                     : "=&a"(sw)
                     : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), "D"(mem)
                     : BS_X87_CLOBBERS);
    } else if constexpr (In == 1 && Out == 0) {
        asm volatile("fldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex"
                     : "=&a"(sw)
                     : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), "D"(mem)
                     : BS_X87_CLOBBERS);
    } else if constexpr (In == 1 && Out == 1) {
        asm volatile("fldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\tfstpt (%[s0])"
                     : "=&a"(sw)
                     : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), "D"(mem)
                     : BS_X87_CLOBBERS);
    } else if constexpr (In == 1 && Out == 2) {
        asm volatile("fldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\tfstpt (%[s0])\n\tfstpt (%[s1])"
                     : "=&a"(sw)
                     : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), [s1] "r"(s1), "D"(mem)
                     : BS_X87_CLOBBERS);
    } else if constexpr (In == 1 && Out == -1) {
        asm volatile(
            "fldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\tfstpt (%[s0])\n\t"
            "testw $0x400, %%ax\n\tjnz 1f\n\tfstpt (%[s1])\n1:"
            : "=&a"(sw)
            : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), [s1] "r"(s1), "D"(mem)
            : BS_X87_CLOBBERS);
    } else if constexpr (In == 2 && Out == 1) {
        asm volatile("fldt (%[s1])\n\tfldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\tfstpt (%[s0])"
                     : "=&a"(sw)
                     : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), [s1] "r"(s1), "D"(mem)
                     : BS_X87_CLOBBERS);
    } else if constexpr (In == 2 && Out == 2) {
        asm volatile(
            "fldt (%[s1])\n\tfldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\tfstpt (%[s0])\n\tfstpt (%[s1])"
            : "=&a"(sw)
            : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(s0), [s1] "r"(s1), "D"(mem)
            : BS_X87_CLOBBERS);
    } else {
        static_assert(In < 0, "unsupported host x87 operand shape");
    }
    return sw;
}

// FCOMI/FUCOMI ST(0), ST(1 or 0) with the guest's arithmetic flags loaded
// into RFLAGS first: returns RFLAGS after the instruction (both values stay
// on the stack, then are dropped). The stack pointer steps over the red zone
// around the PUSHFQ/POPFQ.
template <uint8_t Op, uint8_t ModRM>
inline uint64_t exec_comi(const F80* st, uint64_t flags_in, uint16_t& sw) {
    uint64_t flags_out;
    asm volatile(
        "lea -128(%%rsp), %%rsp\n\tpushq %[fin]\n\tpopfq\n\t"
        "fldt (%[s1])\n\tfldt (%[s0])\n\t.byte %c[op], %c[m]\n\tfnstsw %%ax\n\tfnclex\n\t"
        "pushfq\n\tpopq %[fout]\n\tlea 128(%%rsp), %%rsp\n\tfstp %%st(0)\n\tfstp %%st(0)"
        : "=&a"(sw), [fout] "=&r"(flags_out)
        : [op] "i"(Op), [m] "i"(ModRM), [s0] "r"(&st[0]), [s1] "r"(&st[1]), [fin] "r"(flags_in)
        : BS_X87_CLOBBERS);
    return flags_out;
}

#undef BS_X87_CLOBBERS

}  // namespace bs::cpu::x87host
