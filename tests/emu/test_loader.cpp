#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "emu/loader.h"
#include "emu/machine.h"

using namespace bs::emu;

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, size_t off, uint16_t v) {
    if (b.size() < off + 2) b.resize(off + 2);
    std::memcpy(&b[off], &v, 2);
}
void put32(Bytes& b, size_t off, uint32_t v) {
    if (b.size() < off + 4) b.resize(off + 4);
    std::memcpy(&b[off], &v, 4);
}
void put64(Bytes& b, size_t off, uint64_t v) {
    if (b.size() < off + 8) b.resize(off + 8);
    std::memcpy(&b[off], &v, 8);
}
uint32_t get32(const Machine& m, uint64_t pa) {
    uint32_t v = 0;
    REQUIRE(m.read_phys(pa, &v, 4));
    return v;
}
uint64_t get64(const Machine& m, uint64_t pa) {
    uint64_t v = 0;
    REQUIRE(m.read_phys(pa, &v, 8));
    return v;
}
std::string get_str(const Machine& m, uint64_t pa) {
    std::string s;
    for (char c; m.read_phys(pa, &c, 1) && c; ++pa) s += c;
    return s;
}

// A bzImage-shaped file: 4 setup sectors after the boot sector, then `kernel` bytes.
Bytes make_bzimage(uint16_t protocol = 0x20f, size_t kernel = 4096) {
    Bytes b(5 * 512 + kernel, 0);
    b[0x1f1] = 4;
    put16(b, 0x1fe, 0xaa55);
    std::memcpy(&b[0x202], "HdrS", 4);
    put16(b, 0x206, protocol);
    b[0x211] = 0x01;  // LOADED_HIGH
    put32(b, 0x22c, 0x7fffffff);
    put32(b, 0x238, 2048);
    for (size_t i = 0; i < kernel; ++i) b[5 * 512 + i] = uint8_t(i * 7);
    return b;
}

// ELF with one PT_LOAD at `paddr`: the given contents then `bss` zero bytes.
Bytes make_elf(bool is64, uint64_t paddr, const Bytes& contents, uint64_t bss, uint64_t entry, uint64_t vaddr = ~0ull) {
    if (vaddr == ~0ull) vaddr = paddr;
    Bytes b;
    size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
    size_t data_off = 0x100;
    b.resize(data_off + contents.size(), 0);
    b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F';
    b[4] = is64 ? 2 : 1;
    b[5] = 1;
    b[6] = 1;
    put16(b, 16, 2);
    put16(b, 18, is64 ? 62 : 3);
    put32(b, 20, 1);
    if (is64) {
        put64(b, 24, entry);
        put64(b, 32, ehsize);
        put16(b, 52, uint16_t(ehsize));
        put16(b, 54, uint16_t(phsize));
        put16(b, 56, 1);
        size_t p = ehsize;
        put32(b, p, 1);
        put32(b, p + 4, 7);
        put64(b, p + 8, data_off);
        put64(b, p + 16, vaddr);
        put64(b, p + 24, paddr);
        put64(b, p + 32, contents.size());
        put64(b, p + 40, contents.size() + bss);
    } else {
        put32(b, 24, uint32_t(entry));
        put32(b, 28, uint32_t(ehsize));
        put16(b, 40, uint16_t(ehsize));
        put16(b, 42, uint16_t(phsize));
        put16(b, 44, 1);
        size_t p = ehsize;
        put32(b, p, 1);
        put32(b, p + 4, data_off);
        put32(b, p + 8, uint32_t(vaddr));
        put32(b, p + 12, uint32_t(paddr));
        put32(b, p + 16, uint32_t(contents.size()));
        put32(b, p + 20, uint32_t(contents.size() + bss));
        put32(b, p + 24, 7);
    }
    std::memcpy(&b[data_off], contents.data(), contents.size());
    return b;
}

