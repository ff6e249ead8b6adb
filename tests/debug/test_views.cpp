// The debugger window's decoding (frontend/debug/views.h), without a window:
// SDL keys to set 1 scancodes, the page-table walk in its three modes
// (checked against the CPU's own translation), and the guest's tasks read
// from the kernel's structures by symbol.
//
// Arguments after doctest's own: none; the bundled guest is found through
// BOOTSCOPE_GUEST_DIR (set by CMake).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "frontend/debug/debugger.h"
#include "frontend/debug/views.h"

using namespace bs;
using namespace bs::frontend::debug;

namespace {

std::unique_ptr<Debugger> boot_debugger() {
    frontend::RunOptions opt;
    opt.serial = "none";
    int status = 0;
    std::unique_ptr<Debugger> d = Debugger::create(opt, status);
    REQUIRE_MESSAGE(d, "no debugger (status " << status << "): is BOOTSCOPE_GUEST_DIR set?");
    return d;
}

void run_to(Debugger& d, const char* symbol) {
    uint64_t a = 0;
    REQUIRE(d.resolve(symbol, a));
    d.add_breakpoint(a);
    d.run_until_stop(2'000'000'000);
    d.remove_breakpoint(a);
    REQUIRE(d.sys().cpu.current_pc() == a);
}

void write64(Debugger& d, uint64_t pa, uint64_t v) { REQUIRE(d.sys().machine.write_phys(pa, &v, 8)); }
void write32(Debugger& d, uint64_t pa, uint32_t v) { REQUIRE(d.sys().machine.write_phys(pa, &v, 4)); }

// The walk and the CPU agree on `lin`.
void check_against_cpu(Debugger& d, uint64_t lin) {
    const views::Walk w = views::walk(d, lin);
    uint64_t pa = 0;
    const bool cpu_ok = d.translate(lin, pa);
    CAPTURE(lin);
    CHECK(w.mapped == cpu_ok);
    if (cpu_ok) CHECK(w.phys == pa);
}

}  // namespace

TEST_CASE("SDL keys become set 1 make and break codes") {
    using V = std::vector<uint8_t>;
    CHECK(views::set1_scancodes(SDL_SCANCODE_A, true) == V{0x1e});
    CHECK(views::set1_scancodes(SDL_SCANCODE_A, false) == V{0x9e});
    CHECK(views::set1_scancodes(SDL_SCANCODE_0, true) == V{0x0b});
    CHECK(views::set1_scancodes(SDL_SCANCODE_RETURN, true) == V{0x1c});
    CHECK(views::set1_scancodes(SDL_SCANCODE_LSHIFT, false) == V{0xaa});
    CHECK(views::set1_scancodes(SDL_SCANCODE_F12, true) == V{0x58});
    CHECK(views::set1_scancodes(SDL_SCANCODE_KP_7, true) == V{0x47});
    // The 101-key additions carry E0.
    CHECK(views::set1_scancodes(SDL_SCANCODE_UP, true) == V{0xe0, 0x48});
    CHECK(views::set1_scancodes(SDL_SCANCODE_UP, false) == V{0xe0, 0xc8});
    CHECK(views::set1_scancodes(SDL_SCANCODE_RCTRL, true) == V{0xe0, 0x1d});
    CHECK(views::set1_scancodes(SDL_SCANCODE_KP_ENTER, false) == V{0xe0, 0x9c});
    CHECK(views::set1_scancodes(SDL_SCANCODE_PRINTSCREEN, true) == V{0xe0, 0x2a, 0xe0, 0x37});
    CHECK(views::set1_scancodes(SDL_SCANCODE_PAUSE, true) == V{0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5});
    CHECK(views::set1_scancodes(SDL_SCANCODE_PAUSE, false).empty());
    CHECK(views::set1_scancodes(SDL_SCANCODE_F13, true).empty());
}

TEST_CASE("page walk: no paging at the reset vector, 4-level paging in start_kernel") {
    std::unique_ptr<Debugger> d = boot_debugger();
    views::Walk w = views::walk(*d, 0xffff0);
    CHECK(std::string(w.mode) == "no paging");
    CHECK(w.mapped);
    CHECK(w.phys == 0xffff0);

    run_to(*d, "start_kernel");
    const uint64_t rip = d->sys().cpu.current_pc();
    w = views::walk(*d, rip);
    CHECK(std::string(w.mode) == "4-level");
    REQUIRE(w.mapped);
    REQUIRE(w.levels.size() >= 3);
    CHECK(std::string(w.levels[0].name) == "PML4E");
    CHECK(w.levels[0].index == ((rip >> 39) & 511));
    check_against_cpu(*d, rip);
    check_against_cpu(*d, d->sys().cpu.s.gpr[cpu::RSP]);
    check_against_cpu(*d, 0x0000700000000000);  // user half: nothing there yet

    w = views::walk(*d, 0x0000900000000000);  // not canonical
    CHECK_FALSE(w.mapped);
    CHECK(w.levels.empty());
    CHECK(w.fault.find("canonical") != std::string::npos);

    // The kernel's own page tables after paging_init: 4 KiB pages for the kernel.
    run_to(*d, "kernel_init");
    w = views::walk(*d, d->sys().cpu.current_pc());
    REQUIRE(w.mapped);
    check_against_cpu(*d, d->sys().cpu.current_pc());
    check_against_cpu(*d, 0);  // page 0 is unmapped on purpose
    CHECK(views::entry_flags(w.levels.back().entry, std::string(w.levels.back().name) == "PTE", true).find('P') == 0);
}

TEST_CASE("page walk: 32-bit paging with 4 KiB and 4 MiB pages, and PAE, against the CPU") {
    std::unique_ptr<Debugger> d = boot_debugger();
    cpu::CpuState& s = d->sys().cpu.s;
    // 32-bit paging (SDM Vol. 3A §4.3): page directory at 0x10000, a page
    // table at 0x11000 mapping 0x00400000 -> 0x00200000 (read-only, user),
    // and a 4 MiB page at 0x00800000 -> 0x00c00000.
    write32(*d, 0x10000 + 1 * 4, 0x11000 | 0x7);
    write32(*d, 0x11000 + 0 * 4, 0x200000 | 0x5);
    write32(*d, 0x10000 + 2 * 4, 0xc00000 | 0x83);
    s.cr3 = 0x10000;
    s.cr4 = cpu::cr4::PSE;
    s.cr0 |= cpu::cr0::PE | cpu::cr0::PG;
    views::Walk w = views::walk(*d, 0x400123);
    CHECK(std::string(w.mode) == "32-bit");
    REQUIRE(w.mapped);
    CHECK(w.phys == 0x200123);
    CHECK(w.page_size == 4096);
    CHECK_FALSE(w.writable);
    CHECK(w.user);
    check_against_cpu(*d, 0x400123);
    w = views::walk(*d, 0x812345);
    REQUIRE(w.mapped);
    CHECK(w.phys == 0xc12345);
    CHECK(w.page_size == 4u << 20);
    check_against_cpu(*d, 0x812345);
    w = views::walk(*d, 0x1000);
    CHECK_FALSE(w.mapped);
    CHECK(w.fault == "PDE not present: #PF");
    check_against_cpu(*d, 0x1000);
    // A 4 MiB page's bit 21 is reserved with a 40-bit physical address width.
    write32(*d, 0x10000 + 3 * 4, 0xc00000 | (1u << 21) | 0x83);
    w = views::walk(*d, 0xc00000);
    CHECK_FALSE(w.mapped);
    CHECK(w.fault.find("RSVD") != std::string::npos);
    check_against_cpu(*d, 0xc00000);

    // PAE (SDM Vol. 3A §4.4): PDPTE 1 (a register) -> PD at 0x13000 -> a
    // 2 MiB page and a PT at 0x14000.
    write64(*d, 0x13000 + 0 * 8, 0x600000 | 0x83);
    write64(*d, 0x13000 + 1 * 8, 0x14000 | 0x3);
    write64(*d, 0x14000 + 5 * 8, 0x345000 | 0x3);
    s.pdpte[1] = 0x13000 | 1;
    s.cr4 = cpu::cr4::PAE;
    w = views::walk(*d, 0x40000000 + 0x1234);
    CHECK(std::string(w.mode) == "PAE");
    REQUIRE(w.mapped);
    CHECK(w.phys == 0x601234);
    CHECK(w.page_size == 2u << 20);
    w = views::walk(*d, 0x40200000 + 0x5000 + 0x42);
    REQUIRE(w.mapped);
    CHECK(w.phys == 0x345042);
    CHECK(w.levels.size() == 3);
    check_against_cpu(*d, 0x40001234);
    check_against_cpu(*d, 0x40205042);
    w = views::walk(*d, 0x1000);
    CHECK_FALSE(w.mapped);
    CHECK(w.fault == "PDPTE (register) not present: #PF");
}

TEST_CASE("the current task and the task list, read by symbol") {
    std::unique_ptr<Debugger> d = boot_debugger();
    views::GuestTask t;
    std::string why;
    CHECK_FALSE(views::current_task(*d, t, why));  // real mode: nothing mapped at `current`
    CHECK(!why.empty());

    run_to(*d, "start_kernel");
    REQUIRE(views::current_task(*d, t, why));
    CHECK(t.pid == 0);
    CHECK(t.comm == "swapper/0");

    run_to(*d, "run_init_process");
    REQUIRE(views::current_task(*d, t, why));
    CHECK(t.pid == 1);
    const std::vector<views::GuestTask> all = views::all_tasks(*d);
    REQUIRE(all.size() >= 3);
    CHECK(all[0].pid == 0);
    bool kthreadd = false;
    for (const views::GuestTask& x : all) kthreadd = kthreadd || (x.pid == 2 && x.comm == "kthreadd");
    CHECK(kthreadd);
}
