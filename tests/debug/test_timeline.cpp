// The boot timeline's recording, the post-mortem, the bookmarks file and
// the scrubber (frontend/debug/timeline.h, postmortem.h, bookmarks.h),
// without a window.
//
// Environment (tests/debug/CMakeLists.txt): BOOTSCOPE_GUEST_DIR (the bundled
// guest), TIMELINE_TRACE (`bootscope trace record` of the bundled boot),
// TRIPLE_FAULT_ROM (tests/system/triple_fault.S), NOINIT_INITRD (an initramfs
// without /sbin/init: the kernel panics), and a scratch directory TIMELINE_TMP.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <imgui.h>
#include <spdlog/spdlog.h>

#include <cfloat>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cpu/cpu.h"
#include "emu/trace/analysis.h"
#include "emu/trace/reader.h"
#include "frontend/debug/bookmarks.h"
#include "frontend/debug/debugger.h"
#include "frontend/debug/postmortem.h"
#include "frontend/debug/timeline.h"
#include "frontend/run.h"
#include "frontend/trace_cmds.h"

using namespace bs;
using namespace bs::frontend::debug;
namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    REQUIRE_MESSAGE(v, name << " is not set (run through ctest)");
    return v;
}

std::string scratch(const std::string& name) {
    const fs::path dir = env("TIMELINE_TMP");
    fs::create_directories(dir);
    return (dir / name).string();
}

std::unique_ptr<Debugger> make_debugger(const frontend::RunOptions& ro) {
    int status = 0;
    auto d = Debugger::create(ro, status);
    REQUIRE_MESSAGE(d, "Debugger::create failed with status " << status);
    return d;
}

// Runs to the machine's stop and lets the timeline see it.
void run_to_stop(Debugger& d, Timeline& t) {
    d.run_until_stop(2'000'000'000);
    REQUIRE(d.state() == Debugger::State::Finished);
    t.update();
}

// Dear ImGui without a window or a renderer (its core needs a display
// size, a time step and its font atlas built): frames of the timeline pane
// under a synthetic mouse.
class HeadlessImGui {
public:
    HeadlessImGui() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1600, 1000);
        io.DeltaTime = 1.0f / 60;
        io.MouseDoubleClickTime = 0;  // every click a single one (a double one on the title bar folds the pane)
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~HeadlessImGui() { ImGui::DestroyContext(); }
    HeadlessImGui(const HeadlessImGui&) = delete;
    HeadlessImGui& operator=(const HeadlessImGui&) = delete;

    // One frame with the mouse at (x, y), its left button down or up.
    void frame(Timeline& t, float x, float y, bool down) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(x, y);
        io.MouseDown[0] = down;
        ImGui::NewFrame();
        t.draw();
        ImGui::Render();
    }
    void idle(Timeline& t) { frame(t, -FLT_MAX, -FLT_MAX, false); }
    // A press and a release at (x, y), then the frame that does what they asked.
    void click(Timeline& t, float x, float y) {
        frame(t, x, y, false);
        frame(t, x, y, true);
        frame(t, x, y, false);
        idle(t);
    }
};

}  // namespace

TEST_CASE("the timeline's phases are `bootscope trace record`'s, at the same instruction counts") {
    spdlog::set_level(spdlog::level::warn);
    auto d = make_debugger({});
    Timeline tl(*d, "");
    run_to_stop(*d, tl);
    CHECK(d->last_stop() == emu::StopReason::PowerOff);

    emu::trace::Trace file;
    REQUIRE(frontend::load_trace(env("TIMELINE_TRACE"), file));
    emu::trace::Symbolizer syms;
    REQUIRE(frontend::load_trace_symbols(file, {}, syms));
    const emu::trace::Analysis want = emu::trace::analyze(file, syms);
    const auto& got = tl.trace().analysis().phases;
    REQUIRE(want.phases.size() > 20);  // reset, modes, start_kernel's calls, initcalls, user space, stop
    REQUIRE(got.size() == want.phases.size());
    for (size_t k = 0; k < got.size(); ++k) {
        CAPTURE(k);
        CHECK(got[k].name == want.phases[k].name);
        CHECK(got[k].icount == want.phases[k].icount);
        CHECK(got[k].time_ns == want.phases[k].time_ns);
    }
    // The lanes: console lines as the file has them, the boot's mode switches.
    size_t console_lines = 0;
    for (const auto& e : file.events) console_lines += e.f.kind == emu::trace::Kind::Console;
    CHECK(tl.trace().lane(emu::trace::Lane::Console).size() + 1 >= console_lines);  // the file adds a last partial line
    CHECK(tl.trace().lane(emu::trace::Lane::Mode).size() > 3);
    // The kernel's setup code runs after the firmware, before long mode.
    CHECK(tl.trace().setup_entry() > 0);
    CHECK(tl.trace().setup_entry() < want.phases[2].icount);
    CHECK(want.phases[2].name == "long mode");
    CHECK(tl.trace().recent().size() == 1024);
}

