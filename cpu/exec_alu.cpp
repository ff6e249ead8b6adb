// Binary arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP, TEST,
// INC DEC NEG NOT (SDM Vol. 1 §7.3.2, §7.3.3; Vol. 2 per instruction), and
// the decimal adjustments AAA AAS DAA DAS AAM AAD with the undocumented SALC
// (§7.3.2.4, §7.3.2.5; #UD in 64-bit mode).
//
// Each operation is a pure function of its operands (`compute`) plus a flag
// record (`record_flags`); handlers read operands, compute, write the
// destination (which may fault), and only then record the flags.
#include "families.h"
#include "operands.h"

namespace bs::cpu {

namespace {

enum class AluOp : uint8_t { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp };

template <class T, AluOp OP> inline T compute(T a, T b, bool cin) {
    switch (OP) {
        case AluOp::Add: return static_cast<T>(a + b);
        case AluOp::Adc: return static_cast<T>(a + b + cin);
        case AluOp::Sub:
        case AluOp::Cmp: return static_cast<T>(a - b);
        case AluOp::Sbb: return static_cast<T>(a - b - cin);
        case AluOp::And: return a & b;
        case AluOp::Or: return a | b;
        case AluOp::Xor: return a ^ b;
    }
    return 0;
}

template <class T, AluOp OP> inline void record_flags(CpuState& s, T a, T b, T r, bool cin) {
    switch (OP) {
        case AluOp::Add: set_flags(s, FlagOp::Add, sizeof(T), r, a, b); break;
        case AluOp::Adc: set_flags(s, FlagOp::Adc, sizeof(T), r, a, b, cin); break;
        case AluOp::Sub:
        case AluOp::Cmp: set_flags(s, FlagOp::Sub, sizeof(T), r, a, b); break;
        case AluOp::Sbb: set_flags(s, FlagOp::Sbb, sizeof(T), r, a, b, cin); break;
        case AluOp::And:
        case AluOp::Or:
        case AluOp::Xor: set_flags(s, FlagOp::Logic, sizeof(T), r, 0, 0); break;
    }
}

template <AluOp OP> inline constexpr bool kUsesCarry = OP == AluOp::Adc || OP == AluOp::Sbb;

// dst op= src, where dst is the r/m operand.
template <class T, AluOp OP, Rm R> inline void alu_to_rm(Cpu& c, const DecodedInsn& i, T b) {
    const bool cin = kUsesCarry<OP> && get_cf(c.s);
    const T a = read_rm<T, R>(c, i);
    const T r = compute<T, OP>(a, b, cin);
    if constexpr (OP != AluOp::Cmp) write_rm<T, R>(c, i, r);
    record_flags<T, OP>(c.s, a, b, r, cin);
}

// 00/01 etc.: r/m op= reg
template <class T, AluOp OP, Rm R = Rm::Any> void alu_rm_r(Cpu& c, const DecodedInsn& i) {
    alu_to_rm<T, OP, R>(c, i, get_reg<T>(c.s, i.reg));
}

// 02/03 etc.: reg op= r/m
template <class T, AluOp OP, Rm R = Rm::Any> void alu_r_rm(Cpu& c, const DecodedInsn& i) {
    const bool cin = kUsesCarry<OP> && get_cf(c.s);
    const T b = read_rm<T, R>(c, i);
    const T a = get_reg<T>(c.s, i.reg);
    const T r = compute<T, OP>(a, b, cin);
    if constexpr (OP != AluOp::Cmp) set_reg<T>(c.s, i.reg, r);
    record_flags<T, OP>(c.s, a, b, r, cin);
}

// 04/05 etc.: AL/AX/EAX/RAX op= imm
template <class T, AluOp OP> void alu_a_imm(Cpu& c, const DecodedInsn& i) {
    const bool cin = kUsesCarry<OP> && get_cf(c.s);
    const T a = get_reg<T>(c.s, RAX), b = imm<T>(i);
    const T r = compute<T, OP>(a, b, cin);
    if constexpr (OP != AluOp::Cmp) set_reg<T>(c.s, RAX, r);
    record_flags<T, OP>(c.s, a, b, r, cin);
}

// 80/81/83 /n: r/m op= imm
template <class T, AluOp OP, Rm R = Rm::Any> void alu_rm_imm(Cpu& c, const DecodedInsn& i) {
    alu_to_rm<T, OP, R>(c, i, imm<T>(i));
}

template <class T, Rm R = Rm::Any> void test_rm_r(Cpu& c, const DecodedInsn& i) {
    const T r = read_rm<T, R>(c, i) & get_reg<T>(c.s, i.reg);
    set_flags(c.s, FlagOp::Logic, sizeof(T), r, 0, 0);
}
template <class T, Rm R = Rm::Any> void test_rm_imm(Cpu& c, const DecodedInsn& i) {
    const T r = read_rm<T, R>(c, i) & imm<T>(i);
    set_flags(c.s, FlagOp::Logic, sizeof(T), r, 0, 0);
}
template <class T> void test_a_imm(Cpu& c, const DecodedInsn& i) {
    const T r = get_reg<T>(c.s, RAX) & imm<T>(i);
    set_flags(c.s, FlagOp::Logic, sizeof(T), r, 0, 0);
}

template <class T> void not_rm(Cpu& c, const DecodedInsn& i) {  // no flags
    write_rm<T>(c, i, static_cast<T>(~read_rm<T>(c, i)));
}
template <class T> void neg_rm(Cpu& c, const DecodedInsn& i) {
    const T a = read_rm<T>(c, i);
    const T r = static_cast<T>(T(0) - a);
    write_rm<T>(c, i, r);
    set_flags(c.s, FlagOp::Sub, sizeof(T), r, 0, a);
}
template <class T, Rm R = Rm::Any> void inc_rm(Cpu& c, const DecodedInsn& i) {
    const bool cf = get_cf(c.s);
    const T a = read_rm<T, R>(c, i);
    const T r = static_cast<T>(a + 1);
    write_rm<T, R>(c, i, r);
    set_flags(c.s, FlagOp::Inc, sizeof(T), r, a, 1, cf);
}
template <class T, Rm R = Rm::Any> void dec_rm(Cpu& c, const DecodedInsn& i) {
    const bool cf = get_cf(c.s);
    const T a = read_rm<T, R>(c, i);
    const T r = static_cast<T>(a - 1);
    write_rm<T, R>(c, i, r);
    set_flags(c.s, FlagOp::Dec, sizeof(T), r, a, 1, cf);
}
// 40+r / 48+r (16/32-bit modes only: REX prefixes in 64-bit mode)
template <class T> void inc_r(Cpu& c, const DecodedInsn& i) {
    const bool cf = get_cf(c.s);
    const T a = get_reg<T>(c.s, i.reg);
    const T r = static_cast<T>(a + 1);
    set_reg<T>(c.s, i.reg, r);
    set_flags(c.s, FlagOp::Inc, sizeof(T), r, a, 1, cf);
}
template <class T> void dec_r(Cpu& c, const DecodedInsn& i) {
    const bool cf = get_cf(c.s);
    const T a = get_reg<T>(c.s, i.reg);
    const T r = static_cast<T>(a - 1);
    set_reg<T>(c.s, i.reg, r);
    set_flags(c.s, FlagOp::Dec, sizeof(T), r, a, 1, cf);
}

// ---- decimal (BCD) adjustments, 16- and 32-bit modes only ----
//
// The flags the SDM leaves undefined are those of the reference host (an
// Intel core, recorded in 32-bit compatibility mode: tests/cpu/test_alu.cpp):
// AAA AAS DAA DAS AAM clear OF and set SF ZF PF from the final AL (AAA/AAS:
// after masking it to the low nibble); AAM also clears AF and CF. AAD sets all
// six as the byte addition AL + (AH * imm8) that it performs.

// Replaces the six arithmetic flags: CF and AF as given, OF clear, SF ZF PF from `al`.
void set_bcd_flags(CpuState& s, uint8_t al, bool cf, bool af) {
    materialize(s);
    uint64_t f = s.rflags & ~fl::Arith;
    if (cf) f |= fl::CF;
    if (af) f |= fl::AF;
    if (detail::parity(al)) f |= fl::PF;
    if (al == 0) f |= fl::ZF;
    if (al & 0x80) f |= fl::SF;
    s.rflags = f;
}

// 37 AAA / 3F AAS: ASCII adjust AL after addition/subtraction; carries into AH.
template <bool Sub> void aaa(Cpu& c, const DecodedInsn&) {
    materialize(c.s);
    uint16_t ax = get_reg<uint16_t>(c.s, RAX);
    const bool adjust = (ax & 0x0f) > 9 || (c.s.rflags & fl::AF);
    if (adjust) ax = Sub ? static_cast<uint16_t>(ax - 6 - 0x100) : static_cast<uint16_t>(ax + 0x106);
    ax &= 0xff0f;
    set_reg<uint16_t>(c.s, RAX, ax);
    set_bcd_flags(c.s, static_cast<uint8_t>(ax), adjust, adjust);
}

// 27 DAA / 2F DAS: decimal adjust AL after addition/subtraction (SDM pseudocode;
// DAS keeps CF from the low-nibble step when the high step does not apply).
template <bool Sub> void daa(Cpu& c, const DecodedInsn&) {
    materialize(c.s);
    const uint8_t old_al = get_reg<uint8_t>(c.s, RAX);
    const bool old_cf = c.s.rflags & fl::CF;
    uint8_t al = old_al;
    bool cf = false, af = false;
    if ((al & 0x0f) > 9 || (c.s.rflags & fl::AF)) {
        cf = old_cf || (Sub ? al < 6 : al > 0xff - 6);
        al = static_cast<uint8_t>(Sub ? al - 6 : al + 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = static_cast<uint8_t>(Sub ? al - 0x60 : al + 0x60);
        cf = true;
    } else if (!Sub) {
        cf = false;
    }
    set_reg<uint8_t>(c.s, RAX, al);
    set_bcd_flags(c.s, al, cf, af);
}

// D4 ib AAM: AH = AL / imm8, AL = AL mod imm8; imm8 = 0 raises #DE.
void aam(Cpu& c, const DecodedInsn& i) {
    const uint8_t base = static_cast<uint8_t>(i.imm);
    if (base == 0) raise(kDE);
    const uint8_t al = get_reg<uint8_t>(c.s, RAX);
    const uint8_t q = static_cast<uint8_t>(al / base), r = static_cast<uint8_t>(al % base);
    set_reg<uint16_t>(c.s, RAX, static_cast<uint16_t>(q << 8 | r));
    set_bcd_flags(c.s, r, false, false);
}

// D5 ib AAD: AL = AL + AH * imm8 (byte arithmetic), AH = 0.
void aad(Cpu& c, const DecodedInsn& i) {
    const uint16_t ax = get_reg<uint16_t>(c.s, RAX);
    const uint8_t al = static_cast<uint8_t>(ax), prod = static_cast<uint8_t>((ax >> 8) * static_cast<uint8_t>(i.imm));
    const uint8_t r = static_cast<uint8_t>(al + prod);
    set_reg<uint16_t>(c.s, RAX, r);
    set_flags(c.s, FlagOp::Add, 1, r, al, prod);
}

// D6 SALC (undocumented, Intel and AMD): AL = CF ? FF : 00; flags unchanged.
void salc(Cpu& c, const DecodedInsn&) { set_reg<uint8_t>(c.s, RAX, get_cf(c.s) ? 0xff : 0x00); }

#define ALU_H(fn, OP) {&fn<uint8_t, OP>, &fn<uint16_t, OP>, &fn<uint32_t, OP>, &fn<uint64_t, OP>}
// The register-operand instantiations (operands.h, Rm::Reg).
#define ALU_HR(fn, OP) \
    {&fn<uint8_t, OP, Rm::Reg>, &fn<uint16_t, OP, Rm::Reg>, &fn<uint32_t, OP, Rm::Reg>, &fn<uint64_t, OP, Rm::Reg>}

constexpr uint32_t M = fa::ModRM;
constexpr uint32_t ML = fa::ModRM | fa::Lockable;

// The six encodings of one ALU operation at opcode base `b` and its /n in 80/81/83.
#define ALU_FORMS(name, b, OP, LOCK)                                                                          \
    {name, kMap1, b + 0, -1, -1, kModAny, kPfxAny, kImmNone, LOCK | fa::Byte, ALU_H(alu_rm_r, OP), "base",   \
     ALU_HR(alu_rm_r, OP)},                                                                                 \
    {name, kMap1, b + 1, -1, -1, kModAny, kPfxAny, kImmNone, LOCK, ALU_H(alu_rm_r, OP), "base",              \
     ALU_HR(alu_rm_r, OP)},                                                                                 \
    {name, kMap1, b + 2, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte, ALU_H(alu_r_rm, OP), "base",      \
     ALU_HR(alu_r_rm, OP)},                                                                                 \
    {name, kMap1, b + 3, -1, -1, kModAny, kPfxAny, kImmNone, M, ALU_H(alu_r_rm, OP), "base",                 \
     ALU_HR(alu_r_rm, OP)},                                                                                 \
    {name, kMap1, b + 4, -1, -1, kModAny, kPfxAny, kImmB, fa::Byte, ALU_H(alu_a_imm, OP), "base"},           \
    {name, kMap1, b + 5, -1, -1, kModAny, kPfxAny, kImmZ, 0, ALU_H(alu_a_imm, OP), "base"}

#define ALU_GROUP_FORMS(name, n, OP, LOCK)                                                                         \
    {name, kMap1, 0x80, n, -1, kModAny, kPfxAny, kImmB, LOCK | fa::Byte, ALU_H(alu_rm_imm, OP), "base",            \
     ALU_HR(alu_rm_imm, OP)},                                                                                      \
    {name, kMap1, 0x81, n, -1, kModAny, kPfxAny, kImmZ, LOCK, ALU_H(alu_rm_imm, OP), "base",                       \
     ALU_HR(alu_rm_imm, OP)},                                                                                      \
    {name, kMap1, 0x82, n, -1, kModAny, kPfxAny, kImmB, LOCK | fa::Byte | fa::Inv64, ALU_H(alu_rm_imm, OP), "base", \
     ALU_HR(alu_rm_imm, OP)},                                                                                      \
    {name, kMap1, 0x83, n, -1, kModAny, kPfxAny, kImmB, LOCK, ALU_H(alu_rm_imm, OP), "base",                       \
     ALU_HR(alu_rm_imm, OP)}

const Form kForms[] = {
    ALU_FORMS("add", 0x00, AluOp::Add, ML),
    ALU_FORMS("or", 0x08, AluOp::Or, ML),
    ALU_FORMS("adc", 0x10, AluOp::Adc, ML),
    ALU_FORMS("sbb", 0x18, AluOp::Sbb, ML),
    ALU_FORMS("and", 0x20, AluOp::And, ML),
    ALU_FORMS("sub", 0x28, AluOp::Sub, ML),
    ALU_FORMS("xor", 0x30, AluOp::Xor, ML),
    ALU_FORMS("cmp", 0x38, AluOp::Cmp, M),
    ALU_GROUP_FORMS("add", 0, AluOp::Add, ML),
    ALU_GROUP_FORMS("or", 1, AluOp::Or, ML),
    ALU_GROUP_FORMS("adc", 2, AluOp::Adc, ML),
    ALU_GROUP_FORMS("sbb", 3, AluOp::Sbb, ML),
    ALU_GROUP_FORMS("and", 4, AluOp::And, ML),
    ALU_GROUP_FORMS("sub", 5, AluOp::Sub, ML),
    ALU_GROUP_FORMS("xor", 6, AluOp::Xor, ML),
    ALU_GROUP_FORMS("cmp", 7, AluOp::Cmp, M),

    {"test", kMap1, 0x84, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte, BS_HANDLERS(test_rm_r), "base", BS_REG_HANDLERS(test_rm_r)},
    {"test", kMap1, 0x85, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(test_rm_r), "base", BS_REG_HANDLERS(test_rm_r)},
    {"test", kMap1, 0xa8, -1, -1, kModAny, kPfxAny, kImmB, fa::Byte, BS_HANDLERS(test_a_imm), "base"},
    {"test", kMap1, 0xa9, -1, -1, kModAny, kPfxAny, kImmZ, 0, BS_HANDLERS(test_a_imm), "base"},
    {"test", kMap1, 0xf6, 0, -1, kModAny, kPfxAny, kImmB, M | fa::Byte, BS_HANDLERS(test_rm_imm), "base", BS_REG_HANDLERS(test_rm_imm)},
    {"test", kMap1, 0xf6, 1, -1, kModAny, kPfxAny, kImmB, M | fa::Byte, BS_HANDLERS(test_rm_imm), "base", BS_REG_HANDLERS(test_rm_imm)},
    {"test", kMap1, 0xf7, 0, -1, kModAny, kPfxAny, kImmZ, M, BS_HANDLERS(test_rm_imm), "base", BS_REG_HANDLERS(test_rm_imm)},
    {"test", kMap1, 0xf7, 1, -1, kModAny, kPfxAny, kImmZ, M, BS_HANDLERS(test_rm_imm), "base", BS_REG_HANDLERS(test_rm_imm)},
    {"not", kMap1, 0xf6, 2, -1, kModAny, kPfxAny, kImmNone, ML | fa::Byte, BS_HANDLERS(not_rm), "base"},
    {"not", kMap1, 0xf7, 2, -1, kModAny, kPfxAny, kImmNone, ML, BS_HANDLERS(not_rm), "base"},
    {"neg", kMap1, 0xf6, 3, -1, kModAny, kPfxAny, kImmNone, ML | fa::Byte, BS_HANDLERS(neg_rm), "base"},
    {"neg", kMap1, 0xf7, 3, -1, kModAny, kPfxAny, kImmNone, ML, BS_HANDLERS(neg_rm), "base"},
    {"inc", kMap1, 0xfe, 0, -1, kModAny, kPfxAny, kImmNone, ML | fa::Byte, BS_HANDLERS(inc_rm), "base", BS_REG_HANDLERS(inc_rm)},
    {"dec", kMap1, 0xfe, 1, -1, kModAny, kPfxAny, kImmNone, ML | fa::Byte, BS_HANDLERS(dec_rm), "base", BS_REG_HANDLERS(dec_rm)},
    {"inc", kMap1, 0xff, 0, -1, kModAny, kPfxAny, kImmNone, ML, BS_HANDLERS(inc_rm), "base", BS_REG_HANDLERS(inc_rm)},
    {"dec", kMap1, 0xff, 1, -1, kModAny, kPfxAny, kImmNone, ML, BS_HANDLERS(dec_rm), "base", BS_REG_HANDLERS(dec_rm)},
    {"inc", kMap1, 0x40, -1, -1, kModAny, kPfxAny, kImmNone, fa::OpReg | fa::Inv64, BS_HANDLERS(inc_r), "base"},
    {"dec", kMap1, 0x48, -1, -1, kModAny, kPfxAny, kImmNone, fa::OpReg | fa::Inv64, BS_HANDLERS(dec_r), "base"},

    {"daa", kMap1, 0x27, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(daa<false>), "base"},
    {"das", kMap1, 0x2f, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(daa<true>), "base"},
    {"aaa", kMap1, 0x37, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(aaa<false>), "base"},
    {"aas", kMap1, 0x3f, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(aaa<true>), "base"},
    {"aam", kMap1, 0xd4, -1, -1, kModAny, kPfxAny, kImmB, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(aam), "base"},
    {"aad", kMap1, 0xd5, -1, -1, kModAny, kPfxAny, kImmB, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(aad), "base"},
    {"salc", kMap1, 0xd6, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | fa::NoOpsize, BS_HANDLER1(salc), "base"},
};

}  // namespace

std::span<const Form> forms_alu() { return kForms; }

}  // namespace bs::cpu
