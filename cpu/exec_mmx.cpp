// Instruction family 'mmx': the MMX-register (mm, mm/m64) forms of the
// integer SIMD instructions: MMX itself, the SSE and SSE2 additions with MMX
// operands (PAVGB, PSHUFW, PMOVMSKB, MOVNTQ, MASKMOVQ, PADDQ, PMULUDQ, ...)
// and SSSE3's (PSHUFB, PHADDW, PALIGNR, ...). SDM Vol. 1 ch. 9 (MMX
// technology), Vol. 2 per instruction; opcode map Vol. 2 appendix A (NP 0F
// 60..7F, C4, C5, D1..FF; NP 0F 38 00..1E; NP 0F 3A 0F).
//
// The register file is the x87 mantissas; the state rules (checks, TOP and
// tags, EMMS) are cpu/x87_mmx.h. MMX register numbers ignore REX.R and REX.B
// (general registers of MOVD/PEXTRW/PINSRW/PMOVMSKB do not). Operations run
// on the host's SSE2/SSSE3 unit with the 64-bit operand in the low half of an
// XMM value: the lane-wise operations give the MMX result in the low half;
// the high unpacks, the packs and the horizontal operations rearrange their
// inputs first.
//
// Not here: the SSE forms with an MMX operand (CVTPI2PS, CVTPS2PI,
// CVTTPS2PI, CVTPI2PD, CVTPD2PI, CVTTPD2PI, MOVDQ2Q, MOVQ2DQ), which convert
// on the SSE unit: exec_sse.cpp. Not emulated (#UD): 3DNow!.
#include <immintrin.h>

#include <cstring>

#include "families.h"
#include "operands.h"
#include "x87_mmx.h"

// See exec_sse.cpp: __m128i in template arguments.
#pragma GCC diagnostic ignored "-Wignored-attributes"

