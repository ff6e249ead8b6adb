// The debugger window: SDL2 + Dear ImGui on SDL_Renderer, one draw function
// per panel (controls, disassembly, registers, memory, VGA screen, serial
// console, devices). It reads the machine through Debugger and never writes
// guest state except through Debugger's controls and typed serial input.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <string>

#include "console_font.h"
#include "debugger.h"
#include "disasm.h"

namespace bs::frontend::debug {

class Ui {
public:
    explicit Ui(Debugger& dbg) : dbg_(dbg) {}
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
    // A console font was found (else the VGA pane falls back to ImGui text).
    bool has_font() const { return font_.width() != 0; }

private:
    void draw(bool present);
    void draw_controls();
    void draw_disassembly();
    void draw_registers();
    void draw_memory();
    void draw_vga();
    void draw_serial();
    void draw_devices();
    void update_vga_texture();

    Debugger& dbg_;
    Disassembler disasm_;
    ConsoleFont font_;
    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    SDL_Texture* vga_tex_ = nullptr;
    bool imgui_ = false;
    bool quit_ = false;
    bool follow_rip_ = true;
    char break_spec_[128] = "start_kernel";
    char mem_addr_[32] = "0xb8000";
    bool mem_linear_ = false;
    char serial_input_[256] = "";
    bool serial_scroll_ = true;
    size_t serial_seen_ = 0;
    uint64_t run_to_ = 0;  // the temporary breakpoint of "Run to"
    bool has_run_to_ = false;
};

}  // namespace bs::frontend::debug
