// Instruction family 'sse': the 128-bit XMM instructions of SSE, SSE2, SSE3,
// SSSE3, SSE4.1 and SSE4.2, LDMXCSR/STMXCSR and FXSAVE/FXRSTOR.
// SDM Vol. 1 ch. 10-12 (SSE..SSE4 environment, MXCSR, SIMD floating-point
// exceptions), Vol. 2 (each instruction), Vol. 3A table 2-? (CR0/CR4 bits).
//
// How it is done:
// - Every XMM instruction first makes the checks of SDM Vol. 2 §2.4 exception
//   classes: #UD if CR0.EM or !CR4.OSFXSR, #NM if CR0.TS (`sse<>` wrapper in
//   the table). 128-bit memory operands of the legacy-SSE forms must be
//   16-byte aligned (#GP(0)) except MOVUPS/MOVUPD/MOVDQU/LDDQU/PCMPxSTRx.
// - Floating point runs on the host's own SSE unit under the guest's MXCSR
//   rounding, DAZ and FTZ with all exceptions masked (`HostMxcsr`, `fp_run`);
//   the host's exception flags become the guest's. Unmasked exceptions are
//   then resolved as the silicon does (SDM Vol. 1 §11.5.2): pre-computation
//   exceptions (IE, DE, ZE) suppress post-computation ones; an unmasked
//   underflow is reported for exact tiny results too; an unmasked overflow
//   does not report the overflowing lane's inexact flag. The destination is
//   then left unchanged and #XM (CR4.OSXMMEXCPT) or #UD is raised.
// - Integer operations use SSE2 intrinsics, or SSSE3/SSE4 intrinsics in
//   functions marked BS_SSE4; the host must have SSE4.2.
//
// The MMX-register forms (NP 0F 60..7F/D1..FF, PSHUFW, MASKMOVQ, MOVNTQ,
// SSSE3 on mm) are the 'mmx' family (exec_mmx.cpp); CLFLUSH/CLFLUSHOPT are in
// exec_misc.cpp. The SSE forms with one MMX operand (CVTPI2PS, CVTPS2PI,
// CVTTPS2PI, CVTPI2PD, CVTPD2PI, CVTTPD2PI, MOVDQ2Q, MOVQ2DQ) are here, as
// they convert on the SSE unit; their x87 side follows cpu/x87_mmx.h. Not
// emulated (#UD): VEX/AVX; MONITOR/MWAIT.
#include <immintrin.h>

#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "families.h"
#include "operands.h"
#include "x87_mmx.h"

// __m128i carries vector attributes that GCC reports as ignored whenever the
// type appears in a template argument (std::pair, function-pointer tables);
// the type itself is unaffected.
#pragma GCC diagnostic ignored "-Wignored-attributes"

namespace bs::cpu {
namespace {

#define BS_SSE4 __attribute__((target("sse4.2")))

// MXCSR (SDM Vol. 1 §10.2.3).
namespace mx {
inline constexpr uint32_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
inline constexpr uint32_t Flags = 0x3f;
inline constexpr uint32_t Pre = IE | DE | ZE;  // pre-computation exceptions
inline constexpr uint32_t DAZ = 1u << 6;
inline constexpr unsigned MaskShift = 7;
inline constexpr uint32_t Masks = 0x3fu << MaskShift;
inline constexpr uint32_t RC = 3u << 13;
inline constexpr uint32_t FTZ = 1u << 15;
// Writable bits (MXCSR_MASK in the FXSAVE image): DAZ supported, no MM.
inline constexpr uint32_t Writable = 0xffff;
}  // namespace mx

using V = __m128i;

// ---------------------------------------------------------------- registers and operands

inline V get_x(const Cpu& c, unsigned r) { return _mm_load_si128(reinterpret_cast<const V*>(&c.s.xmm[r])); }
inline void set_x(Cpu& c, unsigned r, V v) { _mm_store_si128(reinterpret_cast<V*>(&c.s.xmm[r]), v); }
inline Xmm to_xmm(V v) {
    Xmm x;
    _mm_store_si128(reinterpret_cast<V*>(&x), v);
    return x;
}
inline V from_xmm(const Xmm& x) { return _mm_load_si128(reinterpret_cast<const V*>(&x)); }

inline __m128 ps(V v) { return _mm_castsi128_ps(v); }
inline __m128d pd(V v) { return _mm_castsi128_pd(v); }
inline V vi(__m128 v) { return _mm_castps_si128(v); }
inline V vi(__m128d v) { return _mm_castpd_si128(v); }

inline bool rex_w(const DecodedInsn& i) { return i.rex & 8; }

// The checks every XMM instruction makes before anything else.
void check_sse(const Cpu& c, const DecodedInsn& i) {
    if ((c.s.cr0 & cr0::EM) || !(c.s.cr4 & cr4::OSFXSR) || i.lock) raise(kUD);
    if (c.s.cr0 & cr0::TS) raise(kNM);
}

template <Handler H> void sse(Cpu& c, const DecodedInsn& i) {
    check_sse(c, i);
    H(c, i);
}

// Width of the r/m operand when it is in memory.
enum Src : uint8_t {
    kA16,  // m128, 16-byte aligned
    kU16,  // m128, any alignment
    kM8,   // m64, loaded into the low quadword, the rest zero
    kM4,   // m32
    kM2,   // m16
};

V read16(Cpu& c, uint64_t a) {
    const uint64_t lo = c.read<uint64_t>(a);
    const uint64_t hi = c.read<uint64_t>(a + 8);
    return _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo));
}

void write16(Cpu& c, uint64_t a, V v) {
    if ((a & 0xfff) > 0xff0) c.probe_write(a, 16);  // no partial store across pages
    c.write<uint64_t>(a, static_cast<uint64_t>(_mm_cvtsi128_si64(v)));
    c.write<uint64_t>(a + 8, static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v))));
}

// Misalignment (#GP(0)) is checked before the canonical-address check
// (which would give #SS(0) through RSP/RBP), as the host does.
uint64_t aligned_addr(const Cpu& c, const DecodedInsn& i) {
    const uint64_t off = c.effective_address(i);
    if ((c.segment_base(i.seg) + off) & 15) raise(kGP, 0);
    return c.linear(i.seg, off);
}

// The r/m operand as a vector: the XMM register, or memory of width `s`.
V src(Cpu& c, const DecodedInsn& i, Src s) {
    if (!i.is_mem()) return get_x(c, i.rm);
    switch (s) {
        case kA16: return read16(c, aligned_addr(c, i));
        case kU16: return read16(c, mem_linear(c, i));
        case kM8: return _mm_cvtsi64_si128(static_cast<int64_t>(c.read<uint64_t>(mem_linear(c, i))));
        case kM4: return _mm_cvtsi32_si128(static_cast<int>(c.read<uint32_t>(mem_linear(c, i))));
        case kM2: return _mm_cvtsi32_si128(c.read<uint16_t>(mem_linear(c, i)));
    }
    return _mm_setzero_si128();
}

// A general-register or memory integer source (MOVD, CVTSI2SS, PINSR*).
uint64_t gpr_src(Cpu& c, const DecodedInsn& i, unsigned bytes) {
    switch (bytes) {
        case 1:
            if (!i.is_mem()) return reinterpret_cast<const uint8_t*>(&c.s.gpr[i.rm])[0];
            return c.read<uint8_t>(mem_linear(c, i));
        case 2: return read_rm<uint16_t>(c, i);
        case 4: return read_rm<uint32_t>(c, i);
        default: return read_rm<uint64_t>(c, i);
    }
}

// Writes an extracted element: to memory at its width, or zero-extended to
// r32 (r64 with REX.W) for a register destination.
void gpr_dst(Cpu& c, const DecodedInsn& i, unsigned bytes, uint64_t v) {
    if (!i.is_mem()) {
        c.s.gpr[i.rm] = v;  // zero-extended (the value is already width-masked)
        return;
    }
    const uint64_t a = mem_linear(c, i);
    switch (bytes) {
        case 1: c.write<uint8_t>(a, static_cast<uint8_t>(v)); break;
        case 2: c.write<uint16_t>(a, static_cast<uint16_t>(v)); break;
        case 4: c.write<uint32_t>(a, static_cast<uint32_t>(v)); break;
        default: c.write<uint64_t>(a, v); break;
    }
}

// ---------------------------------------------------------------- SIMD floating point on the host

// Loads the guest's rounding control, DAZ and FTZ into the host MXCSR with
// every exception masked and no flag set; restores the host MXCSR on exit.
class HostMxcsr {
public:
    explicit HostMxcsr(uint32_t guest) {
        asm volatile("stmxcsr %0" : "=m"(saved_));
        const uint32_t v = (guest & (mx::DAZ | mx::RC | mx::FTZ)) | mx::Masks;
        asm volatile("ldmxcsr %0" : : "m"(v) : "memory");
    }
    ~HostMxcsr() { asm volatile("ldmxcsr %0" : : "m"(saved_) : "memory"); }
    HostMxcsr(const HostMxcsr&) = delete;
    HostMxcsr& operator=(const HostMxcsr&) = delete;
    // Exception flags raised since construction.
    uint32_t flags() const {
        uint32_t v;
        asm volatile("stmxcsr %0" : "=m"(v) : : "memory");
        return v & mx::Flags;
    }

private:
    uint32_t saved_ = 0;
};

// Hides a value from the optimiser so that the computation on it stays
// between the MXCSR load and read (volatile asms keep their order).
inline V opaque(V v) {
    asm volatile("" : "+x"(v));
    return v;
}

// How the result lanes of an operation depend on its input lanes, to find
// each lane's own flags when an unmasked overflow or underflow needs them.
enum class Lanes : uint8_t {
    Whole,     // one result (scalar ops, conversions to one value)
    Ps,        // lane k from lane k of both inputs, 4 x 32 bits
    Pd,        // 2 x 64 bits
    HPs,       // HADDPS/HSUBPS: lane k from one adjacent pair
    HPd,       // HADDPD/HSUBPD
    AddSubPs,  // ADDSUBPS: even lanes subtract, odd lanes add
    AddSubPd,
};

// How to tell whether a lane's result is inexact with an unbounded exponent
// (what PE reports for a lane that raised an unmasked OE or UE): the
// operation is rerun on inputs rescaled into the normal range.
enum class Exact : uint8_t {
    None,          // cannot overflow or underflow
    NoneF = None, NoneD = None,
    AddF, AddD,    // add/sub family: halve both inputs (an underflowing sum is exact)
    MulF, MulD,    // normalise both inputs to [1, 2)
    DivF, DivD,
    CvtD,          // double to float: normalise the source
};

struct FpKind {
    Lanes lanes;
    Exact exact;
};

template <class F> std::pair<V, uint32_t> on_host(uint32_t mxcsr, F& f, V a, V b) {
    HostMxcsr h(mxcsr);
    const V r = opaque(f(opaque(a), opaque(b)));
    return {r, h.flags()};
}

inline V bcast32(V v, unsigned k) {
    switch (k) {
        case 0: return _mm_shuffle_epi32(v, 0x00);
        case 1: return _mm_shuffle_epi32(v, 0x55);
        case 2: return _mm_shuffle_epi32(v, 0xaa);
        default: return _mm_shuffle_epi32(v, 0xff);
    }
}
inline V bcast64(V v, unsigned k) { return k ? _mm_unpackhi_epi64(v, v) : _mm_unpacklo_epi64(v, v); }

