// Data movement and exchange: MOV, MOVSX/MOVZX/MOVSXD, LEA, XCHG, XADD,
// CMPXCHG, CMPXCHG8B/16B, CBW…CQO, LAHF/SAHF, the flag instructions, NOPs
// (SDM Vol. 1 §7.3.1, §7.3.14; Vol. 2 per instruction).
#include "families.h"
#include "operands.h"

namespace bs::cpu {

namespace {

constexpr uint32_t M = fa::ModRM;

template <class T, Rm R = Rm::Any> void mov_rm_r(Cpu& c, const DecodedInsn& i) {
    write_rm<T, R>(c, i, get_reg<T>(c.s, i.reg));
}
template <class T, Rm R = Rm::Any> void mov_r_rm(Cpu& c, const DecodedInsn& i) {
    set_reg<T>(c.s, i.reg, read_rm<T, R>(c, i));
}
template <class T, Rm R = Rm::Any> void mov_rm_imm(Cpu& c, const DecodedInsn& i) { write_rm<T, R>(c, i, imm<T>(i)); }
template <class T> void mov_r_imm(Cpu& c, const DecodedInsn& i) { set_reg<T>(c.s, i.reg, imm<T>(i)); }

// A0..A3: MOV AL/rAX <-> moffs (address-size offset, segment DS or override).
uint64_t moffs_linear(const Cpu& c, const DecodedInsn& i, unsigned size) {
    uint64_t off = i.imm;
    if (i.addrsize == 4) off = static_cast<uint32_t>(off);
    if (i.addrsize == 2) off = static_cast<uint16_t>(off);
    return c.linear(i.seg, off, size);
}
template <class T> void mov_a_moffs(Cpu& c, const DecodedInsn& i) {
    set_reg<T>(c.s, RAX, c.read<T>(moffs_linear(c, i, sizeof(T))));
}
template <class T> void mov_moffs_a(Cpu& c, const DecodedInsn& i) {
    c.write<T>(moffs_linear(c, i, sizeof(T)), get_reg<T>(c.s, RAX));
}

// 8C: MOV r/m16, Sreg. A register destination gets the selector zero-extended
// to the operand size; a memory destination is always 16 bits.
template <class T> void mov_rm_sreg(Cpu& c, const DecodedInsn& i) {
    const unsigned sr = (i.modrm >> 3) & 7;
    if (sr > GS) raise(kUD);
    const uint16_t sel = c.s.seg[sr].selector;
    if (i.is_mem()) c.write<uint16_t>(mem_linear(c, i, 2), sel);
    else set_reg<T>(c.s, i.rm, static_cast<T>(sel));
}

// MOVZX/MOVSX with a source of type S into a destination of type T.
template <class T, class S, Rm R = Rm::Any> void movzx(Cpu& c, const DecodedInsn& i) {
    set_reg<T>(c.s, i.reg, static_cast<T>(read_rm<S, R>(c, i)));
}
template <class T, class S, Rm R = Rm::Any> void movsx(Cpu& c, const DecodedInsn& i) {
    const S v = read_rm<S, R>(c, i);
    set_reg<T>(c.s, i.reg, static_cast<T>(static_cast<Signed<T>>(static_cast<Signed<S>>(v))));
}
// The byte-source forms decode with legacy byte registers only when the
// *source* is 8-bit; the decoder numbers rm by the operand size, so remap.
template <Rm R = Rm::Any> uint8_t read_byte_source(Cpu& c, const DecodedInsn& i) {
    if (R == Rm::Any && i.mod != 3) return c.read<uint8_t>(mem_linear(c, i));
    const unsigned rm = (!i.rex && i.rm >= 4 && i.rm < 8) ? kAH + i.rm - 4 : i.rm;
    return get_reg<uint8_t>(c.s, rm);
}
template <class T, Rm R = Rm::Any> void movzx_b(Cpu& c, const DecodedInsn& i) {
    set_reg<T>(c.s, i.reg, static_cast<T>(read_byte_source<R>(c, i)));
}
template <class T, Rm R = Rm::Any> void movsx_b(Cpu& c, const DecodedInsn& i) {
    const auto v = static_cast<int8_t>(read_byte_source<R>(c, i));
    set_reg<T>(c.s, i.reg, static_cast<T>(static_cast<Signed<T>>(v)));
}
template <class T, Rm R = Rm::Any> void movzx_w(Cpu& c, const DecodedInsn& i) { movzx<T, uint16_t, R>(c, i); }
template <class T, Rm R = Rm::Any> void movsx_w(Cpu& c, const DecodedInsn& i) { movsx<T, uint16_t, R>(c, i); }
// 63: MOVSXD r, r/m32 (without REX.W it moves 32 or 16 bits unchanged).
template <class T> void movsxd(Cpu& c, const DecodedInsn& i) {
    if constexpr (sizeof(T) == 8) movsx<uint64_t, uint32_t>(c, i);
    else mov_r_rm<T>(c, i);
}

// 8D: LEA r, m (kModMem: a register operand decodes to #UD).
template <class T> void lea(Cpu& c, const DecodedInsn& i) {
    set_reg<T>(c.s, i.reg, static_cast<T>(c.effective_address(i)));
}

template <class T> void xchg_rm_r(Cpu& c, const DecodedInsn& i) {
    const T a = read_rm<T>(c, i), b = get_reg<T>(c.s, i.reg);
    write_rm<T>(c, i, b);
    set_reg<T>(c.s, i.reg, a);
}
// 90+r: XCHG rAX, r. Plain 90 (no REX.B) is NOP — also in 64-bit mode, where
// XCHG EAX, EAX would otherwise zero-extend RAX. F3 90 is PAUSE.
template <class T> void xchg_a_r(Cpu& c, const DecodedInsn& i) {
    if (i.reg == RAX) return;
    const T a = get_reg<T>(c.s, RAX), b = get_reg<T>(c.s, i.reg);
    set_reg<T>(c.s, RAX, b);
    set_reg<T>(c.s, i.reg, a);
}

// XADD: the memory write (which may fault) first; with two registers the
// destination is written last, so XADD r, r (same register) ends with the sum.
template <class T> void xadd(Cpu& c, const DecodedInsn& i) {
    const T dst = read_rm<T>(c, i), src = get_reg<T>(c.s, i.reg);
    const T sum = static_cast<T>(dst + src);
    if (i.is_mem()) c.write<T>(mem_linear(c, i, sizeof(T)), sum);
    set_reg<T>(c.s, i.reg, dst);
    if (!i.is_mem()) set_reg<T>(c.s, i.rm, sum);
    set_flags(c.s, FlagOp::Add, sizeof(T), sum, dst, src);
}

// CMPXCHG: compare accumulator with r/m; equal → r/m = reg, else accumulator
// = r/m. The destination is written in both cases (with its old value when
// unequal), as the processor does for the LOCK protocol.
template <class T> void cmpxchg(Cpu& c, const DecodedInsn& i) {
    const T dst = read_rm<T>(c, i), acc = get_reg<T>(c.s, RAX);
    const bool eq = acc == dst;
    if (i.is_mem()) c.write<T>(mem_linear(c, i, sizeof(T)), eq ? get_reg<T>(c.s, i.reg) : dst);
    else if (eq) set_reg<T>(c.s, i.rm, get_reg<T>(c.s, i.reg));
    if (!eq) set_reg<T>(c.s, RAX, dst);
    set_flags(c.s, FlagOp::Sub, sizeof(T), static_cast<T>(acc - dst), acc, dst);
}

// 0F C7 /1: CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; 16-byte aligned or #GP).
template <class T> void cmpxchg8b(Cpu& c, const DecodedInsn& i) {
    const uint64_t lin = mem_linear(c, i);
    materialize(c.s);
    if constexpr (sizeof(T) == 8) {
        if (lin & 15) raise(kGP, 0);
        const uint64_t lo = c.read<uint64_t>(lin), hi = c.read<uint64_t>(lin + 8);
        const bool eq = lo == c.s.gpr[RAX] && hi == c.s.gpr[RDX];
        const uint64_t wlo = eq ? c.s.gpr[RBX] : lo, whi = eq ? c.s.gpr[RCX] : hi;
        c.probe_write(lin, 16);
        c.write<uint64_t>(lin, wlo);
        c.write<uint64_t>(lin + 8, whi);
        if (!eq) c.s.gpr[RAX] = lo, c.s.gpr[RDX] = hi;
        put_flag(c.s, fl::ZF, eq);
    } else {
        const uint64_t old = c.read<uint64_t>(lin);
        const uint64_t cmp = (c.s.gpr[RDX] & 0xffffffff) << 32 | (c.s.gpr[RAX] & 0xffffffff);
        const bool eq = old == cmp;
        const uint64_t with = (c.s.gpr[RCX] & 0xffffffff) << 32 | (c.s.gpr[RBX] & 0xffffffff);
        c.write<uint64_t>(lin, eq ? with : old);
        if (!eq) {
            c.s.gpr[RAX] = static_cast<uint32_t>(old);
            c.s.gpr[RDX] = old >> 32;
        }
        put_flag(c.s, fl::ZF, eq);
    }
}

// 98: CBW/CWDE/CDQE; 99: CWD/CDQ/CQO.
template <class T> void cbw(Cpu& c, const DecodedInsn&) {
    using H = std::conditional_t<sizeof(T) == 2, int8_t, std::conditional_t<sizeof(T) == 4, int16_t, int32_t>>;
    const auto half = static_cast<H>(c.s.gpr[RAX]);
    set_reg<T>(c.s, RAX, static_cast<T>(static_cast<Signed<T>>(half)));
}
template <class T> void cwd(Cpu& c, const DecodedInsn&) {
    const T a = get_reg<T>(c.s, RAX);
    set_reg<T>(c.s, RDX, (a & kSignBit<T>) ? static_cast<T>(~T(0)) : T(0));
}

// LAHF/SAHF move SF ZF AF PF CF through AH (bit 1 reads as 1).
void lahf(Cpu& c, const DecodedInsn&) {
    const auto f = static_cast<uint8_t>(get_rflags(c.s) & 0xd5) | 0x02;
    set_reg<uint8_t>(c.s, kAH, f);
}
void sahf(Cpu& c, const DecodedInsn&) {
    const uint64_t ah = get_reg<uint8_t>(c.s, kAH) & 0xd5;
    set_rflags(c.s, (get_rflags(c.s) & ~uint64_t{0xd5}) | ah);
}

void clc(Cpu& c, const DecodedInsn&) { materialize(c.s); put_flag(c.s, fl::CF, false); }
void stc(Cpu& c, const DecodedInsn&) { materialize(c.s); put_flag(c.s, fl::CF, true); }
void cmc(Cpu& c, const DecodedInsn&) { materialize(c.s); c.s.rflags ^= fl::CF; }
void cld(Cpu& c, const DecodedInsn&) { c.s.rflags &= ~fl::DF; }
void std_(Cpu& c, const DecodedInsn&) { c.s.rflags |= fl::DF; }

// 0F 1F /0, 0F 18..1F hints, prefetches, ENDBR32/64 (CET is not enabled):
// architecturally no operation (no memory access is made, so they cannot fault).
void nop(Cpu&, const DecodedInsn&) {}

// D7: XLAT — AL = [seg:rBX + AL], the sum wrapped at the address size.
void xlat(Cpu& c, const DecodedInsn& i) {
    uint64_t off = c.s.gpr[RBX] + (c.s.gpr[RAX] & 0xff);
    if (i.addrsize == 4) off = static_cast<uint32_t>(off);
    if (i.addrsize == 2) off = static_cast<uint16_t>(off);
    set_reg<uint8_t>(c.s, RAX, c.read<uint8_t>(c.linear(i.seg, off)));
}

const Form kForms[] = {
    {"mov", kMap1, 0x88, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte, BS_HANDLERS(mov_rm_r), "base", BS_REG_HANDLERS(mov_rm_r)},
    {"mov", kMap1, 0x89, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_r), "base", BS_REG_HANDLERS(mov_rm_r)},
    {"mov", kMap1, 0x8a, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte, BS_HANDLERS(mov_r_rm), "base", BS_REG_HANDLERS(mov_r_rm)},
    {"mov", kMap1, 0x8b, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_r_rm), "base", BS_REG_HANDLERS(mov_r_rm)},
    {"mov", kMap1, 0x8c, 0, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_sreg), "base"},
    {"mov", kMap1, 0x8c, 1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_sreg), "base"},
    {"mov", kMap1, 0x8c, 2, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_sreg), "base"},
    {"mov", kMap1, 0x8c, 3, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_sreg), "base"},
    {"mov", kMap1, 0x8c, 4, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_sreg), "base"},
    {"mov", kMap1, 0x8c, 5, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(mov_rm_sreg), "base"},
    {"mov", kMap1, 0xc6, 0, -1, kModAny, kPfxAny, kImmB, M | fa::Byte, BS_HANDLERS(mov_rm_imm), "base", BS_REG_HANDLERS(mov_rm_imm)},
    {"mov", kMap1, 0xc7, 0, -1, kModAny, kPfxAny, kImmZ, M, BS_HANDLERS(mov_rm_imm), "base", BS_REG_HANDLERS(mov_rm_imm)},
    {"mov", kMap1, 0xb0, -1, -1, kModAny, kPfxAny, kImmB, fa::OpReg | fa::Byte, BS_HANDLERS(mov_r_imm), "base"},
    {"mov", kMap1, 0xb8, -1, -1, kModAny, kPfxAny, kImmV, fa::OpReg, BS_HANDLERS(mov_r_imm), "base"},
    {"mov", kMap1, 0xa0, -1, -1, kModAny, kPfxAny, kImmMoffs, fa::Byte, BS_HANDLERS(mov_a_moffs), "base"},
    {"mov", kMap1, 0xa1, -1, -1, kModAny, kPfxAny, kImmMoffs, 0, BS_HANDLERS(mov_a_moffs), "base"},
    {"mov", kMap1, 0xa2, -1, -1, kModAny, kPfxAny, kImmMoffs, fa::Byte, BS_HANDLERS(mov_moffs_a), "base"},
    {"mov", kMap1, 0xa3, -1, -1, kModAny, kPfxAny, kImmMoffs, 0, BS_HANDLERS(mov_moffs_a), "base"},
    {"movzx", kMap0F, 0xb6, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(movzx_b), "base", BS_REG_HANDLERS(movzx_b)},
    {"movzx", kMap0F, 0xb7, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(movzx_w), "base", BS_REG_HANDLERS(movzx_w)},
    {"movsx", kMap0F, 0xbe, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(movsx_b), "base", BS_REG_HANDLERS(movsx_b)},
    {"movsx", kMap0F, 0xbf, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLERS(movsx_w), "base", BS_REG_HANDLERS(movsx_w)},
    {"movsxd", kMap1, 0x63, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Only64, BS_HANDLERS(movsxd), "base"},
    {"lea", kMap1, 0x8d, -1, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLERS(lea), "base"},
    {"xchg", kMap1, 0x86, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte | fa::Lockable, BS_HANDLERS(xchg_rm_r), "base"},
    {"xchg", kMap1, 0x87, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Lockable, BS_HANDLERS(xchg_rm_r), "base"},
    {"xchg", kMap1, 0x90, -1, -1, kModAny, kPfxAny, kImmNone, fa::OpReg, BS_HANDLERS(xchg_a_r), "base"},
    {"xadd", kMap0F, 0xc0, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte | fa::Lockable, BS_HANDLERS(xadd), "base"},
    {"xadd", kMap0F, 0xc1, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Lockable, BS_HANDLERS(xadd), "base"},
    {"cmpxchg", kMap0F, 0xb0, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Byte | fa::Lockable, BS_HANDLERS(cmpxchg), "base"},
    {"cmpxchg", kMap0F, 0xb1, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::Lockable, BS_HANDLERS(cmpxchg), "base"},
    {"cmpxchg8b", kMap0F, 0xc7, 1, -1, kModMem, kPfxAny, kImmNone, M | fa::Lockable, BS_HANDLERS(cmpxchg8b), "base"},
    {"cbw", kMap1, 0x98, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLERS(cbw), "base"},
    {"cwd", kMap1, 0x99, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLERS(cwd), "base"},
    {"lahf", kMap1, 0x9f, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(lahf), "base"},
    {"sahf", kMap1, 0x9e, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(sahf), "base"},
    {"clc", kMap1, 0xf8, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(clc), "base"},
    {"stc", kMap1, 0xf9, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(stc), "base"},
    {"cmc", kMap1, 0xf5, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(cmc), "base"},
    {"cld", kMap1, 0xfc, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(cld), "base"},
    {"std", kMap1, 0xfd, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(std_), "base"},
    {"prefetchnta", kMap0F, 0x18, 0, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "sse"},
    {"prefetcht0", kMap0F, 0x18, 1, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "sse"},
    {"prefetcht1", kMap0F, 0x18, 2, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "sse"},
    {"prefetcht2", kMap0F, 0x18, 3, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "sse"},
    // Reserved-NOP space 0F 18..1F (SDM Vol. 2 NOP, "hint" opcodes); the
    // specific forms above and below win over these catch-all rows.
    {"endbr64", kMap0F, 0x1e, 7, 2, kModReg, kPfxF3, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"endbr32", kMap0F, 0x1e, 7, 3, kModReg, kPfxF3, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x18, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x19, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x1a, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x1b, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x1c, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x1d, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x1e, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"nop", kMap0F, 0x1f, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(nop), "base"},
    {"xlat", kMap1, 0xd7, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(xlat), "base"},
};

}  // namespace

std::span<const Form> forms_move() { return kForms; }

}  // namespace bs::cpu
