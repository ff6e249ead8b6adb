// Instruction family 'muldiv': MUL/IMUL (F6/F7 /4 /5, 0F AF, 69, 6B) and
// DIV/IDIV (F6/F7 /6 /7). SDM Vol. 2A "DIV", "IDIV", "IMUL", Vol. 2B "MUL".
//
// CF/OF of the multiplies are exact. Flags the SDM leaves undefined are set
// as this project's reference host (an Intel core) sets them, checked
// against it bit for bit:
//   - MUL/IMUL: SF and PF from the low half of the product (the destination
//     for the two- and three-operand forms); ZF = 0 and AF = 0 always.
//   - DIV/IDIV: all six arithmetic flags keep their values.
// Divide errors (divisor 0, quotient out of range) raise #DE before anything
// is written. Forms not listed decode to #UD.
#include "families.h"
#include "operands.h"

namespace bs::cpu {
namespace {

using U128 = unsigned __int128;
using S128 = __int128;

// The double-width type of T (for 8..32 bits; 64 uses 128-bit integers).
template <class T> using Wide = std::conditional_t<sizeof(T) == 1, uint16_t,
                                std::conditional_t<sizeof(T) == 2, uint32_t,
                                std::conditional_t<sizeof(T) == 4, uint64_t, U128>>>;
template <class T> using SWide = std::conditional_t<sizeof(T) == 1, int16_t,
                                 std::conditional_t<sizeof(T) == 2, int32_t,
                                 std::conditional_t<sizeof(T) == 4, int64_t, S128>>>;

// Flags of a multiply: CF = OF = `overflow`; SF/PF from the low half, ZF = AF
// = 0 (undefined; Intel's values, even for a zero product).
template <class T> void mul_flags(CpuState& s, T lo, bool overflow) {
    uint64_t r = s.rflags & ~fl::Arith;
    if (overflow) r |= fl::CF | fl::OF;
    if (detail::parity(lo)) r |= fl::PF;
    if (lo & kSignBit<T>) r |= fl::SF;
    s.rflags = r;
    s.lf.op = static_cast<uint8_t>(FlagOp::Eager);
}

// The implicit double-width accumulator: AX, DX:AX, EDX:EAX, RDX:RAX.
template <class T> Wide<T> get_acc(const CpuState& s) {
    if constexpr (sizeof(T) == 1) return static_cast<uint16_t>(s.gpr[RAX]);
    else return (Wide<T>(static_cast<T>(s.gpr[RDX])) << kBits<T>) | static_cast<T>(s.gpr[RAX]);
}

// Writes the low half to AL/AX/EAX/RAX and the high half to AH/DX/EDX/RDX.
template <class T> void set_halves(CpuState& s, T lo, T hi) {
    set_reg<T>(s, RAX, lo);
    set_reg<T>(s, sizeof(T) == 1 ? unsigned{kAH} : unsigned{RDX}, hi);
}

// F6/F7 /4: unsigned rDX:rAX = rAX * r/m.
template <class T> void mul(Cpu& c, const DecodedInsn& i) {
    const T src = read_rm<T>(c, i);
    const Wide<T> p = Wide<T>(get_reg<T>(c.s, RAX)) * Wide<T>(src);
    const T lo = static_cast<T>(p), hi = static_cast<T>(p >> kBits<T>);
    set_halves<T>(c.s, lo, hi);
    mul_flags<T>(c.s, lo, hi != 0);
}

// F6/F7 /5: signed rDX:rAX = rAX * r/m.
template <class T> void imul1(Cpu& c, const DecodedInsn& i) {
    const T src = read_rm<T>(c, i);
    const SWide<T> p = SWide<T>(static_cast<Signed<T>>(get_reg<T>(c.s, RAX))) * SWide<T>(static_cast<Signed<T>>(src));
    const T lo = static_cast<T>(p), hi = static_cast<T>(p >> kBits<T>);
    set_halves<T>(c.s, lo, hi);
    mul_flags<T>(c.s, lo, p != SWide<T>(static_cast<Signed<T>>(lo)));
}

// Signed truncating multiply of the two- and three-operand forms.
template <class T> void imul_to_reg(Cpu& c, const DecodedInsn& i, T a, T b) {
    const SWide<T> p = SWide<T>(static_cast<Signed<T>>(a)) * SWide<T>(static_cast<Signed<T>>(b));
    const T lo = static_cast<T>(p);
    set_reg<T>(c.s, i.reg, lo);
    mul_flags<T>(c.s, lo, p != SWide<T>(static_cast<Signed<T>>(lo)));
}

// 0F AF: reg = reg * r/m.
template <class T> void imul2(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        const T src = read_rm<T>(c, i);
        imul_to_reg<T>(c, i, get_reg<T>(c.s, i.reg), src);
    }
}

// 69/6B: reg = r/m * imm (6B's imm8 arrives sign-extended).
template <class T> void imul3(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        const T src = read_rm<T>(c, i);
        imul_to_reg<T>(c, i, src, imm<T>(i));
    }
}

