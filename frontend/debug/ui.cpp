// The debugger window (see ui.h).
#include "ui.h"

#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <cinttypes>
#include <cstdio>
#include <map>
#include <vector>

#include "cpu/flags.h"

namespace bs::frontend::debug {

namespace {

constexpr int kWindowW = 1720, kWindowH = 960;
const ImVec4 kChanged{1.0f, 0.75f, 0.2f, 1.0f};
const ImVec4 kDim{0.6f, 0.6f, 0.6f, 1.0f};
const ImVec4 kCurrent{0.4f, 1.0f, 0.4f, 1.0f};
const ImVec4 kBreak{1.0f, 0.35f, 0.35f, 1.0f};
const ImVec4 kLabel{0.5f, 0.75f, 1.0f, 1.0f};

// The 16 colours of the VGA text palette (BIOS mode 3 DAC defaults).
constexpr uint32_t kVgaPalette[16] = {0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
                                      0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff};

const char* const kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
const char* const kSegNames[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

// Bit names of a register, for the decoded lines: {bit, name}.
struct BitName {
    unsigned bit;
    const char* name;
};
constexpr BitName kFlagBits[] = {{0, "CF"},  {2, "PF"},  {4, "AF"},  {6, "ZF"},  {7, "SF"},   {8, "TF"},
                                 {9, "IF"},  {10, "DF"}, {11, "OF"}, {14, "NT"}, {16, "RF"},  {17, "VM"},
                                 {18, "AC"}, {19, "VIF"}, {20, "VIP"}, {21, "ID"}};
constexpr BitName kCr0Bits[] = {{0, "PE"}, {1, "MP"},  {2, "EM"},  {3, "TS"},  {4, "ET"}, {5, "NE"},
                                {16, "WP"}, {18, "AM"}, {29, "NW"}, {30, "CD"}, {31, "PG"}};
constexpr BitName kCr4Bits[] = {{0, "VME"},    {1, "PVI"},         {2, "TSD"},    {3, "DE"},        {4, "PSE"},
                                {5, "PAE"},    {6, "MCE"},         {7, "PGE"},    {8, "PCE"},       {9, "OSFXSR"},
                                {10, "OSXMMEXCPT"}, {11, "UMIP"}, {16, "FSGSBASE"}, {17, "PCIDE"}, {20, "SMEP"},
                                {21, "SMAP"}};
constexpr BitName kEferBits[] = {{0, "SCE"}, {8, "LME"}, {10, "LMA"}, {11, "NXE"}};

template <size_t N> std::string bits(uint64_t v, const BitName (&names)[N]) {
    std::string s;
    for (const BitName& b : names) {
        if (!(v >> b.bit & 1)) continue;
        if (!s.empty()) s += ' ';
        s += b.name;
    }
    return s.empty() ? "-" : s;
}

void value_line(const char* name, uint64_t now, uint64_t before, int digits, const std::string& extra = {}) {
    const bool changed = now != before;
    if (changed) ImGui::PushStyleColor(ImGuiCol_Text, kChanged);
    ImGui::Text("%-6s %0*" PRIx64 "%s%s", name, digits, now, extra.empty() ? "" : "  ", extra.c_str());
    if (changed) ImGui::PopStyleColor();
}

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
    }
    // The guest runs for about half a frame between frames.
    dbg_.run_for(12.0);
    if (has_run_to_ && dbg_.state() != Debugger::State::Running) {
        dbg_.remove_breakpoint(run_to_);
        has_run_to_ = false;
    }
    draw(true);
    return !quit_;
}

void Ui::draw(bool present) {
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    draw_controls();
    draw_disassembly();
    draw_registers();
    draw_vga();
    draw_serial();
    draw_memory();
    draw_devices();
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
    ImGui::SetNextWindowPos(ImVec2(8, 8), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(760, 170), ImGuiCond_FirstUseEver);
    ImGui::Begin("Controls");
    emu::System& sys = dbg_.sys();
    const bool running = dbg_.state() == Debugger::State::Running;
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
    if (ImGui::Button("Pause")) dbg_.pause();
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
        ImGui::TextColored(kBreak, "break %016" PRIx64 " %s%s", bp, n.c_str(),
                           dbg_.is_symbol_start(bp) ? "" : "  (precise: single-steps)");
        ImGui::PopID();
    }
    if (do_remove) dbg_.remove_breakpoint(remove);