// Inputs that make every result lane compute what lane k computes.
template <Lanes L> std::pair<V, V> isolate_lane(V a, V b, unsigned k) {
    if constexpr (L == Lanes::Ps) {
        return {bcast32(a, k), bcast32(b, k)};
    } else if constexpr (L == Lanes::Pd) {
        return {bcast64(a, k), bcast64(b, k)};
    } else if constexpr (L == Lanes::HPs) {
        const V src = k < 2 ? a : b;
        const V pair = (k & 1) ? _mm_shuffle_epi32(src, 0xee) : _mm_shuffle_epi32(src, 0x44);
        return {pair, pair};
    } else if constexpr (L == Lanes::HPd) {
        const V pair = k ? b : a;
        return {pair, pair};
    } else if constexpr (L == Lanes::AddSubPs) {
        // x - y == x + (-y): flip the sign of b in the lanes of the other kind.
        const V other = (k & 1) ? _mm_setr_epi32(INT32_MIN, 0, INT32_MIN, 0) : _mm_setr_epi32(0, INT32_MIN, 0, INT32_MIN);
        return {bcast32(a, k), _mm_xor_si128(bcast32(b, k), other)};
    } else if constexpr (L == Lanes::AddSubPd) {
        const V other = k ? _mm_set_epi64x(0, INT64_MIN) : _mm_set_epi64x(INT64_MIN, 0);
        return {bcast64(a, k), _mm_xor_si128(bcast64(b, k), other)};
    } else {
        (void)k;
        return {a, b};
    }
}

template <Lanes L> constexpr unsigned kLaneCount =
    L == Lanes::Ps || L == Lanes::HPs || L == Lanes::AddSubPs ? 4 : L == Lanes::Pd || L == Lanes::HPd || L == Lanes::AddSubPd ? 2 : 1;

template <class T> T normalised(T x) {
    if (!std::isfinite(x) || x == 0) return x;
    return std::ldexp(x, -std::ilogb(x));
}

inline V map_lanes_f(V v, float (*g)(float)) {
    Xmm x = to_xmm(v);
    for (float& e : x.f) e = g(e);
    return from_xmm(x);
}
inline V map_lanes_d(V v, double (*g)(double)) {
    Xmm x = to_xmm(v);
    for (double& e : x.f64) e = g(e);
    return from_xmm(x);
}

// Whether the lane computed by f(a, b) is inexact with an unbounded exponent.
template <Exact E, class F> bool inexact_unbounded(F& f, V a, V b, bool overflow) {
    constexpr uint32_t kDefault = 0x1f80;  // round to nearest, no DAZ/FTZ
    auto half_f = [](float x) { return x * 0.5f; };
    auto half_d = [](double x) { return x * 0.5; };
    switch (E) {
        case Exact::AddF:
            if (!overflow) return false;
            return on_host(kDefault, f, map_lanes_f(a, half_f), map_lanes_f(b, half_f)).second & mx::PE;
        case Exact::AddD:
            if (!overflow) return false;
            return on_host(kDefault, f, map_lanes_d(a, half_d), map_lanes_d(b, half_d)).second & mx::PE;
        case Exact::MulF:
        case Exact::DivF:
            return on_host(kDefault, f, map_lanes_f(a, normalised<float>), map_lanes_f(b, normalised<float>)).second & mx::PE;
        case Exact::MulD:
        case Exact::DivD:
        case Exact::CvtD:
            return on_host(kDefault, f, map_lanes_d(a, normalised<double>), map_lanes_d(b, normalised<double>)).second & mx::PE;
        case Exact::None: break;
    }
    return false;
}

// The flags the silicon reports when some exception is unmasked; `flags`
// are those of the all-masked run (SDM Vol. 1 §11.5.2, and measured):
// - an unmasked pre-computation exception (IE, DE, ZE) reports only those;
// - with UM unmasked a tiny result raises UE even when exact (the masked
//   FTZ mode flags tininess, so that run detects it);
// - a lane raising an unmasked OE or UE reports PE when its result is
//   inexact with an unbounded exponent, whatever the denormalised or
//   overflowed result would have been.
template <FpKind K, class F> uint32_t unmasked_flags(uint32_t mxcsr, F& f, V a, V b, uint32_t flags) {
    const uint32_t unmasked = ~(mxcsr >> mx::MaskShift) & mx::Flags;
    if (flags & unmasked & mx::Pre) return flags & mx::Pre;
    const bool om = unmasked & mx::OE, um = unmasked & mx::UE;
    const bool tiny_any = um && (on_host(mxcsr | mx::FTZ, f, a, b).second & mx::UE);
    if (!((om && (flags & mx::OE)) || tiny_any)) return flags;
    if constexpr (K.exact == Exact::None) {
        return tiny_any ? flags | mx::UE : flags;
    } else {
        uint32_t out = 0;
        for (unsigned k = 0; k < kLaneCount<K.lanes>; ++k) {
            const auto [la, lb] = isolate_lane<K.lanes>(a, b, k);
            uint32_t lf = on_host(mxcsr, f, la, lb).second;
            const bool tiny = um && (on_host(mxcsr | mx::FTZ, f, la, lb).second & mx::UE);
            if (tiny) lf |= mx::UE;
            if ((om && (lf & mx::OE)) || tiny) {
                lf &= ~mx::PE;
                if (inexact_unbounded<K.exact>(f, la, lb, lf & mx::OE)) lf |= mx::PE;
            }
            out |= lf;
        }
        return out;
    }
}

// Runs f(a, b) under the guest's MXCSR, accumulates its exception flags and
// raises #XM/#UD on an unmasked one (then the caller writes nothing).
template <FpKind K = FpKind{Lanes::Whole, Exact::None}, class F> V fp_run(Cpu& c, F f, V a, V b) {
    const uint32_t m = c.s.mxcsr;
    auto [r, flags] = on_host(m, f, a, b);
    const uint32_t unmasked = ~(m >> mx::MaskShift) & mx::Flags;
    if ((flags & unmasked) || (unmasked & mx::UE)) {
        flags = unmasked_flags<K>(m, f, a, b, flags);
        if (flags & unmasked) {
            c.s.mxcsr |= flags;
            raise((c.s.cr4 & cr4::OSXMMEXCPT) ? kXM : kUD);
        }
    }
    c.s.mxcsr |= flags;
    return r;
}

// ---------------------------------------------------------------- generic handlers

using Op2 = V (*)(V, V);
using Op2i = V (*)(V, V, uint8_t);

// xmm = F(xmm, xmm/m)
template <Op2 F, Src S = kA16> void h_op(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, S);
    set_x(c, i.reg, F(get_x(c, i.reg), b));
}

// xmm = F(xmm, xmm/m, imm8)
template <Op2i F, Src S = kA16> void h_opi(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, S);
    set_x(c, i.reg, F(get_x(c, i.reg), b, static_cast<uint8_t>(i.imm)));
}

// xmm = F(xmm, xmm/m) on the host FPU.
template <Op2 F, Src S, FpKind K> void h_fp(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, S);
    set_x(c, i.reg, fp_run<K>(c, [](V x, V y) { return F(x, y); }, get_x(c, i.reg), b));
}

// xmm = F(xmm, xmm/m, imm8) on the host FPU.
template <Op2i F, Src S, FpKind K> void h_fpi(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, S);
    const uint8_t n = static_cast<uint8_t>(i.imm);
    set_x(c, i.reg, fp_run<K>(c, [n](V x, V y) { return F(x, y, n); }, get_x(c, i.reg), b));
}

// A table of a host instruction's variants by immediate (the immediate is
// part of the host instruction's encoding).
template <class S, size_t... I> constexpr std::array<Op2, sizeof...(I)> imm_table(std::index_sequence<I...>) {
    return {&S::template f<static_cast<uint8_t>(I)>...};
}
template <class S, size_t N> inline constexpr auto kImmTable = imm_table<S>(std::make_index_sequence<N>{});

#define OP(name, expr)                      \
    V name(V a, V b) {                      \
        (void)a;                            \
        (void)b;                            \
        return expr;                        \
    }