// Segment contents that start with a Multiboot header (flags: page align + mem info).
Bytes multiboot_payload(uint32_t flags = 0x3, size_t size = 0x200) {
    Bytes c(size, 0x90);
    put32(c, 0, 0x1badb002);
    put32(c, 4, flags);
    put32(c, 8, uint32_t(0u - 0x1badb002u - flags));
    return c;
}

KernelSpec spec_of(Bytes image, std::map<std::string, Bytes> files = {}) {
    KernelSpec s;
    s.image = std::move(image);
    s.path = "kernel.elf";
    s.read_file = [files](const std::string& p) {
        auto it = files.find(p);
        if (it == files.end()) throw LoadError(LoadErrorKind::FileError, "cannot open '" + p + "'");
        return it->second;
    };
    return s;
}

LoadErrorKind error_of(Machine& m, const KernelSpec& s, std::string* message = nullptr) {
    try {
        load_kernel(m, s);
    } catch (const LoadError& e) {
        if (message) *message = e.what();
        return e.kind();
    }
    FAIL("image was accepted");
    return LoadErrorKind::Empty;
}

}  // namespace

TEST_CASE("loader: Linux boot protocol image goes to fw_cfg as QEMU hands it over") {
    Machine m({});
    KernelSpec s = spec_of(make_bzimage(), {{"initrd.img", Bytes(10000, 0xab)}});
    s.append = "console=ttyS0 quiet";
    s.initrd = "initrd.img";
    BootState b = load_kernel(m, s);
    CHECK(b.kind == ImageKind::Linux);
    CHECK(b.mode == BootState::Mode::ResetVector);
    CHECK(b.protocol == 0x20f);
    using F = bs::devices::FwCfg;
    auto u32 = [&](uint16_t key) {
        const Bytes* d = m.fw_cfg.item(key);
        REQUIRE(d != nullptr);
        REQUIRE(d->size() == 4);
        uint32_t v;
        std::memcpy(&v, d->data(), 4);
        return v;
    };
    CHECK(u32(F::kSetupAddr) == 0x10000);
    CHECK(u32(F::kSetupSize) == 5 * 512);
    CHECK(u32(F::kKernelAddr) == 0x100000);
    CHECK(u32(F::kKernelSize) == 4096);
    CHECK(u32(F::kCmdlineAddr) == 0x20000);
    CHECK(u32(F::kCmdlineSize) == s.append.size() + 1);
    const Bytes* cmd = m.fw_cfg.item(F::kCmdlineData);
    CHECK(std::string(cmd->begin(), cmd->end() - 1) == "console=ttyS0 quiet");
    CHECK(m.fw_cfg.item(F::kKernelData)->at(1) == 7);
    uint32_t initrd_max = uint32_t(128 * MiB - 0x28000 - 1);
    uint32_t initrd_addr = (initrd_max - 10000) & ~4095u;
    CHECK(u32(F::kInitrdAddr) == initrd_addr);
    CHECK(u32(F::kInitrdSize) == 10000);
    // The setup header as the kernel will read it from boot_params.
    const Bytes& setup = *m.fw_cfg.item(F::kSetupData);
    uint32_t v;
    std::memcpy(&v, &setup[0x228], 4);
    CHECK(v == 0x20000);  // cmd_line_ptr
    std::memcpy(&v, &setup[0x218], 4);
    CHECK(v == initrd_addr);  // ramdisk_image
    std::memcpy(&v, &setup[0x21c], 4);
    CHECK(v == 10000);  // ramdisk_size
    CHECK(setup[0x210] == 0xb0);  // type_of_loader
    CHECK((setup[0x211] & 0x81) == 0x81);  // LOADED_HIGH | CAN_USE_HEAP
    uint16_t heap_end;
    std::memcpy(&heap_end, &setup[0x224], 2);
    CHECK(heap_end == 0xfe00);
    // Nothing was written to RAM: the firmware copies it.
    CHECK(get32(m, 0x100000) == 0);
}

