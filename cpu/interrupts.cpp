// Interrupts and exceptions: delivery through the real-mode IVT and the
// protected/long-mode IDT, the double-fault rules and shutdown, IRET, HLT,
// and the fast system calls (SYSCALL/SYSRET, SYSENTER/SYSEXIT).
//
// SDM Vol. 3A ch. 6 (interrupt and exception handling: §6.12 protected
// mode, §6.14 64-bit mode, §6.15 the table of exception classes), ch. 20.1
// (real mode), Vol. 2 "INT n", "IRET", "SYSCALL", "SYSRET", "SYSENTER",
// "SYSEXIT".
//
// Delivery reads the gate and checks the target, pushes the frame onto the
// new stack, and only then commits CS, RIP, RFLAGS, SS:RSP and CPL, so a
// fault during delivery leaves the registers of the interrupted context for
// the double-fault logic in deliver_event().
#include <cstdio>

#include "flags.h"
#include "system.h"

namespace bs::cpu {

namespace {

// Exception classes for the double-fault rules (SDM Vol. 3A table 6-4/6-5).
bool contributory(uint8_t v) { return v == kDE || (v >= kTS && v <= kGP); }

bool software(EventKind k) { return k == EventKind::SoftwareInt || k == EventKind::SoftwareExc; }
// Events whose saved RIP is the next instruction (traps raised by an instruction).
bool after_insn(EventKind k) { return software(k) || k == EventKind::PrivSoftware; }

// Error codes of faults raised while delivering: EXT (bit 0) is set unless
// the event is INT n/INT3/INTO.
uint32_t ext_bit(EventKind k) { return software(k) ? 0 : 1; }

}  // namespace

void Cpu::service_events() {
    if (nmi_line && !s.nmi_blocked) {
        bus_.nmi_acknowledge();
        s.activity = Activity::Active;
        s.nmi_blocked = true;  // until the next IRET
        deliver_event(kNMI, EventKind::Nmi, false, 0);
        return;
    }
    if (intr_line && (s.rflags & fl::IF)) {
        const uint8_t vector = bus_.intr_acknowledge();
        s.activity = Activity::Active;
        deliver_event(vector, EventKind::External, false, 0);
    }
}

// Delivers an event; a fault during delivery becomes the next event to
// deliver, or a double fault, or shutdown (SDM Vol. 3A §6.15, "Interrupt 8").
void Cpu::deliver_event(uint8_t vector, EventKind kind, bool has_error, uint32_t error) {
    for (;;) {
        try {
            deliver(vector, kind, has_error, error);
            return;
        } catch (const CpuFault& f) {
            if (f.vector == kPF) s.cr2 = f.address;
            if (kind == EventKind::Exception && vector == kDF) {
                s.activity = Activity::Shutdown;  // triple fault
                return;
            }
            const bool first_exc = kind == EventKind::Exception;
            const bool df = first_exc && ((contributory(vector) && contributory(f.vector)) ||
                                          (vector == kPF && (contributory(f.vector) || f.vector == kPF)));
            kind = EventKind::Exception;
            if (df) {
                vector = kDF;
                has_error = true;
                error = 0;
            } else {
                vector = f.vector;
                has_error = f.has_error;
                error = f.error;
            }
        }
    }
}

std::vector<EventRecord> Cpu::recent_events() const {
    std::vector<EventRecord> out;
    for (unsigned k = 0; k < kEventHistory; ++k) {
        const EventRecord& e = event_history_[(event_next_ + k) % kEventHistory];
        if (e.icount || e.rip || e.vector) out.push_back(e);
    }
    return out;
}

void Cpu::deliver(uint8_t vector, EventKind kind, bool has_error, uint32_t error) {
    ++event_count_[vector];
    // The exact count (not the running block's start): the history is machine
    // state, and must not depend on how the run was sliced.
    const EventRecord rec{current_icount(), s.rip, s.seg[CS].selector, vector, kind, has_error, error};
    event_history_[event_next_] = rec;
    event_next_ = (event_next_ + 1) % kEventHistory;
    if (!protected_mode()) {
        deliver_real(vector, after_insn(kind) ? s.next_rip : s.rip);
    } else if (long_mode()) {
        deliver_long(vector, kind, has_error, error);
    } else {
        deliver_protected(vector, kind, has_error, error);
    }
    if (trace_) [[unlikely]] {
        EventRecord e = rec;
        e.icount = trace_icount_;
        trace_->event(trace_icount_, e, seg_base_[CS] + s.rip);
    }
}

void Cpu::software_interrupt(uint8_t vector, EventKind kind) {
    // Virtual-8086 mode with IOPL < 3: INT n is a #GP(0) (no VME).
    if (v86_mode() && kind == EventKind::SoftwareInt && ((s.rflags & fl::IOPL) >> 12) != 3) raise(kGP, 0);
    deliver(vector, kind, false, 0);
}

// Real mode: IVT entries of 4 bytes (IP, CS) at IDTR.base; FLAGS, CS, IP pushed.
void Cpu::deliver_real(uint8_t vector, uint64_t ret) {
    if (vector * 4u + 3 > s.idtr.limit) raise(kGP, 0);
    const uint64_t entry = static_cast<uint32_t>(s.idtr.base) + vector * 4u;
    const uint16_t ip = read<uint16_t>(entry);
    const uint16_t cs = read<uint16_t>(entry + 2);
    StackWriter st(*this, seg_base_[SS], s.gpr[RSP], s.stack_size);
    st.push(get_rflags(s), 2);
    st.push(s.seg[CS].selector, 2);
    st.push(ret, 2);
    s.gpr[RSP] = st.sp();
    s.rflags &= ~(fl::IF | fl::TF | fl::AC | fl::RF);
    load_real_segment(*this, CS, cs);
    s.rip = s.next_rip = ip;
    mode_changed();
}

namespace {

// The code segment an interrupt or trap gate names: present code this CPL
// may enter, 64-bit code in IA-32e mode; else #GP/#NP with the selector.
Descriptor gate_target(Cpu& c, uint16_t cs_sel, uint32_t ext, bool long64) {
    const uint32_t err = (cs_sel & 0xfffc) + ext;
    if ((cs_sel & 0xfffc) == 0) raise(kGP, ext);
    Descriptor cs;
    if (!fetch_descriptor(c, cs_sel, cs)) raise(kGP, err);
    if (!cs.code() || cs.dpl() > c.s.cpl || (long64 && (!cs.l() || cs.db()))) raise(kGP, err);
    if (!cs.present()) raise(kNP, err);
    return cs;
}

}  // namespace

// Legacy protected mode (SDM Vol. 3A §6.12.1).
void Cpu::deliver_protected(uint8_t vector, EventKind kind, bool has_error, uint32_t error) {
    const uint32_t ext = ext_bit(kind);
    const uint32_t idt_err = vector * 8u + 2 + ext;
    if (vector * 8u + 7 > s.idtr.limit) raise(kGP, idt_err);
    Descriptor gate;
    {
        SupervisorAccess sup(*this);
        gate.raw = read<uint64_t>(static_cast<uint32_t>(s.idtr.base) + vector * 8u);
    }
    const uint8_t type = gate.type();
    if (gate.s() || !(type == systype::IntGate16 || type == systype::TrapGate16 || type == systype::IntGate32 ||
                      type == systype::TrapGate32)) {
        if (!gate.s() && type == systype::TaskGate) {
            std::fprintf(stderr, "bootscope: cpu: unimplemented: task gate in IDT entry %u; raising #GP\n", vector);
        }
        raise(kGP, idt_err);
    }
    if (software(kind) && gate.dpl() < s.cpl) raise(kGP, idt_err);
    if (!gate.present()) raise(kNP, idt_err);
    const uint16_t cs_sel = gate.gate_selector();
    Descriptor cs = gate_target(*this, cs_sel, ext, false);
    if (v86_mode()) {
        std::fprintf(stderr, "bootscope: cpu: unimplemented: interrupt from virtual-8086 mode; raising #GP\n");
        raise(kGP, (cs_sel & 0xfffc) + ext);
    }
    const unsigned size = (type & 8) ? 4 : 2;
    uint64_t offset = gate.gate_offset32();
    if (size == 2) offset &= 0xffff;
    if (offset > cs.limit()) raise(kGP, ext);

    const unsigned new_cpl = cs.conforming() ? s.cpl : cs.dpl();
    const uint64_t old_flags = get_rflags(s);
    const uint64_t ret = after_insn(kind) ? s.next_rip : s.rip;
    if (new_cpl < s.cpl) {
        // Inner stack from the TSS (32-bit: ESPn at 4+8n, SSn at 8+8n; 16-bit: SPn at 2+4n, SSn at 4+4n).
        const bool tss32 = (s.tr.attr & 8) != 0;
        const uint32_t esp_off = tss32 ? 4 + 8 * new_cpl : 2 + 4 * new_cpl;
        const uint32_t ss_off = tss32 ? 8 + 8 * new_cpl : 4 + 4 * new_cpl;
        if (ss_off + 1 > s.tr.limit) raise(kTS, (s.tr.selector & 0xfffc) + ext);
        uint64_t new_sp;
        uint16_t new_ss;
        {
            SupervisorAccess sup(*this);
            const uint64_t tb = static_cast<uint32_t>(s.tr.base);
            new_sp = tss32 ? read<uint32_t>(tb + esp_off) : read<uint16_t>(tb + esp_off);
            new_ss = read<uint16_t>(tb + ss_off);
        }
        const uint16_t ss_err = (new_ss & 0xfffc) + ext;
        if ((new_ss & 0xfffc) == 0) raise(kTS, ext);
        Descriptor ssd;
        if (!fetch_descriptor(*this, new_ss, ssd)) raise(kTS, ss_err);
        if ((new_ss & 3u) != new_cpl || ssd.dpl() != new_cpl || !ssd.writable_data()) raise(kTS, ss_err);
        if (!ssd.present()) raise(kSS, ss_err);
        const unsigned ss_size = ssd.db() ? 4 : 2;
        // The pushes are supervisor accesses to the new stack.
        StackWriter st(*this, ssd.base(), new_sp, ss_size);
        {
            SupervisorAccess sup(*this);
            st.push(s.seg[SS].selector, size);
            st.push(s.gpr[RSP], size);
            st.push(old_flags, size);
            st.push(s.seg[CS].selector, size);
            st.push(ret, size);
            if (has_error) st.push(error, size);
        }
        mark_accessed(*this, new_ss, ssd);
        load_descriptor(s.seg[SS], new_ss, ssd);
        s.gpr[RSP] = ss_size == 4 ? static_cast<uint32_t>(st.sp()) : ((s.gpr[RSP] & ~0xffffull) | (st.sp() & 0xffff));
    } else {
        StackWriter st(*this, seg_base_[SS], s.gpr[RSP], s.stack_size);
        st.push(old_flags, size);
        st.push(s.seg[CS].selector, size);
        st.push(ret, size);
        if (has_error) st.push(error, size);
        s.gpr[RSP] = st.sp();
    }
    uint64_t f = old_flags & ~(fl::TF | fl::NT | fl::RF | fl::VM);
    if (!(type & 1)) f &= ~fl::IF;  // interrupt gate
    set_rflags(s, f);
    mark_accessed(*this, cs_sel, cs);
    load_code_segment(cs_sel, cs, new_cpl);
    s.rip = s.next_rip = offset;
}

// IA-32e mode (SDM Vol. 3A §6.14): 16-byte gates, 64-bit targets, SS:RSP
// always pushed, the new RSP aligned to 16, IST stacks.
void Cpu::deliver_long(uint8_t vector, EventKind kind, bool has_error, uint32_t error) {
    const uint32_t ext = ext_bit(kind);
    const uint32_t idt_err = vector * 8u + 2 + ext;
    if (vector * 16u + 15 > s.idtr.limit) raise(kGP, idt_err);
    Descriptor gate;
    {
        SupervisorAccess sup(*this);
        gate.raw = read<uint64_t>(s.idtr.base + vector * 16u);
        gate.upper = read<uint32_t>(s.idtr.base + vector * 16u + 8);
    }
    const uint8_t type = gate.type();
    if (gate.s() || (type != systype::IntGate32 && type != systype::TrapGate32)) raise(kGP, idt_err);
    if (software(kind) && gate.dpl() < s.cpl) raise(kGP, idt_err);
    if (!gate.present()) raise(kNP, idt_err);
    const uint16_t cs_sel = gate.gate_selector();
    Descriptor cs = gate_target(*this, cs_sel, ext, true);
    const uint64_t offset = gate.gate_offset64();
    if (static_cast<uint64_t>(static_cast<int64_t>(offset << 16) >> 16) != offset) raise(kGP, ext);

    const unsigned new_cpl = cs.conforming() ? s.cpl : cs.dpl();
    uint64_t new_sp = s.gpr[RSP];
    if (new_cpl < s.cpl || gate.ist()) {
        // TSS64: RSPn at 4+8n, ISTn at 0x24+8(n-1).
        const uint32_t off = gate.ist() ? 0x24 + 8 * (gate.ist() - 1) : 4 + 8 * new_cpl;
        if (off + 7 > s.tr.limit) raise(kTS, (s.tr.selector & 0xfffc) + ext);
        SupervisorAccess sup(*this);
        new_sp = read<uint64_t>(s.tr.base + off);
    }
    new_sp &= ~0xfull;
    const uint64_t old_flags = get_rflags(s);
    const uint64_t ret = after_insn(kind) ? s.next_rip : s.rip;
    StackWriter st(*this, 0, new_sp, 8);
    {
        // Pushes use the rights of the new CPL.
        const unsigned saved_cpl = s.cpl;
        set_cpl(new_cpl);
        try {
            st.push(s.seg[SS].selector, 8);
            st.push(s.gpr[RSP], 8);
            st.push(old_flags, 8);
            st.push(s.seg[CS].selector, 8);
            st.push(ret, 8);
            if (has_error) st.push(error, 8);
        } catch (...) {
            set_cpl(saved_cpl);
            throw;
        }
        set_cpl(saved_cpl);
    }
    if (new_cpl < s.cpl) {
        // A null SS with RPL = new CPL (SDM Vol. 3A §6.14.4).
        load_null_segment(s.seg[SS], static_cast<uint16_t>(new_cpl));
        s.seg[SS].attr = static_cast<uint16_t>(new_cpl << segattr::DplShift);
    }
    s.gpr[RSP] = st.sp();
    uint64_t f = old_flags & ~(fl::TF | fl::NT | fl::RF | fl::VM);
    if (!(type & 1)) f &= ~fl::IF;
    set_rflags(s, f);
    mark_accessed(*this, cs_sel, cs);
    load_code_segment(cs_sel, cs, new_cpl);
    s.rip = s.next_rip = offset;
}

// ---------------------------------------------------------------- IRET

void Cpu::iret(unsigned opsize) {
    const uint64_t from = current_pc();
    iret_body(opsize);
    if (trace_) [[unlikely]] trace_->iret(trace_icount_, from, seg_base_[CS] + s.next_rip);
}

void Cpu::iret_body(unsigned opsize) {
    if (!protected_mode()) {
        const uint64_t ip = stack_read(*this, 0, opsize);
        const uint16_t cs = static_cast<uint16_t>(stack_read(*this, opsize, opsize));
        const uint64_t flags = stack_read(*this, 2 * opsize, opsize);
        const uint64_t w = (opsize == 2 ? 0xffffull : (fl::Arith | fl::TF | fl::IF | fl::DF | fl::IOPL | fl::NT |
                                                       fl::AC | fl::ID | 0xffff)) & ~fl::Reserved1;
        s.gpr[RSP] = stack_moved(*this, 3 * opsize);
        load_real_segment(*this, CS, cs);
        set_rflags(s, (get_rflags(s) & ~w) | (flags & w));
        s.next_rip = opsize == 2 ? (ip & 0xffff) : (ip & 0xffffffff);
        s.nmi_blocked = false;
        mode_changed();
        return;
    }
    if (v86_mode()) {
        // IOPL 3: IRET works as in real mode, IOPL unchanged; otherwise #GP(0) (no VME).
        if (((s.rflags & fl::IOPL) >> 12) != 3) raise(kGP, 0);
        const uint64_t ip = stack_read(*this, 0, opsize);
        const uint16_t cs = static_cast<uint16_t>(stack_read(*this, opsize, opsize));
        const uint64_t flags = stack_read(*this, 2 * opsize, opsize);
        const uint64_t w = (fl::Arith | fl::TF | fl::IF | fl::DF | fl::NT | fl::AC | fl::ID) & (opsize == 2 ? 0xffff : ~0ull);
        s.gpr[RSP] = stack_moved(*this, 3 * opsize);
        load_real_segment(*this, CS, cs);
        set_rflags(s, (get_rflags(s) & ~w) | (flags & w));
        s.next_rip = opsize == 2 ? (ip & 0xffff) : (ip & 0xffffffff);
        s.nmi_blocked = false;
        mode_changed();
        return;
    }
    if (s.rflags & fl::NT) {
        if (long_mode()) raise(kGP, 0);
        std::fprintf(stderr, "bootscope: cpu: unimplemented: IRET with NT set (task return); raising #GP\n");
        raise(kGP, 0);
    }
    const uint64_t ip = stack_read(*this, 0, opsize);
    const uint16_t cs = static_cast<uint16_t>(stack_read(*this, opsize, opsize));
    const uint64_t flags = stack_read(*this, 2 * opsize, opsize);
    if (!long_mode() && (flags & fl::VM) && s.cpl == 0 && opsize == 4) {
        std::fprintf(stderr, "bootscope: cpu: unimplemented: IRET to virtual-8086 mode; raising #GP\n");
        raise(kGP, 0);
    }
    const uint16_t sel_err = cs & 0xfffc;
    const unsigned rpl = cs & 3;
    if (sel_err == 0) raise(kGP, 0);
    Descriptor d;
    if (!fetch_descriptor(*this, cs, d)) raise(kGP, sel_err);
    if (!d.code() || rpl < s.cpl) raise(kGP, sel_err);
    if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) raise(kGP, sel_err);
    if (!d.present()) raise(kNP, sel_err);
    if (long_mode() && d.l() && d.db()) raise(kGP, sel_err);
    const bool to64 = long_mode() && d.l();
    uint64_t target = ip;
    if (!to64) {
        target = opsize == 2 ? (ip & 0xffff) : (ip & 0xffffffff);
        if (target > d.limit()) raise(kGP, 0);
    } else if (static_cast<uint64_t>(static_cast<int64_t>(ip << 16) >> 16) != ip) {
        raise(kGP, 0);
    }
    // RFLAGS the return may change, decided by the CPL before it.
    uint64_t w = writable_flags(*this, opsize) | (s.cpl == 0 && opsize != 2 && !long_mode() ? fl::VIF | fl::VIP : 0);
    if (s.cpl == 0 && opsize != 2 && long_mode()) w |= fl::VIF | fl::VIP;
    w |= fl::RF & (opsize == 2 ? 0 : ~0ull);
    const uint64_t new_flags = (get_rflags(s) & ~w) | (flags & w);

