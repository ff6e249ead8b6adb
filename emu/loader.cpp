#include "emu/loader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "emu/machine.h"

namespace bs::emu {

const char* to_string(LoadErrorKind kind) {
    switch (kind) {
    case LoadErrorKind::Empty: return "empty image";
    case LoadErrorKind::BadMagic: return "unknown image format";
    case LoadErrorKind::Truncated: return "truncated image";
    case LoadErrorKind::BadHeader: return "bad header";
    case LoadErrorKind::Unsupported: return "unsupported image";
    case LoadErrorKind::OutsideRam: return "image does not fit in guest RAM";
    case LoadErrorKind::FileError: return "file error";
    }
    return "?";
}

const char* to_string(ImageKind kind) {
    switch (kind) {
    case ImageKind::Linux: return "Linux boot protocol";
    case ImageKind::Multiboot: return "Multiboot";
    case ImageKind::Elf64: return "ELF64";
    }
    return "?";
}

namespace {

constexpr uint32_t kMultibootMagic = 0x1badb002;
constexpr uint32_t kMultibootBootloaderMagic = 0x2badb002;
constexpr uint64_t kPage = 4096;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%#llx", (unsigned long long)v);
    return b;
}

[[noreturn]] void fail(LoadErrorKind kind, const std::string& msg) { throw LoadError(kind, msg); }

struct Reader {
    const std::vector<uint8_t>& d;
    const std::string& what;
    void need(uint64_t off, uint64_t len, const std::string& field) const {
        if (off > d.size() || len > d.size() - off)
            fail(LoadErrorKind::Truncated, what + ": " + field + " (bytes " + hex(off) + ".." + hex(off + len) +
                                               ") lies past the end of the " + std::to_string(d.size()) + "-byte file");
    }
    uint8_t u8(uint64_t off, const char* f) const { need(off, 1, f); return d[off]; }
    uint16_t u16(uint64_t off, const char* f) const { need(off, 2, f); return uint16_t(d[off] | d[off + 1] << 8); }
    uint32_t u32(uint64_t off, const char* f) const {
        need(off, 4, f);
        return uint32_t(d[off]) | uint32_t(d[off + 1]) << 8 | uint32_t(d[off + 2]) << 16 | uint32_t(d[off + 3]) << 24;
    }
    uint64_t u64(uint64_t off, const char* f) const { return u32(off, f) | uint64_t(u32(off + 4, f)) << 32; }
};

std::vector<uint8_t> read_host_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail(LoadErrorKind::FileError, "cannot open '" + path + "'");
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

std::vector<uint8_t> read_file(const KernelSpec& spec, const std::string& path) {
    if (spec.read_file) return spec.read_file(path);
    return read_host_file(path);
}

// ---- ELF ----

struct Segment {
    uint64_t paddr, vaddr, offset, filesz, memsz;
};
struct Elf {
    bool is64;
    uint64_t entry;
    std::vector<Segment> loads;
};

bool is_elf(const std::vector<uint8_t>& d) {
    return d.size() >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
}

Elf parse_elf(const std::vector<uint8_t>& d, const std::string& what) {
    Reader r{d, what};
    r.need(0, 16, "ELF identification");
    Elf e{};
    if (d[4] != 1 && d[4] != 2) fail(LoadErrorKind::BadHeader, what + ": ELF class " + std::to_string(d[4]) + " is neither 32- nor 64-bit");
    e.is64 = d[4] == 2;
    if (d[5] != 1) fail(LoadErrorKind::Unsupported, what + ": big-endian ELF (data encoding " + std::to_string(d[5]) + ")");
    r.need(0, e.is64 ? 64 : 52, "ELF header");
    uint16_t type = r.u16(16, "e_type");
    uint16_t machine = r.u16(18, "e_machine");
    if (type != 2) fail(LoadErrorKind::Unsupported, what + ": ELF type " + std::to_string(type) + " is not an executable (ET_EXEC)");
    if (machine != 3 && machine != 62)
        fail(LoadErrorKind::Unsupported, what + ": ELF machine " + std::to_string(machine) + " is not x86 (3) or x86-64 (62)");
    uint64_t phoff;
    uint16_t phentsize, phnum;
    if (e.is64) {
        e.entry = r.u64(24, "e_entry");
        phoff = r.u64(32, "e_phoff");
        phentsize = r.u16(54, "e_phentsize");
        phnum = r.u16(56, "e_phnum");
    } else {
        e.entry = r.u32(24, "e_entry");
        phoff = r.u32(28, "e_phoff");
        phentsize = r.u16(42, "e_phentsize");
        phnum = r.u16(44, "e_phnum");
    }
    if (phnum == 0) fail(LoadErrorKind::BadHeader, what + ": ELF image has no program headers");
    if (phentsize < (e.is64 ? 56 : 32))
        fail(LoadErrorKind::BadHeader, what + ": ELF program header size " + std::to_string(phentsize) + " is too small");
    r.need(phoff, uint64_t(phnum) * phentsize, "program header table");
    for (unsigned i = 0; i < phnum; ++i) {
        uint64_t p = phoff + uint64_t(i) * phentsize;
        if (r.u32(p, "p_type") != 1) continue;  // PT_LOAD
        Segment s{};
        if (e.is64) {
            s.offset = r.u64(p + 8, "p_offset");
            s.vaddr = r.u64(p + 16, "p_vaddr");
            s.paddr = r.u64(p + 24, "p_paddr");
            s.filesz = r.u64(p + 32, "p_filesz");
            s.memsz = r.u64(p + 40, "p_memsz");
        } else {
            s.offset = r.u32(p + 4, "p_offset");
            s.vaddr = r.u32(p + 8, "p_vaddr");
            s.paddr = r.u32(p + 12, "p_paddr");
            s.filesz = r.u32(p + 16, "p_filesz");
            s.memsz = r.u32(p + 20, "p_memsz");
        }
        if (s.filesz > s.memsz)
            fail(LoadErrorKind::BadHeader, what + ": segment " + std::to_string(i) + " has p_filesz " + hex(s.filesz) +
                                               " larger than p_memsz " + hex(s.memsz));
        r.need(s.offset, s.filesz, "segment " + std::to_string(i) + " contents");
        e.loads.push_back(s);
    }
    if (e.loads.empty()) fail(LoadErrorKind::BadHeader, what + ": ELF image has no PT_LOAD segment");
    return e;
}

// Guest RAM that the CPU really sees as RAM (not under VGA or the BIOS ROM).
void check_ram(const Machine& m, uint64_t pa, uint64_t len, const std::string& what) {
    bool ok = m.ram().contains(pa, len);
    if (ok && pa < 0x100000 && pa + len > 0xa0000) ok = false;  // the VGA/BIOS hole
    if (!ok)
        fail(LoadErrorKind::OutsideRam, what + " at " + hex(pa) + ".." + hex(pa + len) + " is outside guest RAM (" +
                                            std::to_string(m.ram().size() / MiB) + " MiB; 0xA0000-0xFFFFF is the VGA/BIOS hole)");
}

uint64_t load_segments(Machine& m, const Elf& e, const std::vector<uint8_t>& d, const std::string& what) {
    uint64_t end = 0;
    for (size_t i = 0; i < e.loads.size(); ++i) {
        const Segment& s = e.loads[i];
        check_ram(m, s.paddr, s.memsz, what + ": segment " + std::to_string(i));
    }
    for (const Segment& s : e.loads) {
        m.write_phys(s.paddr, d.data() + s.offset, s.filesz);
        m.fill_phys(s.paddr + s.filesz, 0, s.memsz - s.filesz);  // bss
        end = std::max(end, s.paddr + s.memsz);
    }
    return end;
}

uint64_t entry_to_physical(const Elf& e, uint64_t entry) {
    for (const Segment& s : e.loads)
        if (entry >= s.vaddr && entry - s.vaddr < s.memsz) return s.paddr + (entry - s.vaddr);
    return entry;
}

// A flat GDT: null, 0x08 code32, 0x10 data, 0x18 code64.
uint64_t write_gdt(Machine& m, uint64_t at, BootState& b) {
    const uint64_t gdt[4] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull};
    check_ram(m, at, sizeof gdt, "boot GDT");
    m.write_phys(at, gdt, sizeof gdt);
    b.gdt_base = at;
    b.gdt_limit = sizeof gdt - 1;
    return at + sizeof gdt;
}

}  // namespace