TEST_CASE("loader: Multiboot ELF32 with bss, modules, command line and mmap") {
    Machine m({});
    m.fill_phys(0x100000, 0xcc, 0x10000);  // garbage where the bss goes
    Bytes payload = multiboot_payload();
    KernelSpec s = spec_of(make_elf(false, 0x100000, payload, 0x3000, 0x100010),
                           {{"mod1", Bytes{1, 2, 3}}, {"mod2", Bytes(5000, 9)}});
    s.append = "console=ttyS0";
    s.initrd = "mod1 first,,arg,mod2";
    BootState b = load_kernel(m, s);
    CHECK(b.kind == ImageKind::Multiboot);
    CHECK(b.mode == BootState::Mode::Protected32);
    CHECK(b.entry == 0x100010);
    CHECK(b.eax == 0x2badb002);
    CHECK(b.ebx == b.mbi_addr);
    CHECK(get32(m, 0x100000) == 0x1badb002);
    CHECK(get32(m, 0x100000 + 0x200) == 0);  // bss zeroed
    CHECK(get32(m, 0x100000 + 0x31fc) == 0);
    uint64_t mbi = b.mbi_addr;
    CHECK(get32(m, mbi) == 0x24f);
    CHECK(get32(m, mbi + 4) == 640);
    CHECK(get32(m, mbi + 8) == 127 * 1024);
    CHECK(get_str(m, get32(m, mbi + 16)) == "kernel.elf console=ttyS0");
    REQUIRE(get32(m, mbi + 20) == 2);
    uint32_t mods = get32(m, mbi + 24);
    uint32_t m1 = get32(m, mods), m1_end = get32(m, mods + 4);
    CHECK(m1 % 4096 == 0);
    CHECK(m1 >= 0x104000);
    CHECK(m1_end - m1 == 3);
    CHECK(get_str(m, get32(m, mods + 8)) == "mod1 first,arg");
    CHECK(get32(m, mods + 16) % 4096 == 0);
    CHECK(get32(m, mods + 20) - get32(m, mods + 16) == 5000);
    CHECK(get_str(m, get32(m, mods + 24)) == "mod2");
    uint8_t byte = 0;
    m.read_phys(get32(m, mods + 16) + 4999, &byte, 1);
    CHECK(byte == 9);
    // mmap: entries of size 20, first is low RAM, one covers the RAM above 1 MiB.
    uint32_t mmap_len = get32(m, mbi + 44), mmap = get32(m, mbi + 48);
    CHECK(mmap_len % 24 == 0);
    CHECK(get32(m, mmap) == 20);
    CHECK(get64(m, mmap + 4) == 0);
    CHECK(get64(m, mmap + 12) == 0x9fc00);
    CHECK(get32(m, mmap + 20) == 1);
    bool high = false;
    for (uint32_t p = mmap; p < mmap + mmap_len; p += 24)
        if (get64(m, p + 4) == MiB && get64(m, p + 12) == 127 * MiB && get32(m, p + 20) == 1) high = true;
    CHECK(high);
    CHECK(get_str(m, get32(m, mbi + 64)) == "bootscope");
    CHECK(b.gdt_limit == 31);
    CHECK(get64(m, b.gdt_base + 8) == 0x00cf9a000000ffffull);
}

TEST_CASE("loader: Multiboot ELF64 loads by program headers, high entry translated") {
    Machine m({});
    KernelSpec s = spec_of(make_elf(true, 0x200000, multiboot_payload(), 0x100, 0xffffffff80000020ull, 0xffffffff80000000ull));
    BootState b = load_kernel(m, s);
    CHECK(b.kind == ImageKind::Multiboot);
    CHECK(b.entry == 0x200020);
    CHECK(get32(m, 0x200000) == 0x1badb002);
    CHECK(get_str(m, get32(m, b.mbi_addr + 16)) == "kernel.elf ");
}

