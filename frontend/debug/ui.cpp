// The debugger window (see ui.h).
#include "ui.h"

#include "timeline.h"

#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <iterator>
#include <map>
#include <vector>

#include "cpu/flags.h"

namespace bs::frontend::debug {

namespace {

using views::kBad;
using views::kCurrent;
using views::kLabel;

// The window and where each pane starts (ui.h): three columns over two rows.
constexpr int kWindowW = 1600, kWindowH = 1000;
struct Pane {
    float x, y, w, h;
};
constexpr Pane kControls{8, 8, 520, 150}, kDisassembly{8, 166, 520, 446};
constexpr Pane kVga{536, 8, 656, 436}, kSerial{536, 452, 656, 160};
constexpr Pane kRegisters{1200, 8, 392, 604};
constexpr Pane kTimeline{8, 620, 596, 372}, kInspect{612, 620, 580, 372}, kConsole{1200, 620, 392, 372};

void place(const Pane& p) {
    ImGui::SetNextWindowPos(ImVec2(p.x, p.y), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(p.w, p.h), ImGuiCond_FirstUseEver);
}

// The 16 colours of the VGA text palette (BIOS mode 3 DAC defaults).
constexpr uint32_t kVgaPalette[16] = {0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
                                      0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff};

constexpr size_t kScrollbackLines = 2000;

// The guest runs for about half a frame between frames (≥ 30 frames a
// second); a console command that steps steps as long.
constexpr double kGuestSliceMs = 12.0;

}  // namespace

Ui::~Ui() {
    if (imgui_) {
        ImGui_ImplSDLRenderer_Shutdown();
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
    }
    if (vga_tex_) SDL_DestroyTexture(vga_tex_);
    if (renderer_) SDL_DestroyRenderer(renderer_);
    if (window_) SDL_DestroyWindow(window_);
    if (window_ || renderer_) SDL_Quit();
}

bool Ui::open(bool hidden, std::string& error) {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        error = std::string("SDL cannot open a display: ") + SDL_GetError();
        return false;
    }
    window_ = SDL_CreateWindow("Bootscope debugger", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, kWindowW, kWindowH,
                               (hidden ? SDL_WINDOW_HIDDEN : SDL_WINDOW_SHOWN) | SDL_WINDOW_RESIZABLE);
    if (!window_) {
        error = std::string("SDL cannot create a window: ") + SDL_GetError();
        SDL_Quit();
        return false;
    }
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!renderer_) renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);
    if (!renderer_) {
        error = std::string("SDL cannot create a renderer: ") + SDL_GetError();
        return false;
    }
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; no imgui.ini beside the user's files
    ImGui::StyleColorsDark();
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    ImGui_ImplSDLRenderer_Init(renderer_);
    imgui_ = true;

    std::string font_error;
    for (const std::string& path : ConsoleFont::default_paths()) {
        if (font_.load(path, font_error)) break;
    }
    if (has_font()) {
        vga_tex_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING,
                                     int(devices::VgaText::kCols * font_.width()),
                                     int(devices::VgaText::kRows * font_.height()));
    }
    return true;
}

bool Ui::frame() {
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        ImGui_ImplSDL2_ProcessEvent(&ev);
        if (ev.type == SDL_QUIT) quit_ = true;
        if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_CLOSE &&
            ev.window.windowID == SDL_GetWindowID(window_))
            quit_ = true;
        // Escape is the Pause button, unless the keys go to the guest.
        if (ev.type == SDL_KEYDOWN && ev.key.keysym.sym == SDLK_ESCAPE && !ev.key.repeat && !vga_focused_) pause();
        if (ev.type == SDL_KEYDOWN || ev.type == SDL_KEYUP) keyboard_event(ev.key);
    }
    run_console_command();
    // The Continue button's run or a console command's.
    dbg_.run_for(kGuestSliceMs);
    poll_console_command();
    if (has_run_to_ && dbg_.state() != Debugger::State::Running) {
        dbg_.remove_breakpoint(run_to_);
        has_run_to_ = false;
    }
    draw(true);
    ++frames_;
    return !quit_;
}

std::string Ui::status_line() const {
    if (commands_.running()) return "running: " + commands_.running_command() + " -- Pause (or Escape) stops it";
    if (running()) return dbg_.status() + " -- Pause (or Escape) stops it";
    return dbg_.status();
}