    // 64-bit mode always pops SS:RSP; otherwise only on a privilege change.
    if (rpl != s.cpl || mode64()) {
        const uint64_t new_sp = stack_read(*this, 3 * opsize, opsize);
        const uint16_t new_ss = static_cast<uint16_t>(stack_read(*this, 4 * opsize, opsize));
        Descriptor ssd = check_outer_stack(new_ss, rpl, to64);
        const bool outer = rpl > s.cpl;
        mark_accessed(*this, cs, d);
        load_code_segment(cs, d, rpl);
        load_returned_ss(new_ss, ssd, rpl);
        const bool ss32 = (s.seg[SS].attr & segattr::DB) != 0;
        s.gpr[RSP] = to64 ? new_sp : ss32 ? static_cast<uint32_t>(new_sp) : ((s.gpr[RSP] & ~0xffffull) | (new_sp & 0xffff));
        if (outer) drop_inner_segments();
    } else {
        const uint64_t sp = stack_moved(*this, 3 * opsize);
        mark_accessed(*this, cs, d);
        load_code_segment(cs, d, rpl);
        s.gpr[RSP] = sp;
    }
    set_rflags(s, new_flags);
    s.next_rip = target;
    s.nmi_blocked = false;
    mode_changed();
}

// ---------------------------------------------------------------- HLT

