// Instruction family 'system': segment register loads, far transfers,
// software interrupts and IRET, CLI/STI/HLT, descriptor-table and task
// registers, control/debug registers, MSRs, INVLPG, SWAPGS and the fast
// system calls. SDM Vol. 2 per instruction; the machinery (descriptor
// checks, delivery, paging) is in segments.cpp, interrupts.cpp, control.cpp.
//
// Privileged forms raise #GP(0) at CPL > 0; forms that exist only in
// protected mode raise #UD in real and virtual-8086 mode.
#include "families.h"
#include "operands.h"
#include "system.h"

namespace bs::cpu {
namespace {

constexpr uint32_t M = fa::ModRM;
constexpr uint32_t S = fa::Serializing;
constexpr uint32_t B = fa::Branch;

void require_cpl0(const Cpu& c) {
    if (c.s.cpl != 0) raise(kGP, 0);
}
void require_protected(const Cpu& c) {
    if (!c.protected_mode() || c.v86_mode()) raise(kUD);
}

// ---- segment registers ----

// 8E: MOV Sreg, r/m16. MOV CS and registers 6-7 are #UD; MOV SS inhibits
// interrupts for one instruction.
template <class T> void mov_sreg(Cpu& c, const DecodedInsn& i) {
    const unsigned sr = i.reg & 7;
    if (sr == CS || sr > GS) raise(kUD);  // no such forms: kept for clarity
    const uint16_t sel = i.mod == 3 ? get_reg<uint16_t>(c.s, i.rm) : c.read<uint16_t>(mem_linear(c, i));
    c.load_segment(sr, sel);
    if (sr == SS) c.s.interrupt_shadow = true;
}

// POP Sreg: the operand size sets how far RSP moves; the low 16 bits are the selector.
template <unsigned SR> struct PopSreg {
    template <class T> static void h(Cpu& c, const DecodedInsn&) {
        const uint16_t sel = static_cast<uint16_t>(stack_read(c, 0, sizeof(T)));
        const uint64_t sp = stack_moved(c, sizeof(T));
        c.load_segment(SR, sel);
        c.s.gpr[RSP] = sp;
        if (SR == SS) c.s.interrupt_shadow = true;
    }
};

// LDS/LES/LFS/LGS/LSS r, m16:16/32/64: offset first, selector after it.
template <unsigned SR> struct LoadFar {
    template <class T> static void h(Cpu& c, const DecodedInsn& i) {
        const uint64_t at = mem_linear(c, i);
        const T off = c.read<T>(at);
        const uint16_t sel = c.read<uint16_t>(at + sizeof(T));
        c.load_segment(SR, sel);
        set_reg<T>(c.s, i.reg, off);
        if (SR == SS) c.s.interrupt_shadow = true;
    }
};

// ---- far transfers ----

template <class T> void jmp_far_ptr(Cpu& c, const DecodedInsn& i) { c.far_jump(i.imm2, i.imm, sizeof(T)); }
template <class T> void call_far_ptr(Cpu& c, const DecodedInsn& i) { c.far_call(i.imm2, i.imm, sizeof(T)); }

// FF /3, FF /5: m16:16, m16:32 or (REX.W) m16:64.
template <class T> void jmp_far_mem(Cpu& c, const DecodedInsn& i) {
    const uint64_t at = mem_linear(c, i);
    const T off = c.read<T>(at);
    c.far_jump(c.read<uint16_t>(at + sizeof(T)), off, sizeof(T));
}
template <class T> void call_far_mem(Cpu& c, const DecodedInsn& i) {
    const uint64_t at = mem_linear(c, i);
    const T off = c.read<T>(at);
    c.far_call(c.read<uint16_t>(at + sizeof(T)), off, sizeof(T));
}

template <class T> void retf(Cpu& c, const DecodedInsn& i) {
    c.far_return(sizeof(T), static_cast<uint16_t>(i.form->opcode == 0xca ? i.imm : 0));
}

template <class T> void iret(Cpu& c, const DecodedInsn&) { c.iret(sizeof(T)); }

// ---- software interrupts ----

void int3(Cpu& c, const DecodedInsn&) { c.software_interrupt(kBP, EventKind::SoftwareExc); }
void int_n(Cpu& c, const DecodedInsn& i) { c.software_interrupt(static_cast<uint8_t>(i.imm), EventKind::SoftwareInt); }
void into(Cpu& c, const DecodedInsn&) {
    if (cond(c.s, 0)) c.software_interrupt(kOF, EventKind::SoftwareExc);
}
void int1(Cpu& c, const DecodedInsn&) { c.software_interrupt(kDB, EventKind::PrivSoftware); }

// BOUND r, m (62, outside 64-bit mode): #BR unless lower <= index <= upper (signed).
template <class T> void bound(Cpu& c, const DecodedInsn& i) {
    using S = std::make_signed_t<T>;
    const uint64_t at = mem_linear(c, i);
    const S lower = static_cast<S>(c.read<T>(at));
    const S upper = static_cast<S>(c.read<T>(at + sizeof(T)));
    const S index = static_cast<S>(get_reg<T>(c.s, i.reg));
    if (index < lower || index > upper) raise(kBR);
}

// ---- interrupt flag, HLT ----

// CLI/STI: real mode always; protected mode when CPL <= IOPL, else #GP(0)
// (no VME/PVI). STI that sets IF delays interrupts by one instruction.
bool may_change_if(const Cpu& c) {
    if (!c.protected_mode()) return true;
    return c.s.cpl <= ((c.s.rflags & fl::IOPL) >> 12);
}
void cli(Cpu& c, const DecodedInsn&) {
    if (!may_change_if(c)) raise(kGP, 0);
    c.s.rflags &= ~fl::IF;
}
void sti(Cpu& c, const DecodedInsn&) {
    if (!may_change_if(c)) raise(kGP, 0);
    if (!(c.s.rflags & fl::IF)) {
        c.s.rflags |= fl::IF;
        c.s.interrupt_shadow = true;
        c.attention = true;
    }
}
void hlt(Cpu& c, const DecodedInsn&) { c.halt(); }

// ---- descriptor tables (0F 01 /0-/3) ----

// SGDT/SIDT store limit and base (base 32 bits outside 64-bit mode; a
// 16-bit operand stores 24 bits of base on old parts, 32 bits on current
// ones, which is what Intel documents for its processors).
void store_table(Cpu& c, const DecodedInsn& i, const DescriptorTable& t) {
    const uint64_t at = mem_linear(c, i);
    const unsigned n = c.mode64() ? 10 : 6;
    uint8_t buf[10];
    std::memcpy(buf, &t.limit, 2);
    const uint64_t base = c.mode64() ? t.base : static_cast<uint32_t>(t.base);
    std::memcpy(buf + 2, &base, n - 2);
    c.write_bytes(at, buf, n);
}
void load_table(Cpu& c, const DecodedInsn& i, DescriptorTable& t) {
    require_cpl0(c);
    const uint64_t at = mem_linear(c, i);
    const uint16_t limit = c.read<uint16_t>(at);
    uint64_t base;
    if (c.mode64()) {
        base = c.read<uint64_t>(at + 2);
        if (static_cast<uint64_t>(static_cast<int64_t>(base << 16) >> 16) != base) raise(kGP, 0);
    } else {
        base = c.read<uint32_t>(at + 2);
        if (i.opsize == 2) base &= 0xffffff;
    }
    t.limit = limit;
    t.base = base;
}
void sgdt(Cpu& c, const DecodedInsn& i) { store_table(c, i, c.s.gdtr); }
void sidt(Cpu& c, const DecodedInsn& i) { store_table(c, i, c.s.idtr); }
// The debugger's LGDT/LIDT/LLDT/LTR breakpoints (TraceSink::table_load).
void report_table_load(Cpu& c, TableReg reg, uint16_t selector, uint64_t base, uint64_t limit) {
    if (TraceSink* t = c.trace_sink()) [[unlikely]] t->table_load(c.trace_icount(), reg, selector, base, limit);
}
void lgdt(Cpu& c, const DecodedInsn& i) {
    load_table(c, i, c.s.gdtr);
    report_table_load(c, TableReg::Gdtr, 0, c.s.gdtr.base, c.s.gdtr.limit);
}
void lidt(Cpu& c, const DecodedInsn& i) {
    load_table(c, i, c.s.idtr);
    report_table_load(c, TableReg::Idtr, 0, c.s.idtr.base, c.s.idtr.limit);
}

// SMSW: the low CR0 bits; a register destination gets the operand size
// (upper bits of CR0 as hardware does), memory always 16 bits.
template <class T> void smsw(Cpu& c, const DecodedInsn& i) {
    if (i.mod == 3) set_reg<T>(c.s, i.rm, static_cast<T>(c.s.cr0));
    else c.write<uint16_t>(mem_linear(c, i), static_cast<uint16_t>(c.s.cr0));
}
// LMSW: PE, MP, EM, TS; it can set PE but never clear it.
void lmsw(Cpu& c, const DecodedInsn& i) {
    require_cpl0(c);
    const uint16_t v = i.mod == 3 ? get_reg<uint16_t>(c.s, i.rm) : c.read<uint16_t>(mem_linear(c, i));
    const uint64_t cr0 = (c.s.cr0 & ~0xeull) | (v & 0xf) | (c.s.cr0 & cr0::PE);
    c.write_cr(0, cr0);
}
void invlpg(Cpu& c, const DecodedInsn& i) {
    require_cpl0(c);
    c.invlpg(mem_linear(c, i));
    c.attention = true;
}
void swapgs(Cpu& c, const DecodedInsn&) {
    if (!c.mode64()) raise(kUD);
    require_cpl0(c);
    std::swap(c.s.seg[GS].base, c.s.msr.kernel_gs_base);
    c.mode_changed();
}

// ---- LDTR and TR (0F 00) ----

template <class T> void store_selector(Cpu& c, const DecodedInsn& i, uint16_t sel) {
    if (i.mod == 3) set_reg<T>(c.s, i.rm, static_cast<T>(sel));  // zero-extended to the operand size
    else c.write<uint16_t>(mem_linear(c, i), sel);
}
template <class T> void sldt(Cpu& c, const DecodedInsn& i) {
    require_protected(c);
    store_selector<T>(c, i, c.s.ldtr.selector);
}
template <class T> void str(Cpu& c, const DecodedInsn& i) {
    require_protected(c);
    store_selector<T>(c, i, c.s.tr.selector);
}
uint16_t selector_operand(Cpu& c, const DecodedInsn& i) {
    return i.mod == 3 ? get_reg<uint16_t>(c.s, i.rm) : c.read<uint16_t>(mem_linear(c, i));
}
void lldt(Cpu& c, const DecodedInsn& i) {
    require_protected(c);
    require_cpl0(c);
    c.load_ldtr(selector_operand(c, i));
    report_table_load(c, TableReg::Ldtr, c.s.ldtr.selector, c.s.ldtr.base, c.s.ldtr.limit);
}
void ltr(Cpu& c, const DecodedInsn& i) {
    require_protected(c);
    require_cpl0(c);
    c.load_tr(selector_operand(c, i));
    report_table_load(c, TableReg::Tr, c.s.tr.selector, c.s.tr.base, c.s.tr.limit);
}
template <bool W> void verx(Cpu& c, const DecodedInsn& i) {
    require_protected(c);
    const bool ok = c.verify_segment(selector_operand(c, i), W);
    materialize(c.s);
    put_flag(c.s, fl::ZF, ok);
}
template <class T, bool LSL> void lar_lsl(Cpu& c, const DecodedInsn& i) {
    require_protected(c);
    uint64_t lar = 0, limit = 0;
    const bool ok = c.descriptor_visible(selector_operand(c, i), LSL, lar, limit);
    materialize(c.s);
    put_flag(c.s, fl::ZF, ok);
    if (ok) set_reg<T>(c.s, i.reg, static_cast<T>(LSL ? limit : lar));
}
template <class T> void lar(Cpu& c, const DecodedInsn& i) { lar_lsl<T, false>(c, i); }
template <class T> void lsl(Cpu& c, const DecodedInsn& i) { lar_lsl<T, true>(c, i); }

// ---- control and debug registers (0F 20-23) ----

// Operands are 64-bit in 64-bit mode and 32-bit otherwise (Force64 forms:
// the decoder gives 8 in 64-bit mode, the operand size elsewhere).
void mov_from_cr(Cpu& c, const DecodedInsn& i) {
    require_cpl0(c);
    const uint64_t v = c.read_cr(i.reg);
    c.s.gpr[i.rm] = c.mode64() ? v : static_cast<uint32_t>(v);
}
void mov_to_cr(Cpu& c, const DecodedInsn& i) {
    require_cpl0(c);
    const uint64_t v = c.mode64() ? c.s.gpr[i.rm] : static_cast<uint32_t>(c.s.gpr[i.rm]);
    c.write_cr(i.reg, v);
}
void mov_from_dr(Cpu& c, const DecodedInsn& i) {
    if (i.reg > 7) raise(kUD);
    require_cpl0(c);
    const uint64_t v = c.read_dr(i.reg);
    c.s.gpr[i.rm] = c.mode64() ? v : static_cast<uint32_t>(v);
}
void mov_to_dr(Cpu& c, const DecodedInsn& i) {
    if (i.reg > 7) raise(kUD);
    require_cpl0(c);
    c.write_dr(i.reg, c.mode64() ? c.s.gpr[i.rm] : static_cast<uint32_t>(c.s.gpr[i.rm]));
}

void clts(Cpu& c, const DecodedInsn&) {
    require_cpl0(c);
    c.s.cr0 &= ~cr0::TS;
}
// INVD/WBINVD: Bootscope has no caches to write back or drop.
void wbinvd(Cpu& c, const DecodedInsn&) { require_cpl0(c); }

// ---- MSRs ----

void rdmsr(Cpu& c, const DecodedInsn&) {
    require_cpl0(c);
    uint64_t v;
    if (!c.read_msr(static_cast<uint32_t>(c.s.gpr[RCX]), v)) raise(kGP, 0);
    c.s.gpr[RAX] = static_cast<uint32_t>(v);
    c.s.gpr[RDX] = v >> 32;
}
void wrmsr(Cpu& c, const DecodedInsn&) {
    require_cpl0(c);
    const uint64_t v = (c.s.gpr[RDX] << 32) | static_cast<uint32_t>(c.s.gpr[RAX]);
    if (!c.write_msr(static_cast<uint32_t>(c.s.gpr[RCX]), v)) raise(kGP, 0);
    c.attention = true;
}

// ---- fast system calls ----

void syscall(Cpu& c, const DecodedInsn&) { c.syscall(); }
template <class T> void sysret(Cpu& c, const DecodedInsn&) { c.sysret(sizeof(T)); }
void sysenter(Cpu& c, const DecodedInsn&) { c.sysenter(); }
template <class T> void sysexit(Cpu& c, const DecodedInsn&) { c.sysexit(sizeof(T)); }

// Handler tables for forms whose operand size is 16/32 (or 64 with REX.W).
#define BS_SIZES(h) {nullptr, &h<uint16_t>, &h<uint32_t>, &h<uint64_t>}
#define BS_SIZES_NO64(h) {nullptr, &h<uint16_t>, &h<uint32_t>, &h<uint32_t>}

constexpr uint32_t BS_ = B | S;

const Form kForms[] = {
    // Segment registers.
    {"mov", kMap1, 0x8e, 0, -1, kModAny, kPfxAny, kImmNone, M | S, BS_SIZES(mov_sreg), "base"},
    {"mov", kMap1, 0x8e, 2, -1, kModAny, kPfxAny, kImmNone, M | S, BS_SIZES(mov_sreg), "base"},
    {"mov", kMap1, 0x8e, 3, -1, kModAny, kPfxAny, kImmNone, M | S, BS_SIZES(mov_sreg), "base"},
    {"mov", kMap1, 0x8e, 4, -1, kModAny, kPfxAny, kImmNone, M | S, BS_SIZES(mov_sreg), "base"},
    {"mov", kMap1, 0x8e, 5, -1, kModAny, kPfxAny, kImmNone, M | S, BS_SIZES(mov_sreg), "base"},
    {"pop", kMap1, 0x07, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | S, BS_SIZES(PopSreg<ES>::h), "base"},
    {"pop", kMap1, 0x17, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | S, BS_SIZES(PopSreg<SS>::h), "base"},
    {"pop", kMap1, 0x1f, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | S, BS_SIZES(PopSreg<DS>::h), "base"},
    {"pop", kMap0F, 0xa1, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64 | S, BS_SIZES(PopSreg<FS>::h), "base"},
    {"pop", kMap0F, 0xa9, -1, -1, kModAny, kPfxAny, kImmNone, fa::Def64 | S, BS_SIZES(PopSreg<GS>::h), "base"},
    {"les", kMap1, 0xc4, -1, -1, kModMem, kPfxAny, kImmNone, M | fa::Inv64 | S, BS_SIZES(LoadFar<ES>::h), "base"},
    {"lds", kMap1, 0xc5, -1, -1, kModMem, kPfxAny, kImmNone, M | fa::Inv64 | S, BS_SIZES(LoadFar<DS>::h), "base"},
    {"lss", kMap0F, 0xb2, -1, -1, kModMem, kPfxAny, kImmNone, M | S, BS_SIZES(LoadFar<SS>::h), "base"},
    {"lfs", kMap0F, 0xb4, -1, -1, kModMem, kPfxAny, kImmNone, M | S, BS_SIZES(LoadFar<FS>::h), "base"},
    {"lgs", kMap0F, 0xb5, -1, -1, kModMem, kPfxAny, kImmNone, M | S, BS_SIZES(LoadFar<GS>::h), "base"},

    // Far transfers and interrupts.
    {"jmp", kMap1, 0xea, -1, -1, kModAny, kPfxAny, kImmAp, fa::Inv64 | BS_, BS_SIZES_NO64(jmp_far_ptr), "base"},
    {"call", kMap1, 0x9a, -1, -1, kModAny, kPfxAny, kImmAp, fa::Inv64 | BS_, BS_SIZES_NO64(call_far_ptr), "base"},
    {"jmp", kMap1, 0xff, 5, -1, kModMem, kPfxAny, kImmNone, M | BS_, BS_SIZES(jmp_far_mem), "base"},
    {"call", kMap1, 0xff, 3, -1, kModMem, kPfxAny, kImmNone, M | BS_, BS_SIZES(call_far_mem), "base"},
    {"ret", kMap1, 0xcb, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_SIZES(retf), "base"},
    {"ret", kMap1, 0xca, -1, -1, kModAny, kPfxAny, kImmW, BS_, BS_SIZES(retf), "base"},
    {"iret", kMap1, 0xcf, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_SIZES(iret), "base"},
    {"int3", kMap1, 0xcc, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_HANDLER1(int3), "base"},
    {"int", kMap1, 0xcd, -1, -1, kModAny, kPfxAny, kImmB, BS_, BS_HANDLER1(int_n), "base"},
    {"into", kMap1, 0xce, -1, -1, kModAny, kPfxAny, kImmNone, fa::Inv64 | BS_, BS_HANDLER1(into), "base"},
    {"bound", kMap1, 0x62, -1, -1, kModMem, kPfxAny, kImmNone, M | fa::Inv64, BS_SIZES_NO64(bound), "base"},
    {"int1", kMap1, 0xf1, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_HANDLER1(int1), "base"},

    {"hlt", kMap1, 0xf4, -1, -1, kModAny, kPfxAny, kImmNone, S, BS_HANDLER1(hlt), "system"},
    {"cli", kMap1, 0xfa, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(cli), "base"},
    {"sti", kMap1, 0xfb, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(sti), "base"},

    // 0F 00: LDTR, TR, VERR/VERW.
    {"sldt", kMap0F, 0x00, 0, -1, kModAny, kPfxAny, kImmNone, M, BS_SIZES(sldt), "system"},
    {"str", kMap0F, 0x00, 1, -1, kModAny, kPfxAny, kImmNone, M, BS_SIZES(str), "system"},
    {"lldt", kMap0F, 0x00, 2, -1, kModAny, kPfxAny, kImmNone, M | S, BS_HANDLER1(lldt), "system"},
    {"ltr", kMap0F, 0x00, 3, -1, kModAny, kPfxAny, kImmNone, M | S, BS_HANDLER1(ltr), "system"},
    {"verr", kMap0F, 0x00, 4, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(verx<false>), "system"},
    {"verw", kMap0F, 0x00, 5, -1, kModAny, kPfxAny, kImmNone, M, BS_HANDLER1(verx<true>), "system"},

    // 0F 01: descriptor tables, MSW, INVLPG, SWAPGS.
    {"sgdt", kMap0F, 0x01, 0, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLER1(sgdt), "system"},
    {"sidt", kMap0F, 0x01, 1, -1, kModMem, kPfxAny, kImmNone, M, BS_HANDLER1(sidt), "system"},
    {"lgdt", kMap0F, 0x01, 2, -1, kModMem, kPfxAny, kImmNone, M | S, BS_HANDLER1(lgdt), "system"},
    {"lidt", kMap0F, 0x01, 3, -1, kModMem, kPfxAny, kImmNone, M | S, BS_HANDLER1(lidt), "system"},
    {"smsw", kMap0F, 0x01, 4, -1, kModAny, kPfxAny, kImmNone, M, BS_SIZES(smsw), "system"},
    {"lmsw", kMap0F, 0x01, 6, -1, kModAny, kPfxAny, kImmNone, M | S, BS_HANDLER1(lmsw), "system"},
    {"invlpg", kMap0F, 0x01, 7, -1, kModMem, kPfxAny, kImmNone, M | S, BS_HANDLER1(invlpg), "system"},
    {"swapgs", kMap0F, 0x01, 7, 0, kModReg, kPfxAny, kImmNone, M | fa::Only64 | S, BS_HANDLER1(swapgs), "system"},

    {"lar", kMap0F, 0x02, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_SIZES(lar), "system"},
    {"lsl", kMap0F, 0x03, -1, -1, kModAny, kPfxAny, kImmNone, M, BS_SIZES(lsl), "system"},
    {"syscall", kMap0F, 0x05, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_HANDLER1(syscall), "system"},
    {"clts", kMap0F, 0x06, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(clts), "system"},
    {"sysret", kMap0F, 0x07, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_SIZES(sysret), "system"},
    {"invd", kMap0F, 0x08, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(wbinvd), "system"},
    {"wbinvd", kMap0F, 0x09, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(wbinvd), "system"},

    {"mov", kMap0F, 0x20, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::ForceReg | fa::Force64, BS_HANDLER1(mov_from_cr), "system"},
    {"mov", kMap0F, 0x21, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::ForceReg | fa::Force64, BS_HANDLER1(mov_from_dr), "system"},
    {"mov", kMap0F, 0x22, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::ForceReg | fa::Force64 | S, BS_HANDLER1(mov_to_cr), "system"},
    {"mov", kMap0F, 0x23, -1, -1, kModAny, kPfxAny, kImmNone, M | fa::ForceReg | fa::Force64 | S, BS_HANDLER1(mov_to_dr), "system"},

    {"wrmsr", kMap0F, 0x30, -1, -1, kModAny, kPfxAny, kImmNone, S, BS_HANDLER1(wrmsr), "system"},
    {"rdmsr", kMap0F, 0x32, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(rdmsr), "system"},
    {"sysenter", kMap0F, 0x34, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_HANDLER1(sysenter), "system"},
    {"sysexit", kMap0F, 0x35, -1, -1, kModAny, kPfxAny, kImmNone, BS_, BS_SIZES(sysexit), "system"},
};

}  // namespace

std::span<const Form> forms_system() { return kForms; }

}  // namespace bs::cpu
