// Segmentation: descriptor tables, segment register loads, far JMP/CALL/RET,
// LLDT/LTR, LAR/LSL/VERR/VERW and the TSS I/O permission bitmap.
//
// SDM Vol. 3A ch. 3 (segments), ch. 5 (protection: the checks and the
// fault each one raises), Vol. 2 per instruction. Selectors in error codes
// have their RPL bits cleared (bit 0 is EXT, bit 1 IDT, bit 2 TI).
//
// Not implemented, and refused loudly (a logged line and #GP): hardware
// task switches (JMP/CALL to a TSS or task gate), call gates, returns to
// virtual-8086 mode. No kernel Bootscope runs uses them.
#include <cstdio>

#include "system.h"

namespace bs::cpu {

namespace {

void unimplemented(const char* what, uint16_t selector) {
    std::fprintf(stderr, "bootscope: cpu: unimplemented: %s (selector %#06x); raising #GP\n", what, selector);
}

}  // namespace

bool fetch_descriptor(Cpu& c, uint16_t selector, Descriptor& d, bool wide) {
    const bool ldt = selector & 4;
    const DescriptorTable table = ldt ? DescriptorTable{c.s.ldtr.base, static_cast<uint16_t>(c.s.ldtr.limit)}
                                      : c.s.gdtr;
    if (ldt && !(c.s.ldtr.attr & segattr::Present)) return false;
    const uint64_t off = selector & ~7u;
    const uint64_t last = off + (wide ? 15 : 7);
    if (last > (ldt ? c.s.ldtr.limit : table.limit)) return false;
    SupervisorAccess sup(c);
    const uint64_t base = c.s.efer & efer::LMA ? table.base : static_cast<uint32_t>(table.base);
    d.raw = c.read<uint64_t>(base + off);
    d.upper = wide ? c.read<uint32_t>(base + off + 8) : 0;
    return true;
}

void mark_accessed(Cpu& c, uint16_t selector, Descriptor& d) {
    if (!d.s() || (d.type() & 1)) return;
    const bool ldt = selector & 4;
    const uint64_t base = ldt ? c.s.ldtr.base : c.s.gdtr.base;
    SupervisorAccess sup(c);
    const uint64_t at = base + (selector & ~7u) + 5;
    c.write<uint8_t>(at, static_cast<uint8_t>(c.read<uint8_t>(at) | 1));
    d.raw |= 1ull << 40;
}

void load_real_segment(Cpu& c, unsigned sreg, uint16_t selector) {
    Segment& seg = c.s.seg[sreg];
    seg.selector = selector;
    seg.base = static_cast<uint64_t>(selector) << 4;
    if (c.v86_mode()) {
        // Virtual-8086 segments are 64 KiB, 16-bit, DPL 3 (SDM Vol. 3A §20.2.1).
        seg.limit = 0xffff;
        seg.attr = segattr::Present | segattr::S | segattr::Writable | segattr::Accessed |
                   (3u << segattr::DplShift) | (sreg == CS ? segattr::Code : 0);
    }
    // Real mode keeps the limit and attributes (the "unreal mode" of old DOS extenders).
}

void load_null_segment(Segment& seg, uint16_t selector) {
    seg.selector = selector;
    seg.base = 0;
    seg.limit = 0;
    seg.attr = 0;  // not present: any use faults
}

void StackWriter::push(uint64_t v, unsigned size) {
    sp_ = (sp_ & ~mask_) | ((sp_ - size) & mask_);
    const uint64_t lin = base_ + (sp_ & mask_);
    if (mask_ == ~0ull && static_cast<uint64_t>(static_cast<int64_t>(lin << 16) >> 16) != lin) raise(vec_, 0);
    switch (size) {
    case 2: c_.write<uint16_t>(lin, static_cast<uint16_t>(v)); break;
    case 4: c_.write<uint32_t>(lin, static_cast<uint32_t>(v)); break;
    default: c_.write<uint64_t>(lin, v); break;
    }
}

uint64_t stack_read(Cpu& c, uint64_t off, unsigned size) {
    const uint64_t mask = c.s.stack_size == 8 ? ~0ull : c.s.stack_size == 4 ? 0xffffffffull : 0xffffull;
    const uint64_t lin = c.linear(SS, (c.s.gpr[RSP] + off) & mask);
    switch (size) {
    case 2: return c.read<uint16_t>(lin);
    case 4: return c.read<uint32_t>(lin);
    default: return c.read<uint64_t>(lin);
    }
}

uint64_t stack_moved(const Cpu& c, int64_t delta) {
    const uint64_t mask = c.s.stack_size == 8 ? ~0ull : c.s.stack_size == 4 ? 0xffffffffull : 0xffffull;
    const uint64_t sp = c.s.gpr[RSP];
    return (sp & ~mask) | ((sp + static_cast<uint64_t>(delta)) & mask);
}

uint64_t writable_flags(const Cpu& c, unsigned opsize) {
    uint64_t w = fl::Arith | fl::TF | fl::DF | fl::NT | fl::AC | fl::ID;
    const unsigned iopl = static_cast<unsigned>((c.s.rflags & fl::IOPL) >> 12);
    if (c.s.cpl <= iopl) w |= fl::IF;
    if (c.s.cpl == 0) w |= fl::IOPL;
    if (opsize == 2) w &= 0xffff;
    return w;
}

// ---------------------------------------------------------------- data segments

// MOV Sreg / POP Sreg / LDS...LSS (SDM Vol. 2B "MOV", Vol. 3A §5.5-5.7).
void Cpu::load_segment(unsigned sreg, uint16_t selector) {
    if (!protected_mode() || v86_mode()) {
        load_real_segment(*this, sreg, selector);
        mode_changed();
        return;
    }
    const uint16_t sel_err = selector & 0xfffc;
    const unsigned rpl = selector & 3;
    if ((selector & 0xfffc) == 0) {
        if (sreg == SS) {
            // A null SS is allowed only in 64-bit mode below CPL 3 with RPL = CPL.
            if (!(mode64() && s.cpl != 3 && rpl == s.cpl)) raise(kGP, 0);
        }
        load_null_segment(s.seg[sreg], selector);
        if (sreg == SS) s.seg[SS].attr = static_cast<uint16_t>(s.cpl << segattr::DplShift);  // DPL = CPL
        mode_changed();
        return;
    }
    Descriptor d;
    if (!fetch_descriptor(*this, selector, d)) raise(kGP, sel_err);
    if (sreg == SS) {
        if (rpl != s.cpl || !d.writable_data() || d.dpl() != s.cpl) raise(kGP, sel_err);
        if (!d.present()) raise(kSS, sel_err);
    } else {
        if (!d.s() || !d.readable()) raise(kGP, sel_err);
        if (!d.conforming() && (rpl > d.dpl() || s.cpl > d.dpl())) raise(kGP, sel_err);
        if (!d.present()) raise(kNP, sel_err);
    }
    mark_accessed(*this, selector, d);
    load_descriptor(s.seg[sreg], selector, d);
    mode_changed();
}

// ---------------------------------------------------------------- far transfers

namespace {

// The checks of a far JMP/CALL to a code segment (SDM Vol. 2A "JMP"): the
// descriptor must be a present code segment this CPL may enter directly.
Descriptor check_far_target(Cpu& c, uint16_t selector) {
    const uint16_t sel_err = selector & 0xfffc;
    if (sel_err == 0) raise(kGP, 0);
    Descriptor d;
    if (!fetch_descriptor(c, selector, d)) raise(kGP, sel_err);
    if (!d.s()) {
        const uint8_t t = d.type();
        if (t == systype::CallGate16 || t == systype::CallGate32) unimplemented("far transfer through a call gate", selector);
        else if (t == systype::TaskGate || t == systype::Tss16Avail || t == systype::Tss32Avail)
            unimplemented("hardware task switch", selector);
        raise(kGP, sel_err);
    }
    if (!d.code()) raise(kGP, sel_err);
    if (d.conforming()) {
        if (d.dpl() > c.s.cpl) raise(kGP, sel_err);
    } else if ((selector & 3u) > c.s.cpl || d.dpl() != c.s.cpl) {
        raise(kGP, sel_err);
    }
    if (!d.present()) raise(kNP, sel_err);
    if (c.long_mode() && d.l() && d.db()) raise(kGP, sel_err);
    return d;
}

// Target offset of a far transfer into `d`, checked against its limit
// outside 64-bit code.
uint64_t far_offset(const Cpu& c, const Descriptor& d, uint64_t offset, unsigned opsize) {
    const bool to64 = c.long_mode() && d.l();
    if (!to64) {
        if (opsize == 2) offset &= 0xffff;
        else offset &= 0xffffffff;
        if (offset > d.limit()) raise(kGP, 0);
    } else if (static_cast<uint64_t>(static_cast<int64_t>(offset << 16) >> 16) != offset) {
        raise(kGP, 0);
    }
    return offset;
}

}  // namespace

void Cpu::load_code_segment(uint16_t selector, const Descriptor& d, unsigned cpl) {
    load_descriptor(s.seg[CS], static_cast<uint16_t>((selector & 0xfffc) | cpl), d);
    set_cpl(cpl);
    mode_changed();
}

void Cpu::far_jump(uint16_t selector, uint64_t offset, unsigned opsize) {
    if (!protected_mode() || v86_mode()) {
        load_real_segment(*this, CS, selector);
        s.next_rip = opsize == 2 ? (offset & 0xffff) : (offset & 0xffffffff);
        mode_changed();
        return;
    }
    Descriptor d = check_far_target(*this, selector);
    const uint64_t target = far_offset(*this, d, offset, opsize);
    mark_accessed(*this, selector, d);
    load_code_segment(selector, d, s.cpl);
    s.next_rip = target;
}

void Cpu::far_call(uint16_t selector, uint64_t offset, unsigned opsize) {
    const uint64_t ret_cs = s.seg[CS].selector;
    const uint64_t ret_ip = s.next_rip;
    if (!protected_mode() || v86_mode()) {
        StackWriter st(*this, seg_base_[SS], s.gpr[RSP], s.stack_size);
        st.push(ret_cs, opsize);
        st.push(ret_ip, opsize);
        load_real_segment(*this, CS, selector);
        s.gpr[RSP] = st.sp();
        s.next_rip = opsize == 2 ? (offset & 0xffff) : (offset & 0xffffffff);
        mode_changed();
        return;
    }
    Descriptor d = check_far_target(*this, selector);
    const uint64_t target = far_offset(*this, d, offset, opsize);
    StackWriter st(*this, seg_base_[SS], s.gpr[RSP], s.stack_size);
    st.push(ret_cs, opsize);
    st.push(ret_ip, opsize);
    mark_accessed(*this, selector, d);
    load_code_segment(selector, d, s.cpl);
    s.gpr[RSP] = st.sp();
    s.next_rip = target;
}

// Data segment registers a return to an outer privilege level must not keep
// (SDM Vol. 2A "RET", "IRET": DPL < new CPL, unless conforming code).
void Cpu::drop_inner_segments() {
    for (unsigned r : {ES, DS, FS, GS}) {
        Segment& sg = s.seg[r];
        const bool conforming_code = (sg.attr & segattr::Code) && (sg.attr & 4);
        const unsigned dpl = (sg.attr >> segattr::DplShift) & 3;
        if ((sg.selector & 0xfffc) != 0 && !conforming_code && dpl < s.cpl) load_null_segment(sg, 0);
    }
}

// Checks of the SS selector popped by a return to an outer level.
Descriptor Cpu::check_outer_stack(uint16_t ss, unsigned new_cpl, bool to64) {
    const uint16_t sel_err = ss & 0xfffc;
    Descriptor d;
    if (sel_err == 0) {
        // 64-bit mode may return with a null SS to CPL 0-2 (SDM "IRET").
        if (to64 && new_cpl != 3 && (ss & 3) == new_cpl) return d;
        raise(kGP, 0);
    }
    if (!fetch_descriptor(*this, ss, d)) raise(kGP, sel_err);
    if ((ss & 3u) != new_cpl || !d.writable_data() || d.dpl() != new_cpl) raise(kGP, sel_err);
    if (!d.present()) raise(kSS, sel_err);
    return d;
}

// SS after a return to an outer level (RETF, IRET; checked by
// check_outer_stack): a null SS keeps RPL = the new CPL as its DPL.
void Cpu::load_returned_ss(uint16_t ss, const Descriptor& d, unsigned cpl) {
    if ((ss & 0xfffc) == 0) {
        load_null_segment(s.seg[SS], ss);
        s.seg[SS].attr = static_cast<uint16_t>(cpl << segattr::DplShift);
    } else {
        Descriptor copy = d;
        mark_accessed(*this, ss, copy);
        load_descriptor(s.seg[SS], ss, copy);
    }
}

void Cpu::far_return(unsigned opsize, uint16_t extra) {
    const uint64_t ip = stack_read(*this, 0, opsize);
    const uint16_t cs = static_cast<uint16_t>(stack_read(*this, opsize, opsize));
    if (!protected_mode() || v86_mode()) {
        load_real_segment(*this, CS, cs);
        s.next_rip = opsize == 2 ? (ip & 0xffff) : (ip & 0xffffffff);
        s.gpr[RSP] = stack_moved(*this, 2 * opsize + extra);
        mode_changed();
        return;
    }
    const uint16_t sel_err = cs & 0xfffc;
    const unsigned rpl = cs & 3;
    if (sel_err == 0) raise(kGP, 0);
    Descriptor d;
    if (!fetch_descriptor(*this, cs, d)) raise(kGP, sel_err);
    if (rpl < s.cpl || !d.code()) raise(kGP, sel_err);
    if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) raise(kGP, sel_err);
    if (!d.present()) raise(kNP, sel_err);
    const uint64_t target = far_offset(*this, d, ip, opsize);
    if (rpl == s.cpl) {
        mark_accessed(*this, cs, d);
        const uint64_t sp = stack_moved(*this, 2 * opsize + extra);
        load_code_segment(cs, d, rpl);
        s.gpr[RSP] = sp;
        s.next_rip = target;
        return;
    }
    // Return to an outer privilege level: SS:RSP follow the parameters.
    const uint64_t new_sp = stack_read(*this, 2 * opsize + extra, opsize);
    const uint16_t new_ss = static_cast<uint16_t>(stack_read(*this, 3 * opsize + extra, opsize));
    const bool to64 = long_mode() && d.l();
    Descriptor ssd = check_outer_stack(new_ss, rpl, to64);
    mark_accessed(*this, cs, d);
    load_code_segment(cs, d, rpl);
    load_returned_ss(new_ss, ssd, rpl);
    const unsigned ss_size = to64 ? 8 : (s.seg[SS].attr & segattr::DB) ? 4 : 2;
    const uint64_t popped = new_sp + extra;
    s.gpr[RSP] = ss_size == 8 ? popped : ss_size == 4 ? static_cast<uint32_t>(popped)
                                                     : ((s.gpr[RSP] & ~0xffffull) | (popped & 0xffff));
    drop_inner_segments();
    s.next_rip = target;
    mode_changed();
}

