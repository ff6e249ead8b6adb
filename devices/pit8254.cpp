#include "devices/pit8254.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

namespace {
uint16_t to_bcd16(uint32_t v) {
    v %= 10000;
    return uint16_t((v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12));
}
uint32_t from_bcd16(uint32_t v) {
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}
}  // namespace

Pit8254::Pit8254(emu::Clock& clock) : clock_(clock) {
    ev_ = clock_.add_event("pit.ch0", [this](uint64_t, uint64_t) { on_timer(); });
    reset();
}

void Pit8254::reset() {
    for (unsigned i = 0; i < 3; ++i) {
        ch_[i] = Channel{};
        ch_[i].gate = (i != 2);
        // Power-on state: square-wave mode waiting for a count, OUT high (so
        // the first programming of mode 2 or 3 makes no spurious edge).
        ch_[i].mode = 3;
    }
    clock_.cancel(ev_);
    update_irq();
}

uint64_t Pit8254::ticks(const Channel& c) const {
    if (!c.running) return c.frozen;
    return c.frozen + emu::muldiv64(clock_.now() - c.load_time, kFreqHz, emu::kNsPerSec);
}

uint64_t Pit8254::time_of_tick(const Channel& c, uint64_t t) const {
    return c.load_time + emu::muldiv64_ceil(t - c.frozen, emu::kNsPerSec, kFreqHz);
}

bool Pit8254::out_at(const Channel& c, uint64_t d) const {
    const uint64_t n = c.count;
    unsigned mode = c.mode > 5 ? c.mode - 4 : c.mode;
    if (!c.loaded) return mode != 0;
    switch (mode) {
    case 0: return d >= n;
    case 1: return c.triggered ? d >= n : true;
    case 2: if (!c.gate) return true; return (d % n) != n - 1;
    case 3: if (!c.gate) return true; return (d % n) < (n + 1) / 2;
    case 4: return d != n;
    default: return c.triggered ? d != n : true;  // 5
    }
}

uint16_t Pit8254::count_at(const Channel& c, uint64_t d) const {
    const uint64_t n = c.count;
    unsigned mode = c.mode > 5 ? c.mode - 4 : c.mode;
    if (!c.loaded || ((mode == 1 || mode == 5) && !c.triggered)) return uint16_t(n);
    switch (mode) {
    case 2: return uint16_t(n - (d % n));
    case 3: return uint16_t((n - ((2 * d) % n)) & 0xfffe);
    default: return uint16_t((n - d) & 0xffff);
    }
}

uint64_t Pit8254::next_transition(const Channel& c, uint64_t d) const {
    constexpr uint64_t kNone = ~0ull;
    const uint64_t n = c.count;
    unsigned mode = c.mode > 5 ? c.mode - 4 : c.mode;
    if (!c.loaded || !c.running) return kNone;
    switch (mode) {
    case 0:
    case 1: return d < n ? n : kNone;
    case 2: {
        uint64_t r = d % n, base = d - r;
        if (n == 1) return kNone;
        return r < n - 1 ? base + n - 1 : base + n;
    }
    case 3: {
        uint64_t r = d % n, base = d - r, h = (n + 1) / 2;
        if (n == 1) return kNone;
        return r < h ? base + h : base + n;
    }
    default:  // 4, 5
        if (d < n) return n;
        if (d == n) return n + 1;
        return kNone;
    }
}

bool Pit8254::out(unsigned ch) const { return out_at(ch_[ch], ticks(ch_[ch])); }

uint16_t Pit8254::count_now(unsigned ch) const { return count_at(ch_[ch], ticks(ch_[ch])); }

void Pit8254::restart(Channel& c) {
    c.load_time = clock_.now();
    c.frozen = 0;
    unsigned mode = c.mode > 5 ? c.mode - 4 : c.mode;
    switch (mode) {
    case 0: case 4: c.running = c.gate; break;
    case 1: case 5: c.running = c.triggered; break;
    default: c.running = c.gate; break;
    }
}

