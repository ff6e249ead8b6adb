// Instruction family 'bit': BT/BTS/BTR/BTC, BSF/BSR, LZCNT/TZCNT, POPCNT,
// BSWAP, SETcc, CMOVcc. SDM Vol. 2A "BSF", "BSR", "BSWAP", "BT", "BTC", "BTR",
// "BTS", "CMOVcc", "LZCNT", Vol. 2B "POPCNT", "SETcc", "TZCNT".
//
// Flags and results the SDM leaves undefined are set as this project's
// reference host (an Intel core) sets them, checked against it bit for bit:
//   - BT/BTS/BTR/BTC: only CF changes; OF, SF, AF, PF (undefined) and ZF keep
//     their values.
//   - BSF/BSR: ZF = (source == 0); CF = OF = SF = AF = 0 and PF = parity of
//     the bit index (of 0 for a zero source). A zero source leaves the whole
//     destination register unchanged, upper half of a 32-bit one included
//     (Intel documents the destination as undefined).
//   - LZCNT/TZCNT: CF and ZF as defined; OF = SF = AF = PF = 0.
//   - BSWAP with a 16-bit operand (undefined): the low 16 bits become 0.
// TZCNT is executed although CPUID does not report BMI1 (ANDN, BEXTR... are
// VEX-encoded and not implemented): without BMI1 the F3 0F BC encoding would
// be BSF, which gives the same result for a nonzero source; compilers emit it
// on purpose. Forms not listed decode to #UD.
#include <bit>

#include "families.h"
#include "operands.h"

namespace bs::cpu {
namespace {

// ---- BT/BTS/BTR/BTC ----

enum class Bt : uint8_t { Test, Set, Reset, Complement };

template <class T, Bt Op> T bt_apply(T v, unsigned bit) {
    const T m = static_cast<T>(T(1) << bit);
    switch (Op) {
        case Bt::Test: return v;
        case Bt::Set: return v | m;
        case Bt::Reset: return static_cast<T>(v & ~m);
        case Bt::Complement: return v ^ m;
    }
    return v;
}

// Only CF changes (OF/SF/AF/PF undefined: kept, as on Intel; ZF kept).
inline void bt_flags(CpuState& s, bool cf) {
    materialize(s);
    put_flag(s, fl::CF, cf);
}

// 0F A3/AB/B3/BB (Imm = false: the bit offset is a register; with a memory
// operand it is signed and may address memory outside the operand) and
// 0F BA /4-7 (Imm = true: the offset is imm8 taken modulo the width).
template <class T, Bt Op, bool Imm> void bt(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        constexpr unsigned W = kBits<T>;
        if (!i.is_mem()) {
            const unsigned bit = (Imm ? static_cast<uint8_t>(i.imm) : get_reg<T>(c.s, i.reg)) & (W - 1);
            const T v = get_reg<T>(c.s, i.rm);
            if constexpr (Op != Bt::Test) set_reg<T>(c.s, i.rm, bt_apply<T, Op>(v, bit));
            bt_flags(c.s, (v >> bit) & 1);
            return;
        }
        uint64_t ea = c.effective_address(i);
        unsigned bit;
        if constexpr (Imm) {
            bit = static_cast<uint8_t>(i.imm) & (W - 1);
        } else {
            const int64_t off = static_cast<Signed<T>>(get_reg<T>(c.s, i.reg));
            bit = static_cast<unsigned>(off) & (W - 1);
            // Floor division: a negative offset addresses operands below.
            ea += static_cast<uint64_t>((off >> std::countr_zero(W)) * static_cast<int64_t>(sizeof(T)));
            if (i.addrsize == 4) ea = static_cast<uint32_t>(ea);
            if (i.addrsize == 2) ea = static_cast<uint16_t>(ea);
        }
        const uint64_t lin = c.linear(i.seg, ea);
        const T v = c.read<T>(lin);
        if constexpr (Op != Bt::Test) c.write<T>(lin, bt_apply<T, Op>(v, bit));
        bt_flags(c.s, (v >> bit) & 1);
    }
}

// ---- BSF/BSR/TZCNT/LZCNT/POPCNT ----

// Sets all six arithmetic flags.
inline void put_arith(CpuState& s, uint64_t bits) {
    s.rflags = (s.rflags & ~fl::Arith) | bits;
    s.lf.op = static_cast<uint8_t>(FlagOp::Eager);
}

// BSF/BSR flags: ZF = (src == 0); the undefined CF/OF/SF/AF are 0 and PF is
// the parity of the index (of 0 when src == 0), as on Intel.
inline void bsf_flags(CpuState& s, bool zero_src, unsigned idx) {
    uint64_t r = zero_src ? fl::ZF : 0;
    if (detail::parity(zero_src ? 0 : idx)) r |= fl::PF;
    put_arith(s, r);
}

enum class Scan : uint8_t { Forward, Reverse };

// 0F BC/BD: the index of the lowest/highest set bit. A zero source sets ZF
// and leaves the destination unchanged.
template <class T, Scan Dir> void bsx(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        const T src = read_rm<T>(c, i);
        if (src == 0) {
            bsf_flags(c.s, true, 0);
            return;
        }
        const unsigned idx = Dir == Scan::Forward ? std::countr_zero(src) : kBits<T> - 1 - std::countl_zero(src);
        set_reg<T>(c.s, i.reg, static_cast<T>(idx));
        bsf_flags(c.s, false, idx);
    }
}