// ---------------------------------------------------------------- LDTR, TR

void Cpu::load_ldtr(uint16_t selector) {
    if ((selector & 0xfffc) == 0) {
        s.ldtr.selector = selector;
        s.ldtr.attr = 0;  // unusable: LDT references fault
        return;
    }
    const uint16_t sel_err = selector & 0xfffc;
    if (selector & 4) raise(kGP, sel_err);
    Descriptor d;
    if (!fetch_descriptor(*this, selector, d, long_mode())) raise(kGP, sel_err);
    if (d.s() || d.type() != systype::Ldt) raise(kGP, sel_err);
    if (!d.present()) raise(kNP, sel_err);
    s.ldtr.selector = selector;
    s.ldtr.base = long_mode() ? d.base64() : d.base();
    s.ldtr.limit = d.limit();
    s.ldtr.attr = d.attr();
}

void Cpu::load_tr(uint16_t selector) {
    const uint16_t sel_err = selector & 0xfffc;
    if (sel_err == 0) raise(kGP, 0);
    if (selector & 4) raise(kGP, sel_err);
    Descriptor d;
    if (!fetch_descriptor(*this, selector, d, long_mode())) raise(kGP, sel_err);
    const bool ok = !d.s() && (d.type() == systype::Tss32Avail || (!long_mode() && d.type() == systype::Tss16Avail));
    if (!ok) raise(kGP, sel_err);
    if (!d.present()) raise(kNP, sel_err);
    // The descriptor becomes busy (type bit 1), in memory too.
    {
        SupervisorAccess sup(*this);
        const uint64_t at = s.gdtr.base + sel_err + 5;
        write<uint8_t>(at, static_cast<uint8_t>(read<uint8_t>(at) | 2));
    }
    d.raw |= 2ull << 40;
    s.tr.selector = selector;
    s.tr.base = long_mode() ? d.base64() : d.base();
    s.tr.limit = d.limit();
    s.tr.attr = d.attr();
}