int64_t find_multiboot_header(const std::vector<uint8_t>& d) {
    size_t limit = std::min<size_t>(d.size(), 8192);
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t magic = uint32_t(d[off]) | uint32_t(d[off + 1]) << 8 | uint32_t(d[off + 2]) << 16 | uint32_t(d[off + 3]) << 24;
        if (magic == kMultibootMagic) return int64_t(off);
    }
    return -1;
}

BootState load_kernel(Machine& m, const KernelSpec& spec) {
    const std::string& what = spec.path.empty() ? std::string("kernel") : spec.path;
    const auto& d = spec.image;
    if (d.empty()) fail(LoadErrorKind::Empty, what + ": the kernel image is empty");
    if (d.size() >= 0x206 && std::memcmp(&d[0x202], "HdrS", 4) == 0) return load_linux(m, spec);
    int64_t mb = find_multiboot_header(d);
    if (mb >= 0) return load_multiboot(m, spec, uint32_t(mb));
    if (is_elf(d)) {
        if (d.size() > 4 && d[4] == 2) return load_elf64(m, spec);
        fail(LoadErrorKind::Unsupported, what + ": 32-bit ELF without a Multiboot header (only Multiboot or ELF64 images boot as ELF)");
    }
    if (d.size() < 0x206)
        fail(LoadErrorKind::Truncated, what + ": " + std::to_string(d.size()) +
                                           " bytes is too short for a Linux setup header and has no Multiboot or ELF header");
    fail(LoadErrorKind::BadMagic, what + ": not a Linux bzImage (no \"HdrS\" at 0x202), Multiboot kernel or ELF64 image");
}

