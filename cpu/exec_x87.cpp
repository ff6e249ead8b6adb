// Instruction family 'x87': the x87 FPU. SDM Vol. 1 ch. 8 (programming with
// the x87 FPU), Vol. 2 "F2XM1" .. "FYL2XP1", "WAIT/FWAIT"; opcode map: Vol. 2
// appendix A.5 (D8..DF, with ModRM.reg selecting memory forms and the whole
// ModRM byte selecting register forms).
//
// Arithmetic runs on the host's own x87 unit (x87_host.h): the guest's
// instruction, operands renumbered, under the guest's FCW and with the
// guest's C0..C3 preloaded. Results, exception flags, C0..C3 (including the
// "undefined" ones, which the host leaves alone), precision and rounding
// control and unmasked-exception responses are therefore those of the
// silicon. Emulated here: the register stack, TOP and tags, stack
// overflow/underflow (IE|SF, C1), #NM, pending #MF, the instruction/operand
// pointers, the moves and the control instructions. The test "every form
// matches the host FPU" (tests/cpu/test_x87.cpp) runs each form natively and
// emulated on random states and compares the FNSAVE images.
//
// Behaviour the SDM leaves open, matched to the reference host (an Intel core
// with CPUID.7.EBX FDP_EXCPTN_ONLY and FCS/FDS deprecation), checked on it:
//   - FCOMI/FUCOMI(P), FCMOVcc, FNOP keep C0..C3 (the SDM says FCOMI clears
//     C1); FFREE, FINCSTP, FDECSTP, FXCH, FST ST(i) clear C1 and keep the rest.
//   - Stack underflow: compares report unordered (C3 C2 C0, or ZF PF CF) even
//     with IE unmasked; FPREM/FPREM1/FSIN/FCOS/FPTAN/FSINCOS clear C2; FLD
//     ST(i) reports underflow before overflow. FSTPNCE (D9 D8+i) of an empty
//     ST(0) only pops.
//   - FLD m32fp/m64fp pushes despite an unmasked denormal exception.
//   - FIP is written by every non-control instruction; FOP and FDP only by an
//     instruction that raises an unmasked exception (FDP only if it has a
//     memory operand); FCS and FDS are always 0.
//   - FNSTENV/FNSAVE write 0xFFFF into the reserved upper halves (32-bit
//     formats). ES and B are recomputed from the flags and masks whenever
//     either changes.
//   - FCW bits 7 and 13..15 read 0, bit 6 reads 1.
//   - With CR0.NE = 0 a pending exception is ignored (no FERR#/IRQ 13 path).
// Forms not listed decode to #UD.
#include <cstring>

#include "families.h"
#include "operands.h"
#include "x87.h"
#include "x87_host.h"