// F3 0F BC/BD: TZCNT/LZCNT. CF = (src == 0), ZF = (result == 0); the
// undefined OF/SF/AF/PF are 0 (Intel).
template <class T, Scan Dir> void xzcnt(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        const T src = read_rm<T>(c, i);
        const T n = static_cast<T>(Dir == Scan::Forward ? std::countr_zero(src) : std::countl_zero(src));
        set_reg<T>(c.s, i.reg, n);
        put_arith(c.s, (src == 0 ? fl::CF : 0) | (n == 0 ? fl::ZF : 0));
    }
}

// F3 0F B8: POPCNT. ZF = (src == 0); CF, OF, SF, AF, PF cleared (defined).
template <class T> void popcnt(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else {
        const T src = read_rm<T>(c, i);
        set_reg<T>(c.s, i.reg, static_cast<T>(std::popcount(src)));
        put_arith(c.s, src == 0 ? fl::ZF : 0);
    }
}

// ---- BSWAP ----

// 0F C8+r. A 16-bit operand is undefined: the low word becomes 0 (Intel).
template <class T> void bswap(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 1) {
        raise(kUD);
    } else if constexpr (sizeof(T) == 2) {
        set_reg<uint16_t>(c.s, i.reg, 0);
    } else {
        const T v = get_reg<T>(c.s, i.reg);
        if constexpr (sizeof(T) == 4) set_reg<T>(c.s, i.reg, __builtin_bswap32(v));
        else set_reg<T>(c.s, i.reg, __builtin_bswap64(v));
    }
}

// ---- SETcc / CMOVcc ----

// 0F 90+cc: r/m8 = cond.
template <unsigned CC> void setcc(Cpu& c, const DecodedInsn& i) {
    write_rm<uint8_t>(c, i, cond(c.s, CC) ? 1 : 0);
}

// 0F 40+cc: the source is read (and may fault) whatever the condition; a
// 32-bit destination is written (upper half cleared) even when it is false.
template <unsigned CC> struct Cmov {
    template <class T> static void h(Cpu& c, const DecodedInsn& i) {
        if constexpr (sizeof(T) == 1) {
            raise(kUD);
        } else {
            const T src = read_rm<T>(c, i);
            if (cond(c.s, CC)) set_reg<T>(c.s, i.reg, src);
            else if constexpr (sizeof(T) == 4) set_reg<T>(c.s, i.reg, get_reg<T>(c.s, i.reg));
        }
    }
};

