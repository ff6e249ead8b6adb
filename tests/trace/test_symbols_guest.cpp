// The symboliser on the bundled guest's own files: vmlinux (ELF64, the
// initcall table), setup.elf (ELF32) and the user programs in initramfs.cpio.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "emu/trace/cpio.h"
#include "emu/trace/symbols.h"

using namespace bs::emu::trace;

namespace {

std::vector<uint8_t> slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), "cannot open " << path << " (build the guest target)");
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const std::string kGuest = BOOTSCOPE_GUEST_DIR;

const SymbolTable& vmlinux() {
    static const SymbolTable t = SymbolTable::from_elf(slurp(kGuest + "/vmlinux"), "vmlinux");
    return t;
}

const Symbol& need(const SymbolTable& t, const char* name) {
    const Symbol* s = t.find(name);
    REQUIRE_MESSAGE(s != nullptr, name << " not found in " << t.name());
    return *s;
}

}  // namespace

TEST_CASE("vmlinux: the functions of the boot story are found, sized, in .init.text or .text") {
    const SymbolTable& t = vmlinux();
    CHECK(t.name() == "vmlinux");
    CHECK(t.is_64bit());
    for (const char* n : {"start_kernel", "rest_init", "kernel_init", "do_initcalls"}) {
        const Symbol& s = need(t, n);
        CHECK(s.function);
        CHECK(s.size > 0);
        CHECK(s.addr >= 0xffffffff80000000ull);
    }
    CHECK(need(t, "start_kernel").section == ".init.text");
    CHECK(need(t, "do_initcalls").section == ".init.text");
    CHECK(need(t, "schedule").section == ".text");
    CHECK(t.find("no_such_function") == nullptr);
    CHECK(t.find("") == nullptr);
}

TEST_CASE("vmlinux: lookup and format inside start_kernel") {
    const SymbolTable& t = vmlinux();
    const Symbol& sk = need(t, "start_kernel");
    SymbolLookup l = t.lookup(sk.addr + 0x1a);
    REQUIRE(l.sym != nullptr);
    CHECK(l.sym->name == "start_kernel");
    CHECK(l.offset == 0x1a);
    CHECK(t.format(sk.addr + 0x1a) == "start_kernel+0x1a");
    CHECK(t.format(sk.addr) == "start_kernel");
    CHECK(t.lookup(sk.addr + sk.size - 1).sym == &sk);
    // Just past the end is another function or padding, never start_kernel.
    SymbolLookup past = t.lookup(sk.addr + sk.size);
    CHECK(past.sym != &sk);
    // Outside every section: unknown.
    CHECK(t.lookup(0x1000).sym == nullptr);
    CHECK(t.format(0x1000) == "0x1000");
    CHECK(t.format(0xffffffffffff0000ull) == "0xffffffffffff0000");
}

TEST_CASE("vmlinux: every sized function looks up to itself over its whole range") {
    const SymbolTable& t = vmlinux();
    int checked = 0;
    for (const Symbol& s : t.symbols()) {
        if (!s.function || s.size == 0) continue;
        if (t.lookup(s.addr).sym->addr != s.addr) continue;  // an alias; its primary is checked
        for (uint64_t a : {s.addr, s.addr + s.size / 2, s.addr + s.size - 1}) {
            SymbolLookup l = t.lookup(a);
            REQUIRE(l.sym != nullptr);
            CHECK(l.sym->addr == s.addr);
            CHECK(l.offset == a - s.addr);
        }
        ++checked;
    }
    CHECK(checked > 150);
}