// ---------------------------------------------------------------- LAR, LSL, VERR, VERW

bool Cpu::descriptor_visible(uint16_t selector, bool for_lsl, uint64_t& lar, uint64_t& limit) {
    if ((selector & 0xfffc) == 0) return false;
    Descriptor d;
    if (!fetch_descriptor(*this, selector, d)) return false;
    if (!d.s()) {
        // System types LAR/LSL accept (SDM Vol. 2A "LAR", table 3-61).
        static constexpr bool kLar[16] = {false, true, true, true, true, true, false, false,
                                          false, true, false, true, true, false, false, false};
        static constexpr bool kLsl[16] = {false, true, true, true, false, false, false, false,
                                          false, true, false, true, false, false, false, false};
        static constexpr bool kLar64[16] = {false, false, true, false, false, false, false, false,
                                            false, true, false, true, true, false, false, false};
        static constexpr bool kLsl64[16] = {false, false, true, false, false, false, false, false,
                                            false, true, false, true, false, false, false, false};
        const bool* ok = long_mode() ? (for_lsl ? kLsl64 : kLar64) : (for_lsl ? kLsl : kLar);
        if (!ok[d.type()]) return false;
    }
    if (!d.conforming() && (d.dpl() < s.cpl || d.dpl() < (selector & 3u))) return false;
    lar = d.raw >> 32 & 0x00f0ff00ull;
    limit = d.limit();
    return true;
}

