#include "devices/lapic.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

namespace {
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kLvtLevel = 1u << 15;
constexpr uint32_t kLvtRemoteIrr = 1u << 14;
constexpr uint32_t kLvtPending = 1u << 12;
constexpr unsigned kModeFixed = 0, kModeSmi = 2, kModeNmi = 4, kModeInit = 5, kModeExtInt = 7;
// Writable bits of each LVT (SDM Figure 10-8).
constexpr uint32_t kLvtWritable[] = {
    0x000107ff,  // CMCI
    0x000700ff,  // timer: vector, mask, mode
    0x000107ff,  // thermal
    0x000107ff,  // perf
    0x0001a7ff,  // LINT0: vector, mode, polarity, trigger, mask
    0x0001a7ff,  // LINT1
    0x000100ff,  // error
};
}  // namespace

LocalApic::LocalApic(emu::Clock& clock) : clock_(clock) {
    ev_timer_ = clock_.add_event("lapic.timer", [this](uint64_t, uint64_t) { on_timer(); });
    reset();
}

void LocalApic::reset() {
    apic_base_ = kDefaultBase | kBaseBsp | kBaseEnable;
    id_ = 0;
    tpr_ = ldr_ = 0;
    dfr_ = 0xffffffff;
    svr_ = 0xff;
    for (unsigned i = 0; i < 8; ++i) isr_[i] = tmr_[i] = irr_[i] = 0;
    esr_ = esr_pending_ = 0;
    icr_lo_ = icr_hi_ = 0;
    for (uint32_t& l : lvt_) l = kLvtMasked;
    lvt_[kLvtLint0] = kModeExtInt << 8;  // BSP: virtual wire to the PIC (as QEMU)
    initial_count_ = dcr_ = 0;
    timer_load_ = timer_next_ = 0;
    nmi_pending_ = false;
    clock_.cancel(ev_timer_);
    changed();
}

void LocalApic::set_apic_base(uint64_t value) {
    uint64_t base = value & 0xfffff000ull;
    if (base != kDefaultBase && (value & kBaseEnable))
        spdlog::warn("lapic: unimplemented: relocating the APIC page to {:#x} (stays at {:#x})", base, kDefaultBase);
    if (value & (1u << 10)) spdlog::warn("lapic: unimplemented: x2APIC mode requested (IA32_APIC_BASE={:#x})", value);
    bool was = hw_enabled();
    apic_base_ = kDefaultBase | (value & (kBaseBsp | kBaseEnable));
    if (was && !hw_enabled()) {
        // Hardware disable: the APIC returns to its power-up state but stays off.
        uint64_t b = apic_base_;
        reset();
        apic_base_ = b;
        svr_ = 0xff;
    }
    changed();
}

int LocalApic::highest(const uint32_t* bits) {
    for (int i = 7; i >= 0; --i)
        if (bits[i]) return i * 32 + (31 - __builtin_clz(bits[i]));
    return -1;
}

uint32_t LocalApic::ppr() const {
    int isrv = highest(isr_);
    uint32_t isr_class = isrv < 0 ? 0 : uint32_t(isrv) & 0xf0;
    return (tpr_ & 0xf0) >= isr_class ? tpr_ & 0xff : isr_class;
}

int LocalApic::pending_vector() const {
    if (!hw_enabled() || !sw_enabled()) return -1;
    int v = highest(irr_);
    if (v < 0) return -1;
    if ((uint32_t(v) & 0xf0) <= (ppr() & 0xf0)) return -1;
    return v;
}

uint8_t LocalApic::acknowledge() {
    int v = pending_vector();
    if (v < 0) return uint8_t(svr_ & 0xff);  // spurious
    clear(irr_, unsigned(v));
    set(isr_, unsigned(v));
    changed();
    return uint8_t(v);
}

void LocalApic::set_error(uint32_t bits) {
    esr_pending_ |= bits;
    if (!(lvt_[kLvtError] & kLvtMasked)) deliver_fixed(uint8_t(lvt_[kLvtError] & 0xff), false);
}

void LocalApic::deliver_fixed(uint8_t vector, bool level) {
    if (!hw_enabled()) return;
    if (vector < 16) {
        esr_pending_ |= 1u << 6;  // receive illegal vector
        spdlog::debug("lapic: illegal vector {} received", vector);
        return;
    }
    set(irr_, vector);
    if (level)
        set(tmr_, vector);
    else
        clear(tmr_, vector);
    changed();
}

