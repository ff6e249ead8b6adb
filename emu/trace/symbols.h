// Symbol tables of guest ELF files, for the boot tracer: the kernel's
// vmlinux, the firmware's and setup code's ELF32 files, and the user
// programs taken from the initramfs (see cpio.h).
//
// Reads little-endian ELF32 and ELF64 files for x86 (EM_386, EM_X86_64) from
// bytes, with every offset, size and string bounds-checked (System V gABI,
// "Object Files" chapter: ELF header, section header table, symbol table,
// string tables). What is kept:
//   - symbols from .symtab (else .dynsym) that name code or data: STT_FUNC,
//     STT_OBJECT, and STT_NOTYPE labels (assembly entry points such as
//     startup_64 or entry_SYSCALL_64, linker-script symbols such as _text);
//     a NOTYPE label counts as code when its section is executable.
//     Not kept: undefined, absolute and common symbols, sections, files, TLS.
//   - the section headers (name, address, size, flags, type).
//   - the initcall table of a Linux-like kernel (below).
// Addresses are the link-time ones: a position-independent program (ET_DYN)
// needs its load bias subtracted before lookup.
//
// Lookup: the symbol containing an address when the symbol has a size; for a
// size-0 symbol (assembly labels), the nearest preceding symbol within the
// same section. Aliases (several names at one address) are resolved to one
// primary name, preferring FUNC/OBJECT over NOTYPE and names without a
// leading underscore (startup_32 over _text), then the shorter name, then the
// alphabetically first; every alias remains reachable through find().
//
// Initcalls: a kernel built like Linux places a pointer to each initcall in
// section .initcall<id>.init, and its linker script merges those into one
// array delimited by __initcall<id>_start symbols and __initcall_end (the
// bundled guest merges them into .init.data). The table is read from those
// symbols and the pointer-sized entries they delimit; when the symbols are
// absent, from unmerged .initcall<id>.init sections. Levels are numbered as
// the bundled guest's do_initcalls() numbers and prints them ("initcall
// level N: name"), which puts rootfs between fs and device:
//   0 pure  1 core  2 postcore  3 arch  4 subsys  5 fs  6 rootfs  7 device  8 late
// (section ids "0".."5", "rootfs", "6", "7"). Linux itself runs rootfs
// initcalls inside level 5 and numbers device 6 and late 7; Linux's "early"
// initcalls and "Ns" sync levels are not read.
//
// Everything is kept in sorted vectors, so results and iteration orders are
// deterministic; nothing returned contains host addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bs::emu::trace {

// A malformed or unsupported ELF file; what() names the file and the problem.
class SymbolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Symbol {
    uint64_t addr = 0;
    uint64_t size = 0;     // 0 for labels without .size
    std::string name;
    std::string section;   // ".text", ".init.text", ...
    bool function = false; // code: STT_FUNC, or STT_NOTYPE in an executable section
};

// sym == nullptr when no symbol contains the address; offset = addr - sym->addr.
struct SymbolLookup {
    const Symbol* sym = nullptr;
    uint64_t offset = 0;
};

struct SectionInfo {
    std::string name;
    uint64_t addr = 0;
    uint64_t size = 0;
    uint64_t flags = 0;  // SHF_* (kShfWrite, kShfAlloc, kShfExecInstr)
    uint32_t type = 0;   // SHT_* (1 PROGBITS, 8 NOBITS, ...)
};
constexpr uint64_t kShfWrite = 0x1, kShfAlloc = 0x2, kShfExecInstr = 0x4;

struct Initcall {
    uint64_t function = 0;  // the address called
    uint64_t slot = 0;      // the address of its pointer in the initcall array
    int level = 0;          // 0..8, as the guest's do_initcalls() numbers levels
    std::string_view level_name;  // "pure", ..., "rootfs", "device", "late"
    std::string_view section_id;  // "0".."7" or "rootfs": the .initcall<id>.init section
};
constexpr int kInitcallLevels = 9;
// "pure" ... "late" for 0..8, "?" otherwise.
std::string_view initcall_level_name(int level);

class SymbolTable {
public:
    // Parses `image`; `name` (e.g. "vmlinux" or "/sbin/init") appears in
    // error messages and is returned by name(). Throws SymbolError.
    static SymbolTable from_elf(std::span<const uint8_t> image, std::string name);

    SymbolTable() = default;

    // O(log n).
    SymbolLookup lookup(uint64_t addr) const;
    // Any symbol by exact name, aliases included; the lowest address wins
    // when local symbols of different files share a name. O(log n).
    const Symbol* find(std::string_view name) const;
    // "start_kernel+0x1a", "start_kernel" at offset 0, "0xffffffff80100000"
    // (lowercase hex, no padding) when no symbol contains addr.
    std::string format(uint64_t addr) const;
    // The allocated section (SHF_ALLOC, non-empty) containing addr. O(log n).
    std::optional<SectionInfo> section_of(uint64_t addr) const;
    // The initcall level of a function (see above), or -1. O(log n).
    int initcall_level(uint64_t function_addr) const;
    // The initcall registered for a function (the first if registered twice).
    const Initcall* initcall(uint64_t function_addr) const;

    const std::string& name() const { return name_; }
    bool is_64bit() const { return is64_; }
    uint64_t entry() const { return entry_; }
    // Sorted by (address, preference): the primary name of an address first.
    const std::vector<Symbol>& symbols() const { return symbols_; }
    // In section header table order (index 0, the null section, omitted).
    const std::vector<SectionInfo>& sections() const { return sections_; }
    // In the order do_initcalls() runs them.
    const std::vector<Initcall>& initcalls() const { return initcalls_; }

private:
    std::string name_;
    bool is64_ = false;
    uint64_t entry_ = 0;
    std::vector<Symbol> symbols_;
    std::vector<uint32_t> primary_;     // indices into symbols_, one per address, ascending
    std::vector<uint64_t> primary_end_; // end of the range each primary covers (exclusive)
    std::vector<uint32_t> by_name_;     // indices into symbols_, sorted by (name, addr)
    std::vector<SectionInfo> sections_;
    std::vector<uint32_t> alloc_by_addr_;  // indices into sections_ of allocated sections
    std::vector<Initcall> initcalls_;
    std::vector<uint32_t> initcall_by_fn_; // indices into initcalls_, sorted by (function, order)

    friend class ElfReader;
};

}  // namespace bs::emu::trace
