// Instruction family 'shift': SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR (group 2:
// D0-D3, C0/C1) and the double shifts SHLD/SHRD (0F A4/A5/AC/AD).
// SDM Vol. 2B "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD".
//
// Count: masked to 5 bits (6 with REX.W). A masked count of 0 changes no flag
// (the destination is still written back, so a 32-bit register destination
// has its upper half cleared, as on hardware).
//
// Flags and results the SDM leaves undefined are set as this project's
// reference host (an Intel core) sets them, checked against it bit for bit:
//   - OF for counts > 1: every shift and rotate computes OF as for a count of
//     1 on the original operand, except ROL/ROR by an immediate, which leave
//     OF unchanged (SHL/ROL/RCL: MSB(v) ^ MSB-1(v); SHR: MSB(v);
//     SAR: 0; ROR: MSB(v) ^ LSB(v); RCR: MSB(v) ^ CF-in; SHLD: MSB(dst) ^
//     MSB-1(dst); SHRD: MSB(dst) ^ LSB(src)).
//   - AF = 0 for SHL/SHR/SAR/SHLD/SHRD.
//   - 8/16-bit SHL/SHR with count >= width: result 0, CF = the last bit shifted
//     out of the zero-extended operand (so 0 once the count passes the width;
//     SHL by exactly the width gives bit 0).
//   - RCL/RCR whose count is a nonzero multiple of 9/17 (8/16-bit): nothing
//     changes, OF included.
//   - 16-bit SHLD/SHRD with counts 17..31 shift the 48-bit value dst:src:dst.
// Forms not listed decode to #UD.
#include "families.h"
#include "operands.h"