#define BS_BT(op, imm) {&bt<uint8_t, op, imm>, &bt<uint16_t, op, imm>, &bt<uint32_t, op, imm>, &bt<uint64_t, op, imm>}
#define BS_SCAN(h, dir) {&h<uint8_t, dir>, &h<uint16_t, dir>, &h<uint32_t, dir>, &h<uint64_t, dir>}
#define BS_CMOV(cc) {&Cmov<cc>::h<uint8_t>, &Cmov<cc>::h<uint16_t>, &Cmov<cc>::h<uint32_t>, &Cmov<cc>::h<uint64_t>}

constexpr uint32_t kM = fa::ModRM;
constexpr uint32_t kML = fa::ModRM | fa::Lockable;
constexpr uint32_t kMB = fa::ModRM | fa::Byte;

#define BS_CC_ROWS(cc, suffix)                                                                          \
    {"set" suffix, kMap0F, 0x90 + cc, -1, -1, kModAny, kPfxAny, kImmNone, kMB, BS_HANDLER1(setcc<cc>), "base"}, \
    {"cmov" suffix, kMap0F, 0x40 + cc, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_CMOV(cc), "base"}

const Form kForms[] = {
    {"bt", kMap0F, 0xA3, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_BT(Bt::Test, false), "base"},
    {"bts", kMap0F, 0xAB, -1, -1, kModAny, kPfxAny, kImmNone, kML, BS_BT(Bt::Set, false), "base"},
    {"btr", kMap0F, 0xB3, -1, -1, kModAny, kPfxAny, kImmNone, kML, BS_BT(Bt::Reset, false), "base"},
    {"btc", kMap0F, 0xBB, -1, -1, kModAny, kPfxAny, kImmNone, kML, BS_BT(Bt::Complement, false), "base"},
    {"bt", kMap0F, 0xBA, 4, -1, kModAny, kPfxAny, kImmB, kM, BS_BT(Bt::Test, true), "base"},
    {"bts", kMap0F, 0xBA, 5, -1, kModAny, kPfxAny, kImmB, kML, BS_BT(Bt::Set, true), "base"},
    {"btr", kMap0F, 0xBA, 6, -1, kModAny, kPfxAny, kImmB, kML, BS_BT(Bt::Reset, true), "base"},
    {"btc", kMap0F, 0xBA, 7, -1, kModAny, kPfxAny, kImmB, kML, BS_BT(Bt::Complement, true), "base"},
    {"bsf", kMap0F, 0xBC, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_SCAN(bsx, Scan::Forward), "base"},
    {"bsr", kMap0F, 0xBD, -1, -1, kModAny, kPfxAny, kImmNone, kM, BS_SCAN(bsx, Scan::Reverse), "base"},
    {"tzcnt", kMap0F, 0xBC, -1, -1, kModAny, kPfxF3, kImmNone, kM, BS_SCAN(xzcnt, Scan::Forward), "bmi1"},
    {"lzcnt", kMap0F, 0xBD, -1, -1, kModAny, kPfxF3, kImmNone, kM, BS_SCAN(xzcnt, Scan::Reverse), "abm"},
    {"popcnt", kMap0F, 0xB8, -1, -1, kModAny, kPfxF3, kImmNone, kM, BS_HANDLERS(popcnt), "popcnt"},
    {"bswap", kMap0F, 0xC8, -1, -1, kModAny, kPfxAny, kImmNone, fa::OpReg, BS_HANDLERS(bswap), "base"},
    BS_CC_ROWS(0x0, "o"),  BS_CC_ROWS(0x1, "no"), BS_CC_ROWS(0x2, "b"),  BS_CC_ROWS(0x3, "nb"),
    BS_CC_ROWS(0x4, "z"),  BS_CC_ROWS(0x5, "nz"), BS_CC_ROWS(0x6, "be"), BS_CC_ROWS(0x7, "nbe"),
    BS_CC_ROWS(0x8, "s"),  BS_CC_ROWS(0x9, "ns"), BS_CC_ROWS(0xA, "p"),  BS_CC_ROWS(0xB, "np"),
    BS_CC_ROWS(0xC, "l"),  BS_CC_ROWS(0xD, "nl"), BS_CC_ROWS(0xE, "le"), BS_CC_ROWS(0xF, "nle"),
};

}  // namespace

std::span<const Form> forms_bit() { return kForms; }

}  // namespace bs::cpu