TEST_CASE("re-executed hooks after a rewind are not recorded twice") {
    spdlog::set_level(spdlog::level::warn);
    auto d = make_debugger({});
    emu::trace::LiveTrace t(d->sys(), d->symbols());
    // Instruction 10: a call, an interrupt; 12: a return.
    cpu::EventRecord irq{};
    irq.kind = cpu::EventKind::External;
    irq.vector = 0x20;
    t.call(10, 0x1000, 0x2000, 0x8000);
    t.event(10, irq, 0x3000);
    t.ret(12, 0x2010, 0x1005, 0x8008);
    CHECK(t.events() == 3);
    // Back to before instruction 10 and again: all three are replays.
    t.call(10, 0x1000, 0x2000, 0x8000);
    t.event(10, irq, 0x3000);
    t.ret(12, 0x2010, 0x1005, 0x8008);
    CHECK(t.events() == 3);
    CHECK(t.replayed() == 3);
    // Beyond the frontier: recorded; a second event at the frontier's count too.
    t.call(12, 0x1005, 0x2000, 0x8000);
    t.call(15, 0x1000, 0x2000, 0x8000);
    CHECK(t.events() == 5);
    CHECK(t.frontier() == 15);
}

TEST_CASE("going back in time and running again records each event once") {
    spdlog::set_level(spdlog::level::warn);
    auto d = make_debugger({});
    Timeline tl(*d, "");
    run_to_stop(*d, tl);
    const uint64_t events = tl.trace().events(), frontier = tl.trace().frontier();
    const auto phases = tl.trace().analysis().phases;
    const size_t console = tl.trace().lane(emu::trace::Lane::Console).size();
    // Back into start_kernel's calls, then on to the end again.
    REQUIRE(phases.size() > 10);
    REQUIRE(d->seek(phases[8].icount + 1000));
    tl.update();
    CHECK(tl.trace().events() == events);
    CHECK(tl.trace().frontier() == frontier);
    run_to_stop(*d, tl);
    CHECK(tl.trace().replayed() > 0);
    CHECK(tl.trace().events() == events);
    CHECK(tl.trace().lane(emu::trace::Lane::Console).size() == console);
    REQUIRE(tl.trace().analysis().phases.size() == phases.size());
    for (size_t k = 0; k < phases.size(); ++k) CHECK(tl.trace().analysis().phases[k].icount == phases[k].icount);
}