void Pit8254::load_count(unsigned ch, uint32_t value) {
    Channel& c = ch_[ch];
    if (c.bcd) value = from_bcd16(value);
    c.count = value ? value : (c.bcd ? 10000 : 0x10000);
    c.loaded = true;
    c.null_count = false;
    c.triggered = false;
    restart(c);
    if (ch == 0) arm_timer();
}

void Pit8254::latch_count(unsigned ch) {
    Channel& c = ch_[ch];
    if (c.count_latched) return;  // a second latch before reading is ignored
    uint16_t v = count_now(ch);
    c.latched_count = c.bcd ? to_bcd16(v) : v;
    c.count_latched = true;
    c.latch_state = c.rw_mode == 3 ? uint8_t(kWord0) : c.rw_mode;
}

uint8_t Pit8254::read(unsigned offset) {
    if (offset == 3) {
        spdlog::debug("pit: read of the control word register (no-op on the 8254)");
        return 0xff;
    }
    Channel& c = ch_[offset];
    if (c.status_latched) {
        c.status_latched = false;
        return c.status;
    }
    if (c.count_latched) {
        switch (c.latch_state) {
        case kLsb: c.count_latched = false; return uint8_t(c.latched_count);
        case kMsb: c.count_latched = false; return uint8_t(c.latched_count >> 8);
        default: c.latch_state = kMsb; return uint8_t(c.latched_count);  // kWord0
        }
    }
    uint16_t v = count_now(offset);
    if (c.bcd) v = to_bcd16(v);
    switch (c.read_state) {
    case kLsb: return uint8_t(v);
    case kMsb: return uint8_t(v >> 8);
    case kWord0: c.read_state = kWord1; return uint8_t(v);
    default: c.read_state = kWord0; return uint8_t(v >> 8);
    }
}

void Pit8254::write(unsigned offset, uint8_t val) {
    if (offset == 3) {
        unsigned sel = val >> 6;
        if (sel == 3) {  // read-back command
            for (unsigned ch = 0; ch < 3; ++ch) {
                if (!(val & (2u << ch))) continue;
                if (!(val & 0x20)) latch_count(ch);
                Channel& c = ch_[ch];
                if (!(val & 0x10) && !c.status_latched) {
                    c.status = uint8_t((out(ch) ? 0x80 : 0) | (c.null_count ? 0x40 : 0) | (c.rw_mode << 4) |
                                       (c.mode << 1) | (c.bcd ? 1 : 0));
                    c.status_latched = true;
                }
            }
            return;
        }
        Channel& c = ch_[sel];
        unsigned access = (val >> 4) & 3;
        if (access == 0) {
            latch_count(sel);
            return;
        }
        c.rw_mode = uint8_t(access);
        c.read_state = c.write_state = uint8_t(access);
        c.mode = (val >> 1) & 7;
        c.bcd = val & 1;
        c.loaded = false;  // counting stops until a count is written
        c.running = false;
        c.triggered = false;
        c.null_count = true;
        c.count_latched = false;
        if (sel == 0) {
            clock_.cancel(ev_);
            update_irq();
        }
        return;
    }
    Channel& c = ch_[offset];
    switch (c.write_state) {
    case kLsb: load_count(offset, val); break;
    case kMsb: load_count(offset, uint32_t(val) << 8); break;
    case kWord0:
        c.write_latch = val;
        c.write_state = kWord1;
        if (c.mode == 0 && c.loaded) {  // mode 0: writing the LSB stops the count
            c.frozen = ticks(c);
            c.running = false;
            if (offset == 0) clock_.cancel(ev_);
        }
        break;
    default:
        load_count(offset, c.write_latch | (uint32_t(val) << 8));
        c.write_state = kWord0;
        break;
    }
}

