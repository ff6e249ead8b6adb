#include "emu/trace/symbols.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <tuple>

namespace bs::emu::trace {

namespace {

// ELF constants (System V gABI, "Object Files").
constexpr uint8_t kElfClass32 = 1, kElfClass64 = 2, kElfData2Lsb = 1;
constexpr uint16_t kEm386 = 3, kEmX86_64 = 62;
constexpr uint32_t kShtNull = 0, kShtSymtab = 2, kShtNobits = 8, kShtDynsym = 11;
constexpr uint16_t kShnUndef = 0, kShnLoreserve = 0xff00, kShnXindex = 0xffff;
constexpr uint8_t kSttNotype = 0, kSttObject = 1, kSttFunc = 2;

struct LevelDesc {
    std::string_view section_id, name;
};
constexpr std::array<LevelDesc, kInitcallLevels> kLevels{{
    {"0", "pure"}, {"1", "core"}, {"2", "postcore"}, {"3", "arch"}, {"4", "subsys"},
    {"5", "fs"}, {"rootfs", "rootfs"}, {"6", "device"}, {"7", "late"},
}};

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

struct RawSection {
    uint32_t name_off, type, link;
    uint64_t flags, addr, offset, size, entsize;
    std::string name;
};

}  // namespace

std::string_view initcall_level_name(int level) {
    if (level < 0 || level >= kInitcallLevels) return "?";
    return kLevels[static_cast<size_t>(level)].name;
}

// Bounds-checked reading of one ELF image; fills a SymbolTable.
class ElfReader {
public:
    ElfReader(std::span<const uint8_t> d, const std::string& name) : d_(d), name_(name) {}

    SymbolTable read() {
        SymbolTable t;
        t.name_ = name_;
        read_header(t);
        read_sections();
        read_symbols(t);
        for (size_t i = 1; i < secs_.size(); ++i) {
            const RawSection& s = secs_[i];
            t.sections_.push_back({s.name, s.addr, s.size, s.flags, s.type});
        }
        index(t);
        read_initcalls(t);
        return t;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw SymbolError(name_ + ": " + what);
    }

    // True when [off, off+len) lies inside the image.
    bool in_bounds(uint64_t off, uint64_t len) const {
        return off <= d_.size() && len <= d_.size() - off;
    }

    uint64_t le(uint64_t off, unsigned bytes) const {
        if (!in_bounds(off, bytes)) fail("read past the end of the file at offset " + hex(off));
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes; ++i) v |= uint64_t(d_[off + i]) << (8 * i);
        return v;
    }
    uint16_t u16(uint64_t off) const { return static_cast<uint16_t>(le(off, 2)); }
    uint32_t u32(uint64_t off) const { return static_cast<uint32_t>(le(off, 4)); }
    uint64_t u64(uint64_t off) const { return le(off, 8); }
    // A natural-width field: 4 bytes in ELF32, 8 in ELF64.
    uint64_t word(uint64_t off) const { return is64_ ? u64(off) : u32(off); }

    // A NUL-terminated string at `off` inside string table section `sec`.
    std::string str(const RawSection& sec, uint64_t off, const char* what) const {
        if (!in_bounds(sec.offset, sec.size)) fail(std::string(what) + " string table is outside the file");
        if (off >= sec.size) fail(std::string(what) + " name offset " + hex(off) + " is outside its string table");
        uint64_t start = sec.offset + off, end = sec.offset + sec.size;
        for (uint64_t p = start; p < end; ++p)
            if (d_[p] == 0) return std::string(reinterpret_cast<const char*>(&d_[start]), p - start);
        fail(std::string(what) + " name at offset " + hex(off) + " is not NUL-terminated");
    }

