// Control registers, debug registers and model-specific registers.
//
// SDM Vol. 3A §2.5 (CR0-CR4, CR8), §2.2.1 (EFER), §9.8.5 (entering IA-32e
// mode through CR0.PG), §4.10.4 (which writes flush the TLB), ch. 17 (debug
// registers; stored, breakpoints are not matched yet), Vol. 4 (MSRs).
// Reserved bits raise #GP(0), as hardware does; an MSR the CPU does not
// have raises #GP(0) too.
#include "system.h"

namespace bs::cpu {

namespace {

// CR4 bits this CPU implements (CPUID reports the matching features).
constexpr uint64_t kCr4Valid = cr4::TSD | cr4::DE | cr4::PSE | cr4::PAE | cr4::MCE | cr4::PGE | cr4::PCE |
                               cr4::OSFXSR | cr4::OSXMMEXCPT;
constexpr uint64_t kEferValid = efer::SCE | efer::LME | efer::LMA | efer::NXE;

bool canonical(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(v << 16) >> 16) == v; }

namespace msr {
constexpr uint32_t TSC = 0x10, APIC_BASE = 0x1b, MTRRCAP = 0xfe, SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175,
                   SYSENTER_EIP = 0x176, MISC_ENABLE = 0x1a0, PAT = 0x277, MTRR_DEF_TYPE = 0x2ff,
                   EFER = 0xc0000080, STAR = 0xc0000081, LSTAR = 0xc0000082, CSTAR = 0xc0000083,
                   FMASK = 0xc0000084, FS_BASE = 0xc0000100, GS_BASE = 0xc0000101,
                   KERNEL_GS_BASE = 0xc0000102, TSC_AUX = 0xc0000103;
}

}  // namespace

uint64_t Cpu::read_cr(unsigned n) {
    switch (n) {
    case 0: return s.cr0;
    case 2: return s.cr2;
    case 3: return s.cr3;
    case 4: return s.cr4;
    case 8: return bus_.tpr() & 0xf;
    default: raise(kUD);
    }
}

void Cpu::write_cr(unsigned n, uint64_t v) {
    if (!trace_ || (n != 0 && n != 3 && n != 4)) [[likely]] {
        write_cr_body(n, v);
        return;
    }
    // The write is reported before the mode change it causes.
    const uint64_t old = n == 0 ? s.cr0 : n == 3 ? s.cr3 : s.cr4;
    const CpuMode old_mode = mode_;
    TraceSink* const sink = trace_;
    trace_ = nullptr;
    try {
        write_cr_body(n, v);
    } catch (...) {
        trace_ = sink;
        throw;
    }
    trace_ = sink;
    sink->control_write(trace_icount_, n, old, n == 0 ? s.cr0 : n == 3 ? s.cr3 : s.cr4);
    if (mode_ != old_mode) sink->mode_change(trace_icount_, old_mode, mode_, s.cpl);
}