void Ui::set_timeline(Timeline* t) {
    timeline_ = t;
    commands_.set_timeline(t);
    if (t) t->set_pause([this] { pause(); });
}

void Ui::pause() {
    if (commands_.running()) console_print(commands_.stop());
    else dbg_.pause();
}

void Ui::keyboard_event(const SDL_KeyboardEvent& key) {
    // Focus is last frame's: the click that focused the pane came before this key.
    if (!vga_focused_) return;
    const bool down = key.state == SDL_PRESSED;
    if (down) keys_down_.insert(key.keysym.scancode);
    else keys_down_.erase(key.keysym.scancode);
    // A held key repeats its make code, as a PC keyboard's typematic repeat does.
    for (uint8_t b : views::set1_scancodes(key.keysym.scancode, down)) dbg_.sys().machine.kbd.key_input(b);
}

void Ui::release_keys() {
    for (SDL_Scancode k : keys_down_) {
        for (uint8_t b : views::set1_scancodes(k, false)) dbg_.sys().machine.kbd.key_input(b);
    }
    keys_down_.clear();
}

void Ui::draw(bool present) {
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    draw_controls();
    draw_disassembly();
    draw_inspect();
    draw_vga();
    draw_serial();
    draw_console();
    draw_registers();
    if (timeline_) {
        timeline_->draw();
        // Its place in this layout, once; the user may move it afterwards.
        if (!timeline_placed_) {
            ImGui::SetWindowPos("Boot timeline", ImVec2(kTimeline.x, kTimeline.y));
            ImGui::SetWindowSize("Boot timeline", ImVec2(kTimeline.w, kTimeline.h));
            timeline_placed_ = true;
        }
    }
    ImGui::Render();
    SDL_SetRenderDrawColor(renderer_, 24, 24, 28, 255);
    SDL_RenderClear(renderer_);
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    if (present) SDL_RenderPresent(renderer_);
}

bool Ui::screenshot(const std::string& path, std::string& error) {
    // A few frames so that ImGui has laid out every window.
    for (int i = 0; i < 3; ++i) draw(true);
    draw(false);
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(renderer_, &w, &h) != 0 || w <= 0 || h <= 0) {
        error = std::string("no renderer output: ") + SDL_GetError();
        return false;
    }
    std::vector<uint8_t> rgba(size_t(w) * h * 4);
    // ABGR8888 is R, G, B, A in memory on a little-endian host: what PNG wants.
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, rgba.data(), w * 4) != 0) {
        error = std::string("SDL_RenderReadPixels: ") + SDL_GetError();
        return false;
    }
    SDL_RenderPresent(renderer_);
    const bool png = path.size() > 4 && path.compare(path.size() - 4, 4, ".png") == 0;
    if (png) {
        if (!stbi_write_png(path.c_str(), w, h, 4, rgba.data(), w * 4)) {
            error = "cannot write '" + path + "'";
            return false;
        }
        return true;
    }
    SDL_Surface* s = SDL_CreateRGBSurfaceWithFormatFrom(rgba.data(), w, h, 32, w * 4, SDL_PIXELFORMAT_ABGR8888);
    const bool ok = s && SDL_SaveBMP(s, path.c_str()) == 0;
    if (!ok) error = "cannot write '" + path + "': " + SDL_GetError();
    if (s) SDL_FreeSurface(s);
    return ok;
}

// ---- panels ----