void LocalApic::deliver_nmi() {
    nmi_pending_ = true;
    changed();
}

void LocalApic::deliver_lvt(unsigned index) {
    uint32_t lvt = lvt_[index];
    if (lvt & kLvtMasked) return;
    unsigned mode = (lvt >> 8) & 7;
    switch (mode) {
    case kModeFixed: deliver_fixed(uint8_t(lvt & 0xff), (lvt & kLvtLevel) && index >= kLvtLint0 && index <= kLvtLint1); break;
    case kModeNmi: deliver_nmi(); break;
    case kModeExtInt: changed(); break;  // the CPU asks the PIC on acknowledge
    default:
        spdlog::warn("lapic: unimplemented: LVT {} delivery mode {} (lvt={:#x})", index, mode, lvt);
        break;
    }
}

void LocalApic::set_lint(unsigned pin, bool level) {
    unsigned index = pin == 0 ? kLvtLint0 : kLvtLint1;
    bool rising = level && !lint_level_[pin];
    lint_level_[pin] = level;
    if (!hw_enabled()) {
        // Through-wire: LINT0 is INTR (asked via accepts_pic), LINT1 is NMI.
        if (pin == 1 && rising) deliver_nmi();
        changed();
        return;
    }
    uint32_t lvt = lvt_[index];
    unsigned mode = (lvt >> 8) & 7;
    if (mode == kModeExtInt) {
        changed();
        return;
    }
    if (lvt & kLvtLevel && mode == kModeFixed) {
        if (level) deliver_lvt(index);
    } else if (rising) {
        deliver_lvt(index);
    }
}

bool LocalApic::accepts_pic() const {
    if (!hw_enabled()) return true;
    uint32_t lvt = lvt_[kLvtLint0];
    return !(lvt & kLvtMasked) && ((lvt >> 8) & 7) == kModeExtInt;
}

bool LocalApic::matches_destination(uint8_t dest, bool logical) const {
    if (!logical) return dest == 0xff || dest == id();
    uint8_t ldr = uint8_t(ldr_ >> 24);
    if ((dfr_ >> 28) == 0xf) return (dest & ldr) != 0;  // flat model
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0x0f) != 0;  // cluster model
}

unsigned LocalApic::divide() const {
    unsigned v = (dcr_ & 3) | ((dcr_ >> 1) & 4);
    return v == 7 ? 1 : 2u << v;
}

uint32_t LocalApic::timer_current_count() const {
    if (initial_count_ == 0) return 0;
    uint64_t ticks = (clock_.now() - timer_load_) / divide();
    unsigned mode = (lvt_[kLvtTimer] >> 17) & 3;
    if (mode == 1) return uint32_t(initial_count_ - ticks % initial_count_);
    return ticks >= initial_count_ ? 0 : uint32_t(initial_count_ - ticks);
}

void LocalApic::timer_arm() {
    unsigned mode = (lvt_[kLvtTimer] >> 17) & 3;
    if (initial_count_ == 0 || mode == 2) {
        clock_.cancel(ev_timer_);
        return;
    }
    uint64_t period = uint64_t(initial_count_) * divide();
    uint64_t elapsed = clock_.now() - timer_load_;
    if (mode == 1) {
        timer_next_ = timer_load_ + (elapsed / period + 1) * period;
    } else {
        if (elapsed >= period) {
            clock_.cancel(ev_timer_);
            return;
        }
        timer_next_ = timer_load_ + period;
    }
    clock_.schedule_at(ev_timer_, timer_next_);
}

void LocalApic::on_timer() {
    deliver_lvt(kLvtTimer);
    unsigned mode = (lvt_[kLvtTimer] >> 17) & 3;
    if (mode == 1 && initial_count_) {
        timer_next_ += uint64_t(initial_count_) * divide();
        clock_.schedule_at(ev_timer_, timer_next_);
    }
}

