#include "devices/vga_text.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

namespace {
constexpr uint8_t kCrtcMode3[0x19] = {0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
                                      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff};
constexpr uint8_t kSeqMode3[5] = {0x03, 0x00, 0x03, 0x00, 0x02};
constexpr uint8_t kGcMode3[9] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff};
constexpr uint8_t kAttrMode3[0x15] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
                                      0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00};
constexpr uint64_t kFrameNs = 16'683'217;  // 59.94 Hz
constexpr uint64_t kLineNs = 31'778;
constexpr uint64_t kVretraceNs = 2 * kLineNs;
constexpr uint64_t kHblankNs = 6'356;
}  // namespace

VgaText::VgaText(emu::Clock& clock) : clock_(clock), vram_(kVramSize, 0) { reset(); }

void VgaText::reset() {
    for (unsigned i = 0; i < crtc_.size(); ++i) crtc_[i] = kCrtcMode3[i];
    for (unsigned i = 0; i < seq_.size(); ++i) seq_[i] = kSeqMode3[i];
    for (unsigned i = 0; i < gc_.size(); ++i) gc_[i] = kGcMode3[i];
    for (unsigned i = 0; i < attr_.size(); ++i) attr_[i] = kAttrMode3[i];
    // Default EGA-compatible palette: 6-bit DAC values for the 64 EGA colours.
    for (unsigned i = 0; i < 256; ++i) {
        unsigned c = i & 0x3f;
        auto comp = [&](unsigned hi, unsigned lo) { return uint8_t(((c >> hi) & 1) * 0x2a + ((c >> lo) & 1) * 0x15); };
        dac_[i * 3 + 0] = comp(2, 5);
        dac_[i * 3 + 1] = comp(1, 4);
        dac_[i * 3 + 2] = comp(0, 3);
    }
    crtc_index_ = seq_index_ = gc_index_ = attr_index_ = 0;
    attr_flip_data_ = false;
    misc_ = 0x67;
    dac_read_index_ = dac_write_index_ = dac_sub_ = dac_state_ = 0;
    pel_mask_ = 0xff;
    // Blank screen: spaces in light grey on black.
    for (unsigned i = 0; i < kCols * kRows; ++i) {
        vram_[kTextBase - kVramBase + 2 * i] = 0x20;
        vram_[kTextBase - kVramBase + 2 * i + 1] = 0x07;
    }
}

uint8_t VgaText::io_read(uint16_t port) {
    switch (port) {
    case 0x3b4: case 0x3d4: return crtc_index_;
    case 0x3b5: case 0x3d5:
        if (crtc_index_ < crtc_.size()) return crtc_[crtc_index_];
        spdlog::debug("vga: read of undefined CRTC register {:#x}", crtc_index_);
        return 0xff;
    case 0x3ba: case 0x3da: {
        attr_flip_data_ = false;  // reading Input Status 1 resets the attribute flip-flop
        uint64_t in_frame = clock_.now() % kFrameNs;
        bool vr = in_frame >= kFrameNs - kVretraceNs;
        bool de = vr || (in_frame % kLineNs) >= kLineNs - kHblankNs;
        return uint8_t((vr ? 0x08 : 0) | (de ? 0x01 : 0));
    }
    case 0x3c0: return attr_index_;
    case 0x3c1: return attr_index_ < attr_.size() ? attr_[attr_index_ & 0x1f] : 0;
    case 0x3c2: return 0x10;  // Input Status 0: switch sense (colour monitor)
    case 0x3c4: return seq_index_;
    case 0x3c5: return seq_index_ < seq_.size() ? seq_[seq_index_] : 0xff;
    case 0x3c6: return pel_mask_;
    case 0x3c7: return dac_state_;
    case 0x3c8: return dac_write_index_;
    case 0x3c9: {
        uint8_t v = dac_[dac_read_index_ * 3 + dac_sub_];
        if (++dac_sub_ == 3) {
            dac_sub_ = 0;
            ++dac_read_index_;
        }
        return v;
    }
    case 0x3ca: return 0x00;  // feature control
    case 0x3cc: return misc_;
    case 0x3ce: return gc_index_;
    case 0x3cf: return gc_index_ < gc_.size() ? gc_[gc_index_] : 0xff;
    default:
        spdlog::debug("vga: unimplemented read of port {:#x}", port);
        return 0xff;
    }
}