void Cpu::write_cr_body(unsigned n, uint64_t v) {
    switch (n) {
    case 0: {
        if (v >> 32) raise(kGP, 0);
        v |= cr0::ET;  // hardwired on processors with an x87 unit
        const uint64_t reserved = ~(cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::ET | cr0::NE | cr0::WP | cr0::AM |
                                    cr0::NW | cr0::CD | cr0::PG) & 0xffffffffull;
        if (v & reserved) raise(kGP, 0);
        if ((v & cr0::PG) && !(v & cr0::PE)) raise(kGP, 0);
        if ((v & cr0::NW) && !(v & cr0::CD)) raise(kGP, 0);
        const uint64_t old = s.cr0;
        uint64_t new_efer = s.efer;
        if ((v & cr0::PG) && !(old & cr0::PG) && (s.efer & efer::LME)) {
            // Activating IA-32e mode (SDM Vol. 3A §9.8.5).
            if (!(s.cr4 & cr4::PAE) || (s.seg[CS].attr & segattr::L)) raise(kGP, 0);
            new_efer |= efer::LMA;
        }
        if (!(v & cr0::PG) && (old & cr0::PG) && (s.efer & efer::LMA)) {
            if (mode64()) raise(kGP, 0);  // leave long mode from compatibility mode only
            new_efer &= ~efer::LMA;
        }
        if (!(v & cr0::PE) && (s.efer & efer::LMA)) raise(kGP, 0);
        if ((v & cr0::PG) && (s.cr4 & cr4::PAE) && !(new_efer & efer::LMA) && ((old ^ v) & cr0::PG))
            load_pdptes(s.cr3);
        s.cr0 = v;
        s.efer = new_efer;
        if ((old ^ v) & (cr0::PG | cr0::WP | cr0::PE)) flush_tlb();
        mode_changed();
        return;
    }
    case 2: s.cr2 = v; return;
    case 3:
        if (long_mode()) {
            if (v & ~((1ull << kPhysAddrBits) - 1)) raise(kGP, 0);
        } else {
            v &= 0xffffffffull;
        }
        if ((s.cr0 & cr0::PG) && (s.cr4 & cr4::PAE) && !long_mode()) load_pdptes(v);
        s.cr3 = v;
        flush_tlb_nonglobal();
        attention = true;
        return;
    case 4: {
        if (v & ~kCr4Valid) raise(kGP, 0);
        if (long_mode() && !(v & cr4::PAE)) raise(kGP, 0);
        const uint64_t old = s.cr4;
        if ((s.cr0 & cr0::PG) && (v & cr4::PAE) && !long_mode() && ((old ^ v) & (cr4::PAE | cr4::PSE | cr4::PGE)))
            load_pdptes(s.cr3);
        s.cr4 = v;
        if ((old ^ v) & (cr4::PAE | cr4::PSE | cr4::PGE)) flush_tlb();
        attention = true;
        return;
    }
    case 8:
        if (v & ~0xfull) raise(kGP, 0);
        bus_.set_tpr(static_cast<uint8_t>(v));
        attention = true;  // a lower priority may let an interrupt through
        return;
    default: raise(kUD);
    }
}

// DR4/DR5 are DR6/DR7 unless CR4.DE makes them #UD.
uint64_t Cpu::read_dr(unsigned n) {
    if (n == 4 || n == 5) {
        if (s.cr4 & cr4::DE) raise(kUD);
        n += 2;
    }
    return s.dr[n];
}

void Cpu::write_dr(unsigned n, uint64_t v) {
    if (n == 4 || n == 5) {
        if (s.cr4 & cr4::DE) raise(kUD);
        n += 2;
    }
    if ((n == 6 || n == 7) && (v >> 32)) raise(kGP, 0);
    if (n == 6) v = (v & 0x0000e00f) | 0xffff0ff0;  // B0-B3, BD, BS, BT; fixed bits
    if (n == 7) v = (v & 0xffff2bff) | 0x400;
    if (n < 4 && mode64() && !canonical(v)) v = static_cast<uint64_t>(static_cast<int64_t>(v << 16) >> 16);
    s.dr[n] = v;
}

bool Cpu::read_msr(uint32_t index, uint64_t& v) {
    switch (index) {
    case msr::TSC:
        sync_time();
        v = bus_.tsc() + static_cast<uint64_t>(s.msr.tsc_offset);
        return true;
    case msr::APIC_BASE: v = bus_.apic_base(); return true;
    // No variable-range MTRRs, no fixed ranges, no write-combining type (bits 7:0, 8, 10).
    case msr::MTRRCAP: v = 0; return true;
    case msr::MTRR_DEF_TYPE: v = s.msr.mtrr_def_type; return true;
    case msr::SYSENTER_CS: v = s.msr.sysenter_cs; return true;
    case msr::SYSENTER_ESP: v = s.msr.sysenter_esp; return true;
    case msr::SYSENTER_EIP: v = s.msr.sysenter_eip; return true;
    case msr::MISC_ENABLE: v = s.msr.misc_enable; return true;
    case msr::PAT: v = s.msr.pat; return true;
    case msr::EFER: v = s.efer; return true;
    case msr::STAR: v = s.msr.star; return true;
    case msr::LSTAR: v = s.msr.lstar; return true;
    case msr::CSTAR: v = s.msr.cstar; return true;
    case msr::FMASK: v = s.msr.fmask; return true;
    case msr::FS_BASE: v = s.seg[FS].base; return true;
    case msr::GS_BASE: v = s.seg[GS].base; return true;
    case msr::KERNEL_GS_BASE: v = s.msr.kernel_gs_base; return true;
    case msr::TSC_AUX: v = s.msr.tsc_aux; return true;
    default: return false;
    }
}

