#include "devices/rtc_mc146818.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t civil_to_seconds(int y, unsigned m, unsigned d, unsigned hh, unsigned mm, unsigned ss) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const int64_t days = era * 146097 + int64_t(doe) - 719468;
    return days * 86400 + hh * 3600 + mm * 60 + ss;
}

CivilTime seconds_to_civil(int64_t t) {
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    CivilTime c{};
    c.hour = unsigned(rem / 3600);
    c.minute = unsigned(rem / 60 % 60);
    c.second = unsigned(rem % 60);
    c.weekday = unsigned(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
    int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    c.day = doy - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = int(int64_t(yoe) + era * 400 + (c.month <= 2));
    return c;
}

RtcMc146818::RtcMc146818(emu::Clock& clock, int64_t start_seconds) : clock_(clock), start_seconds_(start_seconds) {
    ev_update_ = clock_.add_event("rtc.update", [this](uint64_t, uint64_t) { on_update(); });
    ev_periodic_ = clock_.add_event("rtc.periodic", [this](uint64_t, uint64_t) { on_periodic(); });
    cmos_[0x0a] = 0x26;  // 32.768 kHz time base, 1024 Hz periodic rate
    cmos_[0x0b] = kRegB_24H;
    cmos_[0x0d] = 0x80;  // valid RAM and time
    base_seconds_ = start_seconds_;
    base_ns_ = clock_.now();
    reset();
}

void RtcMc146818::reset() {
    // The RESET pin clears PIE/AIE/UIE/SQWE and the flags; time and RAM survive.
    cmos_[0x0b] &= ~uint8_t(kRegB_PIE | kRegB_AIE | kRegB_UIE | 0x08);
    cmos_[0x0c] = 0;
    index_ = 0;
    nmi_disabled_ = false;
    update_irq();
    schedule_update();
    schedule_periodic();
}

int64_t RtcMc146818::time_seconds() const {
    if (!running()) return time_from_regs();
    return base_seconds_ + int64_t((clock_.now() - base_ns_) / emu::kNsPerSec);
}

void RtcMc146818::set_time_seconds(int64_t s) {
    base_seconds_ = s;
    base_ns_ = clock_.now();
    store_time_regs(s);
    schedule_update();
}

uint8_t RtcMc146818::to_reg(unsigned v) const {
    if (cmos_[0x0b] & kRegB_DM) return uint8_t(v);
    return uint8_t(((v / 10) << 4) | (v % 10));
}

unsigned RtcMc146818::from_reg(uint8_t v) const {
    if (cmos_[0x0b] & kRegB_DM) return v;
    return (v >> 4) * 10 + (v & 0xf);
}

uint8_t RtcMc146818::hour_to_reg(unsigned h) const {
    if (cmos_[0x0b] & kRegB_24H) return to_reg(h);
    unsigned h12 = h % 12 == 0 ? 12 : h % 12;
    return uint8_t(to_reg(h12) | (h >= 12 ? 0x80 : 0));
}

unsigned RtcMc146818::hour_from_reg(uint8_t v) const {
    if (cmos_[0x0b] & kRegB_24H) return from_reg(v);
    unsigned h = from_reg(v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

void RtcMc146818::store_time_regs(int64_t s) {
    CivilTime c = seconds_to_civil(s);
    cmos_[0] = to_reg(c.second);
    cmos_[2] = to_reg(c.minute);
    cmos_[4] = hour_to_reg(c.hour);
    cmos_[6] = to_reg(c.weekday + 1);
    cmos_[7] = to_reg(c.day);
    cmos_[8] = to_reg(c.month);
    cmos_[9] = to_reg(unsigned(c.year % 100));
    cmos_[0x32] = to_reg(unsigned(c.year / 100));
}

int64_t RtcMc146818::time_from_regs() const {
    int year = int(from_reg(cmos_[0x32])) * 100 + int(from_reg(cmos_[9]));
    unsigned month = from_reg(cmos_[8]), day = from_reg(cmos_[7]);
    if (month < 1 || month > 12) month = 1;
    if (day < 1 || day > 31) day = 1;
    return civil_to_seconds(year, month, day, hour_from_reg(cmos_[4]) % 24, from_reg(cmos_[2]) % 60,
                            from_reg(cmos_[0]) % 60);
}

uint64_t RtcMc146818::next_second_boundary() const {
    uint64_t elapsed = clock_.now() - base_ns_;
    return base_ns_ + (elapsed / emu::kNsPerSec + 1) * emu::kNsPerSec;
}

void RtcMc146818::schedule_update() {
    if (running())
        clock_.schedule_at(ev_update_, next_second_boundary());
    else
        clock_.cancel(ev_update_);
}

void RtcMc146818::schedule_periodic() {
    unsigned rs = cmos_[0x0a] & 0x0f;
    if (rs == 0 || !(cmos_[0x0b] & kRegB_PIE)) {
        clock_.cancel(ev_periodic_);
        return;
    }
    if (rs <= 2) rs += 7;
    uint64_t period = 1ull << (rs - 1);  // in 32.768 kHz ticks
    // Periods are aligned to the oscillator, which started at virtual time 0.
    uint64_t tick_now = emu::muldiv64(clock_.now(), 32768, emu::kNsPerSec);
    uint64_t next = (tick_now / period + 1) * period;
    clock_.schedule_at(ev_periodic_, emu::muldiv64_ceil(next, emu::kNsPerSec, 32768));
}

void RtcMc146818::on_update() {
    if (!running()) return;
    int64_t now_s = time_seconds();
    store_time_regs(now_s);
    cmos_[0x0c] |= kRegC_UF;
    auto match = [](uint8_t alarm, uint8_t cur) { return (alarm & 0xc0) == 0xc0 || alarm == cur; };
    if (match(cmos_[1], cmos_[0]) && match(cmos_[3], cmos_[2]) && match(cmos_[5], cmos_[4]))
        cmos_[0x0c] |= kRegC_AF;
    update_irq();
    schedule_update();
}

void RtcMc146818::on_periodic() {
    cmos_[0x0c] |= kRegC_PF;
    update_irq();
    schedule_periodic();
}

void RtcMc146818::update_irq() {
    uint8_t b = cmos_[0x0b], c = cmos_[0x0c] & 0x70;
    bool irqf = (c & kRegC_PF && b & kRegB_PIE) || (c & kRegC_AF && b & kRegB_AIE) || (c & kRegC_UF && b & kRegB_UIE);
    if (irqf)
        cmos_[0x0c] |= kRegC_IRQF;
    else
        cmos_[0x0c] &= ~kRegC_IRQF;
    irq8.set(irqf);
}

uint8_t RtcMc146818::read_reg(unsigned i) {
    switch (i) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case 0x32:
        if (running()) store_time_regs(time_seconds());
        return cmos_[i];
    case 0x0a: {
        uint8_t a = cmos_[0x0a] & 0x7f;
        if (running()) {
            // UIP is set from 244 us before the update until it completes.
            uint64_t sub = (clock_.now() - base_ns_) % emu::kNsPerSec;
            if (sub >= emu::kNsPerSec - 244'000) a |= kRegA_UIP;
        }
        return a;
    }
    case 0x0c: {
        uint8_t v = cmos_[0x0c];
        cmos_[0x0c] = 0;
        update_irq();
        return v;
    }
    default:
        return cmos_[i];
    }
}

void RtcMc146818::write_reg(unsigned i, uint8_t v) {
    switch (i) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case 0x32:
        if (running()) store_time_regs(time_seconds());
        cmos_[i] = v;
        if (running()) {
            base_seconds_ = time_from_regs();
            base_ns_ = clock_.now();
            schedule_update();
        }
        break;
    case 0x0a:
        if (((v >> 4) & 7) != 2)
            spdlog::warn("rtc: unimplemented: divider control {:#x} in register A (time keeps running)", (v >> 4) & 7);
        cmos_[0x0a] = v & 0x7f;
        schedule_periodic();
        break;
    case 0x0b: {
        bool was_running = running();
        if (was_running && (v & kRegB_SET)) store_time_regs(time_seconds());
        if (v & kRegB_SET) v &= ~kRegB_UIE;  // SET clears UIE (datasheet)
        cmos_[0x0b] = v;
        if (!was_running && running()) {
            base_seconds_ = time_from_regs();
            base_ns_ = clock_.now();
        }
        if (v & 0x01) spdlog::debug("rtc: daylight-saving enable (DSE) stored but not emulated");
        schedule_update();
        schedule_periodic();
        update_irq();
        break;
    }
    case 0x0c:
    case 0x0d:
        spdlog::debug("rtc: write {:#04x} to read-only register {:#x} ignored", v, i);
        break;
    default:
        cmos_[i] = v;
        break;
    }
}

uint8_t RtcMc146818::read(unsigned offset) {
    if (offset == 0) {
        spdlog::debug("rtc: read of write-only index port 0x70");
        return 0xff;
    }
    return read_reg(index_);
}

void RtcMc146818::write(unsigned offset, uint8_t value) {
    if (offset == 0) {
        index_ = value & 0x7f;
        nmi_disabled_ = value & 0x80;
        return;
    }
    write_reg(index_, value);
}

std::string RtcMc146818::dump() const {
    CivilTime c = seconds_to_civil(time_seconds());
    char buf[200];
    std::snprintf(buf, sizeof buf, "rtc: %04d-%02u-%02u %02u:%02u:%02u A=%02x B=%02x C=%02x index=%02x nmi_off=%d irq=%d",
                  c.year, c.month, c.day, c.hour, c.minute, c.second, cmos_[0x0a], cmos_[0x0b], cmos_[0x0c], index_,
                  nmi_disabled_, irq8.level());
    return buf;
}

void RtcMc146818::save(emu::SnapshotWriter& w) const {
    w.section("rtc", 1);
    w.put(start_seconds_);
    w.put(base_seconds_);
    w.put(base_ns_);
    w.put(cmos_);
    w.put(index_);
    w.put(nmi_disabled_);
    w.put(irq8.level());
}

void RtcMc146818::load(emu::SnapshotReader& r) {
    r.section("rtc", 1);
    r.get(start_seconds_);
    r.get(base_seconds_);
    r.get(base_ns_);
    r.get(cmos_);
    r.get(index_);
    r.get(nmi_disabled_);
    irq8.restore(r.get<bool>());
}

}  // namespace bs::devices