void LocalApic::send_ipi() {
    unsigned mode = (icr_lo_ >> 8) & 7;
    unsigned shorthand = (icr_lo_ >> 18) & 3;
    uint8_t vector = uint8_t(icr_lo_ & 0xff);
    bool logical = icr_lo_ & (1u << 11);
    bool level = icr_lo_ & (1u << 15);
    uint8_t dest = uint8_t(icr_hi_ >> 24);
    bool to_self = shorthand == 1 || shorthand == 2 || (shorthand == 0 && matches_destination(dest, logical));
    bool to_others = shorthand == 2 || shorthand == 3 || (shorthand == 0 && dest == 0xff);
    if (to_others)
        spdlog::debug("lapic: IPI (icr={:#x}:{:#x}) to other CPUs: there are none", icr_hi_, icr_lo_);
    if (!to_self) return;
    switch (mode) {
    case 0:
    case 1:  // fixed, lowest priority
        if (vector < 16) {
            set_error(1u << 5);  // send illegal vector
            return;
        }
        deliver_fixed(vector, false);
        break;
    case kModeNmi: deliver_nmi(); break;
    case kModeInit:
        if (!level || (icr_lo_ & (1u << 14)))
            spdlog::warn("lapic: unimplemented: INIT IPI to self (icr={:#x})", icr_lo_);
        break;
    default:
        spdlog::warn("lapic: unimplemented: IPI delivery mode {} to self (icr={:#x})", mode, icr_lo_);
        break;
    }
}

uint32_t LocalApic::read_reg(uint32_t off) {
    switch (off) {
    case 0x20: return id_;
    case 0x30: return 0x14 | ((kLvtCount - 1) << 16);  // integrated APIC, 7 LVT entries
    case 0x80: return tpr_;
    case 0x90: return 0;  // APR
    case 0xa0: return ppr();
    case 0xb0: return 0;  // EOI is write-only; reads return 0
    case 0xc0: return 0;  // remote read
    case 0xd0: return ldr_;
    case 0xe0: return dfr_;
    case 0xf0: return svr_;
    case 0x280: return esr_;
    case 0x2f0: return lvt_[kLvtCmci];
    case 0x300: return icr_lo_ & ~kLvtPending;
    case 0x310: return icr_hi_;
    case 0x320: return lvt_[kLvtTimer];
    case 0x330: return lvt_[kLvtThermal];
    case 0x340: return lvt_[kLvtPerf];
    case 0x350: return lvt_[kLvtLint0];
    case 0x360: return lvt_[kLvtLint1];
    case 0x370: return lvt_[kLvtError];
    case 0x380: return initial_count_;
    case 0x390: return timer_current_count();
    case 0x3e0: return dcr_;
    default:
        if (off >= 0x100 && off < 0x180) return isr_[(off - 0x100) >> 4];
        if (off >= 0x180 && off < 0x200) return tmr_[(off - 0x180) >> 4];
        if (off >= 0x200 && off < 0x280) return irr_[(off - 0x200) >> 4];
        set_error(1u << 7);  // illegal register address
        spdlog::debug("lapic: read of reserved register {:#x}", off);
        return 0;
    }
}

void LocalApic::write_reg(uint32_t off, uint32_t v) {
    switch (off) {
    case 0x20: id_ = v & 0xff000000; break;
    case 0x80:
        tpr_ = v & 0xff;
        changed();
        break;
    case 0xb0: {  // EOI
        int isrv = highest(isr_);
        if (isrv < 0) break;
        clear(isr_, unsigned(isrv));
        if (test(tmr_, unsigned(isrv)) && on_level_eoi) on_level_eoi(uint8_t(isrv));
        changed();
        break;
    }
    case 0xd0: ldr_ = v & 0xff000000; break;
    case 0xe0: dfr_ = v | 0x0fffffff; break;
    case 0xf0:
        svr_ = v & 0x13ff;
        if (!sw_enabled())
            for (uint32_t& l : lvt_) l |= kLvtMasked;
        if (v & (1u << 12)) spdlog::debug("lapic: EOI-broadcast suppression bit stored only");
        changed();
        break;
    case 0x280:
        esr_ = esr_pending_;
        esr_pending_ = 0;
        break;
    case 0x300:
        icr_lo_ = v & ~kLvtPending;
        send_ipi();
        break;
    case 0x310: icr_hi_ = v & 0xff000000; break;
    case 0x2f0: case 0x320: case 0x330: case 0x340: case 0x350: case 0x360: case 0x370: {
        unsigned index = off == 0x2f0 ? unsigned(kLvtCmci) : (off - 0x320) / 0x10 + kLvtTimer;
        uint32_t nv = v & kLvtWritable[index];
        if (!sw_enabled()) nv |= kLvtMasked;
        lvt_[index] = (lvt_[index] & (kLvtRemoteIrr | kLvtPending)) | nv;
        if (index == kLvtTimer) {
            if (((nv >> 17) & 3) == 2)
                spdlog::warn("lapic: unimplemented: TSC-deadline timer mode (lvt={:#x})", nv);
            timer_arm();
        }
        changed();
        break;
    }
    case 0x380:
        initial_count_ = v;
        timer_load_ = clock_.now();
        timer_arm();
        break;
    case 0x3e0: {
        // Keep the current count continuous across a divide change.
        uint32_t cur = timer_current_count();
        unsigned old_div = divide();
        dcr_ = v & 0xb;
        if (initial_count_ && divide() != old_div) {
            uint64_t done = uint64_t(initial_count_ - cur);
            timer_load_ = clock_.now() - done * divide();
            timer_arm();
        }
        break;
    }
    case 0x30: case 0x90: case 0xa0: case 0xc0: case 0x390:
        spdlog::debug("lapic: write {:#x} to read-only register {:#x} ignored", v, off);
        break;
    default:
        if (off >= 0x100 && off < 0x280) {
            spdlog::debug("lapic: write to read-only ISR/TMR/IRR register {:#x} ignored", off);
            break;
        }
        set_error(1u << 7);
        spdlog::warn("lapic: unimplemented: write {:#x} to reserved register {:#x}", v, off);
        break;
    }
}