    ImGui::Separator();
    const cpu::Cpu& c = sys.cpu;
    ImGui::Text("%s", dbg_.status().c_str());
    ImGui::Text("mode %s  CPL %u  instructions %" PRIu64 "  virtual time %.6f s", cpu::to_string(c.mode()), c.s.cpl,
                sys.instructions(), sys.machine.clock().now() / 1e9);
    ImGui::TextDisabled("Going back in time is not there yet.");
    ImGui::End();
}

void Ui::draw_disassembly() {
    ImGui::SetNextWindowPos(ImVec2(8, 186), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(760, 400), ImGuiCond_FirstUseEver);
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
            ImGui::TextColored(kBreak, "%016" PRIx64 ": not mapped", pc);
            ImGui::End();
            return;
        }
    }
    const size_t off = buf.size() == kAfter ? 0 : start_ip - from;
    const auto lines = disasm_.decode(&buf[off], buf.size() - off, start_ip, code_size, 40);
    ImGui::BeginChild("listing");
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
        ImGui::PushStyleColor(ImGuiCol_Text, current ? kCurrent : bp ? kBreak : ImGui::GetStyleColorVec4(ImGuiCol_Text));
        ImGui::Text("%s%s %s lin %08" PRIx64 " phys %s%08" PRIx64 "  %-16s %s%s", current ? "=>" : "  ", bp ? "B" : " ",
                    where, lin, mapped ? "" : "?", mapped ? pa : 0, hex, l.text.c_str(), target.c_str());
        ImGui::PopStyleColor();
        if (current && follow_rip_ && dbg_.state() != Debugger::State::Running) ImGui::SetScrollHereY(0.3f);
    }
    ImGui::EndChild();
    ImGui::End();
}

void Ui::draw_registers() {
    ImGui::SetNextWindowPos(ImVec2(8, 594), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(760, 358), ImGuiCond_FirstUseEver);
    ImGui::Begin("Registers");
    cpu::CpuState now = dbg_.sys().cpu.s;
    cpu::CpuState before = dbg_.previous();
    ImGui::Columns(2, "regs", false);
    for (unsigned i = 0; i < 16; ++i) {
        value_line(kGprNames[i], now.gpr[i], before.gpr[i], 16);
        if (i == 7) ImGui::NextColumn();
    }
    ImGui::Columns(1);
    ImGui::Separator();
    const std::string sym = dbg_.symbol_name(dbg_.sys().cpu.current_pc());
    value_line("rip", now.rip, before.rip, 16, sym);
    const uint64_t fl_now = cpu::get_rflags(now), fl_before = cpu::get_rflags(before);
    value_line("rflags", fl_now, fl_before, 8,
               bits(fl_now, kFlagBits) + " IOPL=" + std::to_string((fl_now >> 12) & 3));
    for (unsigned i = 0; i < 6; ++i) {
        const cpu::Segment& s = now.seg[i];
        const cpu::Segment& b = before.seg[i];
        const bool changed = s.selector != b.selector || s.base != b.base || s.limit != b.limit || s.attr != b.attr;
        if (changed) ImGui::PushStyleColor(ImGuiCol_Text, kChanged);
        const bool code = s.attr & cpu::segattr::Code;
        ImGui::Text("%s     %04x base %016" PRIx64 " limit %08x attr %04x  %s dpl%u%s%s%s%s", kSegNames[i], s.selector,
                    s.base, s.limit, s.attr, !(s.attr & cpu::segattr::S) ? "sys " : code ? "code" : "data",
                    (s.attr >> cpu::segattr::DplShift) & 3, s.attr & cpu::segattr::Present ? " P" : " NP",
                    s.attr & cpu::segattr::L ? " L" : "", s.attr & cpu::segattr::DB ? " D/B" : "",
                    s.attr & cpu::segattr::G ? " G" : "");
        if (changed) ImGui::PopStyleColor();
    }
    value_line("cr0", now.cr0, before.cr0, 8, bits(now.cr0, kCr0Bits));
    value_line("cr2", now.cr2, before.cr2, 16);
    value_line("cr3", now.cr3, before.cr3, 16);
    value_line("cr4", now.cr4, before.cr4, 8, bits(now.cr4, kCr4Bits));
    value_line("efer", now.efer, before.efer, 8, bits(now.efer, kEferBits));
    ImGui::Text("gdtr   %016" PRIx64 "/%04x  idtr %016" PRIx64 "/%04x  tr %04x  ldtr %04x", now.gdtr.base,
                now.gdtr.limit, now.idtr.base, now.idtr.limit, now.tr.selector, now.ldtr.selector);
    ImGui::End();
}