    void read_header(SymbolTable& t) {
        if (d_.empty()) fail("empty file, not an ELF image");
        if (d_.size() < 16 || d_[0] != 0x7f || d_[1] != 'E' || d_[2] != 'L' || d_[3] != 'F')
            fail("not an ELF image (bad magic)");
        if (d_[4] != kElfClass32 && d_[4] != kElfClass64) fail("unknown ELF class " + std::to_string(d_[4]));
        is64_ = d_[4] == kElfClass64;
        if (d_[5] != kElfData2Lsb) fail("not a little-endian ELF image");
        if (d_[6] != 1) fail("unknown ELF version " + std::to_string(d_[6]));
        const uint64_t ehsize = is64_ ? 64 : 52;
        if (d_.size() < ehsize) fail("truncated ELF header (" + std::to_string(d_.size()) + " bytes)");
        uint16_t machine = u16(18);
        if (machine != kEm386 && machine != kEmX86_64)
            fail("not an x86 ELF image (e_machine " + std::to_string(machine) + ")");
        t.is64_ = is64_;
        t.entry_ = word(24);
        shoff_ = is64_ ? u64(40) : u32(32);
        shentsize_ = u16(is64_ ? 58 : 46);
        shnum_ = u16(is64_ ? 60 : 48);
        shstrndx_ = u16(is64_ ? 62 : 50);
    }

    RawSection read_section_header(uint64_t i) const {
        uint64_t h = shoff_ + i * shentsize_;
        RawSection s{};
        s.name_off = u32(h);
        s.type = u32(h + 4);
        if (is64_) {
            s.flags = u64(h + 8);
            s.addr = u64(h + 16);
            s.offset = u64(h + 24);
            s.size = u64(h + 32);
            s.link = u32(h + 40);
            s.entsize = u64(h + 56);
        } else {
            s.flags = u32(h + 8);
            s.addr = u32(h + 12);
            s.offset = u32(h + 16);
            s.size = u32(h + 20);
            s.link = u32(h + 24);
            s.entsize = u32(h + 36);
        }
        return s;
    }

    void read_sections() {
        if (shoff_ == 0) return;  // no section header table: no symbols, no sections
        const uint64_t min_ent = is64_ ? 64 : 40;
        if (shentsize_ < min_ent)
            fail("section header size " + std::to_string(shentsize_) + " is smaller than " + std::to_string(min_ent));
        if (!in_bounds(shoff_, shentsize_)) fail("section header table at " + hex(shoff_) + " is outside the file");
        // Extended numbering (gABI): with 0 in e_shnum / SHN_XINDEX in
        // e_shstrndx, section 0's sh_size / sh_link hold the real values.
        RawSection s0 = read_section_header(0);
        uint64_t count = shnum_ ? shnum_ : s0.size;
        uint64_t strndx = shstrndx_ == kShnXindex ? s0.link : shstrndx_;
        if (count > (d_.size() - shoff_) / shentsize_)
            fail("section header table (" + std::to_string(count) + " entries at " + hex(shoff_) +
                 ") extends past the end of the file");
        secs_.reserve(count);
        for (uint64_t i = 0; i < count; ++i) {
            RawSection s = read_section_header(i);
            if (s.type != kShtNobits && s.type != kShtNull && !in_bounds(s.offset, s.size))
                fail("section " + std::to_string(i) + " (offset " + hex(s.offset) + ", size " + hex(s.size) +
                     ") extends past the end of the file");
            if (s.type == kShtNobits && s.size > 0 && s.addr + s.size < s.addr)
                fail("section " + std::to_string(i) + " wraps around the address space");
            secs_.push_back(s);
        }
        if (strndx == 0) return;  // no section names
        if (strndx >= count) fail("section name table index " + std::to_string(strndx) + " is out of range");
        const RawSection strtab = secs_[strndx];
        if (strtab.type == kShtNobits) fail("section name table has no contents");
        for (RawSection& s : secs_) s.name = str(strtab, s.name_off, "section");
    }

