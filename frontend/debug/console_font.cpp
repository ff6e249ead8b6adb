// PSF console fonts (see console_font.h).
#include "console_font.h"

#include <zlib.h>

#include <map>

namespace bs::frontend::debug {

const uint16_t kCp437ToUnicode[256] = {
    0x0000, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022, 0x25d8, 0x25cb, 0x25d9, 0x2642, 0x2640, 0x266a,
    0x266b, 0x263c, 0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8, 0x2191, 0x2193, 0x2192, 0x2190,
    0x221f, 0x2194, 0x25b2, 0x25bc,
    // 0x20..0x7e: ASCII, filled below in the table's users; 0x7f: house
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32,
    0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
    0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
    0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
    0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e,
    0x2302,
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec,
    0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00a2,
    0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x2310,
    0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c,
    0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580, 0x03b1, 0x00df,
    0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2,
    0x25a0, 0x00a0,
};

std::vector<std::string> ConsoleFont::default_paths() {
    return {"/usr/share/consolefonts/Lat15-VGA16.psf.gz", "/usr/share/consolefonts/Uni2-VGA16.psf.gz",
            "/usr/share/consolefonts/default8x16.psf.gz", "/usr/share/kbd/consolefonts/default8x16.psf.gz"};
}

bool ConsoleFont::load(const std::string& path, std::string& error) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
    if (!f) {
        error = "cannot open the console font '" + path + "'";
        return false;
    }
    std::vector<uint8_t> bytes;
    uint8_t buf[16384];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) {
        bytes.insert(bytes.end(), buf, buf + n);
        if (bytes.size() > (16u << 20)) break;
    }
    const bool failed = n < 0;
    gzclose(f);
    if (failed) {
        error = "cannot read the console font '" + path + "' (not gzip or PSF?)";
        return false;
    }
    if (!parse(bytes, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

namespace {
uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }
}  // namespace

bool ConsoleFont::parse(const std::vector<uint8_t>& b, std::string& error) {
    unsigned count = 0;
    size_t glyph_off = 0;
    bool has_table = false, psf2 = false;
    if (b.size() >= 4 && b[0] == 0x36 && b[1] == 0x04) {  // PSF1
        count = (b[2] & 0x01) ? 512 : 256;
        has_table = b[2] & 0x06;
        width_ = 8;
        height_ = b[3];
        glyph_off = 4;
        bytes_per_row_ = 1;
    } else if (b.size() >= 32 && le32(&b[0]) == 0x864ab572) {  // PSF2
        psf2 = true;
        glyph_off = le32(&b[8]);
        has_table = le32(&b[12]) & 1;
        count = le32(&b[16]);
        height_ = le32(&b[24]);
        width_ = le32(&b[28]);
        bytes_per_row_ = (width_ + 7) / 8;
        if (le32(&b[20]) != bytes_per_row_ * height_) {
            error = "PSF2 glyph size does not match its width and height";
            return false;
        }
    } else {
        error = "not a PSF1 or PSF2 font";
        return false;
    }
    if (width_ == 0 || width_ > 32 || height_ == 0 || height_ > 64 || count == 0 || count > 65536) {
        error = "unsupported glyph size or count";
        return false;
    }
    glyph_bytes_ = bytes_per_row_ * height_;
    const size_t end = glyph_off + size_t(count) * glyph_bytes_;
    if (end > b.size()) {
        error = "the font is cut short";
        return false;
    }
    glyphs_.assign(b.begin() + glyph_off, b.begin() + end);

    // Unicode -> glyph from the table (PSF1: u16 values, 0xFFFF ends a glyph,
    // 0xFFFE starts sequences; PSF2: UTF-8, 0xFF ends, 0xFE starts sequences).
    std::map<uint32_t, uint32_t> by_unicode;
    if (has_table) {
        size_t p = end;
        for (uint32_t g = 0; g < count && p < b.size(); ++g) {
            bool in_seq = false;
            if (!psf2) {
                while (p + 1 < b.size()) {
                    const uint16_t u = b[p] | b[p + 1] << 8;
                    p += 2;
                    if (u == 0xffff) break;
                    if (u == 0xfffe) in_seq = true;
                    else if (!in_seq) by_unicode.emplace(u, g);
                }
            } else {
                while (p < b.size()) {
                    const uint8_t c = b[p];
                    if (c == 0xff) { ++p; break; }
                    if (c == 0xfe) { in_seq = true; ++p; continue; }
                    uint32_t u = c;
                    unsigned extra = 0;
                    if (c >= 0xf0) { u = c & 0x07; extra = 3; }
                    else if (c >= 0xe0) { u = c & 0x0f; extra = 2; }
                    else if (c >= 0xc0) { u = c & 0x1f; extra = 1; }
                    ++p;
                    for (unsigned k = 0; k < extra && p < b.size(); ++k) u = (u << 6) | (b[p++] & 0x3f);
                    if (!in_seq) by_unicode.emplace(u, g);
                }
            }
        }
    }
    coverage_ = 0;
    const auto question = by_unicode.find('?');
    for (unsigned c = 0; c < 256; ++c) {
        if (!has_table) {  // a font without a table is in CP437 order
            index_[c] = c < count ? c : 0;
            ++coverage_;
            continue;
        }
        const auto it = by_unicode.find(kCp437ToUnicode[c] ? kCp437ToUnicode[c] : 0x20);
        if (it != by_unicode.end()) {
            index_[c] = it->second;
            ++coverage_;
        } else {
            index_[c] = question != by_unicode.end() ? question->second : 0;
        }
    }
    return true;
}

uint32_t ConsoleFont::row(uint8_t c, unsigned y) const {
    if (y >= height_ || glyphs_.empty()) return 0;
    const uint8_t* p = &glyphs_[size_t(index_[c]) * glyph_bytes_ + size_t(y) * bytes_per_row_];
    uint32_t v = 0;
    for (unsigned k = 0; k < bytes_per_row_; ++k) v = (v << 8) | p[k];
    return v >> (bytes_per_row_ * 8 - width_);
}

}  // namespace bs::frontend::debug
