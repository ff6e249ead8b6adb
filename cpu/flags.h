// Lazy arithmetic flags.
//
// Arithmetic instructions record what they did (`set_flags_*`) instead of
// computing CF/PF/AF/ZF/SF/OF; the flags are computed when something reads
// them: a Jcc/SETcc/CMOVcc condition (`cond`), PUSHF, LAHF, an instruction
// that updates only some flags (`materialize` first), the debugger.
//
// Flag definitions: SDM Vol. 1 appendix A and each instruction's page in
// Vol. 2. Where Intel leaves a flag undefined, the choice made here is
// written next to the FlagOp that produces it.
#pragma once

#include <bit>
#include <cstdint>

#include "state.h"

namespace bs::cpu {

enum class FlagOp : uint8_t {
    Eager = 0,  // flags are in rflags
    Add,        // res = src1 + src2
    Adc,        // res = src1 + src2 + aux(carry in)
    Sub,        // res = src1 - src2 (also CMP, NEG with src1 = 0)
    Sbb,        // res = src1 - src2 - aux(borrow in)
    Logic,      // AND/OR/XOR/TEST: CF = OF = 0; AF = 0 (undefined; Intel and AMD give 0)
    Inc,        // res = src1 + 1, CF preserved in aux
    Dec,        // res = src1 - 1, CF preserved in aux
    Shl,        // res = src1 << src2 (masked count != 0). OF is defined for count 1 only:
                //   Intel computes it from the source for every count, MSB(src1) ^ next bit. AF = 0.
    Shr,        // res = src1 >> src2. OF = MSB(src1) (count 1; same for others). AF = 0.
    Sar,        // res = src1 >>> src2 (arith). OF = 0. AF = 0.
};

inline constexpr uint64_t width_mask(unsigned width) {
    return width == 8 ? ~0ull : (1ull << (width * 8)) - 1;
}

inline void set_flags(CpuState& s, FlagOp op, unsigned width, uint64_t res, uint64_t src1, uint64_t src2,
                      uint8_t aux = 0) {
    s.lf.op = static_cast<uint8_t>(op);
    s.lf.width = static_cast<uint8_t>(width);
    s.lf.res = res;
    s.lf.src1 = src1;
    s.lf.src2 = src2;
    s.lf.aux = aux;
}

namespace detail {

inline bool msb(uint64_t v, unsigned width) { return (v >> (width * 8 - 1)) & 1; }

[[gnu::always_inline]] inline bool lazy_cf(const LazyFlags& f) {
    const unsigned w = f.width;
    switch (static_cast<FlagOp>(f.op)) {
        case FlagOp::Add: return f.res < f.src1;
        case FlagOp::Adc: return f.res < f.src1 || (f.aux && f.res == f.src1);
        case FlagOp::Sub: return f.src1 < f.src2;
        case FlagOp::Sbb: return f.src1 < f.src2 || (f.aux && f.src1 == f.src2);
        case FlagOp::Logic: return false;
        case FlagOp::Inc:
        case FlagOp::Dec: return f.aux;
        case FlagOp::Shl: return f.src2 <= w * 8 && ((f.src1 >> (w * 8 - f.src2)) & 1);
        case FlagOp::Shr: return (f.src1 >> (f.src2 - 1)) & 1;
        case FlagOp::Sar: {
            // src1 is stored sign-extended to 64 bits for SAR.
            const unsigned n = f.src2 > 63 ? 63 : static_cast<unsigned>(f.src2 - 1);
            return (static_cast<int64_t>(f.src1) >> n) & 1;
        }
        case FlagOp::Eager: break;
    }
    return false;
}

[[gnu::always_inline]] inline bool lazy_of(const LazyFlags& f) {
    const unsigned w = f.width;
    switch (static_cast<FlagOp>(f.op)) {
        case FlagOp::Add:
        case FlagOp::Adc: return msb((f.src1 ^ f.res) & (f.src2 ^ f.res), w);
        case FlagOp::Sub:
        case FlagOp::Sbb: return msb((f.src1 ^ f.src2) & (f.src1 ^ f.res), w);
        case FlagOp::Logic: return false;
        case FlagOp::Inc: return f.res == (1ull << (w * 8 - 1));
        case FlagOp::Dec: return f.res == (1ull << (w * 8 - 1)) - 1;
        case FlagOp::Shl: return msb(f.src1 ^ (f.src1 << 1), w);
        case FlagOp::Shr: return msb(f.src1, w);
        case FlagOp::Sar: return false;
        case FlagOp::Eager: break;
    }
    return false;
}

[[gnu::always_inline]] inline bool lazy_af(const LazyFlags& f) {
    switch (static_cast<FlagOp>(f.op)) {
        case FlagOp::Add:
        case FlagOp::Adc:
        case FlagOp::Sub:
        case FlagOp::Sbb: return ((f.src1 ^ f.src2 ^ f.res) >> 4) & 1;
        case FlagOp::Inc: return (f.res & 0xf) == 0;
        case FlagOp::Dec: return (f.res & 0xf) == 0xf;
        default: return false;
    }
}

inline bool parity(uint64_t res) { return !(std::popcount(static_cast<uint8_t>(res)) & 1); }

}  // namespace detail

namespace detail {
// PF, ZF and SF of a result, which every producer defines the same way.
[[gnu::always_inline]] inline uint64_t result_flags(uint64_t res, unsigned width) {
    const uint64_t r = res & width_mask(width);
    return (parity(r) ? fl::PF : 0) | (r == 0 ? fl::ZF : 0) | (msb(r, width) ? fl::SF : 0);
}
// The six flags of a lazy record (not Eager). One switch on the producer,
// each case computing only what its flags need.
[[gnu::noinline]] inline uint64_t lazy_arith(const LazyFlags& f) {
    const uint64_t zps = result_flags(f.res, f.width);
    switch (static_cast<FlagOp>(f.op)) {
        case FlagOp::Logic: return zps;
        case FlagOp::Sub:
            return zps | (f.src1 < f.src2 ? fl::CF : 0) | (((f.src1 ^ f.src2 ^ f.res) & 0x10) ? fl::AF : 0) |
                   (msb((f.src1 ^ f.src2) & (f.src1 ^ f.res), f.width) ? fl::OF : 0);
        case FlagOp::Add:
            return zps | (f.res < f.src1 ? fl::CF : 0) | (((f.src1 ^ f.src2 ^ f.res) & 0x10) ? fl::AF : 0) |
                   (msb((f.src1 ^ f.res) & (f.src2 ^ f.res), f.width) ? fl::OF : 0);
        default:
            return zps | (lazy_cf(f) ? fl::CF : 0) | (lazy_af(f) ? fl::AF : 0) | (lazy_of(f) ? fl::OF : 0);
    }
}
}  // namespace detail

// Computes the six arithmetic flags into rflags and switches to Eager.
inline void materialize(CpuState& s) {
    if (static_cast<FlagOp>(s.lf.op) == FlagOp::Eager) return;
    s.rflags = (s.rflags & ~fl::Arith) | detail::lazy_arith(s.lf);
    s.lf.op = static_cast<uint8_t>(FlagOp::Eager);
}

// Full RFLAGS value.
inline uint64_t get_rflags(CpuState& s) {
    materialize(s);
    return s.rflags;
}

// Replaces RFLAGS (the caller applies the writable mask).
inline void set_rflags(CpuState& s, uint64_t v) {
    s.rflags = v | fl::Reserved1;
    s.lf.op = static_cast<uint8_t>(FlagOp::Eager);
}

namespace detail {
[[gnu::noinline]] inline bool lazy_cf_slow(const LazyFlags& f) { return lazy_cf(f); }
}  // namespace detail

// CF alone (ADC/SBB carry-in, INC/DEC keeping it, CMC...): the producers
// that precede those most often inline, the rest out of line.
[[gnu::always_inline]] inline bool get_cf(const CpuState& s) {
    const LazyFlags& f = s.lf;
    switch (static_cast<FlagOp>(f.op)) {
        case FlagOp::Eager: return s.rflags & fl::CF;
        case FlagOp::Sub: return f.src1 < f.src2;
        case FlagOp::Add: return f.res < f.src1;
        case FlagOp::Logic: return false;
        case FlagOp::Inc:
        case FlagOp::Dec: return f.aux;
        default: return detail::lazy_cf_slow(f);
    }
}

// Sets or clears some materialised flags (after materialize()).
inline void put_flag(CpuState& s, uint64_t flag, bool on) {
    s.rflags = on ? (s.rflags | flag) : (s.rflags & ~flag);
}

// Evaluates condition code `cc` (0..15, the low nibble of Jcc/SETcc/CMOVcc).
inline bool cond(CpuState& s, unsigned cc) {
    const LazyFlags& f = s.lf;
    const auto op = static_cast<FlagOp>(f.op);
    // ZF and SF come straight from the result whatever produced it.
    if (op != FlagOp::Eager && (cc & 0xe) == 0x4) return ((f.res & width_mask(f.width)) == 0) != (cc & 1);
    if (op != FlagOp::Eager && (cc & 0xe) == 0x8) return detail::msb(f.res, f.width) != (cc & 1);
    // Fast paths for the flag producers compiled code compares with.
    if (op == FlagOp::Sub) {
        const unsigned sh = 64 - f.width * 8;
        const int64_t a = static_cast<int64_t>(f.src1 << sh), b = static_cast<int64_t>(f.src2 << sh);
        switch (cc) {
            case 0x2: return f.src1 < f.src2;            // B
            case 0x3: return f.src1 >= f.src2;           // AE
            case 0x4: return f.src1 == f.src2;           // E
            case 0x5: return f.src1 != f.src2;           // NE
            case 0x6: return f.src1 <= f.src2;           // BE
            case 0x7: return f.src1 > f.src2;            // A
            case 0xc: return a < b;                      // L
            case 0xd: return a >= b;                     // GE
            case 0xe: return a <= b;                     // LE
            case 0xf: return a > b;                      // G
            default: break;
        }
    } else if (op == FlagOp::Logic) {
        const uint64_t res = f.res & width_mask(f.width);
        const bool sf = detail::msb(res, f.width);
        switch (cc) {
            case 0x2: case 0x0: return false;            // B, O
            case 0x3: case 0x1: return true;             // AE, NO
            case 0x4: case 0x6: return res == 0;         // E, BE
            case 0x5: case 0x7: return res != 0;         // NE, A
            case 0x8: case 0xc: return sf;               // S, L
            case 0x9: case 0xd: return !sf;              // NS, GE
            case 0xe: return sf || res == 0;             // LE
            case 0xf: return !sf && res != 0;            // G
            default: break;
        }
    }
    materialize(s);
    const uint64_t r = s.rflags;
    const bool cf = r & fl::CF, zf = r & fl::ZF, sf = r & fl::SF, of = r & fl::OF, pf = r & fl::PF;
    bool v = false;
    switch (cc >> 1) {
        case 0: v = of; break;
        case 1: v = cf; break;
        case 2: v = zf; break;
        case 3: v = cf || zf; break;
        case 4: v = sf; break;
        case 5: v = pf; break;
        case 6: v = sf != of; break;
        case 7: v = zf || (sf != of); break;
    }
    return (cc & 1) ? !v : v;
}

// cond() for a condition code known at compile time (Jcc): the same
// answers, the same fast paths, without the switch on `cc`.
template <unsigned CC> [[gnu::always_inline]] inline bool cond(CpuState& s) {
    static_assert(CC < 16);
    const LazyFlags& f = s.lf;
    const auto op = static_cast<FlagOp>(f.op);
    constexpr bool inv = CC & 1;
    if constexpr ((CC & 0xe) == 0x4) {
        // ZF: the result is zero in its width (shifting out the bits above it).
        if (op != FlagOp::Eager) [[likely]] return ((f.res << (64 - f.width * 8)) == 0) != inv;
        return ((s.rflags & fl::ZF) != 0) != inv;
    } else if constexpr ((CC & 0xe) == 0x8) {
        if (op != FlagOp::Eager) [[likely]] return detail::msb(f.res, f.width) != inv;
        return ((s.rflags & fl::SF) != 0) != inv;
    } else {
        if constexpr (CC >= 0x2 && CC != 0xa && CC != 0xb) {
            if (op == FlagOp::Sub) {
                const unsigned sh = 64 - f.width * 8;
                [[maybe_unused]] const int64_t a = static_cast<int64_t>(f.src1 << sh);
                [[maybe_unused]] const int64_t b = static_cast<int64_t>(f.src2 << sh);
                if constexpr (CC == 0x2) return f.src1 < f.src2;
                if constexpr (CC == 0x3) return f.src1 >= f.src2;
                if constexpr (CC == 0x6) return f.src1 <= f.src2;
                if constexpr (CC == 0x7) return f.src1 > f.src2;
                if constexpr (CC == 0xc) return a < b;
                if constexpr (CC == 0xd) return a >= b;
                if constexpr (CC == 0xe) return a <= b;
                if constexpr (CC == 0xf) return a > b;
            }
        }
        if constexpr (CC != 0xa && CC != 0xb) {
            if (op == FlagOp::Logic) {
                [[maybe_unused]] const uint64_t res = f.res & width_mask(f.width);
                [[maybe_unused]] const bool sf = detail::msb(res, f.width);
                if constexpr (CC == 0x0 || CC == 0x2) return false;
                if constexpr (CC == 0x1 || CC == 0x3) return true;
                if constexpr (CC == 0x6) return res == 0;
                if constexpr (CC == 0x7) return res != 0;
                if constexpr (CC == 0xc) return sf;
                if constexpr (CC == 0xd) return !sf;
                if constexpr (CC == 0xe) return sf || res == 0;
                if constexpr (CC == 0xf) return !sf && res != 0;
            }
        }
        return cond(s, CC);
    }
}

}  // namespace bs::cpu