    void read_symbols(SymbolTable& t) {
        const RawSection* symtab = nullptr;
        for (uint32_t want : {kShtSymtab, kShtDynsym}) {
            for (const RawSection& s : secs_)
                if (s.type == want) { symtab = &s; break; }
            if (symtab) break;
        }
        if (!symtab) return;  // stripped: sections only
        const uint64_t entsize = is64_ ? 24 : 16;
        if (symtab->entsize != 0 && symtab->entsize < entsize)
            fail("symbol table entry size " + std::to_string(symtab->entsize) + " is too small");
        const uint64_t stride = symtab->entsize ? symtab->entsize : entsize;
        if (symtab->link == 0 || symtab->link >= secs_.size()) fail("symbol table has no string table");
        const RawSection& strtab = secs_[symtab->link];
        if (strtab.type == kShtNobits) fail("symbol string table has no contents");
        const uint64_t n = symtab->size / stride;
        for (uint64_t i = 1; i < n; ++i) {  // entry 0 is the undefined symbol
            uint64_t e = symtab->offset + i * stride;
            uint32_t name_off = u32(e);
            uint8_t info;
            uint16_t shndx;
            uint64_t value, size;
            if (is64_) {
                info = d_[e + 4];
                shndx = u16(e + 6);
                value = u64(e + 8);
                size = u64(e + 16);
            } else {
                value = u32(e + 4);
                size = u32(e + 8);
                info = d_[e + 12];
                shndx = u16(e + 14);
            }
            uint8_t type = info & 0xf;
            if (type != kSttFunc && type != kSttObject && type != kSttNotype) continue;
            if (shndx == kShnUndef || shndx >= kShnLoreserve) continue;  // undefined, ABS, COMMON, XINDEX
            if (shndx >= secs_.size())
                fail("symbol " + std::to_string(i) + " names section " + std::to_string(shndx) +
                     ", which does not exist");
            std::string sname = str(strtab, name_off, "symbol");
            if (sname.empty()) continue;
            const RawSection& sec = secs_[shndx];
            Symbol sym;
            sym.addr = value;
            sym.size = size;
            sym.name = std::move(sname);
            sym.section = sec.name;
            // A NOTYPE label at the end of its code section (_etext) marks a boundary, not code.
            sym.function = type == kSttFunc || (type == kSttNotype && (sec.flags & kShfExecInstr) &&
                                                value - sec.addr < sec.size);
            t.symbols_.push_back(std::move(sym));
            types_.push_back(type);
        }
    }

    // Sorts symbols and sections and builds the lookup indices.
    void index(SymbolTable& t) {
        auto& syms = t.symbols_;
        // Preference among symbols at one address: typed, then no leading
        // underscore, then shorter, then alphabetical.
        std::vector<uint32_t> order(syms.size());
        for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
        auto key = [&](uint32_t i) {
            const Symbol& s = syms[i];
            bool untyped = types_[i] == kSttNotype;
            bool underscore = !s.name.empty() && s.name[0] == '_';
            return std::make_tuple(s.addr, untyped, underscore, s.name.size(), std::string_view(s.name), s.size,
                                   std::string_view(s.section));
        };
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
        // Drop exact duplicates (same name, address, size, section).
        std::vector<Symbol> sorted;
        sorted.reserve(syms.size());
        for (uint32_t i : order) {
            const Symbol& s = syms[i];
            if (!sorted.empty()) {
                const Symbol& p = sorted.back();
                if (p.addr == s.addr && p.name == s.name && p.size == s.size && p.section == s.section) continue;
            }
            sorted.push_back(std::move(syms[i]));
        }
        syms = std::move(sorted);
        if (syms.size() > UINT32_MAX) fail("too many symbols");

        // Allocated sections by address (for section_of and for bounding labels).
        for (uint32_t i = 0; i < t.sections_.size(); ++i) {
            const SectionInfo& s = t.sections_[i];
            if ((s.flags & kShfAlloc) && s.size > 0) t.alloc_by_addr_.push_back(i);
        }
        std::stable_sort(t.alloc_by_addr_.begin(), t.alloc_by_addr_.end(),
                         [&](uint32_t a, uint32_t b) { return t.sections_[a].addr < t.sections_[b].addr; });

        // One primary symbol per address; its range is its size, or for a
        // size-0 label up to the next symbol or the end of its section.
        for (uint32_t i = 0; i < syms.size(); ++i)
            if (i == 0 || syms[i].addr != syms[i - 1].addr) t.primary_.push_back(i);
        t.primary_end_.resize(t.primary_.size());
        for (size_t k = 0; k < t.primary_.size(); ++k) {
            const Symbol& s = syms[t.primary_[k]];
            uint64_t end;
            if (s.size > 0) {
                end = sat_add(s.addr, s.size);
            } else {
                end = k + 1 < t.primary_.size() ? syms[t.primary_[k + 1]].addr : UINT64_MAX;
                std::optional<SectionInfo> sec = t.section_of(s.addr);
                if (!sec || sec->name != s.section) end = s.addr;  // a label outside its section (e.g. _end)
                else end = std::min(end, sat_add(sec->addr, sec->size));
            }
            t.primary_end_[k] = end;
        }

        t.by_name_.resize(syms.size());
        for (uint32_t i = 0; i < syms.size(); ++i) t.by_name_[i] = i;
        std::sort(t.by_name_.begin(), t.by_name_.end(), [&](uint32_t a, uint32_t b) {
            return std::tie(syms[a].name, syms[a].addr) < std::tie(syms[b].name, syms[b].addr);
        });
    }