// ---- Linux boot protocol ----

BootState load_linux(Machine& m, const KernelSpec& spec) {
    const std::string what = spec.path.empty() ? std::string("kernel") : spec.path;
    const auto& d = spec.image;
    Reader r{d, what};
    r.need(0, 0x250, "Linux setup header");
    if (std::memcmp(&d[0x202], "HdrS", 4) != 0) fail(LoadErrorKind::BadMagic, what + ": no \"HdrS\" signature at 0x202");
    uint16_t protocol = r.u16(0x206, "version");
    if (protocol < 0x200) fail(LoadErrorKind::Unsupported, what + ": boot protocol " + hex(protocol) + " is older than 2.00");
    if (r.u16(0x1fe, "boot_flag") != 0xaa55)
        spdlog::debug("loader: {}: boot_flag is {:#x}, not 0xAA55 (loading anyway, as QEMU)", what, r.u16(0x1fe, "boot_flag"));
    uint8_t loadflags = r.u8(0x211, "loadflags");
    uint32_t real_addr, cmdline_addr, prot_addr;
    if (!(loadflags & 0x01)) {  // zImage: protected-mode part at 0x10000
        real_addr = 0x90000;
        cmdline_addr = 0x9a000 - uint32_t(spec.append.size() + 1);
        prot_addr = 0x10000;
    } else if (protocol < 0x202) {
        real_addr = 0x90000;
        cmdline_addr = 0x9a000 - uint32_t(spec.append.size() + 1);
        prot_addr = 0x100000;
    } else {
        real_addr = 0x10000;
        cmdline_addr = 0x20000;
        prot_addr = 0x100000;
    }
    unsigned setup_sects = r.u8(0x1f1, "setup_sects");
    if (setup_sects == 0) setup_sects = 4;
    uint64_t setup_size = (uint64_t(setup_sects) + 1) * 512;
    if (setup_size > d.size())
        fail(LoadErrorKind::Truncated, what + ": setup code of " + std::to_string(setup_sects) + " sectors (" +
                                           std::to_string(setup_size) + " bytes) is longer than the " +
                                           std::to_string(d.size()) + "-byte file");
    if (setup_size > 0x8000 && real_addr == 0x10000)
        fail(LoadErrorKind::BadHeader, what + ": setup code of " + std::to_string(setup_size) + " bytes exceeds 32 KiB");
    uint64_t kernel_size = d.size() - setup_size;
    if (kernel_size == 0) fail(LoadErrorKind::Truncated, what + ": no protected-mode kernel after the setup code");
    uint32_t initrd_max = protocol >= 0x203 ? r.u32(0x22c, "initrd_addr_max") : 0x37ffffff;
    const uint64_t acpi_reserve = 0x28000;  // QEMU keeps the top for ACPI tables
    if (uint64_t(initrd_max) >= m.ram().below_4g() - acpi_reserve) initrd_max = uint32_t(m.ram().below_4g() - acpi_reserve - 1);
    check_ram(m, prot_addr, kernel_size, what + ": protected-mode kernel");
    check_ram(m, real_addr, setup_size, what + ": setup code");

    std::vector<uint8_t> setup(d.begin(), d.begin() + long(setup_size));
    auto st16 = [&](size_t off, uint16_t v) { setup[off] = uint8_t(v); setup[off + 1] = uint8_t(v >> 8); };
    auto st32 = [&](size_t off, uint32_t v) { for (int i = 0; i < 4; ++i) setup[off + i] = uint8_t(v >> (8 * i)); };
    if (protocol >= 0x202) {
        st32(0x228, cmdline_addr);
    } else {
        st16(0x20, 0xa33f);  // old command-line protocol
        st16(0x22, uint16_t(cmdline_addr - real_addr));
    }
    setup[0x210] = 0xb0;  // type_of_loader: QEMU's id, "undefined" version
    if (protocol >= 0x201) {
        setup[0x211] |= 0x80;  // CAN_USE_HEAP
        st16(0x224, uint16_t(cmdline_addr - real_addr - 0x200));
    }

    BootState b{};
    b.kind = ImageKind::Linux;
    b.mode = BootState::Mode::ResetVector;
    b.protocol = protocol;
    b.setup_addr = real_addr;
    b.kernel_addr = prot_addr;
    b.cmdline_addr = cmdline_addr;

    using F = devices::FwCfg;
    if (!spec.initrd.empty()) {
        std::vector<uint8_t> initrd = read_file(spec, spec.initrd);
        if (initrd.size() >= initrd_max)
            fail(LoadErrorKind::OutsideRam, what + ": initrd '" + spec.initrd + "' (" + std::to_string(initrd.size()) +
                                                " bytes) is larger than the kernel's limit " + hex(initrd_max));
        uint32_t initrd_addr = uint32_t((initrd_max - initrd.size()) & ~uint64_t(kPage - 1));
        if (initrd_addr < prot_addr + kernel_size)
            fail(LoadErrorKind::OutsideRam, what + ": initrd '" + spec.initrd + "' does not fit between the kernel and " +
                                                hex(initrd_max));
        st32(0x218, initrd_addr);
        st32(0x21c, uint32_t(initrd.size()));
        b.initrd_addr = initrd_addr;
        b.initrd_size = uint32_t(initrd.size());
        m.fw_cfg.set_u32(F::kInitrdAddr, initrd_addr);
        m.fw_cfg.set_u32(F::kInitrdSize, uint32_t(initrd.size()));
        m.fw_cfg.set_bytes(F::kInitrdData, std::move(initrd));
    }
    m.fw_cfg.set_u32(F::kKernelAddr, prot_addr);
    m.fw_cfg.set_u32(F::kKernelSize, uint32_t(kernel_size));
    m.fw_cfg.set_bytes(F::kKernelData, std::vector<uint8_t>(d.begin() + long(setup_size), d.end()));
    m.fw_cfg.set_u32(F::kCmdlineAddr, cmdline_addr);
    m.fw_cfg.set_u32(F::kCmdlineSize, uint32_t(spec.append.size() + 1));
    m.fw_cfg.set_string(F::kCmdlineData, spec.append);
    m.fw_cfg.set_u32(F::kSetupAddr, real_addr);
    m.fw_cfg.set_u32(F::kSetupSize, uint32_t(setup_size));
    m.fw_cfg.set_bytes(F::kSetupData, std::move(setup));
    spdlog::debug("loader: {}: Linux protocol {:#x}, setup {} bytes at {:#x}, kernel {} bytes at {:#x}", what, protocol,
                  setup_size, real_addr, kernel_size, prot_addr);
    return b;
}

