#include "emu/trace/cpio.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace bs::emu::trace {

namespace {

constexpr size_t kHeaderSize = 110;
constexpr uint32_t kTypeMask = 0170000, kTypeRegular = 0100000;
constexpr std::string_view kTrailer = "TRAILER!!!";

// newc header fields, in order after the 6-byte magic (8 hex digits each).
enum Field { Ino, Mode, Uid, Gid, Nlink, Mtime, Filesize, Devmajor, Devminor, Rdevmajor, Rdevminor, Namesize, Check };

std::string hex(uint64_t v) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    do { s.insert(s.begin(), digits[v & 15]); v >>= 4; } while (v);
    s.insert(0, "0x");
    return s;
}

[[noreturn]] void fail(size_t offset, const std::string& what) {
    throw CpioError("cpio: " + what + " (at offset " + hex(offset) + ")");
}

// What a non-cpio archive start looks like, for a helpful error.
const char* compression_of(std::span<const uint8_t> d) {
    auto starts = [&](std::initializer_list<uint8_t> m) {
        if (d.size() < m.size()) return false;
        size_t i = 0;
        for (uint8_t b : m)
            if (d[i++] != b) return false;
        return true;
    };
    if (starts({0x1f, 0x8b})) return "gzip";
    if (starts({0xfd, '7', 'z', 'X', 'Z', 0})) return "xz";
    if (starts({0x28, 0xb5, 0x2f, 0xfd})) return "zstd";
    if (starts({'B', 'Z', 'h'})) return "bzip2";
    if (starts({0x02, 0x21, 0x4c, 0x18})) return "lz4";
    if (starts({0x89, 'L', 'Z', 'O'})) return "lzo";
    if (starts({0x5d, 0x00, 0x00})) return "lzma";
    return nullptr;
}

size_t align4(size_t v) { return (v + 3) & ~size_t{3}; }

std::string normalise(std::string_view p) {
    for (;;) {
        if (p.starts_with("./")) p.remove_prefix(2);
        else if (p.starts_with("/")) p.remove_prefix(1);
        else break;
    }
    if (p == ".") p = {};
    while (p.ends_with("/")) p.remove_suffix(1);
    std::string out(1, '/');
    out.append(p);
    return out;
}

}  // namespace

std::vector<CpioFile> read_cpio(std::span<const uint8_t> d) {
    if (d.empty()) throw CpioError("cpio: empty archive");
    std::vector<CpioFile> files;
    std::map<std::string, size_t> index_of;  // path -> index in files
    // Hard links: (devmajor, devminor, ino) -> indices of the files sharing it.
    std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::vector<size_t>> links;

    size_t off = 0;
    bool in_archive = false;
    while (off < d.size()) {
        if (!in_archive) {
            // Between archives: NUL padding, then another archive or the end.
            if (d[off] == 0) { ++off; continue; }
            if (off & 3) fail(off, "archive does not start at a multiple of 4 bytes");
            in_archive = true;
        }
        const size_t hdr = off;
        std::span<const uint8_t> rest = d.subspan(off);
        if (const char* c = compression_of(rest))
            fail(hdr, std::string(c) + "-compressed archive: not supported, decompress it first");
        std::string_view magic(reinterpret_cast<const char*>(rest.data()), std::min<size_t>(rest.size(), 6));
        if (magic.size() < 6 && std::string_view("070701").starts_with(magic)) fail(hdr, "truncated header");
        if (magic == "070707") fail(hdr, "old portable (odc) format: only newc (070701) is supported");
        if (rest[0] == 0xc7 && rest[1] == 0x71) fail(hdr, "old binary format: only newc (070701) is supported");
        if (magic != "070701" && magic != "070702") fail(hdr, "bad magic, not a newc cpio header");
        if (rest.size() < kHeaderSize) fail(hdr, "truncated header");

        std::array<uint32_t, 13> f{};
        for (size_t i = 0; i < f.size(); ++i) {
            uint32_t v = 0;
            for (size_t j = 0; j < 8; ++j) {
                uint8_t c = rest[6 + i * 8 + j];
                unsigned digit;
                if (c >= '0' && c <= '9') digit = c - '0';
                else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
                else fail(hdr, "header field " + std::to_string(i + 1) + " is not hexadecimal");
                v = v << 4 | digit;
            }
            f[i] = v;
        }
        const size_t namesize = f[Namesize], filesize = f[Filesize];
        if (namesize == 0) fail(hdr, "entry without a name");
        const size_t name_off = hdr + kHeaderSize;
        if (namesize > d.size() - name_off) fail(hdr, "truncated entry name");
        if (d[name_off + namesize - 1] != 0) fail(hdr, "entry name is not NUL-terminated");
        std::string_view name(reinterpret_cast<const char*>(&d[name_off]), namesize - 1);
        if (name.find('\0') != std::string_view::npos) fail(hdr, "entry name contains a NUL byte");
        const size_t data_off = align4(name_off + namesize);
        if (data_off > d.size() || filesize > d.size() - data_off)
            fail(hdr, "truncated contents of '" + std::string(name) + "' (" + std::to_string(filesize) + " bytes)");
        off = align4(data_off + filesize);  // may step past the end by the padding only
        if (name == kTrailer) {
            in_archive = false;
            continue;
        }
        if ((f[Mode] & kTypeMask) != kTypeRegular) continue;

        CpioFile file{normalise(name), f[Mode], {d.begin() + data_off, d.begin() + data_off + filesize}};
        size_t idx;
        if (auto it = index_of.find(file.path); it != index_of.end()) {
            idx = it->second;
            files[idx] = std::move(file);
        } else {
            idx = files.size();
            index_of.emplace(file.path, idx);
            files.push_back(std::move(file));
        }
        if (f[Nlink] > 1) {
            std::vector<size_t>& group = links[{f[Devmajor], f[Devminor], f[Ino]}];
            group.push_back(idx);
            if (filesize > 0) {
                for (size_t g : group) files[g].data = files[idx].data;
            } else {
                for (size_t g : group)
                    if (!files[g].data.empty()) { files[idx].data = files[g].data; break; }
            }
        }
    }
    if (in_archive) throw CpioError("cpio: truncated archive: no TRAILER!!! entry at the end");
    return files;
}

const CpioFile* find_file(const std::vector<CpioFile>& files, std::string_view path) {
    std::string want = normalise(path);
    for (const CpioFile& f : files)
        if (f.path == want) return &f;
    return nullptr;
}

}  // namespace bs::emu::trace