// F6/F7 /6: unsigned rAX = rDX:rAX / r/m, rDX = remainder. Flags unchanged (Intel).
template <class T> void div(Cpu& c, const DecodedInsn& i) {
    const T d = read_rm<T>(c, i);
    if (d == 0) raise(kDE);
    const Wide<T> n = get_acc<T>(c.s);
    const Wide<T> q = n / d;
    if (q >> kBits<T>) raise(kDE);
    set_halves<T>(c.s, static_cast<T>(q), static_cast<T>(n % d));
}

// F6/F7 /7: signed division; the remainder has the sign of the dividend.
// Flags unchanged (Intel).
template <class T> void idiv(Cpu& c, const DecodedInsn& i) {
    using SW = SWide<T>;
    using UW = Wide<T>;
    const T d = read_rm<T>(c, i);
    if (d == 0) raise(kDE);
    const SW n = static_cast<SW>(get_acc<T>(c.s));
    const SW sd = static_cast<Signed<T>>(d);
    // Work on magnitudes so that the most negative dividend cannot overflow.
    const UW un = n < 0 ? UW(0) - UW(n) : UW(n);
    const UW ud = sd < 0 ? UW(0) - UW(sd) : UW(sd);
    const UW uq = un / ud, ur = un % ud;
    const bool neg_q = (n < 0) != (sd < 0);
    // The quotient must fit in T: up to 2^(W-1) when negative, 2^(W-1)-1 otherwise.
    const UW limit = UW(1) << (kBits<T> - 1);
    if (neg_q ? uq > limit : uq >= limit) raise(kDE);
    const T q = static_cast<T>(neg_q ? UW(0) - uq : uq);
    const T r = static_cast<T>(n < 0 ? UW(0) - ur : ur);
    set_halves<T>(c.s, q, r);
}

constexpr uint32_t kM = fa::ModRM;
constexpr uint32_t kMB = fa::ModRM | fa::Byte;

const Form kForms[] = {
    {"mul", kMap1, 0xF6, 4, -1, kModAny, kPfxAny, kImmNone, kMB, BS_HANDLERS(mul), "base"},
    {"imul", kMap1, 0xF6, 5, -1, kModAny, kPfxAny, kImmNone, kMB, BS_HANDLERS(imul1), "base"},
    {"div", kMap1, 0xF6, 6, -1, kModAny, kPfxAny, kImmNone, kMB, BS_HANDLERS(div), "base"},
    {"idiv", kMap1, 0xF6, 7, -1, kModAny, kPfxAny, kImmNone, kMB, BS_HANDLERS(idiv), "base"},
    {"mul", kMap1, 0xF7, 4, -1, kModAny, kPfxAny, kImmNone, kM, BS_HANDLERS(mul), "base"},
    {"imul", kMap1, 0xF7, 5, -1, kModAny, kPfxAny, kImmNone, kM, BS_HANDLERS(imul1), "base"},
    {"div", kMap1, 0xF7, 6, -1, kModAny, kPfxAny, kImmNone, kM, BS_HANDLERS(div), "base"},
    {"idiv", kMap1, 0xF7, 7, -1, kModAny, kPfxAny, kImmNone, kM, BS_HANDLERS(idiv), "base"},
    {"imul", kMap0F, 0xAF, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_HANDLERS(imul2), "base"},
    {"imul", kMap1, 0x69, -1, -1, kModAny, kPfxAny, kImmZ, kM, BS_HANDLERS(imul3), "base"},
    {"imul", kMap1, 0x6B, -1, -1, kModAny, kPfxAny, kImmB, kM, BS_HANDLERS(imul3), "base"},
};

}  // namespace

std::span<const Form> forms_muldiv() { return kForms; }

}  // namespace bs::cpu