// Commutative operations go through asm: GCC would swap the operands of the
// intrinsics, and which NaN an x86 instruction returns depends on the order.
#define ASM_OP(insn)                                  \
    V insn(V a, V b) {                                \
        asm(#insn " %[b], %[a]" : [a] "+x"(a) : [b] "x"(b)); \
        return a;                                     \
    }
#define OP4(name, expr)                     \
    BS_SSE4 V name(V a, V b) {              \
        (void)a;                            \
        (void)b;                            \
        return expr;                        \
    }

// ---------------------------------------------------------------- floating-point operations

ASM_OP(addps)
ASM_OP(addpd)
ASM_OP(addss)
ASM_OP(addsd)
OP(subps, vi(_mm_sub_ps(ps(a), ps(b))))
OP(subpd, vi(_mm_sub_pd(pd(a), pd(b))))
OP(subss, vi(_mm_sub_ss(ps(a), ps(b))))
OP(subsd, vi(_mm_sub_sd(pd(a), pd(b))))
ASM_OP(mulps)
ASM_OP(mulpd)
ASM_OP(mulss)
ASM_OP(mulsd)
OP(divps, vi(_mm_div_ps(ps(a), ps(b))))
OP(divpd, vi(_mm_div_pd(pd(a), pd(b))))
OP(divss, vi(_mm_div_ss(ps(a), ps(b))))
OP(divsd, vi(_mm_div_sd(pd(a), pd(b))))
OP(minps, vi(_mm_min_ps(ps(a), ps(b))))
OP(minpd, vi(_mm_min_pd(pd(a), pd(b))))
OP(minss, vi(_mm_min_ss(ps(a), ps(b))))
OP(minsd, vi(_mm_min_sd(pd(a), pd(b))))
OP(maxps, vi(_mm_max_ps(ps(a), ps(b))))
OP(maxpd, vi(_mm_max_pd(pd(a), pd(b))))
OP(maxss, vi(_mm_max_ss(ps(a), ps(b))))
OP(maxsd, vi(_mm_max_sd(pd(a), pd(b))))
OP(sqrtps, vi(_mm_sqrt_ps(ps(b))))
OP(sqrtpd, vi(_mm_sqrt_pd(pd(b))))
OP(sqrtss, vi(_mm_move_ss(ps(a), _mm_sqrt_ss(ps(b)))))
OP(sqrtsd, vi(_mm_sqrt_sd(pd(a), pd(b))))
OP(rsqrtps, vi(_mm_rsqrt_ps(ps(b))))
OP(rsqrtss, vi(_mm_move_ss(ps(a), _mm_rsqrt_ss(ps(b)))))
OP(rcpps, vi(_mm_rcp_ps(ps(b))))
OP(rcpss, vi(_mm_move_ss(ps(a), _mm_rcp_ss(ps(b)))))

OP(cvtps2pd, vi(_mm_cvtps_pd(ps(b))))
OP(cvtpd2ps, vi(_mm_cvtpd_ps(pd(b))))
OP(cvtss2sd, vi(_mm_cvtss_sd(pd(a), ps(b))))
OP(cvtsd2ss, vi(_mm_cvtsd_ss(ps(a), pd(b))))
OP(cvtdq2ps, vi(_mm_cvtepi32_ps(b)))
OP(cvtps2dq, _mm_cvtps_epi32(ps(b)))
OP(cvttps2dq, _mm_cvttps_epi32(ps(b)))
OP(cvtdq2pd, vi(_mm_cvtepi32_pd(b)))
OP(cvtpd2dq, _mm_cvtpd_epi32(pd(b)))
OP(cvttpd2dq, _mm_cvttpd_epi32(pd(b)))
// Integer sources come in b's low quadword; results to general registers
// leave in the low quadword.
OP(cvtsi2ss32, vi(_mm_cvtsi32_ss(ps(a), _mm_cvtsi128_si32(b))))
OP(cvtsi2ss64, vi(_mm_cvtsi64_ss(ps(a), _mm_cvtsi128_si64(b))))
OP(cvtsi2sd32, vi(_mm_cvtsi32_sd(pd(a), _mm_cvtsi128_si32(b))))
OP(cvtsi2sd64, vi(_mm_cvtsi64_sd(pd(a), _mm_cvtsi128_si64(b))))
OP(cvtss2si32, _mm_cvtsi32_si128(_mm_cvtss_si32(ps(b))))
OP(cvtss2si64, _mm_cvtsi64_si128(_mm_cvtss_si64(ps(b))))
OP(cvttss2si32, _mm_cvtsi32_si128(_mm_cvttss_si32(ps(b))))
OP(cvttss2si64, _mm_cvtsi64_si128(_mm_cvttss_si64(ps(b))))
OP(cvtsd2si32, _mm_cvtsi32_si128(_mm_cvtsd_si32(pd(b))))
OP(cvtsd2si64, _mm_cvtsi64_si128(_mm_cvtsd_si64(pd(b))))
OP(cvttsd2si32, _mm_cvtsi32_si128(_mm_cvttsd_si32(pd(b))))
OP(cvttsd2si64, _mm_cvtsi64_si128(_mm_cvttsd_si64(pd(b))))

// SSE3
OP4(addsubps, vi(_mm_addsub_ps(ps(a), ps(b))))
OP4(addsubpd, vi(_mm_addsub_pd(pd(a), pd(b))))
OP4(haddps, vi(_mm_hadd_ps(ps(a), ps(b))))
OP4(haddpd, vi(_mm_hadd_pd(pd(a), pd(b))))
OP4(hsubps, vi(_mm_hsub_ps(ps(a), ps(b))))
OP4(hsubpd, vi(_mm_hsub_pd(pd(a), pd(b))))

// CMPPS/PD/SS/SD: predicates 0..7 (legacy SSE uses imm8[2:0]).
template <class M> V cmp_by_pred(V a, V b, uint8_t n) {
    switch (n & 7) {
        case 0: return M::template f<0>(a, b);
        case 1: return M::template f<1>(a, b);
        case 2: return M::template f<2>(a, b);
        case 3: return M::template f<3>(a, b);
        case 4: return M::template f<4>(a, b);
        case 5: return M::template f<5>(a, b);
        case 6: return M::template f<6>(a, b);
        default: return M::template f<7>(a, b);
    }
}
struct CmpPs {
    template <int P> static V f(V a, V b) {
        __m128 r;
        asm("cmpps %[p], %[b], %[a]" : [a] "=x"(r) : "0"(ps(a)), [b] "x"(ps(b)), [p] "i"(P));
        return vi(r);
    }
};
struct CmpPd {
    template <int P> static V f(V a, V b) {
        __m128d r;
        asm("cmppd %[p], %[b], %[a]" : [a] "=x"(r) : "0"(pd(a)), [b] "x"(pd(b)), [p] "i"(P));
        return vi(r);
    }
};
struct CmpSs {
    template <int P> static V f(V a, V b) {
        __m128 r;
        asm("cmpss %[p], %[b], %[a]" : [a] "=x"(r) : "0"(ps(a)), [b] "x"(ps(b)), [p] "i"(P));
        return vi(r);
    }
};
struct CmpSd {
    template <int P> static V f(V a, V b) {
        __m128d r;
        asm("cmpsd %[p], %[b], %[a]" : [a] "=x"(r) : "0"(pd(a)), [b] "x"(pd(b)), [p] "i"(P));
        return vi(r);
    }
};
V cmpps(V a, V b, uint8_t n) { return cmp_by_pred<CmpPs>(a, b, n); }
V cmppd(V a, V b, uint8_t n) { return cmp_by_pred<CmpPd>(a, b, n); }
V cmpss(V a, V b, uint8_t n) { return cmp_by_pred<CmpSs>(a, b, n); }
V cmpsd(V a, V b, uint8_t n) { return cmp_by_pred<CmpSd>(a, b, n); }

// SSE4.1 ROUND*: imm8[3:0] (rounding control, source select, precision mask).
struct RoundPs {
    template <uint8_t N> BS_SSE4 static V f(V a, V b) { (void)a; return vi(_mm_round_ps(ps(b), N)); }
};
struct RoundPd {
    template <uint8_t N> BS_SSE4 static V f(V a, V b) { (void)a; return vi(_mm_round_pd(pd(b), N)); }
};
struct RoundSs {
    template <uint8_t N> BS_SSE4 static V f(V a, V b) { return vi(_mm_round_ss(ps(a), ps(b), N)); }
};
struct RoundSd {
    template <uint8_t N> BS_SSE4 static V f(V a, V b) { return vi(_mm_round_sd(pd(a), pd(b), N)); }
};
V roundps(V a, V b, uint8_t n) { return kImmTable<RoundPs, 16>[n & 15](a, b); }
V roundpd(V a, V b, uint8_t n) { return kImmTable<RoundPd, 16>[n & 15](a, b); }
V roundss(V a, V b, uint8_t n) { return kImmTable<RoundSs, 16>[n & 15](a, b); }
V roundsd(V a, V b, uint8_t n) { return kImmTable<RoundSd, 16>[n & 15](a, b); }

// ---------------------------------------------------------------- integer operations (SSE2)

OP(pand, _mm_and_si128(a, b))
OP(pandn, _mm_andnot_si128(a, b))
OP(por, _mm_or_si128(a, b))
OP(pxor, _mm_xor_si128(a, b))
OP(punpcklbw, _mm_unpacklo_epi8(a, b))
OP(punpcklwd, _mm_unpacklo_epi16(a, b))
OP(punpckldq, _mm_unpacklo_epi32(a, b))
OP(punpcklqdq, _mm_unpacklo_epi64(a, b))
OP(punpckhbw, _mm_unpackhi_epi8(a, b))
OP(punpckhwd, _mm_unpackhi_epi16(a, b))
OP(punpckhdq, _mm_unpackhi_epi32(a, b))
OP(punpckhqdq, _mm_unpackhi_epi64(a, b))
OP(packsswb, _mm_packs_epi16(a, b))
OP(packssdw, _mm_packs_epi32(a, b))
OP(packuswb, _mm_packus_epi16(a, b))
OP(pcmpgtb, _mm_cmpgt_epi8(a, b))
OP(pcmpgtw, _mm_cmpgt_epi16(a, b))
OP(pcmpgtd, _mm_cmpgt_epi32(a, b))
OP(pcmpeqb, _mm_cmpeq_epi8(a, b))
OP(pcmpeqw, _mm_cmpeq_epi16(a, b))
OP(pcmpeqd, _mm_cmpeq_epi32(a, b))
OP(psrlw, _mm_srl_epi16(a, b))
OP(psrld, _mm_srl_epi32(a, b))
OP(psrlq, _mm_srl_epi64(a, b))
OP(psraw, _mm_sra_epi16(a, b))
OP(psrad, _mm_sra_epi32(a, b))
OP(psllw, _mm_sll_epi16(a, b))
OP(pslld, _mm_sll_epi32(a, b))
OP(psllq, _mm_sll_epi64(a, b))
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
OP(pmullw, _mm_mullo_epi16(a, b))
OP(pmulhw, _mm_mulhi_epi16(a, b))
OP(pmulhuw, _mm_mulhi_epu16(a, b))
OP(pmuludq, _mm_mul_epu32(a, b))
OP(pmaddwd, _mm_madd_epi16(a, b))
OP(psadbw, _mm_sad_epu8(a, b))
OP(pavgb, _mm_avg_epu8(a, b))
OP(pavgw, _mm_avg_epu16(a, b))
OP(pminub, _mm_min_epu8(a, b))
OP(pmaxub, _mm_max_epu8(a, b))
OP(pminsw, _mm_min_epi16(a, b))
OP(pmaxsw, _mm_max_epi16(a, b))

// MOVSS/MOVSD between registers merge the low element.
OP(movss_rr, vi(_mm_move_ss(ps(a), ps(b))))
OP(movsd_rr, vi(_mm_move_sd(pd(a), pd(b))))
// MOVLPS/MOVLPD load, MOVHLPS, MOVHPS/MOVHPD load, MOVLHPS.
OP(set_low_q, _mm_unpackhi_epi64(_mm_unpacklo_epi64(b, b), a))  // {b.q0, a.q1}
OP(set_low_from_high, _mm_unpackhi_epi64(b, a))                 // {b.q1, a.q1}
OP(set_high_q, _mm_unpacklo_epi64(a, b))                        // {a.q0, b.q0}
OP(movq_zx, _mm_move_epi64(b))
OP(movsldup, _mm_shuffle_epi32(b, 0xa0))
OP(movshdup, _mm_shuffle_epi32(b, 0xf5))
OP(movddup, _mm_unpacklo_epi64(b, b))

V pshufd(V, V b, uint8_t n) {
    const Xmm s = to_xmm(b);
    Xmm r;
    for (unsigned k = 0; k < 4; ++k) r.d[k] = s.d[(n >> (2 * k)) & 3];
    return from_xmm(r);
}
V pshufhw(V, V b, uint8_t n) {
    const Xmm s = to_xmm(b);
    Xmm r = s;
    for (unsigned k = 0; k < 4; ++k) r.w[4 + k] = s.w[4 + ((n >> (2 * k)) & 3)];
    return from_xmm(r);
}
V pshuflw(V, V b, uint8_t n) {
    const Xmm s = to_xmm(b);
    Xmm r = s;
    for (unsigned k = 0; k < 4; ++k) r.w[k] = s.w[(n >> (2 * k)) & 3];
    return from_xmm(r);
}
V shufps(V a, V b, uint8_t n) {
    const Xmm x = to_xmm(a), y = to_xmm(b);
    Xmm r;
    r.d[0] = x.d[n & 3];
    r.d[1] = x.d[(n >> 2) & 3];
    r.d[2] = y.d[(n >> 4) & 3];
    r.d[3] = y.d[(n >> 6) & 3];
    return from_xmm(r);
}
V shufpd(V a, V b, uint8_t n) {
    const Xmm x = to_xmm(a), y = to_xmm(b);
    Xmm r;
    r.q[0] = x.q[n & 1];
    r.q[1] = y.q[(n >> 1) & 1];
    return from_xmm(r);
}
// Byte shifts of the whole register (PSRLDQ/PSLLDQ); counts above 15 clear it.
V byte_shift_right(V a, unsigned n) {
    const Xmm x = to_xmm(a);
    Xmm r{};
    for (unsigned k = 0; k + n < 16; ++k) r.b[k] = x.b[k + n];
    return from_xmm(r);
}
V byte_shift_left(V a, unsigned n) {
    const Xmm x = to_xmm(a);
    Xmm r{};
    for (unsigned k = n; k < 16; ++k) r.b[k] = x.b[k - n];
    return from_xmm(r);
}

// ---------------------------------------------------------------- integer operations (SSSE3, SSE4.1, SSE4.2)

OP4(pshufb, _mm_shuffle_epi8(a, b))
OP4(phaddw, _mm_hadd_epi16(a, b))
OP4(phaddd, _mm_hadd_epi32(a, b))
OP4(phaddsw, _mm_hadds_epi16(a, b))
OP4(phsubw, _mm_hsub_epi16(a, b))
OP4(phsubd, _mm_hsub_epi32(a, b))
OP4(phsubsw, _mm_hsubs_epi16(a, b))
OP4(pmaddubsw, _mm_maddubs_epi16(a, b))
OP4(psignb, _mm_sign_epi8(a, b))
OP4(psignw, _mm_sign_epi16(a, b))
OP4(psignd, _mm_sign_epi32(a, b))
OP4(pmulhrsw, _mm_mulhrs_epi16(a, b))
OP4(pabsb, _mm_abs_epi8(b))
OP4(pabsw, _mm_abs_epi16(b))
OP4(pabsd, _mm_abs_epi32(b))
V palignr(V a, V b, uint8_t n) {
    // dst:src as a 32-byte value shifted right by n bytes; the low 16 remain.
    uint8_t cat[48] = {};
    _mm_storeu_si128(reinterpret_cast<V*>(cat), b);
    _mm_storeu_si128(reinterpret_cast<V*>(cat + 16), a);
    if (n >= 32) return _mm_setzero_si128();
    return _mm_loadu_si128(reinterpret_cast<const V*>(cat + n));
}

OP4(pmuldq, _mm_mul_epi32(a, b))
OP4(pmulld, _mm_mullo_epi32(a, b))
OP4(pcmpeqq, _mm_cmpeq_epi64(a, b))
OP4(pcmpgtq, _mm_cmpgt_epi64(a, b))
OP4(packusdw, _mm_packus_epi32(a, b))
OP4(pminsb, _mm_min_epi8(a, b))
OP4(pminsd, _mm_min_epi32(a, b))
OP4(pminuw, _mm_min_epu16(a, b))
OP4(pminud, _mm_min_epu32(a, b))
OP4(pmaxsb, _mm_max_epi8(a, b))
OP4(pmaxsd, _mm_max_epi32(a, b))
OP4(pmaxuw, _mm_max_epu16(a, b))
OP4(pmaxud, _mm_max_epu32(a, b))
OP4(phminposuw, _mm_minpos_epu16(b))
OP4(pmovsxbw, _mm_cvtepi8_epi16(b))
OP4(pmovsxbd, _mm_cvtepi8_epi32(b))
OP4(pmovsxbq, _mm_cvtepi8_epi64(b))
OP4(pmovsxwd, _mm_cvtepi16_epi32(b))
OP4(pmovsxwq, _mm_cvtepi16_epi64(b))
OP4(pmovsxdq, _mm_cvtepi32_epi64(b))
OP4(pmovzxbw, _mm_cvtepu8_epi16(b))
OP4(pmovzxbd, _mm_cvtepu8_epi32(b))
OP4(pmovzxbq, _mm_cvtepu8_epi64(b))
OP4(pmovzxwd, _mm_cvtepu16_epi32(b))
OP4(pmovzxwq, _mm_cvtepu16_epi64(b))
OP4(pmovzxdq, _mm_cvtepu32_epi64(b))

V blendps(V a, V b, uint8_t n) {
    const Xmm x = to_xmm(a), y = to_xmm(b);
    Xmm r;
    for (unsigned k = 0; k < 4; ++k) r.d[k] = (n >> k) & 1 ? y.d[k] : x.d[k];
    return from_xmm(r);
}
V blendpd(V a, V b, uint8_t n) {
    const Xmm x = to_xmm(a), y = to_xmm(b);
    Xmm r;
    for (unsigned k = 0; k < 2; ++k) r.q[k] = (n >> k) & 1 ? y.q[k] : x.q[k];
    return from_xmm(r);
}
V pblendw(V a, V b, uint8_t n) {
    const Xmm x = to_xmm(a), y = to_xmm(b);
    Xmm r;
    for (unsigned k = 0; k < 8; ++k) r.w[k] = (n >> k) & 1 ? y.w[k] : x.w[k];
    return from_xmm(r);
}
V mpsadbw(V a, V b, uint8_t n) {
    const Xmm x = to_xmm(a), y = to_xmm(b);
    const unsigned ao = ((n >> 2) & 1) * 4, bo = (n & 3) * 4;
    Xmm r;
    for (unsigned k = 0; k < 8; ++k) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; ++j) {
            const int d = int(x.b[ao + k + j]) - int(y.b[bo + j]);
            sum += static_cast<unsigned>(d < 0 ? -d : d);
        }
        r.w[k] = static_cast<uint16_t>(sum);
    }
    return from_xmm(r);
}
// INSERTPS: imm8[7:6] source lane (register source only), [5:4] target, [3:0] zero mask.
V insertps(V a, V b, uint8_t n) {
    Xmm x = to_xmm(a);
    const Xmm y = to_xmm(b);
    x.d[(n >> 4) & 3] = y.d[(n >> 6) & 3];
    for (unsigned k = 0; k < 4; ++k) {
        if ((n >> k) & 1) x.d[k] = 0;
    }
    return from_xmm(x);
}

