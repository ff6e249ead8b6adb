// The debugger window: SDL2 + Dear ImGui on SDL_Renderer, one draw function
// per panel: controls, disassembly, the VGA screen, the serial console, the
// command console, registers, and the inspection tabs (memory, page walk,
// descriptor tables, stack, task, devices: views.h). It reads the machine
// through Debugger and never writes guest state except through Debugger's
// controls, the console's commands, and typed input (keys to the i8042 while
// the VGA pane has focus, lines to COM1 from the serial pane).
//
// Nothing the user starts holds the window: the Continue button and the
// console's running commands (commands.h) run the guest in slices between
// frames, and Pause (or Escape, unless the VGA pane has the keyboard) stops
// them. Time travel (the timeline, back/goto) re-executes at most one
// checkpoint interval inside a frame.
//
// Layout for a 1600x1000 window (the panes can be moved and resized):
//   controls, disassembly | VGA text screen, serial | registers
//   boot timeline         | inspection tabs         | console
#pragma once

#include <SDL.h>

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "console_font.h"
#include "debugger.h"
#include "disasm.h"
#include "views.h"

namespace bs::frontend::debug {

class Timeline;

class Ui {
public:
    explicit Ui(Debugger& dbg) : dbg_(dbg), commands_(dbg, this, CommandRunner::Source::Console) {}
    ~Ui();
    Ui(const Ui&) = delete;
    Ui& operator=(const Ui&) = delete;

    // Opens the window (hidden for scripts). False, with `error`, when SDL
    // cannot make a display or a renderer.
    bool open(bool hidden, std::string& error);
    // Handles events, runs the guest for part of the frame when it is
    // running, draws and presents one frame. False when the user closed it.
    bool frame();
    // Draws a frame and writes it to a .png (else .bmp) file.
    bool screenshot(const std::string& path, std::string& error);
    // The boot timeline and post-mortem panes (timeline.h), drawn when set.
    // The timeline pauses a run before it moves the machine as the Pause
    // button does (a running console command prints where it stopped).
    void set_timeline(Timeline* t);
    // A console font was found (else the VGA pane falls back to ImGui text).
    bool has_font() const { return font_.width() != 0; }
    // Brings an inspection tab to the front from the next frame on (for a
    // command or a screenshot); false when no tab has that name.
    static const char* const kInspectTabs[6];  // "Stack", "Memory", "Page walk", "GDT/IDT/TSS", "Task", "Devices"
    bool show_tab(const std::string& name);

    // ---- running, and the console pane as a person uses it ----
    // (Scripts drive these with console, wait and pause: commands.h.)
    // A console command or the Continue button's run is going on.
    bool running() const { return commands_.running() || dbg_.state() == Debugger::State::Running; }
    // The Pause button (and Escape): stops the running console command,
    // which prints where it stopped, or the Continue button's run.
    void pause();
    // `line` typed into the console and Enter pressed: the next frame runs it.
    void enter_console_line(const std::string& line);
    // The console pane's command runner (what it runs now).
    const CommandRunner& console() const { return commands_; }
    // The Controls pane's status line: what runs and how to stop it
    // ("running: next-phase -- Pause (or Escape) stops it"), else why the
    // machine stopped (Debugger::status).
    std::string status_line() const;
    // Frames drawn since the window opened.
    uint64_t frames() const { return frames_; }
    // Lines the console pane has printed so far, and their text (one '\n'
    // each) from line number `first` on (lines scrolled out are gone).
    uint64_t console_lines() const { return scrollback_dropped_ + scrollback_.size(); }
    std::string console_text_since(uint64_t first) const;

private:
    void draw(bool present);
    void draw_controls();
    void draw_disassembly();
    void draw_registers();
    void draw_inspect();
    void draw_vga();
    void draw_serial();
    void draw_console();
    void update_vga_texture();
    // An SDL key event: set 1 scancodes to the i8042 while the VGA pane has focus.
    void keyboard_event(const SDL_KeyboardEvent& key);
    void release_keys();
    // Runs the console's queued command line (outside any ImGui frame: a
    // command may draw a screenshot); a command that runs the machine only
    // starts here.
    void run_console_command();
    // After the guest's slice: the running console command goes on, and
    // prints its result once it is over.
    void poll_console_command();
    // Adds a command's result (output, error) to the scrollback.
    void console_print(const CommandResult& r);
    void console_add(const std::string& text);
    static int console_input_callback(ImGuiInputTextCallbackData* data);

    Debugger& dbg_;
    Timeline* timeline_ = nullptr;
    bool timeline_placed_ = false;
    Disassembler disasm_;
    ConsoleFont font_;
    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    SDL_Texture* vga_tex_ = nullptr;
    bool imgui_ = false;
    bool quit_ = false;
    bool follow_rip_ = true;
    char break_spec_[128] = "start_kernel";
    bool vga_focused_ = false;
    std::set<SDL_Scancode> keys_down_;  // sent to the guest as pressed, not yet released
    views::HexState hex_;
    views::WalkState walk_;
    views::TablesState tables_;
    std::string select_tab_;  // show_tab()'s request
    char serial_input_[256] = "";
    bool serial_scroll_ = true;
    size_t serial_seen_ = 0;
    uint64_t run_to_ = 0;  // the temporary breakpoint of "Run to"
    bool has_run_to_ = false;

    // The console pane: the command language of --script (commands.h).
    CommandRunner commands_;
    char console_input_[256] = "";
    std::string console_pending_;       // a line entered, run at the next frame
    bool console_has_pending_ = false;
    std::vector<std::string> history_;  // entered lines, oldest first
    int history_pos_ = -1;              // browsing: index into history_, -1 = the new line
    std::deque<std::string> scrollback_;
    uint64_t scrollback_dropped_ = 0;   // lines scrolled out of scrollback_
    bool console_scroll_ = false;
    uint64_t frames_ = 0;
};

}  // namespace bs::frontend::debug