uint64_t LocalApic::mmio_read(uint32_t offset, unsigned size) {
    uint32_t reg = offset & 0xff0;
    uint32_t v = read_reg(reg);
    unsigned shift = (offset & 3) * 8;
    if ((offset & 0xf) >= 4) return 0;  // registers occupy the first dword of each 16 bytes
    uint64_t r = uint64_t(v) >> shift;
    if (size == 8) return r;  // upper dword reads as zero
    return size >= 4 ? r : r & ((1ull << (size * 8)) - 1);
}

void LocalApic::mmio_write(uint32_t offset, unsigned size, uint64_t value) {
    if ((offset & 0xf) != 0 || size < 4) {
        spdlog::warn("lapic: unimplemented: {}-byte write at unaligned offset {:#x} (value {:#x})", size, offset, value);
        return;
    }
    write_reg(offset & 0xff0, uint32_t(value));
}

std::string LocalApic::dump() const {
    std::string s;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "lapic: base=%#llx id=%u tpr=%02x ppr=%02x svr=%03x esr=%x lint0=%#x lint1=%#x timer=%#x init=%u cur=%u div=%u\n",
                  (unsigned long long)apic_base_, id(), tpr_, ppr(), svr_, esr_, lvt_[kLvtLint0], lvt_[kLvtLint1],
                  lvt_[kLvtTimer], initial_count_, timer_current_count(), divide());
    s += buf;
    auto words = [&](const char* name, const uint32_t* w) {
        s += name;
        for (int i = 7; i >= 0; --i) {
            std::snprintf(buf, sizeof buf, "%08x", w[i]);
            s += buf;
        }
        s += "\n";
    };
    words("  irr=", irr_);
    words("  isr=", isr_);
    words("  tmr=", tmr_);
    return s;
}

void LocalApic::save(emu::SnapshotWriter& w) const {
    w.section("lapic", 1);
    w.put(apic_base_);
    w.put(id_);
    w.put(tpr_);
    w.put(ldr_);
    w.put(dfr_);
    w.put(svr_);
    w.put(isr_);
    w.put(tmr_);
    w.put(irr_);
    w.put(esr_);
    w.put(esr_pending_);
    w.put(icr_lo_);
    w.put(icr_hi_);
    w.put(lvt_);
    w.put(initial_count_);
    w.put(dcr_);
    w.put(timer_load_);
    w.put(timer_next_);
    w.put(lint_level_);
    w.put(nmi_pending_);
}

void LocalApic::load(emu::SnapshotReader& r) {
    r.section("lapic", 1);
    r.get(apic_base_);
    r.get(id_);
    r.get(tpr_);
    r.get(ldr_);
    r.get(dfr_);
    r.get(svr_);
    r.get(isr_);
    r.get(tmr_);
    r.get(irr_);
    r.get(esr_);
    r.get(esr_pending_);
    r.get(icr_lo_);
    r.get(icr_hi_);
    r.get(lvt_);
    r.get(initial_count_);
    r.get(dcr_);
    r.get(timer_load_);
    r.get(timer_next_);
    r.get(lint_level_);
    r.get(nmi_pending_);
}

}  // namespace bs::devices
