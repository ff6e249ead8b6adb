// x87 FPU state helpers shared by the x87 family (exec_x87.cpp), FXSAVE/
// FXRSTOR (exec_sse.cpp) and the debugger.
//
// The state itself is `X87` in state.h: registers by physical number, the
// full two-bit tag word, FCW/FSW and the instruction/data pointers.
// SDM Vol. 1 §8.1 (x87 FPU execution environment), §10.5.1 (FXSAVE area).
#pragma once

#include <cstdint>
#include <cstring>

#include "state.h"

namespace bs::cpu {

// FPU status word bits (SDM Vol. 1 §8.1.3).
namespace fsw {
inline constexpr uint16_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4,
                          PE = 1u << 5, SF = 1u << 6, ES = 1u << 7, C0 = 1u << 8, C1 = 1u << 9,
                          C2 = 1u << 10, C3 = 1u << 14, B = 1u << 15;
inline constexpr uint16_t Exc = 0x3f;  // the six exception flags (and FCW's six mask bits)
inline constexpr uint16_t Cc = C0 | C1 | C2 | C3;
inline constexpr uint16_t TopMask = 7u << 11;
}  // namespace fsw

namespace x87 {

// Tag word classes (SDM Vol. 1 §8.1.7).
inline constexpr unsigned kTagValid = 0, kTagZero = 1, kTagSpecial = 2, kTagEmpty = 3;

// The tag class of an 80-bit value: zero, valid (normal finite) or special
// (NaN, infinity, denormal, pseudo-denormal, unnormal).
inline unsigned tag_of(const uint8_t reg[10]) {
    uint64_t mant;
    uint16_t se;
    std::memcpy(&mant, reg, 8);
    std::memcpy(&se, reg + 8, 2);
    const unsigned e = se & 0x7fff;
    if (e == 0x7fff) return kTagSpecial;
    if (e == 0) return mant == 0 ? kTagZero : kTagSpecial;
    return (mant >> 63) ? kTagValid : kTagSpecial;
}

// FXSAVE's abridged tag: bit i set when physical register i is not empty.
inline uint8_t abridged_tag(const X87& f) {
    uint8_t t = 0;
    for (unsigned r = 0; r < 8; ++r) {
        if (((f.ftw >> (2 * r)) & 3) != kTagEmpty) t |= static_cast<uint8_t>(1u << r);
    }
    return t;
}

// Recomputes the class of every non-empty register from its contents, as
// FLDENV, FRSTOR and FXRSTOR do: they honour only empty/non-empty.
inline void retag(X87& f, uint16_t empty_mask_tags) {
    uint16_t ftw = 0;
    for (unsigned r = 0; r < 8; ++r) {
        const unsigned t = ((empty_mask_tags >> (2 * r)) & 3) == kTagEmpty ? kTagEmpty : tag_of(f.regs[r]);
        ftw |= static_cast<uint16_t>(t << (2 * r));
    }
    f.ftw = ftw;
}

// FXRSTOR: the full tag word from an abridged tag and the register contents.
inline void set_abridged_tag(X87& f, uint8_t abridged) {
    uint16_t tags = 0;
    for (unsigned r = 0; r < 8; ++r) {
        if (!(abridged & (1u << r))) tags |= static_cast<uint16_t>(kTagEmpty << (2 * r));
    }
    retag(f, tags);
}

// ES and B follow the exception flags that FCW leaves unmasked (SDM Vol. 1
// §8.1.3.4); on the reference host they are recomputed whenever FCW or the
// flags change (FLDCW, FLDENV, FRSTOR, FNSTENV's masking).
inline void update_es(X87& f) {
    if (f.fsw & ~f.fcw & fsw::Exc) {
        f.fsw |= fsw::ES | fsw::B;
    } else {
        f.fsw &= static_cast<uint16_t>(~(fsw::ES | fsw::B));
    }
}

// FCW as the hardware keeps it: reserved bits 7, 13..15 read 0, bit 6 reads 1
// (bit 12, the obsolete infinity control, is kept), as on the reference host.
inline uint16_t fcw_value(uint16_t v) { return static_cast<uint16_t>((v & 0x1f3f) | 0x40); }

}  // namespace x87
}  // namespace bs::cpu