bool Cpu::write_msr(uint32_t index, uint64_t v) {
    switch (index) {
    case msr::TSC:
        sync_time();
        s.msr.tsc_offset = static_cast<int64_t>(v - bus_.tsc());
        return true;
    case msr::APIC_BASE:
        if (v & ~((1ull << kPhysAddrBits) - 1) & ~0xfffull) return false;
        // Reserved bits 0-7 and 9, and bit 10 (x2APIC enable) since CPUID
        // reports no x2APIC (SDM Vol. 3A §11.4.4, §11.12.1).
        if (v & 0x6ff) return false;
        return bus_.set_apic_base(v);
    case msr::MTRR_DEF_TYPE:
        if (v & ~0xcffull) return false;
        // The default type must be a defined memory type: UC, WC, WT, WP
        // or WB (SDM Vol. 3A §12.11.2.1, "undefined type encodings #GP").
        if ((v & 0xff) == 2 || (v & 0xff) == 3 || (v & 0xff) > 6) return false;
        s.msr.mtrr_def_type = v;
        return true;
    case msr::SYSENTER_CS: s.msr.sysenter_cs = v & 0xffffffffull; return true;
    case msr::SYSENTER_ESP:
        if (!canonical(v)) return false;
        s.msr.sysenter_esp = v;
        return true;
    case msr::SYSENTER_EIP:
        if (!canonical(v)) return false;
        s.msr.sysenter_eip = v;
        return true;
    case msr::MISC_ENABLE: s.msr.misc_enable = (s.msr.misc_enable & ~1ull) | (v & 1); return true;
    case msr::PAT:
        // Each of the eight entries must be a valid memory type (0, 1, 4, 5, 6, 7).
        for (unsigned k = 0; k < 8; ++k) {
            const unsigned t = (v >> (8 * k)) & 0xff;
            if (t == 2 || t == 3 || t > 7) return false;
        }
        s.msr.pat = v;
        return true;
    case msr::EFER: {
        if (v & ~kEferValid) return false;
        // LMA is read-only; LME may change only while paging is off.
        v = (v & ~efer::LMA) | (s.efer & efer::LMA);
        if (((v ^ s.efer) & efer::LME) && (s.cr0 & cr0::PG)) return false;
        if ((v ^ s.efer) & efer::NXE) flush_tlb();
        const uint64_t old = s.efer;
        s.efer = v;
        mode_changed();
        if (trace_) [[unlikely]] trace_->control_write(trace_icount_, kTraceEfer, old, v);
        return true;
    }
    case msr::STAR: s.msr.star = v; return true;
    case msr::LSTAR:
        if (!canonical(v)) return false;
        s.msr.lstar = v;
        return true;
    case msr::CSTAR:
        if (!canonical(v)) return false;
        s.msr.cstar = v;
        return true;
    case msr::FMASK: s.msr.fmask = v & 0xffffffffull; return true;
    case msr::FS_BASE:
    case msr::GS_BASE:
        if (!canonical(v)) return false;
        s.seg[index == msr::FS_BASE ? FS : GS].base = v;
        mode_changed();
        return true;
    case msr::KERNEL_GS_BASE:
        if (!canonical(v)) return false;
        s.msr.kernel_gs_base = v;
        return true;
    case msr::TSC_AUX:
        if (v >> 32) return false;
        s.msr.tsc_aux = v;
        return true;
    default: return false;
    }
}

}  // namespace bs::cpu
