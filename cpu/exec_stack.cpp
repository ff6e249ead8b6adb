// Stack and near control transfer: PUSH/POP (all forms), PUSHA/POPA,
// PUSHF/POPF, ENTER/LEAVE, CALL/RET/JMP near, Jcc, LOOPcc, JrCXZ
// (SDM Vol. 1 §6.2–6.4, §7.3.8; Vol. 2 per instruction).
//
// Near branches in 64-bit mode always use a 64-bit operand size, ignoring
// 66h, as Intel processors do (AMD honours 66h and truncates RIP to 16 bits;
// see the vendor table in tests/difftest). Far transfers, IRET and segment
// register loads are in exec_system.cpp.
#include "families.h"
#include "operands.h"

namespace bs::cpu {

namespace {

constexpr uint32_t M = fa::ModRM;

uint64_t stack_mask(const CpuState& s) {
    return s.stack_size == 8 ? ~0ull : s.stack_size == 4 ? 0xffffffffull : 0xffffull;
}

// RSP after moving by `delta`, wrapped at the stack address size (the upper
// bits of ESP/RSP are kept for a 16-bit stack).
uint64_t moved_sp(const CpuState& s, int64_t delta) {
    const uint64_t mask = stack_mask(s);
    const uint64_t sp = s.gpr[RSP];
    return (sp & ~mask) | ((sp + static_cast<uint64_t>(delta)) & mask);
}

template <class T> void push(Cpu& c, T v) {
    const uint64_t sp = moved_sp(c.s, -static_cast<int64_t>(sizeof(T)));
    c.write<T>(c.linear(SS, sp & stack_mask(c.s), sizeof(T)), v);
    c.s.gpr[RSP] = sp;
}

template <class T> T peek(Cpu& c, unsigned offset = 0) {
    return c.read<T>(c.linear(SS, (c.s.gpr[RSP] + offset) & stack_mask(c.s), sizeof(T)));
}

template <class T> T pop(Cpu& c) {
    const T v = peek<T>(c);
    c.s.gpr[RSP] = moved_sp(c.s, sizeof(T));
    return v;
}

// Branch target wrapped to the operand size; non-canonical targets in
// 64-bit mode fault on the branch (#GP(0)).
void branch_to(Cpu& c, uint64_t target, unsigned opsize) {
    if (opsize == 2) target &= 0xffff;
    else if (opsize == 4) target &= 0xffffffff;
    else if (static_cast<uint64_t>(static_cast<int64_t>(target << 16) >> 16) != target) raise(kGP, 0);
    c.s.next_rip = target;
}

template <class T> void push_r(Cpu& c, const DecodedInsn& i) { push<T>(c, get_reg<T>(c.s, i.reg)); }
template <class T> void pop_r(Cpu& c, const DecodedInsn& i) {
    const T v = peek<T>(c);
    c.s.gpr[RSP] = moved_sp(c.s, sizeof(T));
    set_reg<T>(c.s, i.reg, v);  // POP RSP loads the popped value last
}
template <class T> void push_imm(Cpu& c, const DecodedInsn& i) { push<T>(c, imm<T>(i)); }
template <class T> void push_rm(Cpu& c, const DecodedInsn& i) { push<T>(c, read_rm<T>(c, i)); }

// 8F /0: a memory destination addressed through RSP uses the incremented RSP.
template <class T> void pop_rm(Cpu& c, const DecodedInsn& i) {
    const T v = peek<T>(c);
    const uint64_t old_sp = c.s.gpr[RSP];
    c.s.gpr[RSP] = moved_sp(c.s, sizeof(T));
    try {
        write_rm<T>(c, i, v);
    } catch (...) {
        c.s.gpr[RSP] = old_sp;
        throw;
    }
}

// PUSH ES/CS/SS/DS/FS/GS: the selector, zero-extended to the operand size
// (a 32/64-bit push writes the whole slot on current processors).
template <unsigned SR> struct PushSreg {
    template <class T> static void h(Cpu& c, const DecodedInsn&) { push<T>(c, static_cast<T>(c.s.seg[SR].selector)); }
};

template <class T> void pusha(Cpu& c, const DecodedInsn&) {
    const uint64_t sp0 = c.s.gpr[RSP];
    const unsigned order[8] = {RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI};
    c.probe_write(c.linear(SS, moved_sp(c.s, -8 * static_cast<int64_t>(sizeof(T))) & stack_mask(c.s)), 8 * sizeof(T));
    for (unsigned r : order) push<T>(c, static_cast<T>(r == RSP ? sp0 : c.s.gpr[r]));
}
template <class T> void popa(Cpu& c, const DecodedInsn&) {
    T v[8];
    for (unsigned k = 0; k < 8; ++k) v[k] = peek<T>(c, k * sizeof(T));
    const unsigned order[8] = {RDI, RSI, RBP, RSP, RBX, RDX, RCX, RAX};
    for (unsigned k = 0; k < 8; ++k) {
        if (order[k] != RSP) set_reg<T>(c.s, order[k], v[k]);
    }
    c.s.gpr[RSP] = moved_sp(c.s, 8 * sizeof(T));
}

// PUSHF pushes RFLAGS with VM and RF cleared.
template <class T> void pushf(Cpu& c, const DecodedInsn&) {
    if ((c.s.rflags & fl::VM) && ((c.s.rflags & fl::IOPL) >> 12) != 3) raise(kGP, 0);
    push<T>(c, static_cast<T>(get_rflags(c.s) & ~(fl::VM | fl::RF)));
}

// POPF: IF changes only when CPL <= IOPL, IOPL only at CPL 0 (real mode is
// CPL 0); VM, VIP and VIF are kept; RF is cleared. A 16-bit POPF leaves the
// upper flags alone. Virtual-8086 mode needs IOPL 3 (no VME).
template <class T> void popf(Cpu& c, const DecodedInsn&) {
    // Virtual-8086 mode without VME: IOPL 3 or #GP(0).
    if ((c.s.rflags & fl::VM) && ((c.s.rflags & fl::IOPL) >> 12) != 3) raise(kGP, 0);
    const uint64_t v = pop<T>(c);
    const uint64_t old = get_rflags(c.s);
    uint64_t writable = fl::Arith | fl::TF | fl::DF | fl::NT | fl::AC | fl::ID;
    const unsigned iopl = (old & fl::IOPL) >> 12;
    if (c.s.cpl <= iopl) writable |= fl::IF;
    if (c.s.cpl == 0) writable |= fl::IOPL;
    if (sizeof(T) == 2) writable &= 0xffff;
    set_rflags(c.s, ((old & ~writable) | (v & writable)) & ~fl::RF);
    c.flags_changed();
}

template <class T> void enter(Cpu& c, const DecodedInsn& i) {
    const unsigned level = i.imm2 & 31;
    const uint64_t size = static_cast<uint64_t>(i.imm & 0xffff);
    const uint64_t mask = stack_mask(c.s);
    const uint64_t rbp = c.s.gpr[RBP];
    uint64_t sp = c.s.gpr[RSP];
    auto put = [&](T v) {
        sp = (sp & ~mask) | ((sp - sizeof(T)) & mask);
        c.write<T>(c.linear(SS, sp & mask), v);
    };
    put(static_cast<T>(rbp));
    const uint64_t frame = sp;
    uint64_t bp = rbp;
    if (level > 0) {
        for (unsigned k = 1; k < level; ++k) {
            bp = (bp & ~mask) | ((bp - sizeof(T)) & mask);
            put(c.read<T>(c.linear(SS, bp & mask)));
        }
        put(static_cast<T>(frame));
    }
    const uint64_t new_sp = (sp & ~mask) | ((sp - size) & mask);
    // The final RSP must be writable too (SDM: ENTER checks the frame).
    if (size) c.probe_write(c.linear(SS, new_sp & mask), 1);
    set_reg<T>(c.s, RBP, static_cast<T>(frame));
    c.s.gpr[RSP] = new_sp;
}

template <class T> void leave(Cpu& c, const DecodedInsn&) {
    const uint64_t mask = stack_mask(c.s);
    const uint64_t sp = (c.s.gpr[RSP] & ~mask) | (c.s.gpr[RBP] & mask);
    const T v = c.read<T>(c.linear(SS, sp & mask));
    c.s.gpr[RSP] = (sp & ~mask) | ((sp + sizeof(T)) & mask);
    set_reg<T>(c.s, RBP, v);
}

// The tracer's view of near calls and returns (cpu/trace.h).
void trace_call(Cpu& c) {
    c.trace_sink()->call(c.trace_icount(), c.current_pc(), c.segment_base(CS) + c.s.next_rip, c.s.gpr[RSP]);
}
void trace_ret(Cpu& c) {
    c.trace_sink()->ret(c.trace_icount(), c.current_pc(), c.segment_base(CS) + c.s.next_rip, c.s.gpr[RSP]);
}

template <class T> void call_rel(Cpu& c, const DecodedInsn& i) {
    const uint64_t ret = c.s.next_rip;
    const uint64_t target = ret + i.imm;
    const uint64_t sp0 = c.s.gpr[RSP];
    push<T>(c, static_cast<T>(ret));
    try {
        branch_to(c, target, sizeof(T));
    } catch (...) {
        c.s.gpr[RSP] = sp0;
        throw;
    }
    if (c.trace_sink()) [[unlikely]] trace_call(c);
}
template <class T> void call_rm(Cpu& c, const DecodedInsn& i) {
    const uint64_t target = read_rm<T>(c, i);
    const uint64_t ret = c.s.next_rip;
    const uint64_t sp0 = c.s.gpr[RSP];
    push<T>(c, static_cast<T>(ret));
    try {
        branch_to(c, target, sizeof(T));
    } catch (...) {
        c.s.gpr[RSP] = sp0;
        throw;
    }
    if (c.trace_sink()) [[unlikely]] trace_call(c);
}
template <class T> void jmp_rel(Cpu& c, const DecodedInsn& i) { branch_to(c, c.s.next_rip + i.imm, sizeof(T)); }
template <class T> void jmp_rm(Cpu& c, const DecodedInsn& i) { branch_to(c, read_rm<T>(c, i), sizeof(T)); }

template <class T> void ret(Cpu& c, const DecodedInsn& i) {
    const uint64_t target = peek<T>(c);
    branch_to(c, target, sizeof(T));
    c.s.gpr[RSP] = moved_sp(c.s, static_cast<int64_t>(sizeof(T) + (i.imm & 0xffff)));
    if (c.trace_sink()) [[unlikely]] trace_ret(c);
}

// One handler per condition code: the condition is evaluated from the lazy
// flags with no switch on the code.
template <unsigned CC> struct Jcc {
    template <class T> static void h(Cpu& c, const DecodedInsn& i) {
        if (cond<CC>(c.s)) branch_to(c, c.s.next_rip + i.imm, sizeof(T));
    }
};

// LOOP/LOOPE/LOOPNE/JrCXZ count with the address size.
uint64_t count_reg(const CpuState& s, unsigned addrsize) {
    const uint64_t rcx = s.gpr[RCX];
    return addrsize == 8 ? rcx : addrsize == 4 ? static_cast<uint32_t>(rcx) : static_cast<uint16_t>(rcx);
}
void set_count_reg(CpuState& s, unsigned addrsize, uint64_t v) {
    if (addrsize == 8) s.gpr[RCX] = v;
    else if (addrsize == 4) s.gpr[RCX] = static_cast<uint32_t>(v);
    else s.gpr[RCX] = (s.gpr[RCX] & ~0xffffull) | (v & 0xffff);
}
template <class T, int KIND> void loop(Cpu& c, const DecodedInsn& i) {  // KIND: 0 LOOPNE, 1 LOOPE, 2 LOOP
    const uint64_t n = count_reg(c.s, i.addrsize) - 1;
    bool take = n != 0;
    if (KIND == 0) take = take && !cond(c.s, 4);
    if (KIND == 1) take = take && cond(c.s, 4);
    if (take) branch_to(c, c.s.next_rip + i.imm, sizeof(T));
    set_count_reg(c.s, i.addrsize, n);
}
template <class T> void loopne(Cpu& c, const DecodedInsn& i) { loop<T, 0>(c, i); }
template <class T> void loope(Cpu& c, const DecodedInsn& i) { loop<T, 1>(c, i); }
template <class T> void loop_(Cpu& c, const DecodedInsn& i) { loop<T, 2>(c, i); }
template <class T> void jrcxz(Cpu& c, const DecodedInsn& i) {
    if (count_reg(c.s, i.addrsize) == 0) branch_to(c, c.s.next_rip + i.imm, sizeof(T));
}

constexpr uint32_t B = fa::Branch;
constexpr uint32_t BF = fa::Branch | fa::Force64;

#define JCC(name, cc)                                                                                        \
    {name, kMap1, 0x70 + cc, -1, -1, kModAny, kPfxAny, kRelB, BF, BS_HANDLERS(Jcc<cc>::h), "base"},          \
    {name, kMap0F, 0x80 + cc, -1, -1, kModAny, kPfxAny, kRelZ, BF, BS_HANDLERS(Jcc<cc>::h), "base"}

const Form kForms[] = {
    {"push", kMap1, 0x50, -1, -1, kModAny, kPfxAny, kImmNone, fa::OpReg | fa::Def64, BS_HANDLERS(push_r), "base"},
    {"pop", kMap1, 0x58, -1, -1, kModAny, kPfxAny, kImmNone, fa::OpReg | fa::Def64, BS_HANDLERS(pop_r), "base"},
    {"push", kMap1, 0x68, -1, -1, kModAny, kPfxAny, kImmZ, fa::Def64, BS_HANDLERS(push_imm), "base"},
    {"push", kMap1, 0x6a, -1, -1, kModAny, kPfxAny, kImmB, fa::Def64, BS_HANDLERS(push_imm), "base"},
    {"push", kMap1, 0xff, 6, -1, kModAny, kPfxAny, kImmNone, M | fa::Def64, BS_HANDLERS(push_rm), "base"},
    {"pop", kMap1, 0x8f, 0, -1, kModAny, kPfxAny, kImmNone, M | fa::Def64, BS_HANDLERS(pop_rm), "base"},
    {"push", kMap1, 0x06, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64, BS_HANDLERS(PushSreg<ES>::h), "base"},
    {"push", kMap1, 0x0e, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64, BS_HANDLERS(PushSreg<CS>::h), "base"},
    {"push", kMap1, 0x16, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64, BS_HANDLERS(PushSreg<SS>::h), "base"},
    {"push", kMap1, 0x1e, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64, BS_HANDLERS(PushSreg<DS>::h), "base"},
    {"push", kMap0F, 0xa0, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64, BS_HANDLERS(PushSreg<FS>::h), "base"},
    {"push", kMap0F, 0xa8, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64, BS_HANDLERS(PushSreg<GS>::h), "base"},
    {"pusha", kMap1, 0x60, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64, BS_HANDLERS(pusha), "base"},
    {"popa", kMap1, 0x61, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64, BS_HANDLERS(popa), "base"},
    {"pushf", kMap1, 0x9c, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64, BS_HANDLERS(pushf), "base"},
    {"popf", kMap1, 0x9d, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64 | fa::Serializing, BS_HANDLERS(popf), "base"},
    {"enter", kMap1, 0xc8, -1, -1, kModAny, kPfxAny, kImmWB, fa::Def64, BS_HANDLERS(enter), "base"},
    {"leave", kMap1, 0xc9, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64, BS_HANDLERS(leave), "base"},

    {"call", kMap1, 0xe8, -1, -1, kModAny, kPfxAny, kRelZ, BF, BS_HANDLERS(call_rel), "base"},
    {"call", kMap1, 0xff, 2, -1, kModAny, kPfxAny, kImmNone, M | BF, BS_HANDLERS(call_rm), "base"},
    {"jmp", kMap1, 0xe9, -1, -1, kModAny, kPfxAny, kRelZ, BF, BS_HANDLERS(jmp_rel), "base"},
    {"jmp", kMap1, 0xeb, -1, -1, kModAny, kPfxAny, kRelB, BF, BS_HANDLERS(jmp_rel), "base"},
    {"jmp", kMap1, 0xff, 4, -1, kModAny, kPfxAny, kImmNone, M | BF, BS_HANDLERS(jmp_rm), "base"},
    {"ret", kMap1, 0xc3, -1, -1, kModAny, kPfxAny, kImmNone, BF, BS_HANDLERS(ret), "base"},
    {"ret", kMap1, 0xc2, -1, -1, kModAny, kPfxAny, kImmW, BF, BS_HANDLERS(ret), "base"},
    {"loopne", kMap1, 0xe0, -1, -1, kModAny, kPfxAny, kRelB, BF, BS_HANDLERS(loopne), "base"},
    {"loope", kMap1, 0xe1, -1, -1, kModAny, kPfxAny, kRelB, BF, BS_HANDLERS(loope), "base"},
    {"loop", kMap1, 0xe2, -1, -1, kModAny, kPfxAny, kRelB, BF, BS_HANDLERS(loop_), "base"},
    {"jrcxz", kMap1, 0xe3, -1, -1, kModAny, kPfxAny, kRelB, BF, BS_HANDLERS(jrcxz), "base"},
    JCC("jo", 0x0), JCC("jno", 0x1), JCC("jb", 0x2), JCC("jnb", 0x3),
    JCC("jz", 0x4), JCC("jnz", 0x5), JCC("jbe", 0x6), JCC("jnbe", 0x7),
    JCC("js", 0x8), JCC("jns", 0x9), JCC("jp", 0xa), JCC("jnp", 0xb),
    JCC("jl", 0xc), JCC("jnl", 0xd), JCC("jle", 0xe), JCC("jnle", 0xf),
};

}  // namespace

std::span<const Form> forms_stack() { return kForms; }

}  // namespace bs::cpu
