// The symboliser and the cpio reader on small images built here: ELF32 and
// ELF64 files with chosen symbols and sections, cpio archives with links,
// padding and several parts, and malformed or truncated versions of them and
// of the guest's own files (each must give SymbolError/CpioError, never a
// crash or an out-of-bounds read; run under `make asan` to check the latter).
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "emu/trace/cpio.h"
#include "emu/trace/symbols.h"

using namespace bs::emu::trace;

namespace {

// --- a tiny ELF writer ------------------------------------------------------

struct TSym {
    std::string name;
    uint64_t value, size;
    uint8_t type;      // STT_*
    uint16_t shndx;    // index into the sections given (1-based: 0 is the null section)
};
struct TSec {
    std::string name;
    uint32_t type;     // SHT_*
    uint64_t flags, addr;
    std::vector<uint8_t> data;  // for NOBITS: size only
};

void put(std::vector<uint8_t>& b, size_t off, uint64_t v, unsigned n) {
    if (b.size() < off + n) b.resize(off + n);
    for (unsigned i = 0; i < n; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t get(const std::vector<uint8_t>& b, size_t off, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t(b.at(off + i)) << (8 * i);
    return v;
}

// Sections: null, the given ones, then .symtab, .strtab, .shstrtab.
std::vector<uint8_t> make_elf(bool is64, const std::vector<TSec>& secs, const std::vector<TSym>& syms) {
    const unsigned w = is64 ? 8 : 4;
    const size_t ehsize = is64 ? 64 : 52, shentsize = is64 ? 64 : 40, symsize = is64 ? 24 : 16;
    std::vector<uint8_t> b(ehsize, 0);
    b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F';
    b[4] = is64 ? 2 : 1; b[5] = 1; b[6] = 1;
    put(b, 16, 2, 2);                  // ET_EXEC
    put(b, 18, is64 ? 62 : 3, 2);      // e_machine
    put(b, 20, 1, 4);
    put(b, 24, secs.empty() ? 0 : secs[0].addr, w);  // e_entry

    struct Out { uint32_t name, type; uint64_t flags, addr, off, size, link, info, entsize; };
    std::vector<Out> out{{0, 0, 0, 0, 0, 0, 0, 0, 0}};
    std::string shstr(1, '\0'), str(1, '\0');
    auto add_name = [](std::string& tab, const std::string& n) {
        uint32_t o = static_cast<uint32_t>(tab.size());
        tab += n;
        tab += '\0';
        return o;
    };
    for (const TSec& s : secs) {
        size_t off = b.size();
        if (s.type != 8) b.insert(b.end(), s.data.begin(), s.data.end());
        out.push_back({add_name(shstr, s.name), s.type, s.flags, s.addr, off, s.data.size(), 0, 0, 0});
    }
    std::vector<uint8_t> symtab(symsize, 0);
    for (const TSym& s : syms) {
        size_t o = symtab.size();
        symtab.resize(o + symsize);
        uint32_t n = add_name(str, s.name);
        std::vector<uint8_t> e;
        put(e, 0, n, 4);
        if (is64) {
            put(e, 4, s.type | (1 << 4), 1);  // STB_GLOBAL
            put(e, 6, s.shndx, 2);
            put(e, 8, s.value, 8);
            put(e, 16, s.size, 8);
        } else {
            put(e, 4, s.value, 4);
            put(e, 8, s.size, 4);
            put(e, 12, s.type | (1 << 4), 1);
            put(e, 14, s.shndx, 2);
        }
        std::copy(e.begin(), e.end(), symtab.begin() + static_cast<long>(o));
    }
    const uint32_t symtab_idx = static_cast<uint32_t>(out.size());
    auto add_raw = [&](const std::string& n, uint32_t type, const std::vector<uint8_t>& data, uint64_t link,
                       uint64_t entsize) {
        size_t off = b.size();
        b.insert(b.end(), data.begin(), data.end());
        out.push_back({add_name(shstr, n), type, 0, 0, off, data.size(), link, 0, entsize});
    };
    add_raw(".symtab", 2, symtab, symtab_idx + 1, symsize);
    add_raw(".strtab", 3, {str.begin(), str.end()}, 0, 0);
    const uint32_t shstr_idx = static_cast<uint32_t>(out.size());
    add_name(shstr, ".shstrtab");
    out.push_back({static_cast<uint32_t>(shstr.size() - 10), 3, 0, 0, b.size() + 0, shstr.size(), 0, 0, 0});
    b.insert(b.end(), shstr.begin(), shstr.end());
    while (b.size() % 8) b.push_back(0);
    const size_t shoff = b.size();
    for (const Out& s : out) {
        size_t h = b.size();
        b.resize(h + shentsize, 0);
        put(b, h, s.name, 4);
        put(b, h + 4, s.type, 4);
        if (is64) {
            put(b, h + 8, s.flags, 8);
            put(b, h + 16, s.addr, 8);
            put(b, h + 24, s.off, 8);
            put(b, h + 32, s.size, 8);
            put(b, h + 40, s.link, 4);
            put(b, h + 56, s.entsize, 8);
        } else {
            put(b, h + 8, s.flags, 4);
            put(b, h + 12, s.addr, 4);
            put(b, h + 16, s.off, 4);
            put(b, h + 20, s.size, 4);
            put(b, h + 24, s.link, 4);
            put(b, h + 36, s.entsize, 4);
        }
    }
    put(b, is64 ? 40 : 32, shoff, w);
    put(b, is64 ? 58 : 46, shentsize, 2);
    put(b, is64 ? 60 : 48, out.size(), 2);
    put(b, is64 ? 62 : 50, shstr_idx, 2);
    return b;
}

constexpr uint64_t kAX = kShfAlloc | kShfExecInstr, kWA = kShfAlloc | kShfWrite;

std::vector<uint8_t> pointers(bool is64, std::initializer_list<uint64_t> v) {
    std::vector<uint8_t> b;
    for (uint64_t p : v) put(b, b.size(), p, is64 ? 8 : 4);
    return b;
}

// .text at 0x1000 (0x100 bytes), .initcall6.init / .initcall1.init arrays,
// .bss; f1 sized, label and _alias size 0, an object, an absolute symbol.
std::vector<uint8_t> sample_elf(bool is64) {
    std::vector<TSec> secs{
        {".text", 1, kAX, 0x1000, std::vector<uint8_t>(0x100, 0x90)},
        {".initcall6.init", 1, kWA, 0x2000, pointers(is64, {0x1000, 0x1040})},
        {".initcall1.init", 1, kWA, 0x2010, pointers(is64, {0x1080})},
        {".bss", 8, kWA, 0x3000, std::vector<uint8_t>(0x40)},
    };
    std::vector<TSym> syms{
        {"f1", 0x1000, 0x10, 2, 1},
        {"_alias", 0x1000, 0, 0, 1},
        {"label", 0x1040, 0, 0, 1},
        {"f2", 0x1080, 0x20, 2, 1},
        {"counter", 0x3000, 8, 1, 4},
        {"abs_sym", 0x5000, 0, 0, 0xfff1},  // SHN_ABS: not kept
        {"end_of_text", 0x1100, 0, 0, 1},   // a linker symbol just past .text
    };
    return make_elf(is64, secs, syms);
}

std::vector<uint8_t> slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), "cannot open " << path);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Parsing must succeed or throw SymbolError; nothing else.
bool elf_rejected(const std::vector<uint8_t>& img) {
    try {
        SymbolTable t = SymbolTable::from_elf(img, "fuzz");
        (void)t.format(0x1000);
        return false;
    } catch (const SymbolError&) {
        return true;
    }
}

// --- a tiny cpio writer -------------------------------------------------------

void cpio_entry(std::vector<uint8_t>& b, const std::string& name, uint32_t mode, const std::string& data,
                uint32_t ino = 1, uint32_t nlink = 1) {
    char hdr[111];
    std::snprintf(hdr, sizeof hdr, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0, 0,
                  nlink, 0, static_cast<unsigned>(data.size()), 0, 0, 0, 0, static_cast<unsigned>(name.size() + 1), 0);
    b.insert(b.end(), hdr, hdr + 110);
    b.insert(b.end(), name.begin(), name.end());
    b.push_back(0);
    while (b.size() % 4) b.push_back(0);
    b.insert(b.end(), data.begin(), data.end());
    while (b.size() % 4) b.push_back(0);
}
void cpio_trailer(std::vector<uint8_t>& b) { cpio_entry(b, "TRAILER!!!", 0, "", 0); }

std::string text(const std::vector<uint8_t>& d) { return {d.begin(), d.end()}; }

bool cpio_rejected(const std::vector<uint8_t>& d) {
    try {
        read_cpio(d);
        return false;
    } catch (const CpioError&) {
        return true;
    }
}

}  // namespace