void Pit8254::set_gate(unsigned ch, bool level) {
    Channel& c = ch_[ch];
    if (c.gate == level) return;
    unsigned mode = c.mode > 5 ? c.mode - 4 : c.mode;
    bool rising = level && !c.gate;
    switch (mode) {
    case 0:
    case 4:  // gate low suspends counting
        if (c.loaded) {
            if (!level) {
                c.frozen = ticks(c);
                c.running = false;
            } else {
                c.load_time = clock_.now();
                c.running = true;
            }
        }
        c.gate = level;
        break;
    case 1:
    case 5:  // rising edge triggers (or retriggers)
        c.gate = level;
        if (rising && c.loaded) {
            c.triggered = true;
            restart(c);
        }
        break;
    default:  // 2, 3: low forces OUT high and stops; rising edge reloads
        c.gate = level;
        if (c.loaded) {
            if (rising)
                restart(c);
            else {
                c.frozen = 0;
                c.running = false;
            }
        }
        break;
    }
    if (ch == 0) arm_timer();
}

void Pit8254::update_irq() { irq0.set(out(0)); }

void Pit8254::arm_timer() {
    Channel& c = ch_[0];
    update_irq();
    uint64_t next = next_transition(c, ticks(c));
    if (next == ~0ull) {
        clock_.cancel(ev_);
        return;
    }
    c.next_tick = next;
    clock_.schedule_at(ev_, time_of_tick(c, next));
}

void Pit8254::on_timer() {
    // Evaluate OUT at the scheduled edge, not at "now": a late event must
    // still produce every edge in order (mode 2's low pulse is one tick).
    Channel& c = ch_[0];
    uint64_t t = c.next_tick;
    irq0.set(out_at(c, t));
    uint64_t next = next_transition(c, t);
    if (next == ~0ull) return;
    c.next_tick = next;
    clock_.schedule_at(ev_, time_of_tick(c, next));
}

std::string Pit8254::dump() const {
    std::string s;
    char buf[200];
    for (unsigned i = 0; i < 3; ++i) {
        const Channel& c = ch_[i];
        std::snprintf(buf, sizeof buf, "pit ch%u: mode=%u rw=%u bcd=%d count=%u now=%u gate=%d out=%d loaded=%d\n", i,
                      c.mode, c.rw_mode, c.bcd, c.count, count_now(i), c.gate, out(i), c.loaded);
        s += buf;
    }
    return s;
}

void Pit8254::save(emu::SnapshotWriter& w) const {
    w.section("pit", 1);
    for (const Channel& c : ch_) {
        w.put(c.count);
        w.put(c.loaded);
        w.put(c.triggered);
        w.put(c.running);
        w.put(c.load_time);
        w.put(c.frozen);
        w.put(c.mode);
        w.put(c.rw_mode);
        w.put(c.bcd);
        w.put(c.gate);
        w.put(c.read_state);
        w.put(c.write_state);
        w.put(c.write_latch);
        w.put(c.count_latched);
        w.put(c.latch_state);
        w.put(c.latched_count);
        w.put(c.status_latched);
        w.put(c.status);
        w.put(c.null_count);
        w.put(c.next_tick);
    }
    w.put(irq0.level());
}

void Pit8254::load(emu::SnapshotReader& r) {
    r.section("pit", 1);
    for (Channel& c : ch_) {
        r.get(c.count);
        r.get(c.loaded);
        r.get(c.triggered);
        r.get(c.running);
        r.get(c.load_time);
        r.get(c.frozen);
        r.get(c.mode);
        r.get(c.rw_mode);
        r.get(c.bcd);
        r.get(c.gate);
        r.get(c.read_state);
        r.get(c.write_state);
        r.get(c.write_latch);
        r.get(c.count_latched);
        r.get(c.latch_state);
        r.get(c.latched_count);
        r.get(c.status_latched);
        r.get(c.status);
        r.get(c.null_count);
        r.get(c.next_tick);
    }
    irq0.restore(r.get<bool>());
}

}  // namespace bs::devices