TEST_CASE("loader: Multiboot with address fields (a.out kludge)") {
    Machine m({});
    Bytes img(0x1000, 0x90);
    uint32_t flags = 0x10003;
    put32(img, 0x40, 0x1badb002);
    put32(img, 0x44, flags);
    put32(img, 0x48, uint32_t(0u - 0x1badb002u - flags));
    put32(img, 0x4c, 0x100040);  // header_addr
    put32(img, 0x50, 0x100000);  // load_addr
    put32(img, 0x54, 0x100800);  // load_end_addr
    put32(img, 0x58, 0x102000);  // bss_end_addr
    put32(img, 0x5c, 0x100080);  // entry
    m.fill_phys(0x100800, 0xee, 0x2000);
    BootState b = load_kernel(m, spec_of(img));
    CHECK(b.entry == 0x100080);
    CHECK(get32(m, 0x100040) == 0x1badb002);
    CHECK(get32(m, 0x1007fc) == 0x90909090);
    CHECK(get32(m, 0x100800) == 0);
    CHECK(get32(m, 0x101ffc) == 0);
    CHECK(b.mbi_addr == 0x102000);  // the information follows the bss, page aligned
    CHECK(get32(m, 0x102000) == 0x24f);
}

TEST_CASE("loader: plain ELF64 starts in long mode on an identity map") {
    Machine m({});
    Bytes code(64, 0xf4);
    BootState b = load_kernel(m, spec_of(make_elf(true, 0x400000, code, 0, 0x400000)));
    CHECK(b.kind == ImageKind::Elf64);
    CHECK(b.mode == BootState::Mode::Long64);
    CHECK(b.entry == 0x400000);
    CHECK(b.cr3 % 4096 == 0);
    CHECK(b.cr3 >= 0x400040);
    uint64_t pml4e = get64(m, b.cr3);
    CHECK((pml4e & 1) == 1);
    uint64_t pdpt = pml4e & ~0xfffull;
    uint64_t pd0 = get64(m, pdpt) & ~0xfffull;
    CHECK(get64(m, pd0 + 8 * 2) == (0x400000 | 0x83));
    uint64_t pd3 = get64(m, pdpt + 24) & ~0xfffull;
    CHECK(get64(m, pd3 + 8 * 511) == (0xffe00000ull | 0x83));
    CHECK(get32(m, 0x400000) == 0xf4f4f4f4);
}

