// A PC console font in PSF format (PSF1 or PSF2, optionally gzipped), as the
// Linux console and Debian's console-setup-linux ship them in
// /usr/share/consolefonts, with the glyph for each code page 437 byte (the
// characters the VGA text screen holds) looked up through the font's Unicode
// table.
//
// Format: the PSF1/PSF2 headers and the Unicode table as kbd's
// doc/font-formats and linux/include/uapi/linux/kd.h describe them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bs::frontend::debug {

class ConsoleFont {
public:
    // Reads a .psf or .psf.gz file; on failure returns false with `error` set.
    bool load(const std::string& path, std::string& error);
    // Parses PSF bytes (already decompressed).
    bool parse(const std::vector<uint8_t>& bytes, std::string& error);

    unsigned width() const { return width_; }
    unsigned height() const { return height_; }
    // Row `y` of the glyph for CP437 byte `c`: bit (width-1-x) set = pixel x on
    // (rows are left-aligned in whole bytes, as in the file).
    uint32_t row(uint8_t c, unsigned y) const;
    // How many of the 256 CP437 characters the font has a glyph for.
    unsigned cp437_coverage() const { return coverage_; }

    // The fonts tried when none is named: the VGA font of console-setup-linux,
    // then Debian's other 8x16 console fonts.
    static std::vector<std::string> default_paths();

private:
    unsigned width_ = 0, height_ = 0, bytes_per_row_ = 0, glyph_bytes_ = 0;
    std::vector<uint8_t> glyphs_;
    std::array<uint32_t, 256> index_{};  // CP437 byte -> glyph number
    unsigned coverage_ = 0;
};

// The Unicode code point of each code page 437 byte (0x00: blank).
extern const uint16_t kCp437ToUnicode[256];

}  // namespace bs::frontend::debug