void Ui::draw_vga() {
    ImGui::SetNextWindowPos(ImVec2(776, 8), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(656, 470), ImGuiCond_FirstUseEver);
    ImGui::Begin("VGA text screen");
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
    ImGui::SetNextWindowPos(ImVec2(776, 486), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(656, 200), ImGuiCond_FirstUseEver);
    ImGui::Begin("Serial (COM1)");
    ImGui::SetNextItemWidth(-120);
    if (ImGui::InputText("##in", serial_input_, sizeof serial_input_, ImGuiInputTextFlags_EnterReturnsTrue)) {
        dbg_.type_serial(std::string(serial_input_) + "\n");
        serial_input_[0] = 0;
        ImGui::SetKeyboardFocusHere(-1);
    }
    ImGui::SameLine();
    ImGui::Checkbox("follow", &serial_scroll_);
    ImGui::BeginChild("serial_out");
    const std::string& out = dbg_.serial_output();
    ImGui::TextUnformatted(out.data(), out.data() + out.size());
    if (serial_scroll_ && out.size() != serial_seen_) {
        ImGui::SetScrollHereY(1.0f);
        serial_seen_ = out.size();
    }
    ImGui::EndChild();
    ImGui::End();
}

void Ui::draw_memory() {
    ImGui::SetNextWindowPos(ImVec2(776, 694), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(656, 258), ImGuiCond_FirstUseEver);
    ImGui::Begin("Memory");
    ImGui::SetNextItemWidth(180);
    ImGui::InputText("address", mem_addr_, sizeof mem_addr_);
    ImGui::SameLine();
    ImGui::Checkbox("linear (page tables)", &mem_linear_);
    uint64_t addr = 0;
    try {
        addr = std::stoull(mem_addr_, nullptr, 0) & ~0xfull;
    } catch (const std::exception&) {
        ImGui::TextDisabled("a number: 0x... for hex");
        ImGui::End();
        return;
    }
    for (unsigned row = 0; row < 16; ++row) {
        const uint64_t a = addr + row * 16;
        uint8_t b[16];
        uint64_t pa = a;
        const bool ok = mem_linear_ ? dbg_.read_linear(a, b, 16) && dbg_.translate(a, pa) : dbg_.read_phys(a, b, 16);
        if (!ok) {
            ImGui::TextColored(kDim, "%016" PRIx64 "  %s", a, mem_linear_ ? "not mapped" : "no memory here");
            continue;
        }
        char hex[64], asc[17];
        for (unsigned k = 0; k < 16; ++k) {
            std::snprintf(hex + 3 * k, sizeof hex - 3 * k, "%02x ", b[k]);
            asc[k] = b[k] >= 0x20 && b[k] < 0x7f ? char(b[k]) : '.';
        }
        asc[16] = 0;
        if (mem_linear_) ImGui::Text("%016" PRIx64 " (%08" PRIx64 ") %s %s", a, pa, hex, asc);
        else ImGui::Text("%016" PRIx64 "  %s %s", a, hex, asc);
    }
    ImGui::End();
}

void Ui::draw_devices() {
    ImGui::SetNextWindowPos(ImVec2(1440, 8), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(272, 944), ImGuiCond_FirstUseEver);
    ImGui::Begin("Devices", nullptr, ImGuiWindowFlags_HorizontalScrollbar);
    const std::string d = dbg_.sys().machine.dump();
    ImGui::TextUnformatted(d.data(), d.data() + d.size());
    ImGui::End();
}

}  // namespace bs::frontend::debug