namespace bs::cpu {
namespace {

using x87host::F80;
using x87::kTagEmpty;

// The QNaN floating-point indefinite (SDM Vol. 1 §4.8.3.7).
constexpr uint8_t kIndefinite[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};

// ---- the register stack ----

unsigned top(const X87& f) { return (f.fsw >> 11) & 7; }
void set_top(X87& f, unsigned t) {
    f.fsw = static_cast<uint16_t>((f.fsw & ~fsw::TopMask) | ((t & 7) << 11));
}
unsigned phys(const X87& f, unsigned i) { return (top(f) + i) & 7; }
unsigned tag(const X87& f, unsigned p) { return (f.ftw >> (2 * p)) & 3; }
void set_tag(X87& f, unsigned p, unsigned t) {
    f.ftw = static_cast<uint16_t>((f.ftw & ~(3u << (2 * p))) | (t << (2 * p)));
}
bool empty(const X87& f, unsigned i) { return tag(f, phys(f, i)) == kTagEmpty; }

F80 get(const X87& f, unsigned i) {
    F80 v{};
    std::memcpy(v.b, f.regs[phys(f, i)], 10);
    return v;
}
void put(X87& f, unsigned i, const uint8_t* v) {
    const unsigned p = phys(f, i);
    std::memcpy(f.regs[p], v, 10);
    set_tag(f, p, x87::tag_of(f.regs[p]));
}
void push(X87& f, const uint8_t* v) {
    set_top(f, top(f) - 1);
    put(f, 0, v);
}
void pop(X87& f) {
    set_tag(f, phys(f, 0), kTagEmpty);
    set_top(f, top(f) + 1);
}
void set_cc(X87& f, uint16_t mask, uint16_t bits) {
    f.fsw = static_cast<uint16_t>((f.fsw & ~mask) | (bits & mask));
}
bool ie_masked(const X87& f) { return f.fcw & fsw::IE; }

// Stack overflow/underflow (SDM Vol. 1 §8.5.1.1): IE and SF, C1 = 1 for
// overflow, 0 for underflow. Returns the flags to raise.
uint16_t stack_fault(X87& f, bool overflow) {
    set_cc(f, fsw::C1, overflow ? fsw::C1 : 0);
    return fsw::IE | fsw::SF;
}

// ---- entry, exit and exceptions ----

// Every x87 instruction but WAIT: #NM when CR0.EM or CR0.TS (SDM Vol. 3A
// table 2-2). Waiting instructions then deliver a pending unmasked exception
// as #MF (CR0.NE = 1, SDM Vol. 1 §8.7) before doing anything.
X87& enter(Cpu& c, bool waiting = true) {
    if (c.s.cr0 & (cr0::EM | cr0::TS)) raise(kNM);
    if (waiting && (c.s.fpu.fsw & fsw::ES) && (c.s.cr0 & cr0::NE)) raise(kMF);
    return c.s.fpu;
}

// Ends a non-control instruction: raises `flags`, records the pointers
// (see the file comment) and recomputes ES/B.
void finish(Cpu& c, const DecodedInsn& i, uint16_t flags) {
    X87& f = c.s.fpu;
    f.fsw |= flags;
    f.fip = c.s.rip;
    f.fcs = 0;
    if (flags & ~f.fcw & fsw::Exc) {
        f.fop = static_cast<uint16_t>(((i.form->opcode & 7) << 8) | i.modrm);
        if (i.is_mem()) {
            f.fdp = c.effective_address(i);
            f.fds = 0;
        }
    }
    x87::update_es(f);
}

// What the host's status word says the instruction does with its result:
// nothing after an unmasked invalid-operation, denormal or zero-divide
// exception (SDM Vol. 1 §8.5: destination and stack unchanged); nothing to
// memory after an unmasked overflow or underflow (§8.5.4, §8.5.5). A load
// (FLD m32fp/m64fp) pushes its value despite an unmasked denormal exception,
// as the reference host does.
enum class Dest : uint8_t { Reg, Mem, Load };
struct Outcome {
    bool write;
    uint16_t flags;
};
Outcome classify(const X87& f, uint16_t host_sw, Dest dest = Dest::Reg) {
    const uint16_t flags = host_sw & fsw::Exc;
    const uint16_t unmasked = flags & ~f.fcw & fsw::Exc;
    const uint16_t blocking = dest == Dest::Load ? fsw::IE | fsw::ZE : fsw::IE | fsw::DE | fsw::ZE;
    if (unmasked & blocking) return {false, flags};
    const bool mem_dest = dest == Dest::Mem;
    if (mem_dest && (unmasked & (fsw::OE | fsw::UE))) return {false, flags};
    return {true, flags};
}

// Runs host instruction `Op ModRM` under the guest's FCW.
template <uint8_t Op, uint8_t ModRM, int In, int Out>
uint16_t host(const X87& f, F80* st, void* mem = nullptr) {
    x87host::HostFpu guard(f.fcw, f.fsw);
    return x87host::exec<Op, ModRM, In, Out>(st, mem);
}
// The same for a register form: guest ST(i) is host ST(1) (or ST(0) itself).
template <uint8_t Op, uint8_t ModRM, int In, int Out>
uint16_t host_st(const X87& f, unsigned sti, F80* st) {
    return sti ? host<Op, ModRM | 1, In, Out>(f, st) : host<Op, ModRM, In, Out>(f, st);
}

// Memory operands by size: integers and floats of 2, 4, 8 bytes; 10 bytes
// for m80fp and m80bcd.
struct M80 {
    uint8_t b[10];
};
template <class M> M read_m(Cpu& c, uint64_t lin) {
    if constexpr (sizeof(M) == 10) {
        M m;
        c.read_bytes(lin, m.b, 10);
        return m;
    } else {
        return c.read<M>(lin);
    }
}
// An 80-bit store is two stores, the 8-byte significand then the 2-byte
// sign/exponent: one straddling into an unmapped page leaves the first part
// written before the #PF, as the host does.
template <class M> void write_m(Cpu& c, uint64_t lin, const M& m) {
    if constexpr (sizeof(M) == 10) {
        uint64_t lo;
        uint16_t hi;
        std::memcpy(&lo, m.b, 8);
        std::memcpy(&hi, m.b + 8, 2);
        c.write<uint64_t>(lin, lo);
        c.write<uint16_t>(lin + 8, hi);
    } else {
        c.write<M>(lin, m);
    }
}

constexpr uint8_t mem_modrm(unsigned reg) { return static_cast<uint8_t>((reg << 3) | 7); }  // [rdi]
constexpr uint8_t reg_modrm(unsigned reg) { return static_cast<uint8_t>(0xc0 | (reg << 3)); }

// ---- arithmetic: FADD FMUL FSUB FSUBR FDIV FDIVR (Reg = ModRM.reg) ----

// D8 C0+r: ST(0) = ST(0) op ST(i). DC C0+r: ST(i) = ST(i) op ST(0).
// DE C0+r: as DC, then pop (the host runs the DC form).
template <unsigned Reg, bool ToSti, bool Pop>
void arith_st(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7, dst = ToSti ? sti : 0;
    uint16_t flags;
    if (empty(f, 0) || empty(f, sti)) {
        flags = stack_fault(f, false);
        if (!ie_masked(f)) return finish(c, i, flags);
        put(f, dst, kIndefinite);
    } else {
        F80 st[2] = {get(f, 0), get(f, sti)};
        const uint16_t sw = host_st<ToSti ? 0xdc : 0xd8, reg_modrm(Reg), 2, 2>(f, sti, st);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (!o.write) return finish(c, i, flags);
        put(f, dst, st[dst ? 1 : 0].b);
    }
    if (Pop) pop(f);
    finish(c, i, flags);
}

// D8 /r m32fp, DC /r m64fp, DA /r m32int, DE /r m16int: ST(0) = ST(0) op m.
template <uint8_t Op, unsigned Reg, class M>
void arith_mem(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    M m = read_m<M>(c, mem_linear(c, i));
    uint16_t flags;
    if (empty(f, 0)) {
        flags = stack_fault(f, false);
        if (ie_masked(f)) put(f, 0, kIndefinite);
    } else {
        F80 st[1] = {get(f, 0)};
        const uint16_t sw = host<Op, mem_modrm(Reg), 1, 1>(f, st, &m);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (o.write) put(f, 0, st[0].b);
    }
    finish(c, i, flags);
}

// ---- comparisons ----

// FCOM/FCOMP/FCOMPP (host D8 D0+i) and FUCOM/FUCOMP/FUCOMPP (host DD E0+i):
// C3 C2 C0 from the comparison, C1 = 0; stack underflow compares unordered
// (also when IE is unmasked, as the host does).
template <bool Unordered, unsigned Pops>
void com_st(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7;
    uint16_t flags;
    if (empty(f, 0) || empty(f, sti)) {
        flags = stack_fault(f, false);
        set_cc(f, fsw::C0 | fsw::C2 | fsw::C3, fsw::Cc);
        if (!ie_masked(f)) return finish(c, i, flags);
    } else {
        F80 st[2] = {get(f, 0), get(f, sti)};
        const uint16_t sw = Unordered ? host_st<0xdd, 0xe0, 2, 2>(f, sti, st) : host_st<0xd8, 0xd0, 2, 2>(f, sti, st);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (!o.write) return finish(c, i, flags);
    }
    for (unsigned n = 0; n < Pops; ++n) pop(f);
    finish(c, i, flags);
}

// FCOM/FCOMP m32fp/m64fp (D8 /2 /3, DC /2 /3), FICOM/FICOMP m32int/m16int
// (DA /2 /3, DE /2 /3). The host runs the non-popping form.
template <uint8_t Op, class M, bool Pop>
void com_mem(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    M m = read_m<M>(c, mem_linear(c, i));
    uint16_t flags;
    if (empty(f, 0)) {
        flags = stack_fault(f, false);
        set_cc(f, fsw::C0 | fsw::C2 | fsw::C3, fsw::Cc);
        if (!ie_masked(f)) return finish(c, i, flags);
    } else {
        F80 st[1] = {get(f, 0)};
        const uint16_t sw = host<Op, mem_modrm(2), 1, 1>(f, st, &m);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (!o.write) return finish(c, i, flags);
    }
    if (Pop) pop(f);
    finish(c, i, flags);
}

// FCOMI/FCOMIP (host DB F0+i), FUCOMI/FUCOMIP (host DB E8+i): ZF PF CF from
// the comparison and OF SF AF cleared, as the host sets them (also after an
// unmasked invalid operand); stack underflow gives unordered. C0..C3 keep
// their values, except C1 = 0 on stack underflow.
template <bool Unordered, bool Pop>
void comi(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7;
    uint16_t flags;
    materialize(c.s);
    uint64_t arith = fl::ZF | fl::PF | fl::CF;
    if (empty(f, 0) || empty(f, sti)) {
        flags = stack_fault(f, false);
        c.s.rflags = (c.s.rflags & ~fl::Arith) | arith;
        if (!ie_masked(f)) return finish(c, i, flags);
    } else {
        // The host runs with the guest's arithmetic flags in RFLAGS.
        const F80 st[2] = {get(f, 0), get(f, sti)};
        constexpr uint8_t m = Unordered ? 0xe8 : 0xf0;
        const uint64_t in = (c.s.rflags & fl::Arith) | fl::Reserved1 | fl::IF;
        uint16_t sw;
        {
            x87host::HostFpu guard(f.fcw, f.fsw);
            arith = sti ? x87host::exec_comi<0xdb, m | 1>(st, in, sw) : x87host::exec_comi<0xdb, m>(st, in, sw);
        }
        const Outcome o = classify(f, sw);
        flags = o.flags;
        c.s.rflags = (c.s.rflags & ~fl::Arith) | (arith & fl::Arith);
        if (!o.write) return finish(c, i, flags);
    }
    if (Pop) pop(f);
    finish(c, i, flags);
}

// FTST (D9 E4): compare ST(0) with 0.0.
void ftst(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint16_t flags;
    if (empty(f, 0)) {
        flags = stack_fault(f, false);
        set_cc(f, fsw::C0 | fsw::C2 | fsw::C3, fsw::Cc);
    } else {
        F80 st[1] = {get(f, 0)};
        const uint16_t sw = host<0xd9, 0xe4, 1, 1>(f, st);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
    }
    finish(c, i, flags);
}

// FXAM (D9 E5): the class of ST(0) in C3 C2 C0, its sign in C1. An empty
// register is C3 = C0 = 1, C2 = 0, with C1 the sign of the stale contents.
void fxam(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    if (empty(f, 0)) {
        const bool sign = f.regs[phys(f, 0)][9] & 0x80;
        set_cc(f, fsw::Cc, fsw::C3 | fsw::C0 | (sign ? fsw::C1 : 0));
    } else {
        F80 st[1] = {get(f, 0)};
        set_cc(f, fsw::Cc, host<0xd9, 0xe5, 1, 1>(f, st));
    }
    finish(c, i, 0);
}

// ---- loads, stores, moves ----

// FLD m32fp/m64fp (D9 /0, DD /0), FILD m16/m32/m64 (DF /0, DB /0, DF /5),
// FBLD m80bcd (DF /4): push the converted value.
template <uint8_t Op, unsigned Reg, class M>
void load_mem(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    M m = read_m<M>(c, mem_linear(c, i));
    uint16_t flags;
    if (!empty(f, 7)) {
        flags = stack_fault(f, true);
        if (ie_masked(f)) push(f, kIndefinite);
    } else {
        F80 st[1] = {};
        const uint16_t sw = host<Op, mem_modrm(Reg), 0, 1>(f, st, &m);
        const Outcome o = classify(f, sw, Dest::Load);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (o.write) push(f, st[0].b);
    }
    finish(c, i, flags);
}

// FLD m80fp (DB /5): pushed as is, no exception but stack overflow.
void fld_m80(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const M80 m = read_m<M80>(c, mem_linear(c, i));
    uint16_t flags = 0;
    if (!empty(f, 7)) {
        flags = stack_fault(f, true);
        if (ie_masked(f)) push(f, kIndefinite);
    } else {
        set_cc(f, fsw::C1, 0);
        push(f, m.b);
    }
    finish(c, i, flags);
}

// FLD ST(i) (D9 C0+i): push a copy of ST(i), bits unchanged.
void fld_st(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7;
    uint16_t flags = 0;
    if (empty(f, sti) || !empty(f, 7)) {  // underflow is reported first
        flags = stack_fault(f, !empty(f, sti));
        if (ie_masked(f)) push(f, kIndefinite);
    } else {
        const F80 v = get(f, sti);
        set_cc(f, fsw::C1, 0);
        push(f, v.b);
    }
    finish(c, i, flags);
}

// FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8..EE): the constants
// rounded by FCW.RC, as the host rounds them.
template <uint8_t ModRM>
void fld_const(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint16_t flags = 0;
    if (!empty(f, 7)) {
        flags = stack_fault(f, true);
        if (ie_masked(f)) push(f, kIndefinite);
    } else {
        F80 st[1] = {};
        const uint16_t sw = host<0xd9, ModRM, 0, 1>(f, st);
        set_cc(f, fsw::Cc, sw);
        push(f, st[0].b);
    }
    finish(c, i, flags);
}

// Stores of ST(0) to memory: FST/FSTP m32fp m64fp, FIST/FISTP m16 m32,
// FISTP m64, FISTTP m16 m32 m64, FBSTP m80bcd. The host runs `HostOp`
// `HostReg` (the non-popping form where one exists, HostPops otherwise).
// The memory write comes before any change to the FPU state.
template <uint8_t HostOp, unsigned HostReg, bool HostPops, class M, bool Pop>
void store_mem(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const bool under = empty(f, 0);
    // Underflow stores what storing the indefinite stores (the NaN or integer
    // indefinite), as the host computes it.
    F80 st[1] = {under ? F80{} : get(f, 0)};
    if (under) std::memcpy(st[0].b, kIndefinite, 10);
    M m{};
    const uint16_t sw = host<HostOp, mem_modrm(HostReg), 1, HostPops ? 0 : 1>(f, st, &m);
    const Outcome o = under ? Outcome{ie_masked(f), fsw::IE | fsw::SF} : classify(f, sw, Dest::Mem);
    // The address is formed (and a non-canonical one faults) only when the
    // store happens: an unmasked exception suppresses both.
    if (o.write) write_m<M>(c, mem_linear(c, i), m);
    set_cc(f, under ? fsw::C1 : fsw::Cc, under ? 0 : sw);
    if (o.write && Pop) pop(f);
    finish(c, i, o.flags);
}

// FSTP m80fp (DB /7): stored as is.
void fstp_m80(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    if (empty(f, 0)) {
        if (ie_masked(f)) {
            M80 m;
            std::memcpy(m.b, kIndefinite, 10);
            write_m(c, mem_linear(c, i), m);
            pop(f);
        }
        return finish(c, i, stack_fault(f, false));
    }
    M80 m;
    std::memcpy(m.b, f.regs[phys(f, 0)], 10);
    write_m(c, mem_linear(c, i), m);
    set_cc(f, fsw::C1, 0);
    pop(f);
    finish(c, i, 0);
}

// FST/FSTP ST(i) (DD D0+i, DD D8+i; aliases DF D0+i, DF D8+i):
// copy ST(0) to ST(i), bits unchanged.
template <bool Pop>
void fst_st(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7;
    uint16_t flags = 0;
    if (empty(f, 0)) {
        flags = stack_fault(f, false);
        if (!ie_masked(f)) return finish(c, i, flags);
        put(f, sti, kIndefinite);
    } else {
        const F80 v = get(f, 0);
        set_cc(f, fsw::C1, 0);
        put(f, sti, v.b);
    }
    if (Pop) pop(f);
    finish(c, i, flags);
}

// FSTPNCE ST(i) (D9 D8+i, the undocumented FSTP1): as FSTP ST(i), but an
// empty ST(0) is only popped, with no exception (reference host).
void fstpnce(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    if (!empty(f, 0)) {
        const F80 v = get(f, 0);
        put(f, i.modrm & 7, v.b);
    }
    set_cc(f, fsw::C1, 0);
    pop(f);
    finish(c, i, 0);
}

// FXCH ST(i) (D9 C8+i; aliases DD C8+i, DF C8+i). An empty operand becomes
// the indefinite when IE is masked.
void fxch(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7;
    uint16_t flags = 0;
    if (empty(f, 0) || empty(f, sti)) {
        flags = stack_fault(f, false);
        if (!ie_masked(f)) return finish(c, i, flags);
        if (empty(f, 0)) put(f, 0, kIndefinite);
        if (empty(f, sti)) put(f, sti, kIndefinite);
    }
    const F80 a = get(f, 0), b = get(f, sti);
    put(f, 0, b.b);
    put(f, sti, a.b);
    set_cc(f, fsw::C1, 0);
    finish(c, i, flags);
}

// FCMOVcc ST(0), ST(i) (DA/DB C0..DF): CC is the Jcc condition number.
template <unsigned CC>
void fcmov(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const unsigned sti = i.modrm & 7;
    if (empty(f, 0) || empty(f, sti)) {
        const uint16_t flags = stack_fault(f, false);
        if (ie_masked(f)) put(f, 0, kIndefinite);
        return finish(c, i, flags);
    }
    if (cond(c.s, CC)) {
        const F80 v = get(f, sti);
        put(f, 0, v.b);
    }
    finish(c, i, 0);
}

// ---- one-operand and two-operand functions on the stack top ----
// HasC2: FPREM/FPREM1 (incomplete) and FSIN/FCOS/FPTAN/FSINCOS (out of
// range) report in C2, which a stack fault clears (reference host).

// ST(0) = f(ST(0)): FCHS FABS F2XM1 FSQRT FRNDINT FSIN FCOS (D9 ModRM).
template <uint8_t ModRM, bool HasC2 = false>
void unary(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint16_t flags;
    if (empty(f, 0)) {
        flags = stack_fault(f, false);
        if (HasC2) set_cc(f, fsw::C2, 0);
        if (ie_masked(f)) put(f, 0, kIndefinite);
    } else {
        F80 st[1] = {get(f, 0)};
        const uint16_t sw = host<0xd9, ModRM, 1, 1>(f, st);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (o.write) put(f, 0, st[0].b);
    }
    finish(c, i, flags);
}

// ST(0) = f(ST(0), ST(1)), ST(1) kept: FSCALE FPREM FPREM1 (D9 ModRM).
template <uint8_t ModRM, bool HasC2 = false>
void binary_st0(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint16_t flags;
    if (empty(f, 0) || empty(f, 1)) {
        flags = stack_fault(f, false);
        if (HasC2) set_cc(f, fsw::C2, 0);
        if (ie_masked(f)) put(f, 0, kIndefinite);
    } else {
        F80 st[2] = {get(f, 0), get(f, 1)};
        const uint16_t sw = host<0xd9, ModRM, 2, 2>(f, st);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (o.write) put(f, 0, st[0].b);
    }
    finish(c, i, flags);
}

// ST(1) = f(ST(0), ST(1)), then pop: FYL2X FPATAN FYL2XP1 (D9 ModRM).
template <uint8_t ModRM>
void binary_pop(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint16_t flags;
    if (empty(f, 0) || empty(f, 1)) {
        flags = stack_fault(f, false);
        if (!ie_masked(f)) return finish(c, i, flags);
        put(f, 1, kIndefinite);
    } else {
        F80 st[2] = {get(f, 0), get(f, 1)};
        const uint16_t sw = host<0xd9, ModRM, 2, 1>(f, st);
        const Outcome o = classify(f, sw);
        flags = o.flags;
        set_cc(f, fsw::Cc, sw);
        if (!o.write) return finish(c, i, flags);
        put(f, 1, st[0].b);
    }
    pop(f);
    finish(c, i, flags);
}

// Replace ST(0) and push: FXTRACT (always), FPTAN and FSINCOS (unless the
// operand is out of range: C2 = 1 and nothing changes). Masked stack
// faults leave the indefinite in both.
template <uint8_t ModRM, bool MayDecline, bool HasC2 = MayDecline>
void unary_push(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint16_t flags;
    if (empty(f, 0) || !empty(f, 7)) {
        flags = stack_fault(f, !empty(f, 0));
        if (HasC2) set_cc(f, fsw::C2, 0);
        if (ie_masked(f)) {
            put(f, 0, kIndefinite);
            push(f, kIndefinite);
        }
        return finish(c, i, flags);
    }
    F80 st[2] = {get(f, 0), F80{}};
    const uint16_t sw = host<0xd9, ModRM, 1, MayDecline ? -1 : 2>(f, st);
    const Outcome o = classify(f, sw);
    flags = o.flags;
    set_cc(f, fsw::Cc, sw);
    if (o.write) {
        if (!MayDecline || !(sw & fsw::C2)) {
            put(f, 0, st[1].b);
            push(f, st[0].b);
        }
    }
    finish(c, i, flags);
}

// ---- stack management ----

// FFREE ST(i) (DD C0+i), FFREEP ST(i) (DF C0+i).
template <bool Pop>
void ffree(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    set_tag(f, phys(f, i.modrm & 7), kTagEmpty);
    set_cc(f, fsw::C1, 0);
    if (Pop) pop(f);
    finish(c, i, 0);
}

// FINCSTP (D9 F7), FDECSTP (D9 F6): TOP +/- 1, tags unchanged.
template <int Delta>
void fxxcstp(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    set_top(f, top(f) + static_cast<unsigned>(Delta));
    set_cc(f, fsw::C1, 0);
    finish(c, i, 0);
}

// FNOP (D9 D0).
void fnop(Cpu& c, const DecodedInsn& i) {
    enter(c);
    finish(c, i, 0);
}

// ---- control instructions (FIP/FOP/FDP unchanged) ----

// FWAIT (9B): #NM only when CR0.MP and CR0.TS; then a pending #MF.
void fwait(Cpu& c, const DecodedInsn&) {
    if ((c.s.cr0 & (cr0::MP | cr0::TS)) == (cr0::MP | cr0::TS)) raise(kNM);
    if ((c.s.fpu.fsw & fsw::ES) && (c.s.cr0 & cr0::NE)) raise(kMF);
}

// FENI, FDISI, FSETPM (DB E0, E1, E4): 8087/80287 controls, no-ops since
// the 80387, non-waiting.
void legacy_nop(Cpu& c, const DecodedInsn&) { enter(c, false); }

void fninit(Cpu& c, const DecodedInsn&) {
    X87& f = enter(c, false);
    f.fcw = 0x037f;
    f.fsw = 0;
    f.ftw = 0xffff;
    f.fop = 0;
    f.fip = f.fdp = 0;
    f.fcs = f.fds = 0;
}

void fnclex(Cpu& c, const DecodedInsn&) {
    X87& f = enter(c, false);
    f.fsw &= static_cast<uint16_t>(~(fsw::Exc | fsw::SF | fsw::ES | fsw::B));
}

void fldcw(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    const uint16_t v = c.read<uint16_t>(mem_linear(c, i));
    f.fcw = x87::fcw_value(v);
    x87::update_es(f);
}

void fnstcw(Cpu& c, const DecodedInsn& i) {
    const X87& f = enter(c, false);
    c.write<uint16_t>(mem_linear(c, i), f.fcw);
}

void fnstsw_m(Cpu& c, const DecodedInsn& i) {
    const X87& f = enter(c, false);
    c.write<uint16_t>(mem_linear(c, i), f.fsw);
}

void fnstsw_ax(Cpu& c, const DecodedInsn&) {
    const X87& f = enter(c, false);
    set_reg<uint16_t>(c.s, RAX, f.fsw);
}

// The FPU environment image (SDM Vol. 1 §8.1.10, figures 8-9..8-12): 14
// bytes with a 16-bit operand size, 28 with 32 (also in 64-bit mode);
// real-address and virtual-8086 mode use the layout with linear pointers.
// In 64-bit mode REX.W overrides a 66 prefix (32-bit layout), as on the host.
bool env16(const Cpu& c, const DecodedInsn& i) {
    if (i.rex & 8) return false;
    return (c.s.code_size == 2) != (i.opsize_prefix != 0);
}
bool real_layout(const Cpu& c) { return !(c.s.cr0 & cr0::PE) || (c.s.rflags & fl::VM); }

unsigned store_env(const Cpu& c, const DecodedInsn& i, uint8_t* out) {
    const X87& f = c.s.fpu;
    const uint32_t ip = static_cast<uint32_t>(f.fip), dp = static_cast<uint32_t>(f.fdp), op = f.fop & 0x7ffu;
    if (env16(c, i)) {
        uint16_t w[7] = {f.fcw, f.fsw, f.ftw, static_cast<uint16_t>(ip), f.fcs, static_cast<uint16_t>(dp), f.fds};
        if (real_layout(c)) {
            w[4] = static_cast<uint16_t>(((ip >> 16) & 0xf) << 12 | op);
            w[6] = static_cast<uint16_t>(((dp >> 16) & 0xf) << 12);
        }
        std::memcpy(out, w, 14);
        return 14;
    }
    uint32_t d[7] = {0xffff0000u | f.fcw, 0xffff0000u | f.fsw, 0xffff0000u | f.ftw, ip,
                     f.fcs | op << 16,    dp,                  0xffff0000u | f.fds};
    if (real_layout(c)) {
        d[3] = 0xffff0000u | (ip & 0xffff);
        d[4] = (ip >> 16) << 12 | op;
        d[5] = 0xffff0000u | (dp & 0xffff);
        d[6] = (dp >> 16) << 12;
    }
    std::memcpy(out, d, 28);
    return 28;
}

unsigned load_env(Cpu& c, const DecodedInsn& i, const uint8_t* in) {
    X87& f = c.s.fpu;
    const bool real = real_layout(c);
    uint16_t tags;
    unsigned n;
    if (env16(c, i)) {
        uint16_t w[7];
        std::memcpy(w, in, 14);
        f.fcw = x87::fcw_value(w[0]);
        f.fsw = w[1];
        tags = w[2];
        if (real) {
            f.fip = w[3] | (uint32_t{w[4]} >> 12) << 16;
            f.fop = w[4] & 0x7ff;
            f.fdp = w[5] | (uint32_t{w[6]} >> 12) << 16;
        } else {
            f.fip = w[3];
            f.fdp = w[5];
        }
        n = 14;
    } else {
        uint32_t d[7];
        std::memcpy(d, in, 28);
        f.fcw = x87::fcw_value(static_cast<uint16_t>(d[0]));
        f.fsw = static_cast<uint16_t>(d[1]);
        tags = static_cast<uint16_t>(d[2]);
        if (real) {
            f.fip = (d[3] & 0xffff) | ((d[4] >> 12) & 0xffff) << 16;
            f.fop = d[4] & 0x7ff;
            f.fdp = (d[5] & 0xffff) | ((d[6] >> 12) & 0xffff) << 16;
        } else {
            f.fip = d[3];
            f.fop = (d[4] >> 16) & 0x7ff;
            f.fdp = d[5];
        }
        n = 28;
    }
    f.fcs = f.fds = 0;  // deprecated: always 0 on the reference host
    x87::retag(f, tags);
    x87::update_es(f);
    return n;
}

// FNSTENV (D9 /6): store the environment, then mask all exceptions.
void fnstenv(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c, false);
    uint8_t buf[28];
    const unsigned n = store_env(c, i, buf);
    c.write_bytes(mem_linear(c, i), buf, n);
    f.fcw |= fsw::Exc;
    x87::update_es(f);
}

// FLDENV (D9 /4).
void fldenv(Cpu& c, const DecodedInsn& i) {
    enter(c);
    uint8_t buf[28];
    c.read_bytes(mem_linear(c, i), buf, env16(c, i) ? 14 : 28);
    load_env(c, i, buf);
}

// FNSAVE (DD /6): environment and ST(0)..ST(7), then FNINIT.
void fnsave(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c, false);
    uint8_t buf[108];
    const unsigned n = store_env(c, i, buf);
    for (unsigned r = 0; r < 8; ++r) std::memcpy(buf + n + 10 * r, f.regs[phys(f, r)], 10);
    c.write_bytes(mem_linear(c, i), buf, n + 80);
    fninit(c, i);
}