    // Reads a pointer-sized value at a virtual address from a section with contents.
    uint64_t read_pointer(uint64_t vaddr, const std::string& what) const {
        const unsigned width = is64_ ? 8 : 4;
        for (const RawSection& s : secs_) {
            if (!(s.flags & kShfAlloc) || s.type == kShtNobits || s.type == kShtNull) continue;
            if (vaddr >= s.addr && vaddr - s.addr < s.size && s.size - (vaddr - s.addr) >= width)
                return le(s.offset + (vaddr - s.addr), width);
        }
        fail(what + ": no section holds the initcall pointer at " + hex(vaddr));
    }

    void read_initcalls(SymbolTable& t) const {
        const unsigned width = is64_ ? 8 : 4;
        auto sym_addr = [&](const std::string& n) -> std::optional<uint64_t> {
            const Symbol* s = t.find(n);
            return s ? std::optional<uint64_t>(s->addr) : std::nullopt;
        };
        std::array<std::optional<uint64_t>, kInitcallLevels> start;
        bool any = false;
        for (size_t l = 0; l < kLevels.size(); ++l) {
            start[l] = sym_addr("__initcall" + std::string(kLevels[l].section_id) + "_start");
            any = any || start[l].has_value();
        }
        auto add = [&](int level, uint64_t slot, uint64_t fn) {
            const LevelDesc& d = kLevels[static_cast<size_t>(level)];
            t.initcalls_.push_back({fn, slot, level, d.name, d.section_id});
        };
        if (any) {
            std::optional<uint64_t> end_all = sym_addr("__initcall_end");
            for (size_t l = 0; l < kLevels.size(); ++l) {
                if (!start[l]) continue;
                std::optional<uint64_t> end = end_all;
                for (size_t m = l + 1; m < kLevels.size(); ++m)
                    if (start[m]) { end = start[m]; break; }
                std::string what = "initcall level " + std::to_string(l) + " (__initcall" +
                                   std::string(kLevels[l].section_id) + "_start)";
                if (!end) fail(what + ": no end symbol (__initcall_end)");
                if (*end < *start[l]) fail(what + ": ends before it starts");
                if ((*end - *start[l]) % width) fail(what + ": size is not a multiple of the pointer size");
                for (uint64_t a = *start[l]; a < *end; a += width)
                    add(static_cast<int>(l), a, read_pointer(a, what));
            }
        } else {
            for (size_t l = 0; l < kLevels.size(); ++l) {
                std::string sec_name = ".initcall" + std::string(kLevels[l].section_id) + ".init";
                for (const RawSection& s : secs_) {
                    if (s.name != sec_name || s.type == kShtNobits) continue;
                    if (s.size % width) fail(sec_name + ": size is not a multiple of the pointer size");
                    for (uint64_t o = 0; o < s.size; o += width)
                        add(static_cast<int>(l), s.addr + o, le(s.offset + o, width));
                }
            }
        }
        t.initcall_by_fn_.resize(t.initcalls_.size());
        for (uint32_t i = 0; i < t.initcalls_.size(); ++i) t.initcall_by_fn_[i] = i;
        std::sort(t.initcall_by_fn_.begin(), t.initcall_by_fn_.end(), [&](uint32_t a, uint32_t b) {
            return std::tie(t.initcalls_[a].function, a) < std::tie(t.initcalls_[b].function, b);
        });
    }