TEST_CASE("synthetic ELF64 and ELF32: lookup, aliases, labels, sections, initcalls from sections") {
    for (bool is64 : {true, false}) {
        CAPTURE(is64);
        SymbolTable t = SymbolTable::from_elf(sample_elf(is64), "sample");
        CHECK(t.is_64bit() == is64);
        CHECK(t.entry() == 0x1000);
        // f1 is the primary name at 0x1000 (FUNC over NOTYPE); _alias remains findable.
        CHECK(t.format(0x1000) == "f1");
        CHECK(t.format(0x100f) == "f1+0xf");
        REQUIRE(t.find("_alias") != nullptr);
        CHECK(t.find("_alias")->addr == 0x1000);
        CHECK(t.find("_alias")->function);  // NOTYPE in an executable section
        // Between f1's end and the label: padding, unknown.
        CHECK(t.lookup(0x1010).sym == nullptr);
        CHECK(t.format(0x1010) == "0x1010");
        // A size-0 label covers up to the next symbol...
        CHECK(t.format(0x1040) == "label");
        CHECK(t.format(0x107f) == "label+0x3f");
        CHECK(t.format(0x1080) == "f2");
        // ... and a sized one only its size.
        CHECK(t.lookup(0x10a0).sym == nullptr);
        // Past the end of .text: nothing, though end_of_text is there.
        CHECK(t.lookup(0x1100).sym == nullptr);
        CHECK(t.find("end_of_text") != nullptr);
        CHECK_FALSE(t.find("end_of_text")->function);
        CHECK(t.lookup(0x0fff).sym == nullptr);
        // Objects in .bss.
        REQUIRE(t.find("counter") != nullptr);
        CHECK_FALSE(t.find("counter")->function);
        CHECK(t.find("counter")->section == ".bss");
        CHECK(t.format(0x3004) == "counter+0x4");
        CHECK(t.find("abs_sym") == nullptr);
        // Sections.
        CHECK(t.section_of(0x1000)->name == ".text");
        CHECK(t.section_of(0x10ff)->name == ".text");
        CHECK_FALSE(t.section_of(0x1100).has_value());
        CHECK(t.section_of(0x3010)->name == ".bss");
        CHECK(t.section_of(0x3010)->type == 8);
        CHECK(t.sections().size() == 7);
        // Initcalls from the unmerged sections: level 1 before 6 in run order.
        REQUIRE(t.initcalls().size() == 3);
        CHECK(t.initcalls()[0].function == 0x1080);
        CHECK(t.initcalls()[0].level == 1);
        CHECK(t.initcalls()[0].slot == 0x2010);
        CHECK(t.initcalls()[1].function == 0x1000);
        CHECK(t.initcalls()[1].level == 7);  // .initcall6.init: device, the guest's level 7
        CHECK(t.initcalls()[1].section_id == "6");
        CHECK(t.initcalls()[2].slot == (is64 ? 0x2008u : 0x2004u));
        CHECK(t.initcall_level(0x1040) == 7);
        CHECK(t.initcall_level(0x1080) == 1);
        CHECK(t.initcall_level(0x1004) == -1);
    }
}