void Cpu::halt() {
    if (s.cpl != 0) raise(kGP, 0);
    s.activity = Activity::Halted;
    attention = true;
    if (trace_) [[unlikely]] trace_->halt(trace_icount_, seg_base_[CS] + s.next_rip);
}

// ---------------------------------------------------------------- fast system calls

namespace {

// The flat segments SYSCALL/SYSENTER load without reading descriptors.
Descriptor flat_code(unsigned dpl, bool l64) {
    Descriptor d;
    // limit FFFFF, G, present, code execute/read accessed, S.
    d.raw = 0x000f00000000ffffull | (0xbull << 40) | (1ull << 44) | (static_cast<uint64_t>(dpl) << 45) | (1ull << 47) |
            (1ull << 55) | (l64 ? 1ull << 53 : 1ull << 54);
    return d;
}
Descriptor flat_data(unsigned dpl) {
    Descriptor d;
    d.raw = 0x000f00000000ffffull | (0x3ull << 40) | (1ull << 44) | (static_cast<uint64_t>(dpl) << 45) | (1ull << 47) |
            (1ull << 54) | (1ull << 55);
    return d;
}

}  // namespace

// SYSCALL (Intel: 64-bit mode only).
void Cpu::syscall() {
    if (!(s.efer & efer::SCE) || !mode64()) raise(kUD);
    if (trace_) [[unlikely]] trace_->syscall(trace_icount_, current_pc(), s.gpr[RAX]);
    const uint16_t cs = static_cast<uint16_t>((s.msr.star >> 32) & 0xfffc);
    s.gpr[RCX] = s.next_rip;
    s.gpr[R11] = get_rflags(s) & ~fl::RF;
    set_rflags(s, get_rflags(s) & ~(s.msr.fmask | fl::RF));
    load_code_segment(cs, flat_code(0, true), 0);
    load_descriptor(s.seg[SS], static_cast<uint16_t>(cs + 8), flat_data(0));
    s.next_rip = s.msr.lstar;
    mode_changed();
}