    std::span<const uint8_t> d_;
    const std::string& name_;
    bool is64_ = false;
    uint64_t shoff_ = 0;
    uint64_t shentsize_ = 0, shnum_ = 0, shstrndx_ = 0;
    std::vector<RawSection> secs_;
    std::vector<uint8_t> types_;  // STT_* of t.symbols_ before sorting, same order
};

SymbolTable SymbolTable::from_elf(std::span<const uint8_t> image, std::string name) {
    return ElfReader(image, name).read();
}

SymbolLookup SymbolTable::lookup(uint64_t addr) const {
    // The last primary symbol at or below addr.
    auto it = std::upper_bound(primary_.begin(), primary_.end(), addr,
                               [&](uint64_t a, uint32_t i) { return a < symbols_[i].addr; });
    if (it == primary_.begin()) return {};
    size_t k = static_cast<size_t>(it - primary_.begin()) - 1;
    const Symbol& s = symbols_[primary_[k]];
    if (addr >= primary_end_[k]) return {};
    return {&s, addr - s.addr};
}

const Symbol* SymbolTable::find(std::string_view n) const {
    auto it = std::lower_bound(by_name_.begin(), by_name_.end(), n,
                               [&](uint32_t i, std::string_view v) { return symbols_[i].name < v; });
    if (it == by_name_.end() || symbols_[*it].name != n) return nullptr;
    return &symbols_[*it];
}

std::string SymbolTable::format(uint64_t addr) const {
    SymbolLookup l = lookup(addr);
    if (!l.sym) return hex(addr);
    if (l.offset == 0) return l.sym->name;
    return l.sym->name + "+" + hex(l.offset);
}

std::optional<SectionInfo> SymbolTable::section_of(uint64_t addr) const {
    auto it = std::upper_bound(alloc_by_addr_.begin(), alloc_by_addr_.end(), addr,
                               [&](uint64_t a, uint32_t i) { return a < sections_[i].addr; });
    // Sections may share a start address (empty ones are already excluded);
    // walk back over the few that start at or below addr.
    while (it != alloc_by_addr_.begin()) {
        --it;
        const SectionInfo& s = sections_[*it];
        if (addr - s.addr < s.size) return s;
        if (it != alloc_by_addr_.begin() && sections_[*(it - 1)].addr != s.addr) break;
    }
    return std::nullopt;
}

const Initcall* SymbolTable::initcall(uint64_t function_addr) const {
    auto it = std::lower_bound(initcall_by_fn_.begin(), initcall_by_fn_.end(), function_addr,
                               [&](uint32_t i, uint64_t a) { return initcalls_[i].function < a; });
    if (it == initcall_by_fn_.end() || initcalls_[*it].function != function_addr) return nullptr;
    return &initcalls_[*it];
}

int SymbolTable::initcall_level(uint64_t function_addr) const {
    const Initcall* c = initcall(function_addr);
    return c ? c->level : -1;
}

}  // namespace bs::emu::trace