// ---------------------------------------------------------------- handlers: moves

// Loads: xmm = xmm/m (full width or zero-extended scalar).
template <Src S> void h_load(Cpu& c, const DecodedInsn& i) { set_x(c, i.reg, src(c, i, S)); }

// MOVSS/MOVSD xmm, xmm/m: a memory source zeroes the upper lanes.
template <Src S, Op2 Merge> void h_movs_load(Cpu& c, const DecodedInsn& i) {
    if (i.is_mem()) set_x(c, i.reg, src(c, i, S));
    else set_x(c, i.reg, Merge(get_x(c, i.reg), get_x(c, i.rm)));
}

// Stores: xmm/m = xmm. `bytes` of the low end go to memory; a register
// destination takes the full register (MOVAPS/MOVUPS/MOVDQA/MOVDQU 0F 29..).
template <bool Aligned> void h_store128(Cpu& c, const DecodedInsn& i) {
    if (!i.is_mem()) return set_x(c, i.rm, get_x(c, i.reg));
    write16(c, Aligned ? aligned_addr(c, i) : mem_linear(c, i), get_x(c, i.reg));
}
// MOVSS/MOVSD store: the register form merges the low element.
template <unsigned Bytes> void h_movs_store(Cpu& c, const DecodedInsn& i) {
    const Xmm& x = c.s.xmm[i.reg];
    if (!i.is_mem()) {
        if (Bytes == 4) c.s.xmm[i.rm].d[0] = x.d[0];
        else c.s.xmm[i.rm].q[0] = x.q[0];
        return;
    }
    if (Bytes == 4) c.write<uint32_t>(mem_linear(c, i), x.d[0]);
    else c.write<uint64_t>(mem_linear(c, i), x.q[0]);
}
// MOVLPS/MOVLPD/MOVHPS/MOVHPD stores (memory only): one quadword.
template <unsigned Q> void h_store_q(Cpu& c, const DecodedInsn& i) {
    c.write<uint64_t>(mem_linear(c, i), c.s.xmm[i.reg].q[Q]);
}
// MOVQ xmm/m64, xmm (66 0F D6): the register form zeroes the upper quadword.
void movq_store(Cpu& c, const DecodedInsn& i) {
    if (!i.is_mem()) return set_x(c, i.rm, _mm_move_epi64(get_x(c, i.reg)));
    c.write<uint64_t>(mem_linear(c, i), c.s.xmm[i.reg].q[0]);
}
// MOVNTPS/MOVNTPD/MOVNTDQ (memory only, aligned).
void movnt_store(Cpu& c, const DecodedInsn& i) { write16(c, aligned_addr(c, i), get_x(c, i.reg)); }
// MOVNTI m32/m64, r (not an XMM instruction: no CR0/CR4 checks).
void movnti(Cpu& c, const DecodedInsn& i) {
    if (rex_w(i)) c.write<uint64_t>(mem_linear(c, i), c.s.gpr[i.reg]);
    else c.write<uint32_t>(mem_linear(c, i), static_cast<uint32_t>(c.s.gpr[i.reg]));
}
// MOVD/MOVQ xmm, r/m32/64 (66 0F 6E).
void movd_to_xmm(Cpu& c, const DecodedInsn& i) {
    const uint64_t v = gpr_src(c, i, rex_w(i) ? 8 : 4);
    set_x(c, i.reg, _mm_cvtsi64_si128(static_cast<int64_t>(v)));
}
// MOVD/MOVQ r/m32/64, xmm (66 0F 7E).
void movd_from_xmm(Cpu& c, const DecodedInsn& i) {
    const Xmm& x = c.s.xmm[i.reg];
    if (rex_w(i)) gpr_dst(c, i, 8, x.q[0]);
    else gpr_dst(c, i, 4, x.d[0]);
}
// MOVMSKPS/MOVMSKPD/PMOVMSKB r32/64, xmm (register forms).
void movmskps(Cpu& c, const DecodedInsn& i) { c.s.gpr[i.reg] = static_cast<uint32_t>(_mm_movemask_ps(ps(get_x(c, i.rm)))); }
void movmskpd(Cpu& c, const DecodedInsn& i) { c.s.gpr[i.reg] = static_cast<uint32_t>(_mm_movemask_pd(pd(get_x(c, i.rm)))); }
void pmovmskb(Cpu& c, const DecodedInsn& i) { c.s.gpr[i.reg] = static_cast<uint32_t>(_mm_movemask_epi8(get_x(c, i.rm))); }

// MASKMOVDQU xmm1, xmm2: bytes of xmm1 selected by the sign bits of xmm2 go
// to DS:rDI (segment overridable). Every selected byte is checked first.
void maskmovdqu(Cpu& c, const DecodedInsn& i) {
    const Xmm& data = c.s.xmm[i.reg];
    const Xmm& mask = c.s.xmm[i.rm];
    const uint64_t off = c.s.gpr[RDI] & width_mask(i.addrsize);
    const uint64_t base = c.linear(i.seg_override != kNoReg ? unsigned{i.seg_override} : unsigned{DS}, off);
    for (unsigned k = 0; k < 16; ++k) {
        if (mask.b[k] & 0x80) c.probe_write(base + k, 1);
    }
    for (unsigned k = 0; k < 16; ++k) {
        if (mask.b[k] & 0x80) c.write<uint8_t>(base + k, data.b[k]);
    }
}

// PINSRW (66 0F C4), PINSRB/PINSRD/PINSRQ (66 0F 3A 20/22): from r32 or memory.
void pinsrw(Cpu& c, const DecodedInsn& i) {
    const uint16_t v = static_cast<uint16_t>(gpr_src(c, i, 2));
    c.s.xmm[i.reg].w[i.imm & 7] = v;
}
void pinsrb(Cpu& c, const DecodedInsn& i) {
    const uint8_t v = static_cast<uint8_t>(gpr_src(c, i, 1));
    c.s.xmm[i.reg].b[i.imm & 15] = v;
}
void pinsrd(Cpu& c, const DecodedInsn& i) {
    if (rex_w(i)) {
        const uint64_t v = gpr_src(c, i, 8);
        c.s.xmm[i.reg].q[i.imm & 1] = v;
    } else {
        const uint32_t v = static_cast<uint32_t>(gpr_src(c, i, 4));
        c.s.xmm[i.reg].d[i.imm & 3] = v;
    }
}
// PEXTRW r32, xmm (66 0F C5, register only): the destination is ModRM.reg.
void pextrw_c5(Cpu& c, const DecodedInsn& i) { c.s.gpr[i.reg] = c.s.xmm[i.rm].w[i.imm & 7]; }
// PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8 (66 0F 3A 14..17).
void pextrb(Cpu& c, const DecodedInsn& i) { gpr_dst(c, i, 1, c.s.xmm[i.reg].b[i.imm & 15]); }
void pextrw(Cpu& c, const DecodedInsn& i) { gpr_dst(c, i, 2, c.s.xmm[i.reg].w[i.imm & 7]); }
void pextrd(Cpu& c, const DecodedInsn& i) {
    if (rex_w(i)) gpr_dst(c, i, 8, c.s.xmm[i.reg].q[i.imm & 1]);
    else gpr_dst(c, i, 4, c.s.xmm[i.reg].d[i.imm & 3]);
}
void extractps(Cpu& c, const DecodedInsn& i) { gpr_dst(c, i, 4, c.s.xmm[i.reg].d[i.imm & 3]); }

// ---------------------------------------------------------------- handlers: shifts by immediate

// 66 0F 71/72/73 /digit ib: the register operand is ModRM.rm.
template <Op2 F> void h_shift_imm(Cpu& c, const DecodedInsn& i) {
    set_x(c, i.rm, F(get_x(c, i.rm), _mm_cvtsi32_si128(static_cast<uint8_t>(i.imm))));
}
void psrldq(Cpu& c, const DecodedInsn& i) { set_x(c, i.rm, byte_shift_right(get_x(c, i.rm), static_cast<uint8_t>(i.imm))); }
void pslldq(Cpu& c, const DecodedInsn& i) { set_x(c, i.rm, byte_shift_left(get_x(c, i.rm), static_cast<uint8_t>(i.imm))); }

// ---------------------------------------------------------------- handlers: floating point with special operands