TEST_CASE("initcalls from __initcall<id>_start symbols, and their errors") {
    const bool is64 = true;
    std::vector<TSec> secs{
        {".text", 1, kAX, 0x1000, std::vector<uint8_t>(0x100, 0x90)},
        {".init.data", 1, kWA, 0x2000, pointers(is64, {0x1000, 0x1010, 0x1020})},
    };
    std::vector<TSym> syms{
        {"a", 0x1000, 0x10, 2, 1}, {"b", 0x1010, 0x10, 2, 1}, {"c", 0x1020, 0x10, 2, 1},
        {"__initcall0_start", 0x2000, 0, 0, 2},
        {"__initcall3_start", 0x2008, 0, 0, 2},
        {"__initcall7_start", 0x2010, 0, 0, 2},
        {"__initcall_end", 0x2018, 0, 0, 2},
    };
    SymbolTable t = SymbolTable::from_elf(make_elf(is64, secs, syms), "k");
    CHECK(t.initcall_level(0x1000) == 0);
    CHECK(t.initcall_level(0x1010) == 3);
    CHECK(t.initcall_level(0x1020) == 8);
    CHECK(t.initcall(0x1020)->level_name == "late");
    // The slot symbol names do not shadow the functions' data: __initcall0_start is a data label.
    CHECK_FALSE(t.find("__initcall0_start")->function);

    auto without_end = syms;
    without_end.pop_back();
    CHECK_THROWS_WITH_AS(SymbolTable::from_elf(make_elf(is64, secs, without_end), "k"),
                         doctest::Contains("__initcall_end"), SymbolError);
    auto odd = syms;
    odd.back().value = 0x2014;  // not a whole pointer
    CHECK_THROWS_AS(SymbolTable::from_elf(make_elf(is64, secs, odd), "k"), SymbolError);
    auto outside = syms;
    outside.back().value = 0x2020;  // one pointer past .init.data's contents
    CHECK_THROWS_WITH_AS(SymbolTable::from_elf(make_elf(is64, secs, outside), "k"),
                         doctest::Contains("no section holds"), SymbolError);
}