TEST_CASE("the scrubber and a click between the lanes' events go to an instruction, pausing a run first") {
    spdlog::set_level(spdlog::level::warn);
    auto d = make_debugger({});
    Timeline tl(*d, "");
    std::string err;
    REQUIRE(d->add("kernel_init", err));
    d->run_until_stop(2'000'000'000);
    REQUIRE(d->status().find("(kernel_init)") != std::string::npos);
    const uint64_t end = d->sys().instructions();
    tl.update();
    // From power-on (the oldest checkpoint) to the furthest instruction reached.
    CHECK(tl.scrub_range().first == 0);
    CHECK(tl.scrub_range().last == end);

    HeadlessImGui gui;
    for (int k = 0; k < 3; ++k) gui.idle(tl);  // the pane laid out
    // Clicks down the middle of the pane (placed at 0,620 by draw()) from
    // under its title: the first that moves the machine is on the scrubber
    // (above it: text, the bookmark name and buttons; the tabs end left of
    // the middle). Its middle is the middle of the range.
    const float mid = 530;
    float scrub_y = 0;
    for (float y = 640; y < 1000 && !scrub_y; y += 2) {
        gui.click(tl, mid, y);
        if (d->sys().instructions() != end) scrub_y = y;
    }
    REQUIRE(scrub_y > 0);
    const uint64_t at_scrub = d->sys().instructions();
    CHECK(at_scrub > end * 45 / 100);
    CHECK(at_scrub < end * 55 / 100);
    CHECK(d->state() == Debugger::State::Paused);

    // Below it, the lanes: their axis row holds no events, so a click there
    // goes to the instruction under the mouse (on the lanes' own scale,
    // right of their labels: not the scrubber's instruction).
    float axis_y = 0;
    for (float y = scrub_y + 2; y < 1000 && !axis_y; y += 2) {
        gui.click(tl, mid, y);
        if (d->sys().instructions() != at_scrub) axis_y = y;
    }
    REQUIRE(axis_y > 0);
    const uint64_t at_axis = d->sys().instructions();
    gui.click(tl, mid + 300, axis_y);  // about a third of the lanes' width further
    CHECK(d->sys().instructions() > at_axis + end / 5);

    // A running machine: holding the scrubber pauses it, releasing goes there.
    d->resume();
    REQUIRE(d->state() == Debugger::State::Running);
    gui.frame(tl, 200, scrub_y, false);
    gui.frame(tl, 200, scrub_y, true);
    CHECK(d->state() == Debugger::State::Paused);
    gui.frame(tl, 200, scrub_y, false);
    gui.idle(tl);
    CHECK(d->sys().instructions() > end / 10);
    CHECK(d->sys().instructions() < end * 25 / 100);
}

TEST_CASE("a triple fault is explained: #UD -> #GP -> #DF -> triple fault") {
    spdlog::set_level(spdlog::level::warn);
    frontend::RunOptions ro;
    ro.firmware = env("TRIPLE_FAULT_ROM");
    auto d = make_debugger(ro);
    Timeline tl(*d, "");
    CHECK(tl.fault_chain().empty());  // not stopped yet
    run_to_stop(*d, tl);
    REQUIRE(d->last_stop() == emu::StopReason::Shutdown);
    const std::string why = tl.fault_chain();
    INFO(why);
    CHECK(why.find("Triple fault") != std::string::npos);
    CHECK(why.find("1. #UD (invalid opcode) at RIP 0x") != std::string::npos);
    CHECK(why.find("2. -> #GP (general protection) [error 0x33: IDT entry 6, EXT] while delivering #UD: IDT entry 6 lies beyond the IDT limit (IDTR base 0x2000, limit 0x0)") !=
          std::string::npos);
    CHECK(why.find("-> #DF (double fault) while delivering #GP: IDT entry 13 lies beyond the IDT limit") !=
          std::string::npos);
    CHECK(why.find("-> triple fault while delivering #DF: IDT entry 8 lies beyond the IDT limit") != std::string::npos);
    CHECK(why.find("In short: #UD -> #GP -> #DF -> triple fault.") != std::string::npos);
    // The last events are there for the pane, the stop among them.
    REQUIRE(!tl.trace().recent().empty());
    CHECK(tl.trace().recent().back().f.kind == emu::trace::Kind::Stop);
}

TEST_CASE("a #PF whose handler's gate is not present: #PF -> #DF -> triple fault") {
    // A synthetic final state: long mode, a 256-entry IDT whose entries 8
    // and 14 are not present.
    FaultContext c;
    c.stop = emu::StopReason::Shutdown;
    c.mode = cpu::CpuMode::Long64;
    c.state.cr0 = 0x80000011;
    c.state.efer = 0xd00;
    c.state.cr2 = 0xdead000;
    c.state.idtr.base = 0x10000;
    c.state.idtr.limit = 256 * 16 - 1;
    std::vector<uint8_t> idt(256 * 16, 0);
    for (unsigned v = 0; v < 256; ++v) {
        idt[v * 16 + 2] = 0x08;                      // selector 0x08
        idt[v * 16 + 5] = v == 8 || v == 14 ? 0x0e : 0x8e;  // 64-bit interrupt gate, present or not
    }
    c.read_linear = [&](uint64_t lin, void* out, size_t n) {
        if (lin < 0x10000 || lin + n > 0x10000 + idt.size()) return false;
        std::memcpy(out, idt.data() + (lin - 0x10000), n);
        return true;
    };
    c.symbol = [](uint64_t lin) { return lin == 0x401000 ? std::string("do_work+0x10") : std::string(); };
    cpu::EventRecord pf{};
    pf.icount = 500;
    pf.rip = 0x401000;
    pf.vector = cpu::kPF;
    pf.has_error = true;
    pf.error = 2;
    cpu::EventRecord df = pf;
    df.vector = cpu::kDF;
    df.error = 0;
    cpu::EventRecord earlier = pf;  // a handled fault before: not part of the chain
    earlier.icount = 400;
    earlier.rip = 0x400000;
    c.history = {earlier, pf, df};
    const std::string why = explain_stop(c);
    INFO(why);
    CHECK(why.find("1. #PF (page fault) [error 0x2: page not present, write, supervisor mode] at RIP 0x401000 "
                   "(do_work+0x10), CR2 0xdead000") != std::string::npos);
    CHECK(why.find("2. -> #DF (double fault) while delivering #PF: IDT entry 14 is not present (P = 0)") !=
          std::string::npos);
    CHECK(why.find("3. -> triple fault while delivering #DF: IDT entry 8 is not present") != std::string::npos);
    CHECK(why.find("In short: #PF -> #DF -> triple fault.") != std::string::npos);
    CHECK(why.find("0x400000") == std::string::npos);
}

TEST_CASE("a kernel panic is explained with its panic() call and message") {
    spdlog::set_level(spdlog::level::warn);
    frontend::RunOptions ro;
    ro.initrd = env("NOINIT_INITRD");
    auto d = make_debugger(ro);
    Timeline tl(*d, "");
    run_to_stop(*d, tl);
    REQUIRE(d->last_stop() == emu::StopReason::Halted);
    const std::string why = tl.fault_chain();
    INFO(why);
    CHECK(why.find("Kernel panic: the guest halted with interrupts disabled at RIP 0x") != std::string::npos);
    CHECK(why.find("inside panic(), called by") != std::string::npos);
    CHECK(why.find("No working init found") != std::string::npos);
}

TEST_CASE("bookmarks: a file round trip") {
    const std::string path = scratch("bookmarks.txt");
    fs::remove(path);
    Bookmarks b;
    std::string err;
    REQUIRE(b.load(path, err));  // missing: empty
    CHECK(b.list().empty());
    CHECK(b.add(500, "start_kernel"));
    CHECK(b.add(20, " first call "));
    CHECK(b.add(0x1000000, "initcalls, level 7 (device)"));
    CHECK_FALSE(b.add(7, "  "));  // blank names are refused
    REQUIRE(b.save(err));
    Bookmarks again;
    REQUIRE(again.load(path, err));
    REQUIRE(again.list().size() == 3);
    CHECK(again.list()[0] == Bookmark{20, "first call"});
    CHECK(again.list()[1] == Bookmark{500, "start_kernel"});
    CHECK(again.list()[2] == Bookmark{0x1000000, "initcalls, level 7 (device)"});
    again.remove(1);
    REQUIRE(again.save(err));
    Bookmarks third;
    REQUIRE(third.load(path, err));
    CHECK(third.list().size() == 2);
    // Hand-written files: comments, blanks, hex counts.
    std::vector<Bookmark> parsed;
    REQUIRE(Bookmarks::parse("# mine\n\n  0x10   reset vector  \n42\tthe answer\n", "f", parsed, err));
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0] == Bookmark{16, "reset vector"});
    CHECK(parsed[1] == Bookmark{42, "the answer"});
}