TEST_CASE("vmlinux: assembly labels (NOTYPE) are code, and win over linker symbols only by name") {
    const SymbolTable& t = vmlinux();
    for (const char* n : {"startup_32", "startup_64", "entry_SYSCALL_64", "ret_from_fork"}) {
        const Symbol& s = need(t, n);
        CHECK(s.function);
        CHECK(s.section == ".text");
    }
    // _text is at startup_32's address: the primary name is startup_32.
    CHECK(need(t, "_text").addr == need(t, "startup_32").addr);
    CHECK(t.format(need(t, "_text").addr) == "startup_32");
    CHECK_FALSE(need(t, "_etext").function);  // the end of .text is no code
    // A size-0 label covers up to the next symbol.
    const Symbol& e = need(t, "entry_SYSCALL_64");
    CHECK(t.format(e.addr + 4) == "entry_SYSCALL_64+0x4");
    // Data: objects are found and are not functions.
    CHECK_FALSE(need(t, "initcall_levels").function);
    CHECK(need(t, "initcall_levels").section == ".init.data");
}

TEST_CASE("vmlinux: sections") {
    const SymbolTable& t = vmlinux();
    const Symbol& sk = need(t, "start_kernel");
    auto sec = t.section_of(sk.addr + 3);
    REQUIRE(sec.has_value());
    CHECK(sec->name == ".init.text");
    CHECK((sec->flags & kShfExecInstr) != 0);
    CHECK(sec->addr <= sk.addr);
    CHECK(sk.addr + sk.size <= sec->addr + sec->size);
    // Same as the linker's _sinittext.._einittext.
    CHECK(sec->addr == need(t, "_sinittext").addr);
    CHECK(sec->addr + sec->size == need(t, "_einittext").addr);
    CHECK(t.section_of(need(t, "schedule").addr)->name == ".text");
    CHECK(t.section_of(need(t, "__bss_start").addr)->name == ".bss");
    CHECK_FALSE(t.section_of(0).has_value());
    // Non-allocated sections (.symtab, .debug_*) are listed but never found by address.
    bool has_symtab = false;
    for (const SectionInfo& s : t.sections()) has_symtab = has_symtab || s.name == ".symtab";
    CHECK(has_symtab);
}

TEST_CASE("vmlinux: initcall levels, as the guest's do_initcalls numbers them") {
    const SymbolTable& t = vmlinux();
    struct Expect {
        const char* fn;
        int level;
        const char* level_name;
        const char* section_id;
    };
    // guest/README.md: one initcall per level (three at device).
    const Expect expect[] = {
        {"init_uts_ns_setup", 0, "pure", "0"},
        {"platform_bus_init", 1, "core", "1"},
        {"tty_chrdev_init", 2, "postcore", "2"},
        {"add_legacy_pc_devices", 3, "arch", "3"},
        {"vga_driver_init", 4, "subsys", "4"},
        {"devtmpfs_init", 5, "fs", "5"},
        {"populate_rootfs", 6, "rootfs", "rootfs"},
        {"i8042_init", 7, "device", "6"},
        {"serial8250_init", 7, "device", "6"},
        {"cmos_init", 7, "device", "6"},
        {"sched_preempt_selftest", 8, "late", "7"},
    };
    for (const Expect& e : expect) {
        CAPTURE(e.fn);
        const Symbol& s = need(t, e.fn);
        CHECK(t.initcall_level(s.addr) == e.level);
        const Initcall* c = t.initcall(s.addr);
        REQUIRE(c != nullptr);
        CHECK(c->level_name == e.level_name);
        CHECK(c->section_id == e.section_id);
        CHECK(initcall_level_name(e.level) == e.level_name);
        // The slot is the compiler's __initcall_<fn><id> pointer.
        const Symbol& slot = need(t, ("__initcall_" + std::string(e.fn) + e.section_id).c_str());
        CHECK(c->slot == slot.addr);
    }
    REQUIRE(t.initcalls().size() == std::size(expect));
    // Run order: by level, then link order within a level.
    for (size_t i = 1; i < t.initcalls().size(); ++i) {
        CHECK(t.initcalls()[i - 1].level <= t.initcalls()[i].level);
        CHECK(t.initcalls()[i - 1].slot < t.initcalls()[i].slot);
    }
    CHECK(t.initcalls().front().function == need(t, "init_uts_ns_setup").addr);
    CHECK(t.initcalls().back().function == need(t, "sched_preempt_selftest").addr);
    // Not initcalls.
    CHECK(t.initcall_level(need(t, "do_initcalls").addr) == -1);
    CHECK(t.initcall_level(need(t, "start_kernel").addr) == -1);
    CHECK(t.initcall_level(need(t, "populate_rootfs").addr + 1) == -1);
    CHECK(t.initcall(0) == nullptr);
    CHECK(initcall_level_name(9) == "?");
    CHECK(initcall_level_name(-1) == "?");
}