// FRSTOR (DD /4).
void frstor(Cpu& c, const DecodedInsn& i) {
    X87& f = enter(c);
    uint8_t buf[108];
    const unsigned n = env16(c, i) ? 14 : 28;
    c.read_bytes(mem_linear(c, i), buf, n + 80);
    // Registers first: the tags are recomputed from them.
    const unsigned t = (static_cast<uint16_t>(buf[n == 14 ? 2 : 4] | buf[n == 14 ? 3 : 5] << 8) >> 11) & 7;
    for (unsigned r = 0; r < 8; ++r) std::memcpy(f.regs[(t + r) & 7], buf + n + 10 * r, 10);
    load_env(c, i, buf);
}

// ---- the form table ----

#define BS_X87(...) {&__VA_ARGS__, &__VA_ARGS__, &__VA_ARGS__, &__VA_ARGS__}
constexpr uint32_t kA = fa::ModRM | fa::NoOpsize;

// One row per ModRM.reg of an arithmetic opcode: register form and memory form.
#define BS_ARITH_ROWS(name, op, reg, mem_type)                                                                  \
    {name, kMap1, op, reg, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(arith_mem<op, reg, mem_type>), "x87"}

const Form kForms[] = {
    // D8: ST(0) op ST(i) | m32fp
    {"fadd", kMap1, 0xd8, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<0, false, false>), "x87"},
    {"fmul", kMap1, 0xd8, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<1, false, false>), "x87"},
    {"fcom", kMap1, 0xd8, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<false, 0>), "x87"},
    {"fcomp", kMap1, 0xd8, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<false, 1>), "x87"},
    {"fsub", kMap1, 0xd8, 4, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<4, false, false>), "x87"},
    {"fsubr", kMap1, 0xd8, 5, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<5, false, false>), "x87"},
    {"fdiv", kMap1, 0xd8, 6, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<6, false, false>), "x87"},
    {"fdivr", kMap1, 0xd8, 7, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<7, false, false>), "x87"},
    BS_ARITH_ROWS("fadd", 0xd8, 0, uint32_t),
    BS_ARITH_ROWS("fmul", 0xd8, 1, uint32_t),
    {"fcom", kMap1, 0xd8, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xd8, uint32_t, false>), "x87"},
    {"fcomp", kMap1, 0xd8, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xd8, uint32_t, true>), "x87"},
    BS_ARITH_ROWS("fsub", 0xd8, 4, uint32_t),
    BS_ARITH_ROWS("fsubr", 0xd8, 5, uint32_t),
    BS_ARITH_ROWS("fdiv", 0xd8, 6, uint32_t),
    BS_ARITH_ROWS("fdivr", 0xd8, 7, uint32_t),

    // D9: loads, stores, control, constants, functions
    {"fld", kMap1, 0xd9, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_st), "x87"},
    {"fxch", kMap1, 0xd9, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fxch), "x87"},
    {"fnop", kMap1, 0xd9, 2, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(fnop), "x87"},
    {"fstpnce", kMap1, 0xd9, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fstpnce), "x87"},
    {"fchs", kMap1, 0xd9, 4, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xe0>), "x87"},
    {"fabs", kMap1, 0xd9, 4, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xe1>), "x87"},
    {"ftst", kMap1, 0xd9, 4, 4, kModReg, kPfxAny, kImmNone, kA, BS_X87(ftst), "x87"},
    {"fxam", kMap1, 0xd9, 4, 5, kModReg, kPfxAny, kImmNone, kA, BS_X87(fxam), "x87"},
    {"fld1", kMap1, 0xd9, 5, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xe8>), "x87"},
    {"fldl2t", kMap1, 0xd9, 5, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xe9>), "x87"},
    {"fldl2e", kMap1, 0xd9, 5, 2, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xea>), "x87"},
    {"fldpi", kMap1, 0xd9, 5, 3, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xeb>), "x87"},
    {"fldlg2", kMap1, 0xd9, 5, 4, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xec>), "x87"},
    {"fldln2", kMap1, 0xd9, 5, 5, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xed>), "x87"},
    {"fldz", kMap1, 0xd9, 5, 6, kModReg, kPfxAny, kImmNone, kA, BS_X87(fld_const<0xee>), "x87"},
    {"f2xm1", kMap1, 0xd9, 6, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xf0>), "x87"},
    {"fyl2x", kMap1, 0xd9, 6, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(binary_pop<0xf1>), "x87"},
    {"fptan", kMap1, 0xd9, 6, 2, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary_push<0xf2, true>), "x87"},
    {"fpatan", kMap1, 0xd9, 6, 3, kModReg, kPfxAny, kImmNone, kA, BS_X87(binary_pop<0xf3>), "x87"},
    {"fxtract", kMap1, 0xd9, 6, 4, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary_push<0xf4, false>), "x87"},
    {"fprem1", kMap1, 0xd9, 6, 5, kModReg, kPfxAny, kImmNone, kA, BS_X87(binary_st0<0xf5, true>), "x87"},
    {"fdecstp", kMap1, 0xd9, 6, 6, kModReg, kPfxAny, kImmNone, kA, BS_X87(fxxcstp<-1>), "x87"},
    {"fincstp", kMap1, 0xd9, 6, 7, kModReg, kPfxAny, kImmNone, kA, BS_X87(fxxcstp<1>), "x87"},
    {"fprem", kMap1, 0xd9, 7, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(binary_st0<0xf8, true>), "x87"},
    {"fyl2xp1", kMap1, 0xd9, 7, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(binary_pop<0xf9>), "x87"},
    {"fsqrt", kMap1, 0xd9, 7, 2, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xfa>), "x87"},
    {"fsincos", kMap1, 0xd9, 7, 3, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary_push<0xfb, true>), "x87"},
    {"frndint", kMap1, 0xd9, 7, 4, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xfc>), "x87"},
    {"fscale", kMap1, 0xd9, 7, 5, kModReg, kPfxAny, kImmNone, kA, BS_X87(binary_st0<0xfd>), "x87"},
    {"fsin", kMap1, 0xd9, 7, 6, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xfe, true>), "x87"},
    {"fcos", kMap1, 0xd9, 7, 7, kModReg, kPfxAny, kImmNone, kA, BS_X87(unary<0xff, true>), "x87"},
    {"fld", kMap1, 0xd9, 0, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(load_mem<0xd9, 0, uint32_t>), "x87"},
    {"fst", kMap1, 0xd9, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xd9, 2, false, uint32_t, false>), "x87"},
    {"fstp", kMap1, 0xd9, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xd9, 2, false, uint32_t, true>), "x87"},
    {"fldenv", kMap1, 0xd9, 4, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fldenv), "x87"},
    {"fldcw", kMap1, 0xd9, 5, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fldcw), "x87"},
    {"fnstenv", kMap1, 0xd9, 6, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fnstenv), "x87"},
    {"fnstcw", kMap1, 0xd9, 7, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fnstcw), "x87"},

    // DA: FCMOVB/E/BE/U, FUCOMPP | m32int arithmetic
    {"fcmovb", kMap1, 0xda, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0x2>), "x87"},
    {"fcmove", kMap1, 0xda, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0x4>), "x87"},
    {"fcmovbe", kMap1, 0xda, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0x6>), "x87"},
    {"fcmovu", kMap1, 0xda, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0xa>), "x87"},
    {"fucompp", kMap1, 0xda, 5, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<true, 2>), "x87"},
    BS_ARITH_ROWS("fiadd", 0xda, 0, uint32_t),
    BS_ARITH_ROWS("fimul", 0xda, 1, uint32_t),
    {"ficom", kMap1, 0xda, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xda, uint32_t, false>), "x87"},
    {"ficomp", kMap1, 0xda, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xda, uint32_t, true>), "x87"},
    BS_ARITH_ROWS("fisub", 0xda, 4, uint32_t),
    BS_ARITH_ROWS("fisubr", 0xda, 5, uint32_t),
    BS_ARITH_ROWS("fidiv", 0xda, 6, uint32_t),
    BS_ARITH_ROWS("fidivr", 0xda, 7, uint32_t),

    // DB: FCMOVNB/NE/NBE/NU, control, FUCOMI/FCOMI | m32int, m80fp
    {"fcmovnb", kMap1, 0xdb, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0x3>), "x87"},
    {"fcmovne", kMap1, 0xdb, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0x5>), "x87"},
    {"fcmovnbe", kMap1, 0xdb, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0x7>), "x87"},
    {"fcmovnu", kMap1, 0xdb, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fcmov<0xb>), "x87"},
    {"feni8087_nop", kMap1, 0xdb, 4, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(legacy_nop), "x87"},
    {"fdisi8087_nop", kMap1, 0xdb, 4, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(legacy_nop), "x87"},
    {"fnclex", kMap1, 0xdb, 4, 2, kModReg, kPfxAny, kImmNone, kA, BS_X87(fnclex), "x87"},
    {"fninit", kMap1, 0xdb, 4, 3, kModReg, kPfxAny, kImmNone, kA, BS_X87(fninit), "x87"},
    {"fsetpm287_nop", kMap1, 0xdb, 4, 4, kModReg, kPfxAny, kImmNone, kA, BS_X87(legacy_nop), "x87"},
    {"fucomi", kMap1, 0xdb, 5, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(comi<true, false>), "x87"},
    {"fcomi", kMap1, 0xdb, 6, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(comi<false, false>), "x87"},
    {"fild", kMap1, 0xdb, 0, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(load_mem<0xdb, 0, uint32_t>), "x87"},
    {"fisttp", kMap1, 0xdb, 1, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdb, 1, true, uint32_t, true>), "x87"},
    {"fist", kMap1, 0xdb, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdb, 2, false, uint32_t, false>), "x87"},
    {"fistp", kMap1, 0xdb, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdb, 2, false, uint32_t, true>), "x87"},
    {"fld", kMap1, 0xdb, 5, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fld_m80), "x87"},
    {"fstp", kMap1, 0xdb, 7, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fstp_m80), "x87"},

    // DC: ST(i) op ST(0) | m64fp (FSUB/FSUBR and FDIV/FDIVR swap ModRM.reg in the register forms)
    {"fadd", kMap1, 0xdc, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<0, true, false>), "x87"},
    {"fmul", kMap1, 0xdc, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<1, true, false>), "x87"},
    {"fcom", kMap1, 0xdc, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<false, 0>), "x87"},
    {"fcomp", kMap1, 0xdc, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<false, 1>), "x87"},
    {"fsubr", kMap1, 0xdc, 4, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<4, true, false>), "x87"},
    {"fsub", kMap1, 0xdc, 5, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<5, true, false>), "x87"},
    {"fdivr", kMap1, 0xdc, 6, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<6, true, false>), "x87"},
    {"fdiv", kMap1, 0xdc, 7, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<7, true, false>), "x87"},
    BS_ARITH_ROWS("fadd", 0xdc, 0, uint64_t),
    BS_ARITH_ROWS("fmul", 0xdc, 1, uint64_t),
    {"fcom", kMap1, 0xdc, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xdc, uint64_t, false>), "x87"},
    {"fcomp", kMap1, 0xdc, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xdc, uint64_t, true>), "x87"},
    BS_ARITH_ROWS("fsub", 0xdc, 4, uint64_t),
    BS_ARITH_ROWS("fsubr", 0xdc, 5, uint64_t),
    BS_ARITH_ROWS("fdiv", 0xdc, 6, uint64_t),
    BS_ARITH_ROWS("fdivr", 0xdc, 7, uint64_t),

    // DD: FFREE, FST/FSTP ST(i), FUCOM/FUCOMP | m64fp, FNSAVE/FRSTOR, FNSTSW m16
    {"ffree", kMap1, 0xdd, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(ffree<false>), "x87"},
    {"fxch", kMap1, 0xdd, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fxch), "x87"},
    {"fst", kMap1, 0xdd, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fst_st<false>), "x87"},
    {"fstp", kMap1, 0xdd, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fst_st<true>), "x87"},
    {"fucom", kMap1, 0xdd, 4, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<true, 0>), "x87"},
    {"fucomp", kMap1, 0xdd, 5, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<true, 1>), "x87"},
    {"fld", kMap1, 0xdd, 0, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(load_mem<0xdd, 0, uint64_t>), "x87"},
    {"fisttp", kMap1, 0xdd, 1, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdd, 1, true, uint64_t, true>), "x87"},
    {"fst", kMap1, 0xdd, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdd, 2, false, uint64_t, false>), "x87"},
    {"fstp", kMap1, 0xdd, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdd, 2, false, uint64_t, true>), "x87"},
    {"frstor", kMap1, 0xdd, 4, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(frstor), "x87"},
    {"fnsave", kMap1, 0xdd, 6, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fnsave), "x87"},
    {"fnstsw", kMap1, 0xdd, 7, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(fnstsw_m), "x87"},

    // DE: pop forms | m16int arithmetic
    {"faddp", kMap1, 0xde, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<0, true, true>), "x87"},
    {"fmulp", kMap1, 0xde, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<1, true, true>), "x87"},
    {"fcomp", kMap1, 0xde, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<false, 1>), "x87"},
    {"fcompp", kMap1, 0xde, 3, 1, kModReg, kPfxAny, kImmNone, kA, BS_X87(com_st<false, 2>), "x87"},
    {"fsubrp", kMap1, 0xde, 4, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<4, true, true>), "x87"},
    {"fsubp", kMap1, 0xde, 5, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<5, true, true>), "x87"},
    {"fdivrp", kMap1, 0xde, 6, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<6, true, true>), "x87"},
    {"fdivp", kMap1, 0xde, 7, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(arith_st<7, true, true>), "x87"},
    BS_ARITH_ROWS("fiadd", 0xde, 0, uint16_t),
    BS_ARITH_ROWS("fimul", 0xde, 1, uint16_t),
    {"ficom", kMap1, 0xde, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xde, uint16_t, false>), "x87"},
    {"ficomp", kMap1, 0xde, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(com_mem<0xde, uint16_t, true>), "x87"},
    BS_ARITH_ROWS("fisub", 0xde, 4, uint16_t),
    BS_ARITH_ROWS("fisubr", 0xde, 5, uint16_t),
    BS_ARITH_ROWS("fidiv", 0xde, 6, uint16_t),
    BS_ARITH_ROWS("fidivr", 0xde, 7, uint16_t),

    // DF: FFREEP, aliases, FNSTSW AX, FUCOMIP/FCOMIP | m16int, m64int, m80bcd
    {"ffreep", kMap1, 0xdf, 0, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(ffree<true>), "x87"},
    {"fxch", kMap1, 0xdf, 1, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fxch), "x87"},
    {"fstp", kMap1, 0xdf, 2, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fst_st<true>), "x87"},
    {"fstp", kMap1, 0xdf, 3, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(fst_st<true>), "x87"},
    {"fnstsw", kMap1, 0xdf, 4, 0, kModReg, kPfxAny, kImmNone, kA, BS_X87(fnstsw_ax), "x87"},
    {"fucomip", kMap1, 0xdf, 5, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(comi<true, true>), "x87"},
    {"fcomip", kMap1, 0xdf, 6, -1, kModReg, kPfxAny, kImmNone, kA, BS_X87(comi<false, true>), "x87"},
    {"fild", kMap1, 0xdf, 0, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(load_mem<0xdf, 0, uint16_t>), "x87"},
    {"fisttp", kMap1, 0xdf, 1, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdf, 1, true, uint16_t, true>), "x87"},
    {"fist", kMap1, 0xdf, 2, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdf, 2, false, uint16_t, false>), "x87"},
    {"fistp", kMap1, 0xdf, 3, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdf, 2, false, uint16_t, true>), "x87"},
    {"fbld", kMap1, 0xdf, 4, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(load_mem<0xdf, 4, M80>), "x87"},
    {"fild", kMap1, 0xdf, 5, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(load_mem<0xdf, 5, uint64_t>), "x87"},
    {"fbstp", kMap1, 0xdf, 6, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdf, 6, true, M80, true>), "x87"},
    {"fistp", kMap1, 0xdf, 7, -1, kModMem, kPfxAny, kImmNone, kA, BS_X87(store_mem<0xdf, 7, true, uint64_t, true>), "x87"},

    // 9B: WAIT/FWAIT
    {"fwait", kMap1, 0x9b, -1, -1, kModAny, kPfxAny, kImmNone, fa::NoOpsize, BS_X87(fwait), "x87"},
};

#undef BS_ARITH_ROWS
#undef BS_X87

}  // namespace

std::span<const Form> forms_x87() { return kForms; }

}  // namespace bs::cpu