void Ui::draw_controls() {
    place(kControls);
    ImGui::Begin("Controls");
    emu::System& sys = dbg_.sys();
    // Running: the Continue button's run or a console command (which may be
    // stepping between frames with the machine paused).
    const bool running = this->running();
    const bool finished = dbg_.state() == Debugger::State::Finished;
    ImGui::BeginDisabled(running || finished);
    if (ImGui::Button("Step")) dbg_.step();
    ImGui::SameLine();
    if (ImGui::Button("Step 100")) {
        for (int i = 0; i < 100 && dbg_.step(); ++i) {
            if (dbg_.breakpoints().count(sys.cpu.current_pc())) break;
        }
    }
    ImGui::SameLine();
    if (ImGui::Button("Continue")) dbg_.resume();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!running);
    if (ImGui::Button("Pause")) pause();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Checkbox("Step over interrupts", &dbg_.step_over_interrupts);

    ImGui::SetNextItemWidth(220);
    const bool enter = ImGui::InputText("##bp", break_spec_, sizeof break_spec_, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    uint64_t addr = 0;
    const bool valid = dbg_.resolve(break_spec_, addr);
    ImGui::BeginDisabled(!valid);
    if (ImGui::Button("Break") || (enter && valid)) dbg_.add_breakpoint(addr);
    ImGui::SameLine();
    if (ImGui::Button("Run to") && !running && !finished) {
        // A breakpoint for this run only, removed when the machine stops.
        if (!dbg_.breakpoints().count(addr)) {
            dbg_.add_breakpoint(addr);
            run_to_ = addr;
            has_run_to_ = true;
        }
        dbg_.resume();
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    static const char* const kMilestones[] = {"start_kernel", "setup_arch", "trap_init", "rest_init",
                                              "kernel_init",  "do_initcalls", "run_init_process"};
    if (ImGui::BeginCombo("##milestone", "milestone", ImGuiComboFlags_NoPreview)) {
        for (const char* m : kMilestones) {
            uint64_t a;
            if (!dbg_.resolve(m, a)) continue;
            if (ImGui::Selectable(m)) {
                dbg_.add_breakpoint(a);
                std::snprintf(break_spec_, sizeof break_spec_, "%s", m);
            }
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::TextDisabled("(symbol or 0x address)");

    uint64_t remove = 0;
    bool do_remove = false;
    for (uint64_t bp : dbg_.breakpoints()) {
        ImGui::PushID(reinterpret_cast<void*>(static_cast<uintptr_t>(bp)));
        if (ImGui::SmallButton("x")) {
            remove = bp;
            do_remove = true;
        }
        ImGui::SameLine();
        const std::string n = dbg_.symbol_name(bp);
        ImGui::TextColored(kBad, "break %016" PRIx64 " %s%s", bp, n.c_str(),
                           dbg_.is_symbol_start(bp) ? "" : "  (precise: single-steps)");
        ImGui::PopID();
    }
    if (do_remove) dbg_.remove_breakpoint(remove);

    ImGui::Separator();
    const cpu::Cpu& c = sys.cpu;
    if (running) ImGui::TextColored(kCurrent, "%s", status_line().c_str());
    else ImGui::Text("%s", status_line().c_str());
    views::GuestTask task;
    std::string why;
    if (views::current_task(dbg_, task, why)) {
        ImGui::SameLine();
        ImGui::TextColored(kCurrent, "  (task %d %s)", task.pid, task.comm.c_str());
    }
    ImGui::Text("mode %s  CPL %u  instructions %" PRIu64 "  virtual time %.6f s", cpu::to_string(c.mode()), c.s.cpl,
                sys.instructions(), sys.machine.clock().now() / 1e9);
    ImGui::TextDisabled("Back in time: back N, goto, reverse-continue in the console; click the timeline.");
    ImGui::End();
}

void Ui::draw_disassembly() {
    place(kDisassembly);
    ImGui::Begin("Disassembly");
    cpu::Cpu& c = dbg_.sys().cpu;
    const unsigned code_size = c.s.code_size;
    const uint64_t cs_base = c.segment_base(cpu::CS);
    const uint64_t ip = c.s.rip;
    const uint64_t pc = c.current_pc();
    ImGui::Text("%u-bit code, CS base %#" PRIx64, code_size * 8, cs_base);

    // Start a little before RIP at an instruction boundary: the symbol's start
    // when it is close, else the earliest offset whose decoding lands on RIP.
    constexpr uint64_t kBefore = 48, kAfter = 160;
    uint64_t start_ip = ip;
    std::vector<uint8_t> buf(kBefore + kAfter);
    const uint64_t from = ip >= kBefore ? ip - kBefore : 0;
    const size_t back = ip - from;
    if (dbg_.read_linear(cs_base + from, buf.data(), buf.size())) {
        // Every start that decodes onto RIP is a candidate; x86 decoding
        // resynchronises, so the boundaries most candidates agree on are the
        // real ones: the candidate with the most votes over its boundaries
        // wins (the earliest on a tie).
        std::vector<std::vector<uint64_t>> cands;
        std::map<uint64_t, unsigned> votes;
        for (uint64_t s = from; s < ip; ++s) {
            const auto lines = disasm_.decode(&buf[s - from], back - (s - from), s, code_size, 64);
            std::vector<uint64_t> bounds;
            uint64_t a = s;
            for (const auto& l : lines) {
                if (!l.size) break;
                bounds.push_back(a);
                a += l.size;
            }
            if (a != ip) continue;
            for (uint64_t b : bounds) ++votes[b];
            cands.push_back(std::move(bounds));
        }
        double best = -1;
        for (const auto& bounds : cands) {
            double score = 0;
            for (uint64_t b : bounds) score += votes[b];
            if (score > best + 1e-9) {
                best = score;
                start_ip = bounds.front();
            }
        }
    } else {
        buf.resize(kAfter);
        if (!dbg_.read_linear(pc, buf.data(), buf.size())) {
            ImGui::TextColored(kBad, "%016" PRIx64 ": not mapped", pc);
            ImGui::End();
            return;
        }
    }
    const size_t off = buf.size() == kAfter ? 0 : start_ip - from;
    // 16-bit code ends at the segment's 64 KiB: IP wraps to 0 rather than running on.
    size_t len = buf.size() - off;
    if (code_size == 2) len = std::min<size_t>(len, 0x10000 - (start_ip & 0xffff));
    const auto lines = disasm_.decode(&buf[off], len, start_ip, code_size, 40);
    ImGui::BeginChild("listing", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    for (const DisasmLine& l : lines) {
        const uint64_t lin = cs_base + l.address;
        const std::string name = dbg_.symbol_name(lin);
        if (!name.empty() && name.find('+') == std::string::npos) ImGui::TextColored(kLabel, "<%s>:", name.c_str());
        uint64_t pa = 0;
        const bool mapped = dbg_.translate(lin, pa);
        char hex[40] = "";
        for (unsigned k = 0; k < std::min(l.size ? l.size : 1u, 8u); ++k)
            std::snprintf(hex + 2 * k, sizeof hex - 2 * k, "%02x", l.bytes[k]);
        std::string target;
        if (l.is_call || l.text.rfind("j", 0) == 0) {
            const size_t sp = l.text.find(" 0x");
            if (sp != std::string::npos) {
                try {
                    const std::string t = dbg_.symbol_name(cs_base + std::stoull(l.text.substr(sp + 1), nullptr, 16));
                    if (!t.empty()) target = "  <" + t + ">";
                } catch (const std::exception&) {
                }
            }
        }
        const bool current = l.address == ip;
        const bool bp = dbg_.breakpoints().count(lin);
        char where[48];
        if (code_size == 8) std::snprintf(where, sizeof where, "%016" PRIx64, l.address);
        else std::snprintf(where, sizeof where, "%04x:%0*" PRIx64, c.s.seg[cpu::CS].selector, code_size == 2 ? 4 : 8, l.address);
        ImGui::PushStyleColor(ImGuiCol_Text, current ? kCurrent : bp ? kBad : ImGui::GetStyleColorVec4(ImGuiCol_Text));
        // The linear address is the offset itself in flat 64-bit code: shown once.
        char linear[32] = "";
        if (code_size != 8 || cs_base != 0) std::snprintf(linear, sizeof linear, " lin %08" PRIx64, lin);
        ImGui::Text("%s%s %s%s phys %s%08" PRIx64 "  %-16s %s%s", current ? "=>" : "  ", bp ? "B" : " ", where, linear,
                    mapped ? "" : "?", mapped ? pa : 0, hex, l.text.c_str(), target.c_str());
        ImGui::PopStyleColor();
        if (current && follow_rip_ && dbg_.state() != Debugger::State::Running) ImGui::SetScrollHereY(0.3f);
    }
    ImGui::EndChild();
    ImGui::End();
}

void Ui::draw_registers() {
    place(kRegisters);
    ImGui::Begin("Registers");
    views::registers(dbg_);
    ImGui::End();
}

// The inspection tabs, in order (views.h draws each).
const char* const Ui::kInspectTabs[] = {"Stack", "Memory", "Page walk", "GDT/IDT/TSS", "Task", "Devices"};

bool Ui::show_tab(const std::string& name) {
    // Any case, spaces optional; "gdt", "idt" and "tss" name their shared tab.
    auto key = [](const std::string& s) {
        std::string k;
        for (const char c : s) {
            if (c != ' ') k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return k;
    };
    const std::string want = key(name);
    for (const char* t : kInspectTabs) {
        const std::string tab = key(t);
        if (want == tab || (!want.empty() && tab == "gdt/idt/tss" && (want == "gdt" || want == "idt" || want == "tss"))) {
            select_tab_ = t;
            return true;
        }
    }
    return false;
}

void Ui::draw_inspect() {
    place(kInspect);
    ImGui::Begin("Inspect");
    const std::function<void()> draw_tab[] = {
        [this] { views::stack(dbg_, disasm_); },
        [this] { views::hex_dump(dbg_, hex_); },
        [this] { views::page_walk(dbg_, walk_); },
        [this] { views::descriptor_tables(dbg_, tables_); },
        [this] { views::task(dbg_); },
        [this] { views::devices(dbg_); },
    };
    static_assert(std::size(kInspectTabs) == std::size(draw_tab));
    if (ImGui::BeginTabBar("inspect")) {
        for (size_t i = 0; i < std::size(kInspectTabs); ++i) {
            const bool select = select_tab_ == kInspectTabs[i];
            if (ImGui::BeginTabItem(kInspectTabs[i], nullptr, select ? ImGuiTabItemFlags_SetSelected : 0)) {
                draw_tab[i]();
                ImGui::EndTabItem();
            }
        }
        select_tab_.clear();
        ImGui::EndTabBar();
    }
    ImGui::End();
}

void Ui::draw_vga() {
    place(kVga);
    // The title says where typed keys go; "###vga" keeps the window's identity.
    ImGui::Begin(vga_focused_ ? "VGA text screen: keys go to the guest's keyboard (i8042)###vga"
                              : "VGA text screen (click to type into the guest)###vga");
    vga_focused_ = ImGui::IsWindowFocused();
    // Keys held when the pane loses focus are let go, or the guest would see them stuck.
    if (!vga_focused_ && !keys_down_.empty()) release_keys();
    if (vga_tex_) {
        update_vga_texture();
        ImGui::Image(reinterpret_cast<ImTextureID>(vga_tex_),
                     ImVec2(float(devices::VgaText::kCols * font_.width()), float(devices::VgaText::kRows * font_.height())));
    } else {
        ImGui::TextDisabled("(no PSF console font found: install console-setup-linux; text shown instead)");
        ImGui::TextUnformatted(dbg_.sys().machine.vga.text_dump().c_str());
    }
    ImGui::End();
}

void Ui::update_vga_texture() {
    void* pixels = nullptr;
    int pitch = 0;
    if (SDL_LockTexture(vga_tex_, nullptr, &pixels, &pitch) != 0) return;
    const devices::VgaText& vga = dbg_.sys().machine.vga;
    const unsigned fw = font_.width(), fh = font_.height();
    const unsigned cursor = vga.cursor_offset() - vga.start_address();
    for (unsigned r = 0; r < devices::VgaText::kRows; ++r) {
        for (unsigned col = 0; col < devices::VgaText::kCols; ++col) {
            const uint8_t ch = vga.char_at(r, col), at = vga.attr_at(r, col);
            const uint32_t fg = 0xff000000u | kVgaPalette[at & 15], bg = 0xff000000u | kVgaPalette[(at >> 4) & 7];
            const bool cur = vga.cursor_visible() && cursor == r * devices::VgaText::kCols + col;
            for (unsigned y = 0; y < fh; ++y) {
                uint32_t bitsrow = font_.row(ch, y);
                if (cur && y >= fh - 2) bitsrow = ~0u;
                auto* line = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(pixels) + size_t(r * fh + y) * pitch);
                for (unsigned x = 0; x < fw; ++x) line[col * fw + x] = (bitsrow >> (fw - 1 - x) & 1) ? fg : bg;
            }
        }
    }
    SDL_UnlockTexture(vga_tex_);
}

void Ui::draw_serial() {
    place(kSerial);
    ImGui::Begin("Serial (COM1)");
    ImGui::SetNextItemWidth(-120);
    if (ImGui::InputText("##in", serial_input_, sizeof serial_input_, ImGuiInputTextFlags_EnterReturnsTrue)) {
        dbg_.type_serial(std::string(serial_input_) + "\n");
        serial_input_[0] = 0;
        ImGui::SetKeyboardFocusHere(-1);
    }
    ImGui::SameLine();
    ImGui::Checkbox("follow", &serial_scroll_);
    ImGui::BeginChild("serial_out", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const std::string& out = dbg_.serial_output();
    ImGui::TextUnformatted(out.data(), out.data() + out.size());
    if (serial_scroll_ && out.size() != serial_seen_) {
        ImGui::SetScrollHereY(1.0f);
        serial_seen_ = out.size();
    }
    ImGui::EndChild();
    ImGui::End();
}

void Ui::draw_console() {
    place(kConsole);
    ImGui::Begin("Console");
    ImGui::BeginChild("scrollback", ImVec2(0, -ImGui::GetFrameHeightWithSpacing()), false,
                      ImGuiWindowFlags_HorizontalScrollbar);
    for (const std::string& l : scrollback_) {
        if (l.rfind("> ", 0) == 0) ImGui::TextColored(kLabel, "%s", l.c_str());
        else if (l.rfind("error: ", 0) == 0) ImGui::TextColored(kBad, "%s", l.c_str());
        else ImGui::TextUnformatted(l.c_str());
    }
    if (console_scroll_) {
        ImGui::SetScrollHereY(1.0f);
        console_scroll_ = false;
    }
    ImGui::EndChild();
    ImGui::SetNextItemWidth(-1);
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackHistory;
    if (ImGui::InputTextWithHint("##command", "a command (help lists them), up/down for history", console_input_,
                                 sizeof console_input_, flags, &Ui::console_input_callback, this)) {
        console_pending_ = console_input_;
        console_has_pending_ = true;
        console_input_[0] = 0;
        ImGui::SetKeyboardFocusHere(-1);
    }
    ImGui::End();
}

// Up/down walk the history; the line being typed is not kept while browsing.
int Ui::console_input_callback(ImGuiInputTextCallbackData* data) {
    Ui& ui = *static_cast<Ui*>(data->UserData);
    if (data->EventFlag != ImGuiInputTextFlags_CallbackHistory || ui.history_.empty()) return 0;
    const int n = int(ui.history_.size());
    int& pos = ui.history_pos_;
    if (data->EventKey == ImGuiKey_UpArrow) pos = pos < 0 ? n - 1 : std::max(0, pos - 1);
    else if (data->EventKey == ImGuiKey_DownArrow && pos >= 0 && ++pos >= n) pos = -1;
    data->DeleteChars(0, data->BufTextLen);
    if (pos >= 0) data->InsertChars(0, ui.history_[size_t(pos)].c_str());
    return 0;
}

void Ui::enter_console_line(const std::string& line) {
    console_pending_ = line;
    console_has_pending_ = true;
}

void Ui::console_add(const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        const size_t nl = text.find('\n', start);
        const size_t end = nl == std::string::npos ? text.size() : nl;
        scrollback_.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    while (scrollback_.size() > kScrollbackLines) {
        scrollback_.pop_front();
        ++scrollback_dropped_;
    }
    console_scroll_ = true;
}

std::string Ui::console_text_since(uint64_t first) const {
    std::string text;
    for (size_t k = first > scrollback_dropped_ ? first - scrollback_dropped_ : 0; k < scrollback_.size(); ++k)
        text += scrollback_[k] + "\n";
    return text;
}

void Ui::console_print(const CommandResult& r) {
    console_add(r.output);
    if (r.status == CommandResult::Status::Failed) console_add("error: " + r.error);
    if (r.status == CommandResult::Status::Quit) quit_ = true;
}

void Ui::run_console_command() {
    if (!console_has_pending_) return;
    console_has_pending_ = false;
    const std::string line = console_pending_;
    history_pos_ = -1;
    if (!line.empty() && (history_.empty() || history_.back() != line)) history_.push_back(line);
    console_add("> " + line);
    // A command that runs the machine starts here (Running); the frames run
    // it and poll_console_command() prints its result.
    console_print(commands_.submit(line));
}

void Ui::poll_console_command() {
    if (const std::optional<CommandResult> r = commands_.poll(kGuestSliceMs)) console_print(*r);
}

}  // namespace bs::frontend::debug