TEST_CASE("a stripped ELF has sections but no symbols") {
    std::vector<uint8_t> img = make_elf(true, {{".text", 1, kAX, 0x1000, std::vector<uint8_t>(16)}}, {});
    SymbolTable t = SymbolTable::from_elf(img, "stripped");
    CHECK(t.symbols().empty());
    CHECK(t.lookup(0x1000).sym == nullptr);
    CHECK(t.format(0x1000) == "0x1000");
    CHECK(t.section_of(0x1000)->name == ".text");
}

TEST_CASE("malformed ELF images give SymbolError with a clear message") {
    auto msg = [](const std::vector<uint8_t>& img) -> std::string {
        try {
            SymbolTable::from_elf(img, "bad.elf");
        } catch (const SymbolError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    const std::vector<uint8_t> good = sample_elf(true);
    CHECK(msg({}) == "bad.elf: empty file, not an ELF image");
    CHECK(msg({0x7f, 'E', 'L', 'F', 2, 1, 1}) == "bad.elf: not an ELF image (bad magic)");  // < 16 bytes
    CHECK(msg({good.begin(), good.begin() + 40}).find("truncated ELF header") != std::string::npos);
    auto bad = good;
    bad[1] = 'X';
    CHECK(msg(bad) == "bad.elf: not an ELF image (bad magic)");
    bad = good;
    bad[5] = 2;
    CHECK(msg(bad) == "bad.elf: not a little-endian ELF image");
    bad = good;
    bad[4] = 3;
    CHECK(msg(bad).find("unknown ELF class 3") != std::string::npos);
    bad = good;
    put(bad, 18, 40, 2);  // EM_ARM
    CHECK(msg(bad).find("not an x86 ELF image") != std::string::npos);
    bad = good;
    put(bad, 40, bad.size() + 8, 8);  // e_shoff past the end
    CHECK(msg(bad).find("section header table") != std::string::npos);
    bad = good;
    put(bad, 40, UINT64_MAX - 10, 8);  // e_shoff that overflows
    CHECK(msg(bad).find("section header table") != std::string::npos);
    bad = good;
    put(bad, 60, 0xfff0, 2);  // e_shnum far too large
    CHECK(msg(bad).find("extends past the end of the file") != std::string::npos);
    bad = good;
    put(bad, 58, 16, 2);  // e_shentsize too small
    CHECK(msg(bad).find("section header size") != std::string::npos);
    bad = good;
    put(bad, 62, 200, 2);  // e_shstrndx out of range
    CHECK(msg(bad).find("section name table index") != std::string::npos);

    // A section whose contents lie outside the file.
    const uint64_t shoff = get(good, 40, 8);
    bad = good;
    put(bad, shoff + 64 * 1 + 24, bad.size() - 4, 8);  // .text's sh_offset near the end (size 0x100)
    CHECK(msg(bad).find("section 1") != std::string::npos);
    bad = good;
    put(bad, shoff + 64 * 1 + 32, UINT64_MAX, 8);  // .text's sh_size huge
    CHECK(msg(bad).find("extends past the end of the file") != std::string::npos);
    // A symbol table linked to a string table index that does not exist.
    bad = good;
    put(bad, shoff + 64 * 5 + 40, 99, 4);  // .symtab (section 5) sh_link
    CHECK(msg(bad).find("no string table") != std::string::npos);
    // A symbol whose name offset is outside its string table.
    bad = good;
    const uint64_t symoff = get(good, shoff + 64 * 5 + 24, 8);  // .symtab's sh_offset
    put(bad, symoff + 24, 0xffffff, 4);
    CHECK(msg(bad).find("outside its string table") != std::string::npos);
    // A symbol naming a section that does not exist.
    bad = good;
    put(bad, symoff + 24 + 6, 300, 2);
    CHECK(msg(bad).find("which does not exist") != std::string::npos);
}

TEST_CASE("every truncation and many corruptions of real and synthetic ELF files are handled") {
    std::vector<std::vector<uint8_t>> images{sample_elf(true), sample_elf(false),
                                             slurp(std::string(BOOTSCOPE_GUEST_DIR) + "/user/hello"),
                                             slurp(std::string(BOOTSCOPE_GUEST_DIR) + "/setup.elf")};
    for (const auto& img : images) {
        CHECK_FALSE(elf_rejected(img));
        // Every prefix: the section header table is at the end, so all are rejected.
        size_t step = img.size() > 4096 ? 7 : 1;
        for (size_t n = 0; n < img.size(); n += step) {
            std::vector<uint8_t> cut(img.begin(), img.begin() + static_cast<long>(n));
            CHECK_MESSAGE(elf_rejected(cut), "prefix of " << n << " bytes accepted");
        }
    }
    // Random bytes written over the header, the section table and the symbol
    // table: accepted or SymbolError, nothing else (and no ASan report).
    std::mt19937 rng(12345);
    for (const auto& img : images) {
        for (int round = 0; round < 3000; ++round) {
            std::vector<uint8_t> bad = img;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k) {
                size_t pos;
                switch (rng() % 3) {
                case 0: pos = rng() % 64; break;                                          // ELF header
                case 1: pos = bad.size() - 1 - rng() % std::min<size_t>(bad.size(), 1400); break;  // section table
                default: pos = rng() % bad.size(); break;
                }
                bad[pos] = static_cast<uint8_t>(rng());
            }
            (void)elf_rejected(bad);
        }
    }
}

TEST_CASE("cpio: directories skipped, paths normalised, duplicates replaced, hard links, several archives") {
    std::vector<uint8_t> a;
    cpio_entry(a, ".", 040755, "");
    cpio_entry(a, "bin", 040755, "", 2);
    cpio_entry(a, "./bin/a", 0100755, "AAAA1", 3);
    cpio_entry(a, "/etc/x", 0100644, "old", 4);
    cpio_entry(a, "dev/console", 020600, "", 5);
    cpio_entry(a, "bin/sh", 0120777, "a", 6);  // symlink
    cpio_entry(a, "link1", 0100755, "", 7, 2);          // hard link: contents come with the last one
    cpio_entry(a, "link2", 0100755, "shared", 7, 2);
    cpio_entry(a, "empty", 0100644, "", 8);
    cpio_trailer(a);
    a.resize((a.size() + 511) / 512 * 512, 0);  // padding as mkcpio writes
    // A second archive, as Linux accepts (e.g. an early microcode archive first).
    cpio_entry(a, "etc/x", 0100600, "new", 9);
    cpio_trailer(a);
    a.resize(a.size() + 100, 0);

    std::vector<CpioFile> f = read_cpio(a);
    REQUIRE(f.size() == 5);
    CHECK(f[0].path == "/bin/a");
    CHECK(text(f[0].data) == "AAAA1");
    CHECK(f[1].path == "/etc/x");
    CHECK(text(f[1].data) == "new");
    CHECK(f[1].mode == 0100600);
    CHECK(f[2].path == "/link1");
    CHECK(text(f[2].data) == "shared");
    CHECK(f[3].path == "/link2");
    CHECK(text(f[3].data) == "shared");
    CHECK(f[4].path == "/empty");
    CHECK(f[4].data.empty());
    CHECK(find_file(f, "./bin/a") == &f[0]);
    CHECK(find_file(f, "/bin/sh") == nullptr);
}

TEST_CASE("cpio: malformed and truncated archives give CpioError") {
    auto msg = [](const std::vector<uint8_t>& d) -> std::string {
        try {
            read_cpio(d);
        } catch (const CpioError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    std::vector<uint8_t> good;
    cpio_entry(good, "sbin/init", 0100755, std::string(37, 'x'));
    cpio_trailer(good);
    REQUIRE(read_cpio(good).size() == 1);

    CHECK(msg({}) == "cpio: empty archive");
    CHECK(msg({'0', '7', '0', '7'}).find("truncated header") != std::string::npos);
    CHECK(msg({good.begin(), good.begin() + 60}).find("truncated header") != std::string::npos);
    auto bad = good;
    bad[5] = '9';
    CHECK(msg(bad).find("bad magic") != std::string::npos);
    CHECK(msg({'h', 'e', 'l', 'l', 'o', '!', '!'}).find("bad magic") != std::string::npos);
    bad = good;
    bad[6 + 8 + 3] = 'g';  // mode field
    CHECK(msg(bad).find("not hexadecimal") != std::string::npos);
    CHECK(msg({0x1f, 0x8b, 8, 0}).find("gzip-compressed") != std::string::npos);
    CHECK(msg({'0', '7', '0', '7', '0', '7', '0'}).find("odc") != std::string::npos);
    CHECK(msg({good.begin(), good.begin() + 115}).find("truncated entry name") != std::string::npos);
    CHECK(msg({good.begin(), good.begin() + 130}).find("truncated contents of 'sbin/init'") != std::string::npos);
    // Everything present except the trailer.
    CHECK(msg({good.begin(), good.begin() + 160}).find("no TRAILER") != std::string::npos);
    // Name size 0, and a name without its NUL.
    bad = good;
    std::memcpy(&bad[6 + 11 * 8], "00000000", 8);
    CHECK(msg(bad).find("without a name") != std::string::npos);
    bad = good;
    std::memcpy(&bad[6 + 11 * 8], "00000009", 8);  // "sbin/init" without the NUL
    CHECK(msg(bad).find("not NUL-terminated") != std::string::npos);
    // A file size that runs far past the end.
    bad = good;
    std::memcpy(&bad[6 + 6 * 8], "FFFFFFFF", 8);
    CHECK(msg(bad).find("truncated contents") != std::string::npos);
    // Junk after the trailer.
    bad = good;
    bad.insert(bad.end(), {'j', 'u', 'n', 'k'});
    CHECK(msg(bad).find("bad magic") != std::string::npos);
    // A second archive at an offset that is not a multiple of 4.
    bad = good;
    bad.push_back(0);
    bad.push_back('0');
    CHECK(msg(bad).find("multiple of 4") != std::string::npos);

    // Every prefix of the guest's initramfs is rejected (or, once the trailer
    // is complete, accepted), never read out of bounds.
    std::vector<uint8_t> real = slurp(std::string(BOOTSCOPE_GUEST_DIR) + "/initramfs.cpio");
    size_t accepted = 0;
    for (size_t n = 0; n < real.size(); n += 3) {
        if (!cpio_rejected({real.begin(), real.begin() + static_cast<long>(n)})) ++accepted;
    }
    CHECK(accepted < 200);  // only the prefixes ending in the final NUL padding
    std::mt19937 rng(777);
    for (int round = 0; round < 3000; ++round) {
        std::vector<uint8_t> c = real;
        for (int k = 0; k < 3; ++k) c[rng() % c.size()] = static_cast<uint8_t>(rng());
        (void)cpio_rejected(c);
    }
}