TEST_CASE("bookmarks: a bad file is a clear error, and is not overwritten") {
    const std::string path = scratch("bad-bookmarks.txt");
    const std::string text = "100 fine\nstart_kernel 200\n";
    std::ofstream(path) << text;
    Bookmarks b;
    std::string err;
    CHECK_FALSE(b.load(path, err));
    CHECK(err.find(path + ":2: expected 'INSTRUCTION_COUNT NAME', got 'start_kernel 200'") != std::string::npos);
    CHECK(b.list().empty());
    b.add(1, "x");
    CHECK_FALSE(b.save(err));
    CHECK(err.find("not saved") != std::string::npos);
    std::ifstream in(path);
    CHECK(std::string{std::istreambuf_iterator<char>(in), {}} == text);
    // Other malformed lines.
    std::vector<Bookmark> out;
    CHECK_FALSE(Bookmarks::parse("123\n", "f", out, err));  // no name
    CHECK(err.find("f:1:") != std::string::npos);
    CHECK_FALSE(Bookmarks::parse("99999999999999999999999 big\n", "f", out, err));  // out of range
    CHECK_FALSE(Bookmarks::parse("12abc name\n", "f", out, err));
    // The timeline reports it and goes on with no bookmarks.
    spdlog::set_level(spdlog::level::off);
    auto d = make_debugger({});
    Timeline tl(*d, path);
    CHECK(tl.bookmarks().list().empty());
    CHECK(tl.bookmarks_error().find(":2:") != std::string::npos);
}