// ---- Multiboot v1 ----

BootState load_multiboot(Machine& m, const KernelSpec& spec, uint32_t off) {
    const std::string what = spec.path.empty() ? std::string("kernel") : spec.path;
    const auto& d = spec.image;
    Reader r{d, what};
    uint32_t magic = r.u32(off, "Multiboot magic");
    uint32_t flags = r.u32(off + 4, "Multiboot flags");
    uint32_t checksum = r.u32(off + 8, "Multiboot checksum");
    if (magic != kMultibootMagic) fail(LoadErrorKind::BadMagic, what + ": no Multiboot magic at " + hex(off));
    if (uint32_t(magic + flags + checksum) != 0)
        fail(LoadErrorKind::BadHeader, what + ": Multiboot header checksum " + hex(checksum) + " does not match flags " + hex(flags));
    if (flags & 0x0000fff8)
        fail(LoadErrorKind::Unsupported, what + ": Multiboot header requires unknown features (flags " + hex(flags & 0xfff8) + ")");
    if (flags & 0x4) spdlog::warn("loader: {}: Multiboot video mode request ignored (VGA text mode)", what);

    BootState b{};
    b.kind = ImageKind::Multiboot;
    b.mode = BootState::Mode::Protected32;
    uint64_t end;
    if (flags & 0x10000) {
        uint32_t header_addr = r.u32(off + 12, "Multiboot header_addr");
        uint32_t load_addr = r.u32(off + 16, "Multiboot load_addr");
        uint32_t load_end_addr = r.u32(off + 20, "Multiboot load_end_addr");
        uint32_t bss_end_addr = r.u32(off + 24, "Multiboot bss_end_addr");
        uint32_t entry_addr = r.u32(off + 28, "Multiboot entry_addr");
        if (load_addr > header_addr || header_addr - load_addr > off)
            fail(LoadErrorKind::BadHeader, what + ": Multiboot load_addr " + hex(load_addr) + " and header_addr " +
                                               hex(header_addr) + " disagree with the header's file offset " + hex(off));
        uint64_t file_start = off - (header_addr - load_addr);
        uint64_t load_size;
        if (load_end_addr) {
            if (load_end_addr < load_addr)
                fail(LoadErrorKind::BadHeader, what + ": Multiboot load_end_addr " + hex(load_end_addr) + " is below load_addr");
            load_size = load_end_addr - load_addr;
        } else {
            load_size = d.size() - file_start;
        }
        r.need(file_start, load_size, "Multiboot load image");
        uint64_t mem_size = load_size;
        if (bss_end_addr) {
            if (bss_end_addr < load_addr + load_size)
                fail(LoadErrorKind::BadHeader, what + ": Multiboot bss_end_addr " + hex(bss_end_addr) + " is below the loaded image's end");
            mem_size = bss_end_addr - load_addr;
        }
        check_ram(m, load_addr, mem_size, what + ": Multiboot image");
        m.write_phys(load_addr, d.data() + file_start, load_size);
        m.fill_phys(load_addr + load_size, 0, mem_size - load_size);
        b.entry = entry_addr;
        end = load_addr + mem_size;
    } else {
        if (!is_elf(d))
            fail(LoadErrorKind::BadHeader, what + ": Multiboot header without address fields (flag 16) in a file that is not ELF");
        Elf e = parse_elf(d, what);
        end = load_segments(m, e, d, what);
        b.entry = entry_to_physical(e, e.entry);
        if (b.entry >= 4 * GiB)
            fail(LoadErrorKind::Unsupported, what + ": Multiboot entry point " + hex(e.entry) + " is not reachable in 32-bit mode");
    }

    // Modules: "file args,file2 args" (",," is a literal comma), page aligned after the kernel.
    struct Module {
        uint32_t start, end;
        std::string cmdline;
    };
    std::vector<Module> mods;
    uint64_t next = align_up(end, kPage);
    if (!spec.initrd.empty()) {
        std::vector<std::string> items(1);
        for (size_t i = 0; i < spec.initrd.size(); ++i) {
            if (spec.initrd[i] == ',') {
                if (i + 1 < spec.initrd.size() && spec.initrd[i + 1] == ',') {
                    items.back() += ',';
                    ++i;
                } else {
                    items.emplace_back();
                }
            } else {
                items.back() += spec.initrd[i];
            }
        }
        for (const std::string& item : items) {
            if (item.empty()) continue;
            std::string file = item.substr(0, item.find(' '));
            std::vector<uint8_t> data = read_file(spec, file);
            check_ram(m, next, std::max<uint64_t>(data.size(), 1), what + ": module '" + file + "'");
            m.write_phys(next, data.data(), data.size());
            mods.push_back(Module{uint32_t(next), uint32_t(next + data.size()), item});
            next = align_up(next + data.size(), kPage);
        }
    }

    // The information structure and everything it points to.
    std::vector<E820Entry> map = m.e820();
    std::string cmdline = spec.path + " " + spec.append;
    const std::string loader_name = "bootscope";
    uint64_t mbi = next;
    uint64_t mods_at = mbi + 0x58;
    uint64_t mmap_at = mods_at + 16 * mods.size();
    uint64_t str_at = mmap_at + 24 * map.size();
    uint64_t need = str_at - mbi + cmdline.size() + 1 + loader_name.size() + 1;
    for (const Module& mod : mods) need += mod.cmdline.size() + 1;
    uint64_t gdt_at = align_up(mbi + need, 8);
    check_ram(m, mbi, gdt_at + 32 - mbi, what + ": Multiboot information");

    auto put32 = [&](uint64_t pa, uint32_t v) { m.write_phys(pa, &v, 4); };
    auto put64 = [&](uint64_t pa, uint64_t v) { m.write_phys(pa, &v, 8); };
    auto put_str = [&](const std::string& s) {
        uint64_t at = str_at;
        m.write_phys(at, s.c_str(), s.size() + 1);
        str_at += s.size() + 1;
        return uint32_t(at);
    };
    m.fill_phys(mbi, 0, 0x58);
    put32(mbi + 0, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    put32(mbi + 4, 640);                                                   // mem_lower (KiB)
    put32(mbi + 8, uint32_t(m.ram().below_4g() / KiB - 1024));            // mem_upper (KiB above 1 MiB)
    put32(mbi + 12, 0x8000ffff);                                           // boot_device: first BIOS disk
    put32(mbi + 16, put_str(cmdline));
    put32(mbi + 20, uint32_t(mods.size()));
    put32(mbi + 24, uint32_t(mods_at));
    put32(mbi + 44, uint32_t(24 * map.size()));
    put32(mbi + 48, uint32_t(mmap_at));
    put32(mbi + 64, put_str(loader_name));
    for (size_t i = 0; i < mods.size(); ++i) {
        uint64_t p = mods_at + 16 * i;
        put32(p, mods[i].start);
        put32(p + 4, mods[i].end);
        put32(p + 8, put_str(mods[i].cmdline));
        put32(p + 12, 0);
    }
    for (size_t i = 0; i < map.size(); ++i) {
        uint64_t p = mmap_at + 24 * i;
        put32(p, 20);  // size of the entry without this field
        put64(p + 4, map[i].base);
        put64(p + 12, map[i].length);
        put32(p + 20, map[i].type);
    }
    write_gdt(m, gdt_at, b);
    b.eax = kMultibootBootloaderMagic;
    b.ebx = uint32_t(mbi);
    b.mbi_addr = uint32_t(mbi);
    b.load_end = gdt_at + 32;
    spdlog::debug("loader: {}: Multiboot entry {:#x}, {} module(s), info at {:#x}", what, b.entry, mods.size(), mbi);
    return b;
}

// ---- plain ELF64 ----

BootState load_elf64(Machine& m, const KernelSpec& spec) {
    const std::string what = spec.path.empty() ? std::string("kernel") : spec.path;
    const auto& d = spec.image;
    Elf e = parse_elf(d, what);
    if (!e.is64) fail(LoadErrorKind::Unsupported, what + ": not a 64-bit ELF image");
    uint64_t end = load_segments(m, e, d, what);
    BootState b{};
    b.kind = ImageKind::Elf64;
    b.mode = BootState::Mode::Long64;
    b.entry = entry_to_physical(e, e.entry);
    if (b.entry >= 4 * GiB)
        fail(LoadErrorKind::Unsupported, what + ": entry point " + hex(e.entry) + " is outside the identity-mapped low 4 GiB");
    // Identity map of the low 4 GiB: PML4, PDPT, 4 page directories of 2 MiB pages.
    uint64_t pt = align_up(end, kPage);
    check_ram(m, pt, 6 * kPage + 32, what + ": boot page tables");
    m.fill_phys(pt, 0, 6 * kPage);
    uint64_t pml4e = (pt + kPage) | 0x3;
    m.write_phys(pt, &pml4e, 8);
    for (uint64_t i = 0; i < 4; ++i) {
        uint64_t pdpte = (pt + (2 + i) * kPage) | 0x3;
        m.write_phys(pt + kPage + 8 * i, &pdpte, 8);
        for (uint64_t j = 0; j < 512; ++j) {
            uint64_t pde = ((i << 30) | (j << 21)) | 0x83;  // present, writable, 2 MiB
            m.write_phys(pt + (2 + i) * kPage + 8 * j, &pde, 8);
        }
    }
    b.cr3 = pt;
    write_gdt(m, pt + 6 * kPage, b);
    b.load_end = pt + 6 * kPage + 32;
    spdlog::debug("loader: {}: ELF64 entry {:#x}, page tables at {:#x}", what, b.entry, pt);
    return b;
}

}  // namespace bs::emu
