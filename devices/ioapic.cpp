#include "devices/ioapic.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

namespace {
constexpr uint64_t kMasked = 1ull << 16;
constexpr uint64_t kLevel = 1ull << 15;
constexpr uint64_t kRemoteIrr = 1ull << 14;
constexpr uint64_t kDeliveryStatus = 1ull << 12;
constexpr uint64_t kReadOnly = kRemoteIrr | kDeliveryStatus;
}  // namespace

IoApic::IoApic() { reset(); }

void IoApic::reset() {
    sel_ = 0;
    id_ = 0;
    irr_ = 0;
    line_ = 0;
    for (uint64_t& r : redir_) r = kMasked;
}

uint32_t IoApic::read_reg(uint8_t index) const {
    switch (index) {
    case 0x00: return id_;
    case 0x01: return 0x20 | ((kPins - 1) << 16);
    case 0x02: return id_;  // arbitration ID
    default:
        if (index >= 0x10 && index < 0x10 + 2 * kPins) {
            uint64_t r = redir_[(index - 0x10) / 2];
            return (index & 1) ? uint32_t(r >> 32) : uint32_t(r);
        }
        spdlog::debug("ioapic: read of undefined register {:#x}", index);
        return 0xffffffff;
    }
}

void IoApic::write_reg(uint8_t index, uint32_t v) {
    switch (index) {
    case 0x00: id_ = v & 0x0f000000; break;
    case 0x01:
    case 0x02: spdlog::debug("ioapic: write {:#x} to read-only register {:#x} ignored", v, index); break;
    default:
        if (index >= 0x10 && index < 0x10 + 2 * kPins) {
            unsigned pin = (index - 0x10) / 2;
            uint64_t& r = redir_[pin];
            if (index & 1) {
                r = (r & 0xffffffffull) | (uint64_t(v & 0xff000000u) << 32);
            } else {
                uint64_t keep = r & (0xffffffff00000000ull | kReadOnly);
                r = keep | (v & ~uint32_t(kReadOnly));
                if (!(r & kLevel)) r &= ~kRemoteIrr;
            }
            service();
            break;
        }
        spdlog::warn("ioapic: unimplemented: write {:#x} to undefined register {:#x}", v, index);
        break;
    }
}

uint64_t IoApic::mmio_read(uint32_t offset, unsigned size) {
    switch (offset) {
    case 0x00: return sel_;
    case 0x10: {
        uint32_t v = read_reg(sel_);
        return size >= 4 ? v : v & ((1u << (size * 8)) - 1);
    }
    default:
        spdlog::debug("ioapic: read of undefined offset {:#x}", offset);
        return 0;
    }
}

void IoApic::mmio_write(uint32_t offset, unsigned, uint64_t value) {
    switch (offset) {
    case 0x00: sel_ = uint8_t(value); break;
    case 0x10: write_reg(sel_, uint32_t(value)); break;
    case 0x40: eoi(uint8_t(value)); break;
    default: spdlog::warn("ioapic: unimplemented: write {:#x} at offset {:#x}", value, offset); break;
    }
}

void IoApic::set_irq(unsigned pin, bool level) {
    if (pin >= kPins) return;
    uint32_t mask = 1u << pin;
    if (redir_[pin] & kLevel) {
        if (level)
            irr_ |= mask;
        else
            irr_ &= ~mask;
        service();
    } else if (level) {
        // Edge: only rising edges request; the latch is cleared on delivery.
        bool was = (line_ & mask) != 0;
        if (!was) {
            irr_ |= mask;
            service();
        }
    }
    if (level)
        line_ |= mask;
    else
        line_ &= ~mask;
}

void IoApic::service() {
    for (unsigned pin = 0; pin < kPins; ++pin) {
        uint32_t mask = 1u << pin;
        if (!(irr_ & mask)) continue;
        uint64_t& r = redir_[pin];
        if (r & kMasked) continue;
        bool level = r & kLevel;
        if (level) {
            if (r & kRemoteIrr) continue;
            r |= kRemoteIrr;
        } else {
            irr_ &= ~mask;
        }
        Message m{uint8_t(r & 0xff), uint8_t((r >> 8) & 7), level, bool(r & (1u << 11)), uint8_t(r >> 56)};
        if (m.delivery_mode == 2 || m.delivery_mode == 5 || m.delivery_mode == 3 || m.delivery_mode == 6) {
            spdlog::warn("ioapic: unimplemented: pin {} delivery mode {} (entry {:#x})", pin, m.delivery_mode, r);
            continue;
        }
        if (deliver) deliver(m);
    }
}

void IoApic::eoi(uint8_t vector) {
    for (unsigned pin = 0; pin < kPins; ++pin) {
        uint64_t& r = redir_[pin];
        if ((r & kLevel) && (r & kRemoteIrr) && (r & 0xff) == vector) r &= ~kRemoteIrr;
    }
    service();
}

std::string IoApic::dump() const {
    std::string s;
    char buf[128];
    std::snprintf(buf, sizeof buf, "ioapic: id=%u sel=%02x irr=%06x\n", id_ >> 24, sel_, irr_);
    s += buf;
    for (unsigned pin = 0; pin < kPins; ++pin) {
        if (redir_[pin] == kMasked) continue;
        std::snprintf(buf, sizeof buf, "  pin %2u: %016llx\n", pin, (unsigned long long)redir_[pin]);
        s += buf;
    }
    return s;
}

void IoApic::save(emu::SnapshotWriter& w) const {
    w.section("ioapic", 1);
    w.put(sel_);
    w.put(id_);
    w.put(irr_);
    w.put(line_);
    w.put(redir_);
}

void IoApic::load(emu::SnapshotReader& r) {
    r.section("ioapic", 1);
    r.get(sel_);
    r.get(id_);
    r.get(irr_);
    r.get(line_);
    r.get(redir_);
}

}  // namespace bs::devices