TEST_CASE("loader: malformed images get a clear, typed error") {
    Machine m({});
    std::string msg;
    SUBCASE("empty file") {
        CHECK(error_of(m, spec_of({}), &msg) == LoadErrorKind::Empty);
        CHECK(msg == "kernel.elf: the kernel image is empty");
    }
    SUBCASE("bad magic") {
        CHECK(error_of(m, spec_of(Bytes(4096, 0x41)), &msg) == LoadErrorKind::BadMagic);
        CHECK(msg.find("not a Linux bzImage") != std::string::npos);
    }
    SUBCASE("too short to be anything") {
        CHECK(error_of(m, spec_of(Bytes(100, 0x41)), &msg) == LoadErrorKind::Truncated);
    }
    SUBCASE("truncated Linux setup header") {
        Bytes b = make_bzimage();
        b.resize(0x220);
        CHECK(error_of(m, spec_of(b), &msg) == LoadErrorKind::Truncated);
        CHECK(msg.find("Linux setup header") != std::string::npos);
    }
    SUBCASE("Linux setup sectors past the end of the file") {
        Bytes b = make_bzimage();
        b[0x1f1] = 60;
        CHECK(error_of(m, spec_of(b), &msg) == LoadErrorKind::Truncated);
        CHECK(msg.find("60 sectors") != std::string::npos);
    }
    SUBCASE("Linux protocol too old") {
        CHECK(error_of(m, spec_of(make_bzimage(0x0105))) == LoadErrorKind::Unsupported);
    }
    SUBCASE("missing initrd file") {
        KernelSpec s = spec_of(make_bzimage());
        s.initrd = "nope.img";
        CHECK(error_of(m, s, &msg) == LoadErrorKind::FileError);
        CHECK(msg.find("nope.img") != std::string::npos);
    }
    SUBCASE("initrd larger than RAM allows") {
        KernelSpec s = spec_of(make_bzimage(), {{"big", Bytes(130 * MiB, 0)}});
        s.initrd = "big";
        CHECK(error_of(m, s) == LoadErrorKind::OutsideRam);
    }
    SUBCASE("truncated ELF program headers") {
        Bytes b = make_elf(true, 0x400000, Bytes(16, 0), 0, 0x400000);
        b.resize(80);
        CHECK(error_of(m, spec_of(b), &msg) == LoadErrorKind::Truncated);
        CHECK(msg.find("program header table") != std::string::npos);
    }
    SUBCASE("segment contents past the end of the file") {
        Bytes b = make_elf(true, 0x400000, Bytes(256, 0), 0, 0x400000);
        b.resize(0x100 + 100);
        CHECK(error_of(m, spec_of(b), &msg) == LoadErrorKind::Truncated);
        CHECK(msg.find("segment 0 contents") != std::string::npos);
    }
    SUBCASE("segment outside RAM") {
        CHECK(error_of(m, spec_of(make_elf(true, 0x80000000, Bytes(16, 0), 0, 0x80000000)), &msg) ==
              LoadErrorKind::OutsideRam);
        CHECK(msg.find("outside guest RAM") != std::string::npos);
        CHECK(error_of(m, spec_of(make_elf(false, 0x7fff000, multiboot_payload(), 0x2000, 0x7fff000))) ==
              LoadErrorKind::OutsideRam);
        CHECK(error_of(m, spec_of(make_elf(true, 0xa0000, Bytes(16, 0), 0, 0xa0000))) == LoadErrorKind::OutsideRam);
    }
    SUBCASE("Multiboot checksum mismatch") {
        Bytes p = multiboot_payload();
        p[8] ^= 1;
        CHECK(error_of(m, spec_of(make_elf(false, 0x100000, p, 0, 0x100000)), &msg) == LoadErrorKind::BadHeader);
        CHECK(msg.find("checksum") != std::string::npos);
    }
    SUBCASE("Multiboot with unknown required features") {
        CHECK(error_of(m, spec_of(make_elf(false, 0x100000, multiboot_payload(0x8003), 0, 0x100000))) ==
              LoadErrorKind::Unsupported);
    }
    SUBCASE("Multiboot without address fields in a non-ELF file") {
        Bytes raw = multiboot_payload();
        raw.resize(4096, 0);
        CHECK(error_of(m, spec_of(raw)) == LoadErrorKind::BadHeader);
    }
    SUBCASE("ELF32 without Multiboot") {
        CHECK(error_of(m, spec_of(make_elf(false, 0x100000, Bytes(64, 0), 0, 0x100000)), &msg) ==
              LoadErrorKind::Unsupported);
        CHECK(msg.find("32-bit ELF without a Multiboot header") != std::string::npos);
    }
    SUBCASE("ELF for another machine") {
        Bytes b = make_elf(true, 0x400000, Bytes(16, 0), 0, 0x400000);
        put16(b, 18, 183);  // AArch64
        CHECK(error_of(m, spec_of(b)) == LoadErrorKind::Unsupported);
    }
    SUBCASE("missing Multiboot module") {
        KernelSpec s = spec_of(make_elf(false, 0x100000, multiboot_payload(), 0, 0x100000));
        s.initrd = "absent.bin arg";
        CHECK(error_of(m, s, &msg) == LoadErrorKind::FileError);
        CHECK(msg.find("absent.bin") != std::string::npos);
    }
}