// CVTSI2SS/CVTSI2SD xmm, r/m32/64.
template <Op2 F32, Op2 F64> void h_cvtsi2f(Cpu& c, const DecodedInsn& i) {
    const bool w = rex_w(i);
    const V b = _mm_cvtsi64_si128(static_cast<int64_t>(gpr_src(c, i, w ? 8 : 4)));
    set_x(c, i.reg, fp_run(c, w ? F64 : F32, get_x(c, i.reg), b));
}
// CVT(T)SS2SI/CVT(T)SD2SI r32/64, xmm/m32/64.
template <Op2 F32, Op2 F64, Src S> void h_cvtf2si(Cpu& c, const DecodedInsn& i) {
    const bool w = rex_w(i);
    const V b = src(c, i, S);
    const V r = fp_run(c, w ? F64 : F32, b, b);
    c.s.gpr[i.reg] = w ? static_cast<uint64_t>(_mm_cvtsi128_si64(r)) : static_cast<uint32_t>(_mm_cvtsi128_si32(r));
}

// ---------------------------------------------------------------- handlers: SSE forms with an MMX operand

// The x87 side (cpu/x87_mmx.h, measured on the reference host): #MF for a
// pending x87 exception comes before any memory access; the MMX state is
// entered after the load and before the conversion, so a faulting load
// leaves the x87 state alone and an unmasked #XM leaves it entered (with the
// MMX destination unwritten). MMX register numbers ignore REX (mmx::get/set).

// CVTPI2PS: two int32 to the low two floats, the high two stay. The source's
// high quadword is zero (converts exactly, raises nothing).
V cvtpi2ps(V a, V b) { return set_low_q(a, cvtdq2ps(a, b)); }
// CVTPS2PI/CVTTPS2PI: the low two floats of an XMM source only.
V cvtps2pi(V a, V b) { return cvtps2dq(a, _mm_move_epi64(b)); }
V cvttps2pi(V a, V b) { return cvttps2dq(a, _mm_move_epi64(b)); }

// CVTPI2PS/CVTPI2PD xmm, mm/m64. A memory source is no MMX operand: no #MF,
// the x87 state stays (SDM Vol. 2 CVTPI2PS/CVTPI2PD: the transition is made
// for an MMX register source).
template <Op2 F, FpKind K> void h_cvtpi2p(Cpu& c, const DecodedInsn& i) {
    V b;
    if (i.is_mem()) {
        b = src(c, i, kM8);
    } else {
        mmx::check_pending(c);
        b = _mm_cvtsi64_si128(static_cast<int64_t>(mmx::get(c.s.fpu, i.rm)));
        mmx::enter(c.s.fpu);
    }
    set_x(c, i.reg, fp_run<K>(c, F, get_x(c, i.reg), b));
}
// CVT(T)PS2PI mm, xmm/m64; CVT(T)PD2PI mm, xmm/m128 (16-byte aligned).
template <Op2 F, Src S, FpKind K> void h_cvt2pi(Cpu& c, const DecodedInsn& i) {
    mmx::check_pending(c);
    const V b = src(c, i, S);
    mmx::enter(c.s.fpu);
    const V r = fp_run<K>(c, F, b, b);
    mmx::set(c.s.fpu, i.reg, static_cast<uint64_t>(_mm_cvtsi128_si64(r)));
}
// MOVDQ2Q mm, xmm (F2 0F D6, register only): the low quadword.
void movdq2q(Cpu& c, const DecodedInsn& i) {
    mmx::check_pending(c);
    mmx::set(c.s.fpu, i.reg, c.s.xmm[i.rm].q[0]);
}
// MOVQ2DQ xmm, mm (F3 0F D6, register only): zero-extended.
void movq2dq(Cpu& c, const DecodedInsn& i) {
    mmx::check_pending(c);
    const uint64_t v = mmx::get(c.s.fpu, i.rm);
    mmx::enter(c.s.fpu);
    set_x(c, i.reg, _mm_cvtsi64_si128(static_cast<int64_t>(v)));
}

// (U)COMISS/(U)COMISD: ZF, PF, CF from the comparison; OF, SF, AF cleared.
template <int Kind> V comi(V a, V b) {
    bool z, p, cf;
    if constexpr (Kind == 0) asm("comiss %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(ps(b)), "x"(ps(a)));
    if constexpr (Kind == 1) asm("ucomiss %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(ps(b)), "x"(ps(a)));
    if constexpr (Kind == 2) asm("comisd %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(pd(b)), "x"(pd(a)));
    if constexpr (Kind == 3) asm("ucomisd %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(pd(b)), "x"(pd(a)));
    return _mm_cvtsi32_si128((z ? fl::ZF : 0) | (p ? fl::PF : 0) | (cf ? fl::CF : 0));
}
template <int Kind, Src S> void h_comi(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, S);
    const V r = fp_run(c, comi<Kind>, get_x(c, i.reg), b);
    materialize(c.s);
    c.s.rflags = (c.s.rflags & ~fl::Arith) | static_cast<uint32_t>(_mm_cvtsi128_si32(r));
}

// ---------------------------------------------------------------- handlers: SSE4.1 flags and blends

// PTEST: ZF = (dst & src) == 0, CF = (~dst & src) == 0; AF, OF, PF, SF cleared.
void ptest(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, kA16);
    const V a = get_x(c, i.reg);
    const bool zf = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(a, b), _mm_setzero_si128())) == 0xffff;
    const bool cf = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_andnot_si128(a, b), _mm_setzero_si128())) == 0xffff;
    materialize(c.s);
    c.s.rflags = (c.s.rflags & ~fl::Arith) | (zf ? fl::ZF : 0) | (cf ? fl::CF : 0);
}

// PBLENDVB/BLENDVPS/BLENDVPD: the mask is XMM0.
BS_SSE4 V blendvb(V a, V b, V m) { return _mm_blendv_epi8(a, b, m); }
BS_SSE4 V blendvps(V a, V b, V m) { return vi(_mm_blendv_ps(ps(a), ps(b), ps(m))); }
BS_SSE4 V blendvpd(V a, V b, V m) { return vi(_mm_blendv_pd(pd(a), pd(b), pd(m))); }
template <V (*F)(V, V, V)> void h_blendv(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, kA16);
    set_x(c, i.reg, F(get_x(c, i.reg), b, get_x(c, 0)));
}

// INSERTPS xmm, xmm/m32, imm8: a memory source is the element itself.
void insertps_h(Cpu& c, const DecodedInsn& i) {
    V b = src(c, i, kM4);
    uint8_t n = static_cast<uint8_t>(i.imm);
    if (i.is_mem()) n &= 0x3f;  // count_s is ignored for memory
    set_x(c, i.reg, insertps(get_x(c, i.reg), b, n));
}

// ---------------------------------------------------------------- handlers: SSE4.2 strings and CRC32

// PCMPxSTRx on the host: the immediate is part of the encoding, so one
// instantiation per immediate. The explicit lengths come in EAX/EDX already
// reduced to |len| saturated at 16 (bytes) or 8 (words).
struct StrResult {
    V mask;
    uint32_t index;
    uint64_t flags;
};
#define BS_PCMPSTR_FLAGS "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of)
struct PcmpIstri {
    template <uint8_t N> BS_SSE4 static StrResult f(V a, V b, uint32_t, uint32_t) {
        bool cf, zf, sf, of;
        uint32_t idx;
        asm("pcmpistri %[n], %[b], %[a]" : "=c"(idx), BS_PCMPSTR_FLAGS : [a] "x"(a), [b] "x"(b), [n] "i"(N));
        return {a, idx, (cf ? fl::CF : 0) | (zf ? fl::ZF : 0) | (sf ? fl::SF : 0) | (of ? fl::OF : 0)};
    }
};
struct PcmpEstri {
    template <uint8_t N> BS_SSE4 static StrResult f(V a, V b, uint32_t la, uint32_t lb) {
        bool cf, zf, sf, of;
        uint32_t idx;
        asm("pcmpestri %[n], %[b], %[a]"
            : "=c"(idx), BS_PCMPSTR_FLAGS
            : [a] "x"(a), [b] "x"(b), "a"(la), "d"(lb), [n] "i"(N));
        return {a, idx, (cf ? fl::CF : 0) | (zf ? fl::ZF : 0) | (sf ? fl::SF : 0) | (of ? fl::OF : 0)};
    }
};
struct PcmpIstrm {
    template <uint8_t N> BS_SSE4 static StrResult f(V a, V b, uint32_t, uint32_t) {
        bool cf, zf, sf, of;
        V m;
        asm("pcmpistrm %[n], %[b], %[a]" : "=Yz"(m), BS_PCMPSTR_FLAGS : [a] "x"(a), [b] "x"(b), [n] "i"(N));
        return {m, 0, (cf ? fl::CF : 0) | (zf ? fl::ZF : 0) | (sf ? fl::SF : 0) | (of ? fl::OF : 0)};
    }
};
struct PcmpEstrm {
    template <uint8_t N> BS_SSE4 static StrResult f(V a, V b, uint32_t la, uint32_t lb) {
        bool cf, zf, sf, of;
        V m;
        asm("pcmpestrm %[n], %[b], %[a]"
            : "=Yz"(m), BS_PCMPSTR_FLAGS
            : [a] "x"(a), [b] "x"(b), "a"(la), "d"(lb), [n] "i"(N));
        return {m, 0, (cf ? fl::CF : 0) | (zf ? fl::ZF : 0) | (sf ? fl::SF : 0) | (of ? fl::OF : 0)};
    }
};
#undef BS_PCMPSTR_FLAGS

using StrOp = StrResult (*)(V, V, uint32_t, uint32_t);
template <class S, size_t... I> constexpr std::array<StrOp, 256> str_table(std::index_sequence<I...>) {
    return {&S::template f<static_cast<uint8_t>(I)>...};
}
template <class S> inline constexpr auto kStrTable = str_table<S>(std::make_index_sequence<256>{});

// |length| saturated to the element count (SDM Vol. 2 PCMPESTRI).
uint32_t explicit_length(uint64_t v, bool w, bool words) {
    const int64_t s = w ? static_cast<int64_t>(v) : static_cast<int64_t>(static_cast<int32_t>(v));
    const uint64_t mag = s < 0 ? 0 - static_cast<uint64_t>(s) : static_cast<uint64_t>(s);
    const uint64_t max = words ? 8 : 16;
    return static_cast<uint32_t>(mag > max ? max : mag);
}

template <class S, bool Explicit, bool Index> void h_pcmpstr(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, kU16);
    const uint8_t n = static_cast<uint8_t>(i.imm);
    uint32_t la = 0, lb = 0;
    if constexpr (Explicit) {
        const bool words = n & 1;
        la = explicit_length(c.s.gpr[RAX], rex_w(i), words);
        lb = explicit_length(c.s.gpr[RDX], rex_w(i), words);
    }
    const StrResult r = kStrTable<S>[n](get_x(c, i.reg), b, la, lb);
    if constexpr (Index) c.s.gpr[RCX] = r.index;
    else set_x(c, 0, r.mask);
    materialize(c.s);
    c.s.rflags = (c.s.rflags & ~fl::Arith) | r.flags;
}

BS_SSE4 uint64_t crc32_step(uint64_t crc, uint64_t v, unsigned bytes) {
    switch (bytes) {
        case 1: return _mm_crc32_u8(static_cast<uint32_t>(crc), static_cast<uint8_t>(v));
        case 2: return _mm_crc32_u16(static_cast<uint32_t>(crc), static_cast<uint16_t>(v));
        case 4: return _mm_crc32_u32(static_cast<uint32_t>(crc), static_cast<uint32_t>(v));
        default: return _mm_crc32_u64(crc, v);
    }
}
// CRC32 r32/64, r/m8 (F2 0F 38 F0) and r/m16/32/64 (F1). A GPR instruction.
template <bool ByteSrc> void crc32(Cpu& c, const DecodedInsn& i) {
    if (i.lock) raise(kUD);
    uint64_t v;
    unsigned bytes;
    if constexpr (ByteSrc) {
        bytes = 1;
        // Without REX, byte registers 4..7 are AH..BH.
        if (!i.is_mem()) v = get_reg<uint8_t>(c.s, !i.rex && i.rm >= 4 ? kAH + i.rm - 4 : i.rm);
        else v = c.read<uint8_t>(mem_linear(c, i));
    } else {
        bytes = rex_w(i) ? 8 : i.opsize_prefix ? 2 : 4;
        v = gpr_src(c, i, bytes);
    }
    const uint64_t r = crc32_step(static_cast<uint32_t>(c.s.gpr[i.reg]), v, bytes);
    c.s.gpr[i.reg] = static_cast<uint32_t>(r);  // r64 destinations are zero-extended too
}