void VgaText::io_write(uint16_t port, uint8_t v) {
    switch (port) {
    case 0x3b4: case 0x3d4: crtc_index_ = v & 0x3f; break;
    case 0x3b5: case 0x3d5:
        if (crtc_index_ >= crtc_.size()) {
            spdlog::debug("vga: write {:#x} to undefined CRTC register {:#x}", v, crtc_index_);
            break;
        }
        // Registers 0-7 are write-protected by bit 7 of register 0x11.
        if (crtc_index_ <= 7 && (crtc_[0x11] & 0x80) && crtc_index_ != 7) break;
        crtc_[crtc_index_] = v;
        break;
    case 0x3c0:
        if (!attr_flip_data_)
            attr_index_ = v & 0x3f;
        else if ((attr_index_ & 0x1f) < attr_.size())
            attr_[attr_index_ & 0x1f] = v;
        attr_flip_data_ = !attr_flip_data_;
        break;
    case 0x3c2: misc_ = v; break;
    case 0x3c4: seq_index_ = v & 7; break;
    case 0x3c5:
        if (seq_index_ < seq_.size()) seq_[seq_index_] = v;
        if (seq_index_ == 4 && !(v & 0x08)) spdlog::warn("vga: unimplemented: planar/graphics memory mode (SEQ4={:#x})", v);
        break;
    case 0x3c6: pel_mask_ = v; break;
    case 0x3c7: dac_read_index_ = v; dac_sub_ = 0; dac_state_ = 0; break;
    case 0x3c8: dac_write_index_ = v; dac_sub_ = 0; dac_state_ = 3; break;
    case 0x3c9:
        dac_[dac_write_index_ * 3 + dac_sub_] = v & 0x3f;
        if (++dac_sub_ == 3) {
            dac_sub_ = 0;
            ++dac_write_index_;
        }
        break;
    case 0x3ce: gc_index_ = v & 0x0f; break;
    case 0x3cf:
        if (gc_index_ < gc_.size()) gc_[gc_index_] = v;
        if (gc_index_ == 6 && (v & 0x01)) spdlog::warn("vga: unimplemented: graphics mode (GC6={:#x})", v);
        break;
    case 0x3ba: case 0x3da: break;  // feature control
    default: spdlog::debug("vga: unimplemented write {:#x} to port {:#x}", v, port); break;
    }
}

uint8_t VgaText::char_at(unsigned row, unsigned col) const {
    unsigned cell = (start_address() + row * kCols + col) & 0x3fff;
    return vram_[kTextBase - kVramBase + 2 * cell];
}

uint8_t VgaText::attr_at(unsigned row, unsigned col) const {
    unsigned cell = (start_address() + row * kCols + col) & 0x3fff;
    return vram_[kTextBase - kVramBase + 2 * cell + 1];
}

std::string VgaText::text_dump() const {
    std::string out;
    for (unsigned r = 0; r < kRows; ++r) {
        std::string line;
        for (unsigned c = 0; c < kCols; ++c) {
            uint8_t ch = char_at(r, c);
            line += (ch >= 0x20 && ch < 0x7f) ? char(ch) : (ch == 0 ? ' ' : '.');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line;
        out += '\n';
    }
    return out;
}

std::string VgaText::dump() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "vga: misc=%02x start=%04x cursor=%04x (row %u col %u) shape=%02x-%02x%s", misc_,
                  start_address(), cursor_offset(), cursor_offset() / kCols, cursor_offset() % kCols, crtc_[0x0a] & 0x1f,
                  crtc_[0x0b] & 0x1f, cursor_visible() ? "" : " hidden");
    return buf;
}

void VgaText::save(emu::SnapshotWriter& w) const {
    w.section("vga", 1);
    w.put(crtc_);
    w.put(seq_);
    w.put(gc_);
    w.put(attr_);
    w.put(dac_);
    w.put(crtc_index_);
    w.put(seq_index_);
    w.put(gc_index_);
    w.put(attr_index_);
    w.put(attr_flip_data_);
    w.put(misc_);
    w.put(dac_read_index_);
    w.put(dac_write_index_);
    w.put(dac_sub_);
    w.put(dac_state_);
    w.put(pel_mask_);
}

void VgaText::load(emu::SnapshotReader& r) {
    r.section("vga", 1);
    r.get(crtc_);
    r.get(seq_);
    r.get(gc_);
    r.get(attr_);
    r.get(dac_);
    r.get(crtc_index_);
    r.get(seq_index_);
    r.get(gc_index_);
    r.get(attr_index_);
    r.get(attr_flip_data_);
    r.get(misc_);
    r.get(dac_read_index_);
    r.get(dac_write_index_);
    r.get(dac_sub_);
    r.get(dac_state_);
    r.get(pel_mask_);
}

}  // namespace bs::devices