bool Cpu::verify_segment(uint16_t selector, bool write) {
    if ((selector & 0xfffc) == 0) return false;
    Descriptor d;
    if (!fetch_descriptor(*this, selector, d)) return false;
    if (!d.s()) return false;
    if (!d.conforming() && (d.dpl() < s.cpl || d.dpl() < (selector & 3u))) return false;
    return write ? d.writable_data() : d.readable();
}

// ---------------------------------------------------------------- I/O bitmap

// SDM Vol. 1 §19.5.2: the bitmap starts at the 16-bit offset stored at
// TSS+0x66; every bit of the access must lie inside the TSS limit and be 0.
void Cpu::check_io_bitmap(uint16_t port, unsigned size) {
    const uint8_t type = s.tr.attr & 0xf;
    if (!(s.tr.attr & segattr::Present) || (type != systype::Tss32Avail && type != systype::Tss32Busy) ||
        s.tr.limit < 0x67)
        raise(kGP, 0);
    SupervisorAccess sup(*this);
    const uint64_t base = long_mode() ? s.tr.base : static_cast<uint32_t>(s.tr.base);
    const uint32_t map = read<uint16_t>(base + 0x66);
    const uint32_t at = map + port / 8;
    if (at + 1 > s.tr.limit) raise(kGP, 0);
    const uint32_t bits = read<uint16_t>(base + at);
    const uint32_t mask = ((1u << size) - 1) << (port & 7);
    if (bits & mask) raise(kGP, 0);
}

}  // namespace bs::cpu