namespace bs::cpu {
namespace {

enum class Sh : uint8_t { Rol, Ror, Rcl, Rcr, Shl, Shr, Sar };
enum class Cnt : uint8_t { One, Cl, Imm };

template <class T> unsigned count_mask() { return sizeof(T) == 8 ? 0x3f : 0x1f; }

template <class T, Cnt C> unsigned shift_count(const CpuState& s, const DecodedInsn& i) {
    unsigned n = 1;
    if constexpr (C == Cnt::Cl) n = static_cast<uint8_t>(s.gpr[RCX]);
    if constexpr (C == Cnt::Imm) n = static_cast<uint8_t>(i.imm);
    return n & count_mask<T>();
}

// The flags before an instruction, to put back if its memory write faults.
struct FlagsSnapshot {
    uint64_t rflags;
    LazyFlags lf;
    explicit FlagsSnapshot(const CpuState& s) : rflags(s.rflags), lf(s.lf) {}
    void restore(CpuState& s) const {
        s.rflags = rflags;
        s.lf = lf;
    }
};

template <class T> bool msb(T v) { return v & kSignBit<T>; }

// Rotates change only CF and OF; the other flags keep their values.
inline void put_cf_of(CpuState& s, bool cf, bool of) {
    materialize(s);
    put_flag(s, fl::CF, cf);
    put_flag(s, fl::OF, of);
}

// Sets all six arithmetic flags at once (the caller computed each one).
inline void put_arith(CpuState& s, bool cf, bool pf, bool af, bool zf, bool sf, bool of) {
    uint64_t r = s.rflags & ~fl::Arith;
    if (cf) r |= fl::CF;
    if (pf) r |= fl::PF;
    if (af) r |= fl::AF;
    if (zf) r |= fl::ZF;
    if (sf) r |= fl::SF;
    if (of) r |= fl::OF;
    s.rflags = r;
    s.lf.op = static_cast<uint8_t>(FlagOp::Eager);
}

// Group 2 semantics on a value; n is the masked count, 1..63. Writes flags.
// C is where the count came from: Intel's ROL/ROR by an immediate > 1 leave
// OF alone, where the same rotate by CL computes it.
template <class T, Sh Op, Cnt C> T shift_value(CpuState& s, T v, unsigned n) {
    constexpr unsigned W = kBits<T>;
    switch (Op) {
        case Sh::Shl: {
            const T res = static_cast<T>(static_cast<uint64_t>(v) << n);
            // CF = last bit out; 0 for 8/16-bit counts beyond the width. OF as
            // for a count of 1, MSB(v) ^ MSB-1(v), for every count (Intel; the
            // lazy FlagOp::Shl computes MSB(res) ^ CF, which differs for n > 1).
            const bool cf = n <= W && ((static_cast<uint64_t>(v) >> (W - n)) & 1);
            put_arith(s, cf, detail::parity(res), false, res == 0, msb(res), msb(v) ^ ((v >> (W - 2)) & 1));
            return res;
        }
        case Sh::Shr: {
            const T res = static_cast<T>(static_cast<uint64_t>(v) >> n);
            set_flags(s, FlagOp::Shr, sizeof(T), res, v, n);
            return res;
        }
        case Sh::Sar: {
            const int64_t sv = static_cast<Signed<T>>(v);
            const T res = static_cast<T>(sv >> n);
            // FlagOp::Sar takes src1 sign-extended to 64 bits.
            set_flags(s, FlagOp::Sar, sizeof(T), res, static_cast<uint64_t>(sv), n);
            return res;
        }
        case Sh::Rol: {
            const unsigned r = n % W;
            const T res = r ? static_cast<T>((v << r) | (v >> (W - r))) : v;
            // OF as for a count of 1 (MSB(v) ^ MSB-1(v)) for every count by CL;
            // unchanged for an immediate count > 1 (Intel).
            const bool of = C == Cnt::Imm && n > 1 ? (materialize(s), (s.rflags & fl::OF) != 0) : msb(v) ^ ((v >> (W - 2)) & 1);
            put_cf_of(s, res & 1, of);
            return res;
        }
        case Sh::Ror: {
            const unsigned r = n % W;
            const T res = r ? static_cast<T>((v >> r) | (v << (W - r))) : v;
            // OF as for a count of 1 (LSB(v) ^ MSB(v)) for every count by CL;
            // unchanged for an immediate count > 1 (Intel).
            const bool of = C == Cnt::Imm && n > 1 ? (materialize(s), (s.rflags & fl::OF) != 0) : (v & 1) ^ msb(v);
            put_cf_of(s, msb(res), of);
            return res;
        }
        case Sh::Rcl:
        case Sh::Rcr: {
            // Rotate the (W+1)-bit value CF:v; 8/16-bit counts are taken mod 9/17.
            using U = unsigned __int128;
            const unsigned r = n % (W + 1);
            // A count that is a multiple of 9/17 rotates nothing and leaves CF
            // and OF as they were (Intel).
            if (r == 0) return v;
            const bool cf_in = get_cf(s);
            const U mask = (U(1) << (W + 1)) - 1;
            U x = (U(cf_in) << W) | v;
            x = Op == Sh::Rcl ? ((x << r) | (x >> (W + 1 - r))) & mask : ((x >> r) | (x << (W + 1 - r))) & mask;
            const T res = static_cast<T>(x);
            const bool cf = (x >> W) & 1;
            // OF as for a count of 1 on the original operand, for every count
            // (Intel): RCL MSB(v) ^ MSB-1(v); RCR MSB(v) ^ CF-in.
            const bool of = Op == Sh::Rcl ? msb(v) ^ ((v >> (W - 2)) & 1) : msb(v) ^ cf_in;
            put_cf_of(s, cf, of);
            return res;
        }
    }
    return v;
}

template <class T, Sh Op, Cnt C, Rm R = Rm::Any> void grp2(Cpu& c, const DecodedInsn& i) {
    const unsigned n = shift_count<T, C>(c.s, i);
    if (R == Rm::Any && i.is_mem()) {
        const uint64_t lin = mem_linear(c, i);
        const T v = c.read<T>(lin);
        if (n == 0) {
            c.write<T>(lin, v);
            return;
        }
        // Flags are computed first; a faulting write puts them back, so the
        // instruction commits nothing.
        const FlagsSnapshot saved(c.s);
        const T res = shift_value<T, Op, C>(c.s, v, n);
        try {
            c.write<T>(lin, res);
        } catch (...) {
            saved.restore(c.s);
            throw;
        }
        return;
    }
    const T v = get_reg<T>(c.s, i.rm);
    set_reg<T>(c.s, i.rm, n == 0 ? v : shift_value<T, Op, C>(c.s, v, n));
}

// SHLD/SHRD: shift dst, filling from src. n is the masked count, 1..63.
template <class T, bool Left> T double_shift(CpuState& s, T dst, T src, unsigned n) {
    constexpr unsigned W = kBits<T>;
    T res;
    bool cf;
    if (W == 16 && n > 16) {
        // Intel: a 16-bit count of 17..31 shifts the 48-bit value dst:src:dst.
        const uint64_t x = (uint64_t(dst) << 32) | (uint64_t(src) << 16) | dst;
        if (Left) {
            res = static_cast<T>(x >> (32 - n));
            cf = (x >> (48 - n)) & 1;
        } else {
            res = static_cast<T>(x >> n);
            cf = (x >> (n - 1)) & 1;
        }
    } else if (Left) {
        res = static_cast<T>((static_cast<uint64_t>(dst) << n) |
                             (n == W ? static_cast<uint64_t>(src) : static_cast<uint64_t>(src) >> (W - n)));
        cf = (static_cast<uint64_t>(dst) >> (W - n)) & 1;
    } else {
        res = static_cast<T>((static_cast<uint64_t>(dst) >> n) |
                             (n == W ? static_cast<uint64_t>(src) : static_cast<uint64_t>(src) << (W - n)));
        cf = (static_cast<uint64_t>(dst) >> (n - 1)) & 1;
    }
    // OF: sign change of a count-1 shift, for every count (Intel):
    // SHLD MSB(dst) ^ MSB-1(dst); SHRD MSB(dst) ^ LSB(src). AF = 0.
    const bool of = Left ? msb(dst) ^ ((dst >> (W - 2)) & 1) : msb(dst) ^ (src & 1);
    put_arith(s, cf, detail::parity(res), false, res == 0, msb(res), of);
    return res;
}

template <class T, bool Left, Cnt C> void shxd(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        const unsigned n = shift_count<T, C>(c.s, i);
        const T src = get_reg<T>(c.s, i.reg);
        if (i.is_mem()) {
            const uint64_t lin = mem_linear(c, i);
            const T v = c.read<T>(lin);
            if (n == 0) {
                c.write<T>(lin, v);
                return;
            }
            const FlagsSnapshot saved(c.s);
            const T res = double_shift<T, Left>(c.s, v, src, n);
            try {
                c.write<T>(lin, res);
            } catch (...) {
                saved.restore(c.s);
                throw;
            }
            return;
        }
        const T v = get_reg<T>(c.s, i.rm);
        set_reg<T>(c.s, i.rm, n == 0 ? v : double_shift<T, Left>(c.s, v, src, n));
    }
}

#define BS_GRP2(op, cnt) {&grp2<uint8_t, op, cnt>, &grp2<uint16_t, op, cnt>, &grp2<uint32_t, op, cnt>, &grp2<uint64_t, op, cnt>}
// The register-operand instantiations (operands.h, Rm::Reg).
#define BS_GRP2_REG(op, cnt)                                                                                  \
    {&grp2<uint8_t, op, cnt, Rm::Reg>, &grp2<uint16_t, op, cnt, Rm::Reg>, &grp2<uint32_t, op, cnt, Rm::Reg>, \
     &grp2<uint64_t, op, cnt, Rm::Reg>}
#define BS_SHXD(left, cnt) {&shxd<uint8_t, left, cnt>, &shxd<uint16_t, left, cnt>, &shxd<uint32_t, left, cnt>, &shxd<uint64_t, left, cnt>}

constexpr uint32_t kM = fa::ModRM;
constexpr uint32_t kMB = fa::ModRM | fa::Byte;

// Group 2: one line per (opcode, /digit). /6 is an alias of /4 (Zydis: "shl").
#define BS_GRP2_ROWS(opb, opv, cnt, imm)                                                                               \
    {"rol", kMap1, opb, 0, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Rol, cnt), "base", BS_GRP2_REG(Sh::Rol, cnt)},  \
    {"ror", kMap1, opb, 1, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Ror, cnt), "base", BS_GRP2_REG(Sh::Ror, cnt)},  \
    {"rcl", kMap1, opb, 2, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Rcl, cnt), "base", BS_GRP2_REG(Sh::Rcl, cnt)},  \
    {"rcr", kMap1, opb, 3, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Rcr, cnt), "base", BS_GRP2_REG(Sh::Rcr, cnt)},  \
    {"shl", kMap1, opb, 4, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Shl, cnt), "base", BS_GRP2_REG(Sh::Shl, cnt)},  \
    {"shr", kMap1, opb, 5, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Shr, cnt), "base", BS_GRP2_REG(Sh::Shr, cnt)},  \
    {"shl", kMap1, opb, 6, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Shl, cnt), "base", BS_GRP2_REG(Sh::Shl, cnt)},  \
    {"sar", kMap1, opb, 7, -1, kModAny, kPfxAny, imm, kMB, BS_GRP2(Sh::Sar, cnt), "base", BS_GRP2_REG(Sh::Sar, cnt)},  \
    {"rol", kMap1, opv, 0, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Rol, cnt), "base", BS_GRP2_REG(Sh::Rol, cnt)},   \
    {"ror", kMap1, opv, 1, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Ror, cnt), "base", BS_GRP2_REG(Sh::Ror, cnt)},   \
    {"rcl", kMap1, opv, 2, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Rcl, cnt), "base", BS_GRP2_REG(Sh::Rcl, cnt)},   \
    {"rcr", kMap1, opv, 3, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Rcr, cnt), "base", BS_GRP2_REG(Sh::Rcr, cnt)},   \
    {"shl", kMap1, opv, 4, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Shl, cnt), "base", BS_GRP2_REG(Sh::Shl, cnt)},   \
    {"shr", kMap1, opv, 5, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Shr, cnt), "base", BS_GRP2_REG(Sh::Shr, cnt)},   \
    {"shl", kMap1, opv, 6, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Shl, cnt), "base", BS_GRP2_REG(Sh::Shl, cnt)},   \
    {"sar", kMap1, opv, 7, -1, kModAny, kPfxAny, imm, kM, BS_GRP2(Sh::Sar, cnt), "base", BS_GRP2_REG(Sh::Sar, cnt)}

const Form kForms[] = {
    BS_GRP2_ROWS(0xD0, 0xD1, Cnt::One, kImmNone),
    BS_GRP2_ROWS(0xD2, 0xD3, Cnt::Cl, kImmNone),
    BS_GRP2_ROWS(0xC0, 0xC1, Cnt::Imm, kImmB),
    {"shld", kMap0F, 0xA4, -1, -1, kModAny, kPfxAny, kImmB, kM, BS_SHXD(true, Cnt::Imm), "base"},
    {"shld", kMap0F, 0xA5, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_SHXD(true, Cnt::Cl), "base"},
    {"shrd", kMap0F, 0xAC, -1, -1, kModAny, kPfxAny, kImmB, kM, BS_SHXD(false, Cnt::Imm), "base"},
    {"shrd", kMap0F, 0xAD, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_SHXD(false, Cnt::Cl), "base"},
};

}  // namespace

std::span<const Form> forms_shift() { return kForms; }

}  // namespace bs::cpu
