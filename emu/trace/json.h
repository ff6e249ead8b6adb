// A small JSON writer for the trace exports (frontend/trace_export.cpp):
// strings escaped per RFC 8259, integers and fixed-point numbers written the
// same way on every host, so an export is byte-for-byte deterministic.
//
// Strings from the guest (console lines, exec paths) are bytes, not always
// UTF-8: valid UTF-8 sequences pass through, every other byte is written as
// \u00XX (read as Latin-1), so the output always parses.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace bs::emu::trace::json {

// The length of the valid UTF-8 sequence starting at s[i] (2-4), or 0.
inline size_t utf8_sequence(std::string_view s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
    else return 0;
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (d & 0x3f);
    }
    // No overlong forms, no surrogates, nothing past U+10FFFF.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

// Appends s as a JSON string, quotes included.
inline void string(std::string& out, std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else if (c >= 0x80) {
            if (const size_t n = utf8_sequence(s, i)) {
                out.append(s.substr(i, n));
                i += n;
                continue;
            }
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    out += '"';
}

inline void uint(std::string& out, uint64_t v) { out += std::to_string(v); }

// v / 1000 with exactly three decimals ("12.345"): nanoseconds as microseconds.
inline void thousandths(std::string& out, uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "%llu.%03u", static_cast<unsigned long long>(v / 1000), static_cast<unsigned>(v % 1000));
    out += b;
}

// "key": (a member name and its colon), preceded by a comma unless first.
inline void key(std::string& out, std::string_view k, bool first = false) {
    if (!first) out += ',';
    string(out, k);
    out += ':';
}

}  // namespace bs::emu::trace::json