void Cpu::sysret(unsigned opsize) {
    if (!(s.efer & efer::SCE) || !mode64()) raise(kUD);
    if (s.cpl != 0) raise(kGP, 0);
    const uint64_t rcx = s.gpr[RCX];
    if (opsize == 8 && static_cast<uint64_t>(static_cast<int64_t>(rcx << 16) >> 16) != rcx) raise(kGP, 0);
    const uint16_t base = static_cast<uint16_t>(s.msr.star >> 48);
    const bool to64 = opsize == 8;
    const uint16_t cs = static_cast<uint16_t>((to64 ? base + 16 : base) | 3);
    load_code_segment(cs, flat_code(3, to64), 3);
    // SS keeps the selector+8 with RPL 3; Intel loads a flat DPL 3 data descriptor.
    load_descriptor(s.seg[SS], static_cast<uint16_t>((base + 8) | 3), flat_data(3));
    set_rflags(s, (s.gpr[R11] & 0x3c7fd7) | fl::Reserved1);
    s.next_rip = to64 ? rcx : static_cast<uint32_t>(rcx);
    mode_changed();
    if (trace_) [[unlikely]] trace_->sysret(trace_icount_, s.next_rip);
}

void Cpu::sysenter() {
    if (!protected_mode()) raise(kGP, 0);
    const uint16_t cs = static_cast<uint16_t>(s.msr.sysenter_cs & 0xfffc);
    if (cs == 0) raise(kGP, 0);
    if (trace_) [[unlikely]] trace_->syscall(trace_icount_, current_pc(), s.gpr[RAX]);
    const bool to64 = long_mode();
    set_rflags(s, get_rflags(s) & ~(fl::VM | fl::IF | fl::RF));
    load_code_segment(cs, flat_code(0, to64), 0);
    load_descriptor(s.seg[SS], static_cast<uint16_t>(cs + 8), flat_data(0));
    s.gpr[RSP] = to64 ? s.msr.sysenter_esp : static_cast<uint32_t>(s.msr.sysenter_esp);
    s.next_rip = to64 ? s.msr.sysenter_eip : static_cast<uint32_t>(s.msr.sysenter_eip);
    mode_changed();
}