TEST_CASE("vmlinux: two loads give identical tables (deterministic)") {
    std::vector<uint8_t> img = slurp(kGuest + "/vmlinux");
    SymbolTable a = SymbolTable::from_elf(img, "a"), b = SymbolTable::from_elf(img, "b");
    REQUIRE(a.symbols().size() == b.symbols().size());
    for (size_t i = 0; i < a.symbols().size(); ++i) {
        CHECK(a.symbols()[i].name == b.symbols()[i].name);
        CHECK(a.symbols()[i].addr == b.symbols()[i].addr);
    }
    // Sorted by address.
    for (size_t i = 1; i < a.symbols().size(); ++i) CHECK(a.symbols()[i - 1].addr <= a.symbols()[i].addr);
}

TEST_CASE("setup.elf: ELF32 symbols") {
    SymbolTable t = SymbolTable::from_elf(slurp(kGuest + "/setup.elf"), "setup.elf");
    CHECK_FALSE(t.is_64bit());
    for (const char* n : {"main", "puts", "a20_test", "start_of_setup", "protected_mode_jump"}) {
        CAPTURE(n);
        const Symbol& s = need(t, n);
        CHECK(s.function);
        CHECK(s.addr < 0x10000);
        CHECK(t.format(s.addr + 1) == std::string(n) + "+0x1");
    }
    CHECK(t.initcalls().empty());
    CHECK(t.initcall_level(need(t, "main").addr) == -1);
}

TEST_CASE("initramfs.cpio: the user programs, symbolised") {
    std::vector<uint8_t> cpio = slurp(kGuest + "/initramfs.cpio");
    std::vector<CpioFile> files = read_cpio(cpio);
    REQUIRE(files.size() == 3);  // directories are skipped
    CHECK(files[0].path == "/sbin/init");
    CHECK(files[1].path == "/bin/hello");
    CHECK(files[2].path == "/etc/motd");
    CHECK(files[0].mode == 0100755);
    CHECK(files[2].mode == 0100644);
    CHECK(files[0].data == slurp(kGuest + "/user/init"));
    CHECK(files[1].data == slurp(kGuest + "/user/hello"));

    const CpioFile* init = find_file(files, "/sbin/init");
    REQUIRE(init != nullptr);
    CHECK(find_file(files, "sbin/init") == init);
    CHECK(find_file(files, "/sbin") == nullptr);
    CHECK(find_file(files, "/nope") == nullptr);

    SymbolTable t = SymbolTable::from_elf(init->data, init->path);
    CHECK(t.name() == "/sbin/init");
    const Symbol& m = need(t, "main");
    CHECK(m.function);
    CHECK(m.section == ".text");
    CHECK(t.format(m.addr + 0x10) == "main+0x10");
    CHECK(need(t, "_start").function);  // crt0's NOTYPE entry label
    CHECK(t.entry() == need(t, "_start").addr);
    CHECK(t.section_of(m.addr)->name == ".text");
    CHECK(t.initcalls().empty());

    SymbolTable h = SymbolTable::from_elf(find_file(files, "/bin/hello")->data, "/bin/hello");
    CHECK(h.find("main") != nullptr);

    // The noinit variant has no programs, only /etc/motd.
    std::vector<CpioFile> noinit = read_cpio(slurp(kGuest + "/initramfs-noinit.cpio"));
    REQUIRE(noinit.size() == 1);
    CHECK(noinit[0].path == "/etc/motd");
}
