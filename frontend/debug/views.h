// The debugger window's inspection panes, one draw function each, and the
// decoding they share. Every view reads the machine through Debugger (its
// System, symbols and side-effect-free memory reads) and the devices' const
// getters; none of them writes guest state.
//
//   views_cpu.cpp       registers: GPRs, RIP, RFLAGS, segments with their
//                       descriptor caches, control registers, EFER and MSRs
//   views_memory.cpp    hex dump, page-table walk, GDT/IDT/TSS, the stack
//                       with return addresses, the current task
//   views_devices.cpp   PIC, PIT, RTC, local APIC, IOAPIC, UART, i8042
//   views_keyboard.cpp  SDL keys -> PC scancode set 1 (the VGA pane's input)
#pragma once

#include <SDL.h>
#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "debugger.h"
#include "disasm.h"
#include "guest_tasks.h"

namespace bs::frontend::debug::views {

// Colours every pane uses.
inline const ImVec4 kChanged{1.0f, 0.75f, 0.2f, 1.0f};  // a value the last step or run changed
inline const ImVec4 kDim{0.6f, 0.6f, 0.6f, 1.0f};
inline const ImVec4 kCurrent{0.4f, 1.0f, 0.4f, 1.0f};
inline const ImVec4 kBad{1.0f, 0.35f, 0.35f, 1.0f};    // faults, breakpoints
inline const ImVec4 kLabel{0.5f, 0.75f, 1.0f, 1.0f};

// ---- registers ----
void registers(Debugger& dbg);

// ---- memory ----
struct HexState {
    char addr[32] = "0xb8000";
    bool linear = false;
};
void hex_dump(Debugger& dbg, HexState& st);

// One level of a page-table walk (SDM Vol. 3A §4.3 32-bit, §4.4 PAE, §4.5
// 4-level paging).
struct WalkLevel {
    const char* name;        // "PML4E", "PDPTE", "PDE", "PTE"
    uint64_t table = 0;      // physical address of the table
    unsigned index = 0;      // entry number in it
    uint64_t entry = 0;      // the entry as read
    unsigned entry_size = 8; // 4 for 32-bit paging
    bool read_ok = true;     // the table is in readable memory
};
struct Walk {
    const char* mode = "";   // "no paging", "32-bit", "PAE", "4-level"
    std::vector<WalkLevel> levels;
    bool mapped = false;
    uint64_t phys = 0;       // when mapped
    uint64_t page_size = 0;  // 4 KiB, 2/4 MiB, 1 GiB
    bool writable = false, user = false, nx = false;  // effective rights
    std::string fault;       // why the walk ends without a page
};
Walk walk(Debugger& dbg, uint64_t lin);
// "P RW US A D PS G NX" for an entry (only the bits that are set).
std::string entry_flags(uint64_t entry, bool leaf, bool nx_valid);

struct WalkState {
    char addr[32] = "";
};
void page_walk(Debugger& dbg, WalkState& st);

struct TablesState {
    int table = 0;  // 0 GDT, 1 IDT, 2 TSS
};
void descriptor_tables(Debugger& dbg, TablesState& st);

// A return address on the stack: the word at `slot` points just after a
// CALL instruction into known code.
struct StackWord {
    uint64_t slot = 0, value = 0;
    bool return_address = false;
    std::string symbol;
};
void stack(Debugger& dbg, const Disassembler& disasm);

// The guest's current task and task list (guest_tasks.h).
using debug::all_tasks;
using debug::current_task;
using debug::GuestTask;
void task(Debugger& dbg);

// ---- devices ----
void devices(Debugger& dbg);

// ---- keyboard ----
// The set 1 bytes for an SDL key going down (or repeating) or up: make or
// break code with its 0xE0 prefix for the extended keys, PrintScreen's
// four-byte sequences, Pause's six bytes (on the way down only); empty for
// keys a PC keyboard does not have.
std::vector<uint8_t> set1_scancodes(SDL_Scancode key, bool down);

}  // namespace bs::frontend::debug::views