// ---------------------------------------------------------------- dot products

// DPPS/DPPD (SDM Vol. 2 "DPPS", "DPPD"), as the reference host computes
// them (measured against the native instruction over random operands,
// NaN-heavy, and random MXCSR settings): the lanes imm8[7:4] selects are
// multiplied (the others are +0.0 and raise nothing), then the products are
// summed in two (DPPS) or one (DPPD) packed additions of the vector and a
// swizzle of itself. Each step rounds and flags like MULPS/ADDPS (MULPD/
// ADDPD), and an unmasked exception ends the instruction at that step with
// the flags of the steps before it. Lane k of each sum has its own operand
// order, which decides the NaN a lane returns:
//   DPPS: s1 = swap_pairs(p) + p, s2 = s1 + swap_halves(s1);  DPPD: s = p + swap(p).
// imm8[3:0] selects the result lanes; the others are +0.0.
V lanes32(unsigned mask4) {
    return _mm_setr_epi32(mask4 & 1 ? -1 : 0, mask4 & 2 ? -1 : 0, mask4 & 4 ? -1 : 0, mask4 & 8 ? -1 : 0);
}
V lanes64(unsigned mask2) { return _mm_set_epi64x(mask2 & 2 ? -1 : 0, mask2 & 1 ? -1 : 0); }

void dpps(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, kA16);
    const unsigned n = static_cast<uint8_t>(i.imm);
    const V keep = lanes32(n >> 4);
    constexpr FpKind kMul{Lanes::Ps, Exact::MulF}, kAdd{Lanes::Ps, Exact::AddF};
    const V p = fp_run<kMul>(c, mulps, _mm_and_si128(get_x(c, i.reg), keep), _mm_and_si128(b, keep));
    const V s1 = fp_run<kAdd>(c, addps, _mm_shuffle_epi32(p, 0xb1), p);
    const V s2 = fp_run<kAdd>(c, addps, s1, _mm_shuffle_epi32(s1, 0x4e));
    set_x(c, i.reg, _mm_and_si128(s2, lanes32(n)));
}

void dppd(Cpu& c, const DecodedInsn& i) {
    const V b = src(c, i, kA16);
    const unsigned n = static_cast<uint8_t>(i.imm);
    const V keep = lanes64(n >> 4);
    constexpr FpKind kMul{Lanes::Pd, Exact::MulD}, kAdd{Lanes::Pd, Exact::AddD};
    const V p = fp_run<kMul>(c, mulpd, _mm_and_si128(get_x(c, i.reg), keep), _mm_and_si128(b, keep));
    const V s = fp_run<kAdd>(c, addpd, p, _mm_shuffle_epi32(p, 0x4e));
    set_x(c, i.reg, _mm_and_si128(s, lanes64(n)));
}

// ---------------------------------------------------------------- MXCSR, FXSAVE/FXRSTOR, fences

void ldmxcsr(Cpu& c, const DecodedInsn& i) {
    const uint32_t v = c.read<uint32_t>(mem_linear(c, i));
    if (v & ~mx::Writable) raise(kGP, 0);
    c.s.mxcsr = v;
}
void stmxcsr(Cpu& c, const DecodedInsn& i) { c.write<uint32_t>(mem_linear(c, i), c.s.mxcsr); }

// The x87 tag of a non-empty register from its contents (SDM Vol. 1 §8.1.7):
// 0 valid, 1 zero, 2 special (NaN, infinity, denormal, unnormal).
unsigned x87_tag(const uint8_t r[10]) {
    uint64_t mant;
    std::memcpy(&mant, r, 8);
    const unsigned exp = (r[8] | (r[9] << 8)) & 0x7fff;
    if (exp == 0x7fff) return 2;
    if (exp == 0) return mant == 0 ? 1 : 2;
    return (mant >> 63) ? 0 : 2;
}

// FXSAVE/FXRSTOR image (SDM Vol. 1 §10.5.1, table 10-2/10-3). REX.W selects
// the 64-bit layout of FIP/FDP. In 64-bit mode XMM0..15 are saved, else XMM0..7.
void fx_check(const Cpu& c, const DecodedInsn& i) {
    if (i.lock) raise(kUD);
    if (c.s.cr0 & (cr0::EM | cr0::TS)) raise(kNM);
}

// FXSAVE/FXRSTOR check the canonical address (#SS/#GP) before alignment,
// unlike the 16-byte SSE moves (see aligned_addr).
uint64_t fx_addr(const Cpu& c, const DecodedInsn& i) {
    const uint64_t a = mem_linear(c, i);
    if (a & 15) raise(kGP, 0);
    return a;
}

void fxsave(Cpu& c, const DecodedInsn& i) {
    fx_check(c, i);
    const uint64_t a = fx_addr(c, i);
    const X87& f = c.s.fpu;
    uint8_t img[416] = {};
    auto put16 = [&](unsigned at, uint16_t v) { std::memcpy(img + at, &v, 2); };
    auto put32 = [&](unsigned at, uint32_t v) { std::memcpy(img + at, &v, 4); };
    auto put64 = [&](unsigned at, uint64_t v) { std::memcpy(img + at, &v, 8); };
    put16(0, f.fcw);
    put16(2, f.fsw);
    uint8_t abridged = 0;
    for (unsigned r = 0; r < 8; ++r) {
        if (((f.ftw >> (2 * r)) & 3) != 3) abridged |= static_cast<uint8_t>(1u << r);
    }
    img[4] = abridged;
    put16(6, f.fop);
    if (rex_w(i)) {
        put64(8, f.fip);
        put64(16, f.fdp);
    } else {
        put32(8, static_cast<uint32_t>(f.fip));
        put16(12, f.fcs);
        put32(16, static_cast<uint32_t>(f.fdp));
        put16(20, f.fds);
    }
    put32(24, c.s.mxcsr);
    put32(28, mx::Writable);
    const unsigned top = (f.fsw >> 11) & 7;
    for (unsigned st = 0; st < 8; ++st) std::memcpy(img + 32 + 16 * st, f.regs[(top + st) & 7], 10);
    const unsigned nxmm = c.s.code_size == 8 ? 16 : 8;
    for (unsigned x = 0; x < nxmm; ++x) std::memcpy(img + 160 + 16 * x, &c.s.xmm[x], 16);
    c.probe_write(a, 512);
    c.write_bytes(a, img, 160 + 16 * nxmm);
}

void fxrstor(Cpu& c, const DecodedInsn& i) {
    fx_check(c, i);
    const uint64_t a = fx_addr(c, i);
    uint8_t img[512];
    c.read_bytes(a, img, 512);
    auto get16 = [&](unsigned at) { uint16_t v; std::memcpy(&v, img + at, 2); return v; };
    auto get32 = [&](unsigned at) { uint32_t v; std::memcpy(&v, img + at, 4); return v; };
    auto get64 = [&](unsigned at) { uint64_t v; std::memcpy(&v, img + at, 8); return v; };
    const uint32_t mxcsr = get32(24);
    if (mxcsr & ~mx::Writable) raise(kGP, 0);

    X87& f = c.s.fpu;
    f.fcw = get16(0);
    f.fsw = get16(2);
    f.fop = get16(6) & 0x7ff;
    if (rex_w(i)) {
        f.fip = get64(8);
        f.fdp = get64(16);
        f.fcs = f.fds = 0;
    } else {
        f.fip = get32(8);
        f.fcs = get16(12);
        f.fdp = get32(16);
        f.fds = get16(20);
    }
    const unsigned top = (f.fsw >> 11) & 7;
    for (unsigned st = 0; st < 8; ++st) std::memcpy(f.regs[(top + st) & 7], img + 32 + 16 * st, 10);
    uint16_t ftw = 0;
    for (unsigned r = 0; r < 8; ++r) {
        const unsigned tag = (img[4] >> r) & 1 ? x87_tag(f.regs[r]) : 3;
        ftw = static_cast<uint16_t>(ftw | (tag << (2 * r)));
    }
    f.ftw = ftw;
    c.s.mxcsr = mxcsr;
    const unsigned nxmm = c.s.code_size == 8 ? 16 : 8;
    for (unsigned x = 0; x < nxmm; ++x) std::memcpy(&c.s.xmm[x], img + 160 + 16 * x, 16);
}

// LFENCE/MFENCE/SFENCE: one interpreter thread sees its own accesses in order.
void fence(Cpu&, const DecodedInsn& i) {
    if (i.lock) raise(kUD);
}

// ---------------------------------------------------------------- the table

constexpr uint32_t M = fa::ModRM | fa::NoOpsize;
constexpr uint32_t MG = fa::ModRM;  // GPR operand size matters (CRC32, MOVNTI)

// Handler slots for an XMM instruction (CR0/CR4 checks first) and for one without them.
#define X_(...) {&sse<__VA_ARGS__>, &sse<__VA_ARGS__>, &sse<__VA_ARGS__>, &sse<__VA_ARGS__>}
#define P_(...) {&__VA_ARGS__, &__VA_ARGS__, &__VA_ARGS__, &__VA_ARGS__}

