// VGA in 80x25 colour text mode (mode 3): video memory at 0xA0000-0xBFFFF
// (text buffer at 0xB8000) and the register ports a text-mode driver uses.
//
// Reference: IBM VGA Technical Reference (CRT controller registers 0x00-0x18,
// sequencer, graphics controller, attribute controller flip-flop reset by
// reading Input Status 1, DAC ports 0x3C6-0x3C9, Miscellaneous Output).
//
// Video memory is plain host memory the CPU writes directly (the machine maps
// it as RAM-like pages), which keeps console output off the slow MMIO path.
// Register state is stored and read back; retrace bits of Input Status 1 are
// derived from virtual time (60 Hz frames, 31.78 us lines).
//
// Not emulated: graphics modes, planar memory, font loading, the mono
// adapter's memory at 0xB0000 (0x3B4/0x3B5 alias the CRTC as on a colour
// card with MISC bit 0 clear), rendering (the debugger renders the text dump).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "emu/clock.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class VgaText {
public:
    static constexpr uint64_t kVramBase = 0xa0000;
    static constexpr uint64_t kVramSize = 0x20000;
    static constexpr uint64_t kTextBase = 0xb8000;
    static constexpr unsigned kCols = 80, kRows = 25;

    explicit VgaText(emu::Clock& clock);

    void reset();
    uint8_t io_read(uint16_t port);
    void io_write(uint16_t port, uint8_t value);

    uint8_t* vram() { return vram_.data(); }
    const uint8_t* vram() const { return vram_.data(); }
    // Character and attribute at a screen cell (after the start address).
    uint8_t char_at(unsigned row, unsigned col) const;
    uint8_t attr_at(unsigned row, unsigned col) const;
    unsigned cursor_offset() const { return (unsigned(crtc_[0x0e]) << 8) | crtc_[0x0f]; }
    unsigned start_address() const { return (unsigned(crtc_[0x0c]) << 8) | crtc_[0x0d]; }
    bool cursor_visible() const { return !(crtc_[0x0a] & 0x20); }
    uint8_t crtc(unsigned index) const { return crtc_[index % crtc_.size()]; }

    // The 25 lines of text, trailing blanks trimmed, non-ASCII as '.'.
    std::string text_dump() const;
    std::string dump() const;

    // Save state (emu/snapshot.h): the registers. Video memory is host
    // memory the CPU writes directly; emu/snapshot.h keeps it page by page
    // with RAM.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    emu::Clock& clock_;
    std::vector<uint8_t> vram_;
    std::array<uint8_t, 0x19> crtc_{};
    std::array<uint8_t, 5> seq_{};
    std::array<uint8_t, 9> gc_{};
    std::array<uint8_t, 0x15> attr_{};
    std::array<uint8_t, 768> dac_{};
    uint8_t crtc_index_ = 0, seq_index_ = 0, gc_index_ = 0, attr_index_ = 0;
    bool attr_flip_data_ = false;
    uint8_t misc_ = 0x67;
    uint8_t dac_read_index_ = 0, dac_write_index_ = 0, dac_sub_ = 0, dac_state_ = 0, pel_mask_ = 0xff;
};

}  // namespace bs::devices