namespace bs::cpu {
namespace {

#define BS_SSSE3 __attribute__((target("ssse3")))

using V = __m128i;
using Op2 = V (*)(V, V);

inline V vq(uint64_t v) { return _mm_cvtsi64_si128(static_cast<int64_t>(v)); }
inline uint64_t lo(V v) { return static_cast<uint64_t>(_mm_cvtsi128_si64(v)); }

inline uint64_t mm(const Cpu& c, unsigned r) { return mmx::get(c.s.fpu, r); }
inline void set_mm(Cpu& c, unsigned r, uint64_t v) { mmx::set(c.s.fpu, r, v); }

template <Handler H> void mmx_insn(Cpu& c, const DecodedInsn& i) {
    mmx::check(c, i);
    H(c, i);
}

// The r/m operand: an MMX register, or memory of `Bytes` (zero-extended).
template <unsigned Bytes> uint64_t src(Cpu& c, const DecodedInsn& i) {
    if (!i.is_mem()) return mm(c, i.rm);
    const uint64_t a = mem_linear(c, i);
    if constexpr (Bytes == 8) return c.read<uint64_t>(a);
    else if constexpr (Bytes == 4) return c.read<uint32_t>(a);
    else return c.read<uint16_t>(a);
}

// ---------------------------------------------------------------- operations

#define OP(name, expr)                                  \
    V name(V a, V b) {                                  \
        (void)a;                                        \
        (void)b;                                        \
        return expr;                                    \
    }
#define OP3(name, expr)                                 \
    BS_SSSE3 V name(V a, V b) {                         \
        (void)a;                                        \
        (void)b;                                        \
        return expr;                                    \
    }

OP(paddb, _mm_add_epi8(a, b))
OP(paddw, _mm_add_epi16(a, b))
OP(paddd, _mm_add_epi32(a, b))
OP(paddq, _mm_add_epi64(a, b))
OP(psubb, _mm_sub_epi8(a, b))
OP(psubw, _mm_sub_epi16(a, b))
OP(psubd, _mm_sub_epi32(a, b))
OP(psubq, _mm_sub_epi64(a, b))
OP(paddsb, _mm_adds_epi8(a, b))
OP(paddsw, _mm_adds_epi16(a, b))
OP(paddusb, _mm_adds_epu8(a, b))
OP(paddusw, _mm_adds_epu16(a, b))
OP(psubsb, _mm_subs_epi8(a, b))
OP(psubsw, _mm_subs_epi16(a, b))
OP(psubusb, _mm_subs_epu8(a, b))
OP(psubusw, _mm_subs_epu16(a, b))
OP(pcmpeqb, _mm_cmpeq_epi8(a, b))
OP(pcmpeqw, _mm_cmpeq_epi16(a, b))
OP(pcmpeqd, _mm_cmpeq_epi32(a, b))
OP(pcmpgtb, _mm_cmpgt_epi8(a, b))
OP(pcmpgtw, _mm_cmpgt_epi16(a, b))
OP(pcmpgtd, _mm_cmpgt_epi32(a, b))
OP(pand, _mm_and_si128(a, b))
OP(pandn, _mm_andnot_si128(a, b))
OP(por, _mm_or_si128(a, b))
OP(pxor, _mm_xor_si128(a, b))
OP(pmullw, _mm_mullo_epi16(a, b))
OP(pmulhw, _mm_mulhi_epi16(a, b))
OP(pmulhuw, _mm_mulhi_epu16(a, b))
OP(pmuludq, _mm_mul_epu32(a, b))
OP(pmaddwd, _mm_madd_epi16(a, b))
OP(pavgb, _mm_avg_epu8(a, b))
OP(pavgw, _mm_avg_epu16(a, b))
OP(pminub, _mm_min_epu8(a, b))
OP(pmaxub, _mm_max_epu8(a, b))
OP(pminsw, _mm_min_epi16(a, b))
OP(pmaxsw, _mm_max_epi16(a, b))
OP(psadbw, _mm_sad_epu8(a, b))
// Shifts by register: the count is all 64 bits of the source.
OP(psllw, _mm_sll_epi16(a, b))
OP(pslld, _mm_sll_epi32(a, b))
OP(psllq, _mm_sll_epi64(a, b))
OP(psrlw, _mm_srl_epi16(a, b))
OP(psrld, _mm_srl_epi32(a, b))
OP(psrlq, _mm_srl_epi64(a, b))
OP(psraw, _mm_sra_epi16(a, b))
OP(psrad, _mm_sra_epi32(a, b))
// Unpacks interleave the low (high) halves of the two 64-bit operands: the
// high ones are the upper half of the low unpack of the two.
OP(punpcklbw, _mm_unpacklo_epi8(a, b))
OP(punpcklwd, _mm_unpacklo_epi16(a, b))
OP(punpckldq, _mm_unpacklo_epi32(a, b))
OP(punpckhbw, _mm_srli_si128(_mm_unpacklo_epi8(a, b), 8))
OP(punpckhwd, _mm_srli_si128(_mm_unpacklo_epi16(a, b), 8))
OP(punpckhdq, _mm_srli_si128(_mm_unpacklo_epi32(a, b), 8))
// Packs and horizontal operations take {a, b} as one 128-bit vector.
OP(packsswb, _mm_packs_epi16(_mm_unpacklo_epi64(a, b), b))
OP(packssdw, _mm_packs_epi32(_mm_unpacklo_epi64(a, b), b))
OP(packuswb, _mm_packus_epi16(_mm_unpacklo_epi64(a, b), b))
OP3(phaddw, _mm_hadd_epi16(_mm_unpacklo_epi64(a, b), b))
OP3(phaddd, _mm_hadd_epi32(_mm_unpacklo_epi64(a, b), b))
OP3(phaddsw, _mm_hadds_epi16(_mm_unpacklo_epi64(a, b), b))
OP3(phsubw, _mm_hsub_epi16(_mm_unpacklo_epi64(a, b), b))
OP3(phsubd, _mm_hsub_epi32(_mm_unpacklo_epi64(a, b), b))
OP3(phsubsw, _mm_hsubs_epi16(_mm_unpacklo_epi64(a, b), b))
OP3(pmaddubsw, _mm_maddubs_epi16(a, b))
OP3(pmulhrsw, _mm_mulhrs_epi16(a, b))
OP3(psignb, _mm_sign_epi8(a, b))
OP3(psignw, _mm_sign_epi16(a, b))
OP3(psignd, _mm_sign_epi32(a, b))
OP3(pabsb, _mm_abs_epi8(b))
OP3(pabsw, _mm_abs_epi16(b))
OP3(pabsd, _mm_abs_epi32(b))
// PSHUFB mm: index bits 2..0 select one of the eight bytes, bit 7 zeroes.
OP3(pshufb, _mm_shuffle_epi8(a, _mm_and_si128(b, _mm_set1_epi8(static_cast<char>(0x87)))))

#undef OP
#undef OP3

// ---------------------------------------------------------------- handlers

// mm = F(mm, mm/m), `Bytes` of memory (PUNPCKL* read 32 bits).
template <Op2 F, unsigned Bytes = 8> void h_op(Cpu& c, const DecodedInsn& i) {
    const uint64_t b = src<Bytes>(c, i);
    set_mm(c, i.reg, lo(F(vq(mm(c, i.reg)), vq(b))));
}

// NP 0F 71/72/73 /n ib: shift the ModRM.rm register by imm8.
template <Op2 F> void h_shift_imm(Cpu& c, const DecodedInsn& i) {
    set_mm(c, i.rm, lo(F(vq(mm(c, i.rm)), vq(static_cast<uint8_t>(i.imm)))));
}

// PSHUFW mm, mm/m64, imm8: word k of the result is source word imm8[2k+1:2k].
void pshufw(Cpu& c, const DecodedInsn& i) {
    const uint64_t b = src<8>(c, i);
    uint64_t r = 0;
    for (unsigned k = 0; k < 4; ++k) r |= ((b >> (16 * ((i.imm >> (2 * k)) & 3))) & 0xffff) << (16 * k);
    set_mm(c, i.reg, r);
}

// PALIGNR mm, mm/m64, imm8: the 16 bytes dest:src shifted right by imm8 bytes.
void palignr(Cpu& c, const DecodedInsn& i) {
    const uint64_t b = src<8>(c, i), a = mm(c, i.reg);
    const unsigned n = static_cast<uint8_t>(i.imm);
    uint64_t r;
    if (n >= 16) r = 0;
    else if (n >= 8) r = n == 8 ? a : a >> (8 * (n - 8));
    else r = n == 0 ? b : (b >> (8 * n)) | (a << (64 - 8 * n));
    set_mm(c, i.reg, r);
}

// MOVD/MOVQ mm, r/m32 (r/m64 with REX.W): zero-extended.
void movd_to_mm(Cpu& c, const DecodedInsn& i) {
    const uint64_t v = (i.rex & 8) ? read_rm<uint64_t>(c, i) : read_rm<uint32_t>(c, i);
    set_mm(c, i.reg, v);
}
// Stores clear TOP before they write: a faulting store leaves TOP = 0 and
// the tags unchanged (x87_mmx.h).
// MOVD/MOVQ r/m32 (r/m64), mm: a 32-bit register destination is zero-extended.
void movd_from_mm(Cpu& c, const DecodedInsn& i) {
    const uint64_t v = mm(c, i.reg);
    mmx::clear_top(c.s.fpu);
    if (i.rex & 8) write_rm<uint64_t>(c, i, v);
    else write_rm<uint32_t>(c, i, static_cast<uint32_t>(v));
    mmx::enter(c.s.fpu);
}
// MOVQ mm, mm/m64 (0F 6F).
void movq_load(Cpu& c, const DecodedInsn& i) { set_mm(c, i.reg, src<8>(c, i)); }
// MOVQ mm/m64, mm (0F 7F) and MOVNTQ m64, mm (0F E7, memory only).
void movq_store(Cpu& c, const DecodedInsn& i) {
    const uint64_t v = mm(c, i.reg);
    if (!i.is_mem()) return set_mm(c, i.rm, v);
    mmx::clear_top(c.s.fpu);
    c.write<uint64_t>(mem_linear(c, i), v);
    mmx::enter(c.s.fpu);
}

// PINSRW mm, r32/m16, imm8.
void pinsrw(Cpu& c, const DecodedInsn& i) {
    const uint64_t v = i.is_mem() ? c.read<uint16_t>(mem_linear(c, i)) : get_reg<uint16_t>(c.s, i.rm);
    const unsigned sh = 16 * (i.imm & 3);
    set_mm(c, i.reg, (mm(c, i.reg) & ~(0xffffull << sh)) | (v << sh));
}
// PEXTRW r32, mm, imm8 (register only): zero-extended to the full register.
void pextrw(Cpu& c, const DecodedInsn& i) {
    const uint64_t v = (mm(c, i.rm) >> (16 * (i.imm & 3))) & 0xffff;
    c.s.gpr[i.reg] = v;
    mmx::enter(c.s.fpu);
}
// PMOVMSKB r32, mm (register only): the byte sign bits.
void pmovmskb(Cpu& c, const DecodedInsn& i) {
    c.s.gpr[i.reg] = static_cast<uint32_t>(_mm_movemask_epi8(vq(mm(c, i.rm))));
    mmx::enter(c.s.fpu);
}

// MASKMOVQ mm1, mm2: the bytes of mm1 whose mm2 byte has its sign bit set go
// to DS:rDI (segment overridable); all of them are checked before any is
// written. That it clears TOP first as the other stores do is assumed (the
// difftest keeps rDI inside its buffer: a faulting MASKMOVQ is not compared).
void maskmovq(Cpu& c, const DecodedInsn& i) {
    const uint64_t data = mm(c, i.reg), mask = mm(c, i.rm);
    mmx::clear_top(c.s.fpu);
    const uint64_t off = c.s.gpr[RDI] & width_mask(i.addrsize);
    const uint64_t base = c.linear(i.seg_override != kNoReg ? unsigned{i.seg_override} : unsigned{DS}, off);
    for (unsigned k = 0; k < 8; ++k) {
        if ((mask >> (8 * k + 7)) & 1) c.probe_write(base + k, 1);
    }
    for (unsigned k = 0; k < 8; ++k) {
        if ((mask >> (8 * k + 7)) & 1) c.write<uint8_t>(base + k, static_cast<uint8_t>(data >> (8 * k)));
    }
    mmx::enter(c.s.fpu);
}

// EMMS.
void emms(Cpu& c, const DecodedInsn&) { mmx::empty(c.s.fpu); }

// ---------------------------------------------------------------- the table

constexpr uint32_t M = fa::ModRM | fa::NoOpsize;
// MOVD/MOVQ, PEXTRW, PINSRW, PMOVMSKB: REX.W selects the general operand's width.
constexpr uint32_t MG = fa::ModRM;

#define X_(...) {&mmx_insn<__VA_ARGS__>, &mmx_insn<__VA_ARGS__>, &mmx_insn<__VA_ARGS__>, &mmx_insn<__VA_ARGS__>}
// NP 0F xx /r: mm, mm/m64.
#define OP0F(op, name, isa, ...) {#name, kMap0F, op, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<name __VA_OPT__(,) __VA_ARGS__>), isa}
#define OP38(op, name) {#name, kMap0F38, op, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<name>), "ssse3"}
#define SHIFT_IMM(op, n, name) {#name, kMap0F, op, n, -1, kModReg, kPfxNP, kImmB, M, X_(h_shift_imm<name>), "mmx"}

constexpr Form kForms[] = {
    // --- MMX
    OP0F(0x60, punpcklbw, "mmx", 4), OP0F(0x61, punpcklwd, "mmx", 4), OP0F(0x62, punpckldq, "mmx", 4),
    OP0F(0x63, packsswb, "mmx"), OP0F(0x64, pcmpgtb, "mmx"), OP0F(0x65, pcmpgtw, "mmx"),
    OP0F(0x66, pcmpgtd, "mmx"), OP0F(0x67, packuswb, "mmx"), OP0F(0x68, punpckhbw, "mmx"),
    OP0F(0x69, punpckhwd, "mmx"), OP0F(0x6a, punpckhdq, "mmx"), OP0F(0x6b, packssdw, "mmx"),
    {"movd", kMap0F, 0x6e, -1, -1, kModAny, kPfxNP, kImmNone, MG, X_(movd_to_mm), "mmx"},
    {"movq", kMap0F, 0x6f, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(movq_load), "mmx"},
    SHIFT_IMM(0x71, 2, psrlw), SHIFT_IMM(0x71, 4, psraw), SHIFT_IMM(0x71, 6, psllw),
    SHIFT_IMM(0x72, 2, psrld), SHIFT_IMM(0x72, 4, psrad), SHIFT_IMM(0x72, 6, pslld),
    SHIFT_IMM(0x73, 2, psrlq), SHIFT_IMM(0x73, 6, psllq),
    OP0F(0x74, pcmpeqb, "mmx"), OP0F(0x75, pcmpeqw, "mmx"), OP0F(0x76, pcmpeqd, "mmx"),
    {"emms", kMap0F, 0x77, -1, -1, kModAny, kPfxNP, kImmNone, fa::NoOpsize, X_(emms), "mmx"},
    {"movd", kMap0F, 0x7e, -1, -1, kModAny, kPfxNP, kImmNone, MG, X_(movd_from_mm), "mmx"},
    {"movq", kMap0F, 0x7f, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(movq_store), "mmx"},
    OP0F(0xd1, psrlw, "mmx"), OP0F(0xd2, psrld, "mmx"), OP0F(0xd3, psrlq, "mmx"),
    OP0F(0xd5, pmullw, "mmx"), OP0F(0xd8, psubusb, "mmx"), OP0F(0xd9, psubusw, "mmx"),
    OP0F(0xdb, pand, "mmx"), OP0F(0xdc, paddusb, "mmx"), OP0F(0xdd, paddusw, "mmx"), OP0F(0xdf, pandn, "mmx"),
    OP0F(0xe1, psraw, "mmx"), OP0F(0xe2, psrad, "mmx"), OP0F(0xe5, pmulhw, "mmx"),
    OP0F(0xe8, psubsb, "mmx"), OP0F(0xe9, psubsw, "mmx"), OP0F(0xeb, por, "mmx"),
    OP0F(0xec, paddsb, "mmx"), OP0F(0xed, paddsw, "mmx"), OP0F(0xef, pxor, "mmx"),
    OP0F(0xf1, psllw, "mmx"), OP0F(0xf2, pslld, "mmx"), OP0F(0xf3, psllq, "mmx"), OP0F(0xf5, pmaddwd, "mmx"),
    OP0F(0xf8, psubb, "mmx"), OP0F(0xf9, psubw, "mmx"), OP0F(0xfa, psubd, "mmx"),
    OP0F(0xfc, paddb, "mmx"), OP0F(0xfd, paddw, "mmx"), OP0F(0xfe, paddd, "mmx"),

    // --- SSE integer instructions on MMX registers
    {"pshufw", kMap0F, 0x70, -1, -1, kModAny, kPfxNP, kImmB, M, X_(pshufw), "sse"},
    {"pinsrw", kMap0F, 0xc4, -1, -1, kModAny, kPfxNP, kImmB, MG, X_(pinsrw), "sse"},
    {"pextrw", kMap0F, 0xc5, -1, -1, kModReg, kPfxNP, kImmB, MG, X_(pextrw), "sse"},
    {"pmovmskb", kMap0F, 0xd7, -1, -1, kModReg, kPfxNP, kImmNone, MG, X_(pmovmskb), "sse"},
    OP0F(0xda, pminub, "sse"), OP0F(0xde, pmaxub, "sse"), OP0F(0xe0, pavgb, "sse"), OP0F(0xe3, pavgw, "sse"),
    OP0F(0xe4, pmulhuw, "sse"),
    {"movntq", kMap0F, 0xe7, -1, -1, kModMem, kPfxNP, kImmNone, M, X_(movq_store), "sse"},
    OP0F(0xea, pminsw, "sse"), OP0F(0xee, pmaxsw, "sse"), OP0F(0xf6, psadbw, "sse"),
    {"maskmovq", kMap0F, 0xf7, -1, -1, kModReg, kPfxNP, kImmNone, M, X_(maskmovq), "sse"},

    // --- SSE2
    OP0F(0xd4, paddq, "sse2"), OP0F(0xf4, pmuludq, "sse2"), OP0F(0xfb, psubq, "sse2"),

    // --- SSSE3
    OP38(0x00, pshufb), OP38(0x01, phaddw), OP38(0x02, phaddd), OP38(0x03, phaddsw),
    OP38(0x04, pmaddubsw), OP38(0x05, phsubw), OP38(0x06, phsubd), OP38(0x07, phsubsw),
    OP38(0x08, psignb), OP38(0x09, psignw), OP38(0x0a, psignd), OP38(0x0b, pmulhrsw),
    OP38(0x1c, pabsb), OP38(0x1d, pabsw), OP38(0x1e, pabsd),
    {"palignr", kMap0F3A, 0x0f, -1, -1, kModAny, kPfxNP, kImmB, M, X_(palignr), "ssse3"},
};

#undef X_
#undef OP0F
#undef OP38
#undef SHIFT_IMM

}  // namespace

std::span<const Form> forms_mmx() { return kForms; }

}  // namespace bs::cpu