// Packed/scalar FP arithmetic in four prefixes: NP ps, 66 pd, F3 ss, F2 sd.
#define FP4(op, name, ex)                                                                                                  \
    {#name "ps", kMap0F, op, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_fp<name##ps, kA16, FpKind{Lanes::Ps, Exact::ex##F}>), "sse"},     \
    {#name "pd", kMap0F, op, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<name##pd, kA16, FpKind{Lanes::Pd, Exact::ex##D}>), "sse2"},    \
    {#name "ss", kMap0F, op, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<name##ss, kM4, FpKind{Lanes::Whole, Exact::ex##F}>), "sse"},   \
    {#name "sd", kMap0F, op, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<name##sd, kM8, FpKind{Lanes::Whole, Exact::ex##D}>), "sse2"}
// 66 0F xx integer operation on xmm/m128.
#define INT66(op, name, isa) {#name, kMap0F, op, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<name>), isa}
#define INT38(op, name, isa, ...) {#name, kMap0F38, op, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<name __VA_OPT__(,) __VA_ARGS__>), isa}

constexpr Form kForms[] = {
    // --- moves (SSE/SSE2/SSE3)
    {"movups", kMap0F, 0x10, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_load<kU16>), "sse"},
    {"movupd", kMap0F, 0x10, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_load<kU16>), "sse2"},
    {"movss", kMap0F, 0x10, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_movs_load<kM4, movss_rr>), "sse"},
    {"movsd", kMap0F, 0x10, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_movs_load<kM8, movsd_rr>), "sse2"},
    {"movups", kMap0F, 0x11, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_store128<false>), "sse"},
    {"movupd", kMap0F, 0x11, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_store128<false>), "sse2"},
    {"movss", kMap0F, 0x11, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_movs_store<4>), "sse"},
    {"movsd", kMap0F, 0x11, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_movs_store<8>), "sse2"},
    {"movlps", kMap0F, 0x12, -1, -1, kModMem, kPfxNP, kImmNone, M, X_(h_op<set_low_q, kM8>), "sse"},
    {"movhlps", kMap0F, 0x12, -1, -1, kModReg, kPfxNP, kImmNone, M, X_(h_op<set_low_from_high>), "sse"},
    {"movlpd", kMap0F, 0x12, -1, -1, kModMem, kPfx66, kImmNone, M, X_(h_op<set_low_q, kM8>), "sse2"},
    {"movsldup", kMap0F, 0x12, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_op<movsldup>), "sse3"},
    {"movddup", kMap0F, 0x12, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_op<movddup, kM8>), "sse3"},
    {"movlps", kMap0F, 0x13, -1, -1, kModMem, kPfxNP, kImmNone, M, X_(h_store_q<0>), "sse"},
    {"movlpd", kMap0F, 0x13, -1, -1, kModMem, kPfx66, kImmNone, M, X_(h_store_q<0>), "sse2"},
    {"unpcklps", kMap0F, 0x14, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<punpckldq>), "sse"},
    {"unpcklpd", kMap0F, 0x14, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<punpcklqdq>), "sse2"},
    {"unpckhps", kMap0F, 0x15, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<punpckhdq>), "sse"},
    {"unpckhpd", kMap0F, 0x15, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<punpckhqdq>), "sse2"},
    {"movhps", kMap0F, 0x16, -1, -1, kModMem, kPfxNP, kImmNone, M, X_(h_op<set_high_q, kM8>), "sse"},
    {"movlhps", kMap0F, 0x16, -1, -1, kModReg, kPfxNP, kImmNone, M, X_(h_op<set_high_q>), "sse"},
    {"movhpd", kMap0F, 0x16, -1, -1, kModMem, kPfx66, kImmNone, M, X_(h_op<set_high_q, kM8>), "sse2"},
    {"movshdup", kMap0F, 0x16, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_op<movshdup>), "sse3"},
    {"movhps", kMap0F, 0x17, -1, -1, kModMem, kPfxNP, kImmNone, M, X_(h_store_q<1>), "sse"},
    {"movhpd", kMap0F, 0x17, -1, -1, kModMem, kPfx66, kImmNone, M, X_(h_store_q<1>), "sse2"},
    {"movaps", kMap0F, 0x28, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_load<kA16>), "sse"},
    {"movapd", kMap0F, 0x28, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_load<kA16>), "sse2"},
    {"movaps", kMap0F, 0x29, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_store128<true>), "sse"},
    {"movapd", kMap0F, 0x29, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_store128<true>), "sse2"},
    {"movntps", kMap0F, 0x2b, -1, -1, kModMem, kPfxNP, kImmNone, M, X_(movnt_store), "sse"},
    {"movntpd", kMap0F, 0x2b, -1, -1, kModMem, kPfx66, kImmNone, M, X_(movnt_store), "sse2"},
    {"movmskps", kMap0F, 0x50, -1, -1, kModReg, kPfxNP, kImmNone, M, X_(movmskps), "sse"},
    {"movmskpd", kMap0F, 0x50, -1, -1, kModReg, kPfx66, kImmNone, M, X_(movmskpd), "sse2"},
    {"movd", kMap0F, 0x6e, -1, -1, kModAny, kPfx66, kImmNone, M, X_(movd_to_xmm), "sse2"},
    {"movdqa", kMap0F, 0x6f, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_load<kA16>), "sse2"},
    {"movdqu", kMap0F, 0x6f, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_load<kU16>), "sse2"},
    {"movd", kMap0F, 0x7e, -1, -1, kModAny, kPfx66, kImmNone, M, X_(movd_from_xmm), "sse2"},
    {"movq", kMap0F, 0x7e, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_op<movq_zx, kM8>), "sse2"},
    {"movdqa", kMap0F, 0x7f, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_store128<true>), "sse2"},
    {"movdqu", kMap0F, 0x7f, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_store128<false>), "sse2"},
    {"movnti", kMap0F, 0xc3, -1, -1, kModMem, kPfxNP, kImmNone, MG, P_(movnti), "sse2"},
    {"pinsrw", kMap0F, 0xc4, -1, -1, kModAny, kPfx66, kImmB, M, X_(pinsrw), "sse2"},
    {"pextrw", kMap0F, 0xc5, -1, -1, kModReg, kPfx66, kImmB, M, X_(pextrw_c5), "sse2"},
    {"movq", kMap0F, 0xd6, -1, -1, kModAny, kPfx66, kImmNone, M, X_(movq_store), "sse2"},
    {"pmovmskb", kMap0F, 0xd7, -1, -1, kModReg, kPfx66, kImmNone, M, X_(pmovmskb), "sse2"},
    {"movntdq", kMap0F, 0xe7, -1, -1, kModMem, kPfx66, kImmNone, M, X_(movnt_store), "sse2"},
    {"lddqu", kMap0F, 0xf0, -1, -1, kModMem, kPfxF2, kImmNone, M, X_(h_load<kU16>), "sse3"},
    {"maskmovdqu", kMap0F, 0xf7, -1, -1, kModReg, kPfx66, kImmNone, M, X_(maskmovdqu), "sse2"},

    // --- floating-point arithmetic
    FP4(0x58, add, Add), FP4(0x59, mul, Mul), FP4(0x5c, sub, Add), FP4(0x5d, min, None), FP4(0x5e, div, Div),
    FP4(0x5f, max, None),
    {"sqrtps", kMap0F, 0x51, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_fp<sqrtps, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"sqrtpd", kMap0F, 0x51, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<sqrtpd, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"sqrtss", kMap0F, 0x51, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<sqrtss, kM4, FpKind{Lanes::Whole, Exact::None}>), "sse"},
    {"sqrtsd", kMap0F, 0x51, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<sqrtsd, kM8, FpKind{Lanes::Whole, Exact::None}>), "sse2"},
    {"rsqrtps", kMap0F, 0x52, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_fp<rsqrtps, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"rsqrtss", kMap0F, 0x52, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<rsqrtss, kM4, FpKind{Lanes::Whole, Exact::None}>), "sse"},
    {"rcpps", kMap0F, 0x53, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_fp<rcpps, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"rcpss", kMap0F, 0x53, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<rcpss, kM4, FpKind{Lanes::Whole, Exact::None}>), "sse"},
    {"andps", kMap0F, 0x54, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<pand>), "sse"},
    {"andpd", kMap0F, 0x54, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<pand>), "sse2"},
    {"andnps", kMap0F, 0x55, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<pandn>), "sse"},
    {"andnpd", kMap0F, 0x55, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<pandn>), "sse2"},
    {"orps", kMap0F, 0x56, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<por>), "sse"},
    {"orpd", kMap0F, 0x56, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<por>), "sse2"},
    {"xorps", kMap0F, 0x57, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_op<pxor>), "sse"},
    {"xorpd", kMap0F, 0x57, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_op<pxor>), "sse2"},
    {"cmpps", kMap0F, 0xc2, -1, -1, kModAny, kPfxNP, kImmB, M, X_(h_fpi<cmpps, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"cmppd", kMap0F, 0xc2, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_fpi<cmppd, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"cmpss", kMap0F, 0xc2, -1, -1, kModAny, kPfxF3, kImmB, M, X_(h_fpi<cmpss, kM4, FpKind{Lanes::Whole, Exact::None}>), "sse"},
    {"cmpsd", kMap0F, 0xc2, -1, -1, kModAny, kPfxF2, kImmB, M, X_(h_fpi<cmpsd, kM8, FpKind{Lanes::Whole, Exact::None}>), "sse2"},
    {"shufps", kMap0F, 0xc6, -1, -1, kModAny, kPfxNP, kImmB, M, X_(h_opi<shufps>), "sse"},
    {"shufpd", kMap0F, 0xc6, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<shufpd>), "sse2"},
    {"ucomiss", kMap0F, 0x2e, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_comi<1, kM4>), "sse"},
    {"ucomisd", kMap0F, 0x2e, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_comi<3, kM8>), "sse2"},
    {"comiss", kMap0F, 0x2f, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_comi<0, kM4>), "sse"},
    {"comisd", kMap0F, 0x2f, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_comi<2, kM8>), "sse2"},

    // --- conversions
    {"cvtsi2ss", kMap0F, 0x2a, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_cvtsi2f<cvtsi2ss32, cvtsi2ss64>), "sse"},
    {"cvtsi2sd", kMap0F, 0x2a, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_cvtsi2f<cvtsi2sd32, cvtsi2sd64>), "sse2"},
    {"cvttss2si", kMap0F, 0x2c, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_cvtf2si<cvttss2si32, cvttss2si64, kM4>), "sse"},
    {"cvttsd2si", kMap0F, 0x2c, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_cvtf2si<cvttsd2si32, cvttsd2si64, kM8>), "sse2"},
    {"cvtss2si", kMap0F, 0x2d, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_cvtf2si<cvtss2si32, cvtss2si64, kM4>), "sse"},
    {"cvtsd2si", kMap0F, 0x2d, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_cvtf2si<cvtsd2si32, cvtsd2si64, kM8>), "sse2"},
    {"cvtps2pd", kMap0F, 0x5a, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_fp<cvtps2pd, kM8, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"cvtpd2ps", kMap0F, 0x5a, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<cvtpd2ps, kA16, FpKind{Lanes::Pd, Exact::CvtD}>), "sse2"},
    {"cvtss2sd", kMap0F, 0x5a, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<cvtss2sd, kM4, FpKind{Lanes::Whole, Exact::None}>), "sse2"},
    {"cvtsd2ss", kMap0F, 0x5a, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<cvtsd2ss, kM8, FpKind{Lanes::Whole, Exact::CvtD}>), "sse2"},
    {"cvtdq2ps", kMap0F, 0x5b, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_fp<cvtdq2ps, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse2"},
    {"cvtps2dq", kMap0F, 0x5b, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<cvtps2dq, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse2"},
    {"cvttps2dq", kMap0F, 0x5b, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<cvttps2dq, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse2"},
    {"cvttpd2dq", kMap0F, 0xe6, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<cvttpd2dq, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"cvtdq2pd", kMap0F, 0xe6, -1, -1, kModAny, kPfxF3, kImmNone, M, X_(h_fp<cvtdq2pd, kM8, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"cvtpd2dq", kMap0F, 0xe6, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<cvtpd2dq, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse2"},

    // --- with an MMX register operand
    {"cvtpi2ps", kMap0F, 0x2a, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_cvtpi2p<cvtpi2ps, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"cvtpi2pd", kMap0F, 0x2a, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_cvtpi2p<cvtdq2pd, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"cvttps2pi", kMap0F, 0x2c, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_cvt2pi<cvttps2pi, kM8, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"cvttpd2pi", kMap0F, 0x2c, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_cvt2pi<cvttpd2dq, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"cvtps2pi", kMap0F, 0x2d, -1, -1, kModAny, kPfxNP, kImmNone, M, X_(h_cvt2pi<cvtps2pi, kM8, FpKind{Lanes::Ps, Exact::None}>), "sse"},
    {"cvtpd2pi", kMap0F, 0x2d, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_cvt2pi<cvtpd2dq, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse2"},
    {"movdq2q", kMap0F, 0xd6, -1, -1, kModReg, kPfxF2, kImmNone, M, X_(movdq2q), "sse2"},
    {"movq2dq", kMap0F, 0xd6, -1, -1, kModReg, kPfxF3, kImmNone, M, X_(movq2dq), "sse2"},

    // --- SSE3 arithmetic
    {"addsubpd", kMap0F, 0xd0, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<addsubpd, kA16, FpKind{Lanes::AddSubPd, Exact::AddD}>), "sse3"},
    {"addsubps", kMap0F, 0xd0, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<addsubps, kA16, FpKind{Lanes::AddSubPs, Exact::AddF}>), "sse3"},
    {"haddpd", kMap0F, 0x7c, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<haddpd, kA16, FpKind{Lanes::HPd, Exact::AddD}>), "sse3"},
    {"haddps", kMap0F, 0x7c, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<haddps, kA16, FpKind{Lanes::HPs, Exact::AddF}>), "sse3"},
    {"hsubpd", kMap0F, 0x7d, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_fp<hsubpd, kA16, FpKind{Lanes::HPd, Exact::AddD}>), "sse3"},
    {"hsubps", kMap0F, 0x7d, -1, -1, kModAny, kPfxF2, kImmNone, M, X_(h_fp<hsubps, kA16, FpKind{Lanes::HPs, Exact::AddF}>), "sse3"},

    // --- SSE2 integer
    INT66(0x60, punpcklbw, "sse2"), INT66(0x61, punpcklwd, "sse2"), INT66(0x62, punpckldq, "sse2"),
    INT66(0x63, packsswb, "sse2"), INT66(0x64, pcmpgtb, "sse2"), INT66(0x65, pcmpgtw, "sse2"),
    INT66(0x66, pcmpgtd, "sse2"), INT66(0x67, packuswb, "sse2"), INT66(0x68, punpckhbw, "sse2"),
    INT66(0x69, punpckhwd, "sse2"), INT66(0x6a, punpckhdq, "sse2"), INT66(0x6b, packssdw, "sse2"),
    INT66(0x6c, punpcklqdq, "sse2"), INT66(0x6d, punpckhqdq, "sse2"),
    INT66(0x74, pcmpeqb, "sse2"), INT66(0x75, pcmpeqw, "sse2"), INT66(0x76, pcmpeqd, "sse2"),
    INT66(0xd1, psrlw, "sse2"), INT66(0xd2, psrld, "sse2"), INT66(0xd3, psrlq, "sse2"),
    INT66(0xd4, paddq, "sse2"), INT66(0xd5, pmullw, "sse2"),
    INT66(0xd8, psubusb, "sse2"), INT66(0xd9, psubusw, "sse2"), INT66(0xda, pminub, "sse2"),
    INT66(0xdb, pand, "sse2"), INT66(0xdc, paddusb, "sse2"), INT66(0xdd, paddusw, "sse2"),
    INT66(0xde, pmaxub, "sse2"), INT66(0xdf, pandn, "sse2"),
    INT66(0xe0, pavgb, "sse2"), INT66(0xe1, psraw, "sse2"), INT66(0xe2, psrad, "sse2"),
    INT66(0xe3, pavgw, "sse2"), INT66(0xe4, pmulhuw, "sse2"), INT66(0xe5, pmulhw, "sse2"),
    INT66(0xe8, psubsb, "sse2"), INT66(0xe9, psubsw, "sse2"), INT66(0xea, pminsw, "sse2"),
    INT66(0xeb, por, "sse2"), INT66(0xec, paddsb, "sse2"), INT66(0xed, paddsw, "sse2"),
    INT66(0xee, pmaxsw, "sse2"), INT66(0xef, pxor, "sse2"),
    INT66(0xf1, psllw, "sse2"), INT66(0xf2, pslld, "sse2"), INT66(0xf3, psllq, "sse2"),
    INT66(0xf4, pmuludq, "sse2"), INT66(0xf5, pmaddwd, "sse2"), INT66(0xf6, psadbw, "sse2"),
    INT66(0xf8, psubb, "sse2"), INT66(0xf9, psubw, "sse2"), INT66(0xfa, psubd, "sse2"),
    INT66(0xfb, psubq, "sse2"), INT66(0xfc, paddb, "sse2"), INT66(0xfd, paddw, "sse2"),
    INT66(0xfe, paddd, "sse2"),
    {"pshufd", kMap0F, 0x70, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<pshufd>), "sse2"},
    {"pshufhw", kMap0F, 0x70, -1, -1, kModAny, kPfxF3, kImmB, M, X_(h_opi<pshufhw>), "sse2"},
    {"pshuflw", kMap0F, 0x70, -1, -1, kModAny, kPfxF2, kImmB, M, X_(h_opi<pshuflw>), "sse2"},
    {"psrlw", kMap0F, 0x71, 2, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psrlw>), "sse2"},
    {"psraw", kMap0F, 0x71, 4, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psraw>), "sse2"},
    {"psllw", kMap0F, 0x71, 6, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psllw>), "sse2"},
    {"psrld", kMap0F, 0x72, 2, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psrld>), "sse2"},
    {"psrad", kMap0F, 0x72, 4, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psrad>), "sse2"},
    {"pslld", kMap0F, 0x72, 6, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<pslld>), "sse2"},
    {"psrlq", kMap0F, 0x73, 2, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psrlq>), "sse2"},
    {"psrldq", kMap0F, 0x73, 3, -1, kModReg, kPfx66, kImmB, M, X_(psrldq), "sse2"},
    {"psllq", kMap0F, 0x73, 6, -1, kModReg, kPfx66, kImmB, M, X_(h_shift_imm<psllq>), "sse2"},
    {"pslldq", kMap0F, 0x73, 7, -1, kModReg, kPfx66, kImmB, M, X_(pslldq), "sse2"},

    // --- SSSE3
    INT38(0x00, pshufb, "ssse3"), INT38(0x01, phaddw, "ssse3"), INT38(0x02, phaddd, "ssse3"),
    INT38(0x03, phaddsw, "ssse3"), INT38(0x04, pmaddubsw, "ssse3"), INT38(0x05, phsubw, "ssse3"),
    INT38(0x06, phsubd, "ssse3"), INT38(0x07, phsubsw, "ssse3"), INT38(0x08, psignb, "ssse3"),
    INT38(0x09, psignw, "ssse3"), INT38(0x0a, psignd, "ssse3"), INT38(0x0b, pmulhrsw, "ssse3"),
    INT38(0x1c, pabsb, "ssse3"), INT38(0x1d, pabsw, "ssse3"), INT38(0x1e, pabsd, "ssse3"),
    {"palignr", kMap0F3A, 0x0f, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<palignr>), "ssse3"},

    // --- SSE4.1
    {"pblendvb", kMap0F38, 0x10, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_blendv<blendvb>), "sse4.1"},
    {"blendvps", kMap0F38, 0x14, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_blendv<blendvps>), "sse4.1"},
    {"blendvpd", kMap0F38, 0x15, -1, -1, kModAny, kPfx66, kImmNone, M, X_(h_blendv<blendvpd>), "sse4.1"},
    {"ptest", kMap0F38, 0x17, -1, -1, kModAny, kPfx66, kImmNone, M, X_(ptest), "sse4.1"},
    INT38(0x20, pmovsxbw, "sse4.1", kM8), INT38(0x21, pmovsxbd, "sse4.1", kM4), INT38(0x22, pmovsxbq, "sse4.1", kM2),
    INT38(0x23, pmovsxwd, "sse4.1", kM8), INT38(0x24, pmovsxwq, "sse4.1", kM4), INT38(0x25, pmovsxdq, "sse4.1", kM8),
    INT38(0x28, pmuldq, "sse4.1"), INT38(0x29, pcmpeqq, "sse4.1"),
    {"movntdqa", kMap0F38, 0x2a, -1, -1, kModMem, kPfx66, kImmNone, M, X_(h_load<kA16>), "sse4.1"},
    INT38(0x2b, packusdw, "sse4.1"),
    INT38(0x30, pmovzxbw, "sse4.1", kM8), INT38(0x31, pmovzxbd, "sse4.1", kM4), INT38(0x32, pmovzxbq, "sse4.1", kM2),
    INT38(0x33, pmovzxwd, "sse4.1", kM8), INT38(0x34, pmovzxwq, "sse4.1", kM4), INT38(0x35, pmovzxdq, "sse4.1", kM8),
    INT38(0x37, pcmpgtq, "sse4.2"),
    INT38(0x38, pminsb, "sse4.1"), INT38(0x39, pminsd, "sse4.1"), INT38(0x3a, pminuw, "sse4.1"),
    INT38(0x3b, pminud, "sse4.1"), INT38(0x3c, pmaxsb, "sse4.1"), INT38(0x3d, pmaxsd, "sse4.1"),
    INT38(0x3e, pmaxuw, "sse4.1"), INT38(0x3f, pmaxud, "sse4.1"), INT38(0x40, pmulld, "sse4.1"),
    INT38(0x41, phminposuw, "sse4.1"),
    {"roundps", kMap0F3A, 0x08, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_fpi<roundps, kA16, FpKind{Lanes::Ps, Exact::None}>), "sse4.1"},
    {"roundpd", kMap0F3A, 0x09, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_fpi<roundpd, kA16, FpKind{Lanes::Pd, Exact::None}>), "sse4.1"},
    {"roundss", kMap0F3A, 0x0a, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_fpi<roundss, kM4, FpKind{Lanes::Whole, Exact::None}>), "sse4.1"},
    {"roundsd", kMap0F3A, 0x0b, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_fpi<roundsd, kM8, FpKind{Lanes::Whole, Exact::None}>), "sse4.1"},
    {"blendps", kMap0F3A, 0x0c, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<blendps>), "sse4.1"},
    {"blendpd", kMap0F3A, 0x0d, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<blendpd>), "sse4.1"},
    {"pblendw", kMap0F3A, 0x0e, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<pblendw>), "sse4.1"},
    {"pextrb", kMap0F3A, 0x14, -1, -1, kModAny, kPfx66, kImmB, M, X_(pextrb), "sse4.1"},
    {"pextrw", kMap0F3A, 0x15, -1, -1, kModAny, kPfx66, kImmB, M, X_(pextrw), "sse4.1"},
    {"pextrd", kMap0F3A, 0x16, -1, -1, kModAny, kPfx66, kImmB, M, X_(pextrd), "sse4.1"},
    {"extractps", kMap0F3A, 0x17, -1, -1, kModAny, kPfx66, kImmB, M, X_(extractps), "sse4.1"},
    {"pinsrb", kMap0F3A, 0x20, -1, -1, kModAny, kPfx66, kImmB, M, X_(pinsrb), "sse4.1"},
    {"insertps", kMap0F3A, 0x21, -1, -1, kModAny, kPfx66, kImmB, M, X_(insertps_h), "sse4.1"},
    {"pinsrd", kMap0F3A, 0x22, -1, -1, kModAny, kPfx66, kImmB, M, X_(pinsrd), "sse4.1"},
    {"dpps", kMap0F3A, 0x40, -1, -1, kModAny, kPfx66, kImmB, M, X_(dpps), "sse4.1"},
    {"dppd", kMap0F3A, 0x41, -1, -1, kModAny, kPfx66, kImmB, M, X_(dppd), "sse4.1"},
    {"mpsadbw", kMap0F3A, 0x42, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_opi<mpsadbw>), "sse4.1"},

    // --- SSE4.2
    {"pcmpestrm", kMap0F3A, 0x60, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_pcmpstr<PcmpEstrm, true, false>), "sse4.2"},
    {"pcmpestri", kMap0F3A, 0x61, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_pcmpstr<PcmpEstri, true, true>), "sse4.2"},
    {"pcmpistrm", kMap0F3A, 0x62, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_pcmpstr<PcmpIstrm, false, false>), "sse4.2"},
    {"pcmpistri", kMap0F3A, 0x63, -1, -1, kModAny, kPfx66, kImmB, M, X_(h_pcmpstr<PcmpIstri, false, true>), "sse4.2"},
    {"crc32", kMap0F38, 0xf0, -1, -1, kModAny, kPfxF2, kImmNone, MG, P_(crc32<true>), "sse4.2"},
    {"crc32", kMap0F38, 0xf1, -1, -1, kModAny, kPfxF2, kImmNone, MG, P_(crc32<false>), "sse4.2"},

    // --- state management and ordering
    {"fxsave", kMap0F, 0xae, 0, -1, kModMem, kPfxNP, kImmNone, M, P_(fxsave), "sse"},
    {"fxrstor", kMap0F, 0xae, 1, -1, kModMem, kPfxNP, kImmNone, M, P_(fxrstor), "sse"},
    {"ldmxcsr", kMap0F, 0xae, 2, -1, kModMem, kPfxNP, kImmNone, M, X_(ldmxcsr), "sse"},
    {"stmxcsr", kMap0F, 0xae, 3, -1, kModMem, kPfxNP, kImmNone, M, X_(stmxcsr), "sse"},
    {"lfence", kMap0F, 0xae, 5, -1, kModReg, kPfxNP, kImmNone, M, P_(fence), "sse2"},
    {"mfence", kMap0F, 0xae, 6, -1, kModReg, kPfxNP, kImmNone, M, P_(fence), "sse2"},
    {"sfence", kMap0F, 0xae, 7, -1, kModReg, kPfxNP, kImmNone, M, P_(fence), "sse"},
};

#undef X_
#undef P_
#undef FP4
#undef INT66
#undef INT38
#undef OP
#undef OP4
#undef ASM_OP

}  // namespace

std::span<const Form> forms_sse() { return kForms; }

}  // namespace bs::cpu