void Cpu::sysexit(unsigned opsize) {
    if (!protected_mode() || s.cpl != 0) raise(kGP, 0);
    const uint16_t base = static_cast<uint16_t>(s.msr.sysenter_cs & 0xfffc);
    if (base == 0) raise(kGP, 0);
    const bool to64 = opsize == 8;
    if (to64) {
        const uint64_t rdx = s.gpr[RDX], rcx = s.gpr[RCX];
        if (static_cast<uint64_t>(static_cast<int64_t>(rdx << 16) >> 16) != rdx ||
            static_cast<uint64_t>(static_cast<int64_t>(rcx << 16) >> 16) != rcx)
            raise(kGP, 0);
    }
    const uint16_t cs = static_cast<uint16_t>((to64 ? base + 32 : base + 16) | 3);
    const uint16_t ss = static_cast<uint16_t>((to64 ? base + 40 : base + 24) | 3);
    load_code_segment(cs, flat_code(3, to64), 3);
    load_descriptor(s.seg[SS], ss, flat_data(3));
    s.gpr[RSP] = to64 ? s.gpr[RCX] : static_cast<uint32_t>(s.gpr[RCX]);
    s.next_rip = to64 ? s.gpr[RDX] : static_cast<uint32_t>(s.gpr[RDX]);
    mode_changed();
    if (trace_) [[unlikely]] trace_->sysret(trace_icount_, s.next_rip);
}

}  // namespace bs::cpu
