#include "devices/i8042.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

I8042::I8042() { reset(); }

void I8042::reset() {
    config_ = 0x45;  // XLAT | SYS | keyboard INT
    status_ = kStatUnlocked | kStatSYS;
    outport_ = 0xcf;  // reset line high, A20 on, both clocks/data high
    out_full_ = false;
    out_aux_ = false;
    pending_cmd_ = kbd_pending_ = 0;
    kbd_scanning_ = true;
    scancode_set_ = 2;
    queue_.clear();
    update_irq();
}

void I8042::queue(uint8_t value, bool aux) {
    queue_.push_back(Byte{value, aux});
    refill();
}

void I8042::refill() {
    if (!out_full_ && !queue_.empty()) {
        Byte b = queue_.front();
        queue_.pop_front();
        out_ = b.value;
        out_aux_ = b.aux;
        out_full_ = true;
    }
    update_irq();
}

void I8042::update_irq() {
    status_ &= ~uint8_t(kStatOBF | kStatAuxOBF);
    if (out_full_) status_ |= out_aux_ ? (kStatOBF | kStatAuxOBF) : kStatOBF;
    if (config_ & 0x04)
        status_ |= kStatSYS;
    else
        status_ &= ~kStatSYS;
    irq1.set(out_full_ && !out_aux_ && (config_ & 0x01));
    irq12.set(out_full_ && out_aux_ && (config_ & 0x02));
}

void I8042::key_input(uint8_t scancode) {
    if (!kbd_scanning_ || (config_ & 0x10)) {
        spdlog::debug("i8042: key byte {:#04x} dropped (keyboard disabled)", scancode);
        return;
    }
    queue(scancode);
}

void I8042::set_outport(uint8_t v) {
    outport_ = v;
    // Every output-port write drives the A20 line (shared with port 0x92: last writer wins, as QEMU).
    if (on_a20) on_a20(v & 0x02);
    if (!(v & 0x01) && on_reset_request) on_reset_request();
}

uint8_t I8042::read(unsigned offset) {
    if (offset == 4) return status_;
    uint8_t v = out_;
    // Lower the lines first: a following byte must make a new edge.
    irq1.lower();
    irq12.lower();
    out_full_ = false;
    refill();
    return v;
}

void I8042::keyboard_command(uint8_t v) {
    if (kbd_pending_) {
        uint8_t cmd = kbd_pending_;
        kbd_pending_ = 0;
        switch (cmd) {
        case 0xed: queue(0xfa); break;  // LEDs
        case 0xf3: queue(0xfa); break;  // typematic rate
        case 0xf0:
            queue(0xfa);
            if (v == 0)
                queue(scancode_set_);
            else if (v <= 3) {
                scancode_set_ = v;
                if (v != 2) spdlog::warn("i8042: unimplemented: scancode set {} (host input stays set 1)", v);
            }
            break;
        }
        return;
    }
    switch (v) {
    case 0xed: case 0xf3: case 0xf0:
        kbd_pending_ = v;
        queue(0xfa);
        break;
    case 0xee: queue(0xee); break;  // echo
    case 0xf2: queue(0xfa); queue(0xab); queue(0x41); break;  // MF2 keyboard, translated ID
    case 0xf4: kbd_scanning_ = true; queue(0xfa); break;
    case 0xf5: kbd_scanning_ = false; queue(0xfa); break;
    case 0xf6: kbd_scanning_ = true; queue(0xfa); break;
    case 0xfe: queue(0xfa); break;  // resend: nothing to resend
    case 0xff: kbd_scanning_ = true; scancode_set_ = 2; queue(0xfa); queue(0xaa); break;
    default:
        spdlog::warn("i8042: unimplemented keyboard command {:#04x}", v);
        queue(0xfe);
        break;
    }
}

void I8042::write(unsigned offset, uint8_t v) {
    if (offset == 0) {
        status_ &= ~kStatCMD;
        uint8_t cmd = pending_cmd_;
        pending_cmd_ = 0;
        switch (cmd) {
        case 0x60:
            config_ = v;
            update_irq();
            break;
        case 0xd1: set_outport(v); break;
        case 0xd2: queue(v, false); break;
        case 0xd3: queue(v, true); break;
        case 0xd4: spdlog::debug("i8042: byte {:#04x} for the PS/2 mouse dropped: no mouse attached", v); break;
        default:
            if (config_ & 0x10) config_ &= ~0x10;  // writing to the keyboard enables its clock
            keyboard_command(v);
            break;
        }
        return;
    }
    status_ |= kStatCMD;
    switch (v) {
    case 0x20: queue(config_); break;
    case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4: pending_cmd_ = v; break;
    case 0xa7: config_ |= 0x20; update_irq(); break;
    case 0xa8: config_ &= ~0x20; update_irq(); break;
    case 0xa9: queue(0x00); break;  // AUX interface test: OK
    case 0xaa: queue(0x55); break;  // controller self-test passed
    case 0xab: queue(0x00); break;  // keyboard interface test: OK
    case 0xad: config_ |= 0x10; update_irq(); break;
    case 0xae: config_ &= ~0x10; update_irq(); break;
    case 0xc0: queue(0x80); break;  // input port: keyboard not inhibited
    case 0xd0: {
        uint8_t p = uint8_t(outport_ & 0xcf);
        if (out_full_ && !out_aux_) p |= 0x10;
        if (out_full_ && out_aux_) p |= 0x20;
        queue(p);
        break;
    }
    case 0xdd: set_outport(outport_ & ~0x02); break;  // A20 off
    case 0xdf: set_outport(outport_ | 0x02); break;   // A20 on
    default:
        if (v >= 0xf0) {
            // Pulse output port lines whose bit is 0 in the low nibble; bit 0 is reset.
            if (!(v & 0x01) && on_reset_request) on_reset_request();
            break;
        }
        if (v >= 0x21 && v < 0x40) {  // read internal RAM
            queue(0x00);
            break;
        }
        spdlog::warn("i8042: unimplemented controller command {:#04x}", v);
        break;
    }
}

std::string I8042::dump() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "i8042: status=%02x config=%02x outport=%02x out=%02x%s queued=%zu pending=%02x/%02x",
                  status_, config_, outport_, out_, out_full_ ? (out_aux_ ? " (aux)" : " (kbd)") : " (empty)",
                  queue_.size(), pending_cmd_, kbd_pending_);
    return buf;
}

void I8042::save(emu::SnapshotWriter& w) const {
    w.section("i8042", 1);
    w.put(config_);
    w.put(status_);
    w.put(outport_);
    w.put(out_);
    w.put(out_full_);
    w.put(out_aux_);
    w.put(pending_cmd_);
    w.put(kbd_pending_);
    w.put(kbd_scanning_);
    w.put(scancode_set_);
    w.put_seq(queue_);
    w.put(irq1.level());
    w.put(irq12.level());
}

void I8042::load(emu::SnapshotReader& r) {
    r.section("i8042", 1);
    r.get(config_);
    r.get(status_);
    r.get(outport_);
    r.get(out_);
    r.get(out_full_);
    r.get(out_aux_);
    r.get(pending_cmd_);
    r.get(kbd_pending_);
    r.get(kbd_scanning_);
    r.get(scancode_set_);
    r.get_seq(queue_, ~0ull);
    irq1.restore(r.get<bool>());
    irq12.restore(r.get<bool>());
}

}  // namespace bs::devices
