// From raw trace events to the boot's story: symbol names, tasks, the call
// tree of each task, and the boot phases.
//
// Tasks: kernel code runs on one THREAD_SIZE-aligned kernel stack per task,
// so a CPL 0 event belongs to the task whose stack holds its RSP; a system
// call opens a frame on the kernel task that handles it. User programs are
// told apart by the path the kernel's exec function was called with (an
// Exec event); their CR3 names them from the next ring-3 event on.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emu/trace/reader.h"
#include "emu/trace/symbols.h"

namespace bs::emu::trace {

// Symbols of the kernel and of the user programs.
class Symbolizer {
public:
    std::optional<SymbolTable> kernel;
    std::map<std::string, SymbolTable> programs;  // by path, e.g. "/sbin/init"
    // Code below 4 GiB that is neither the kernel nor a user program: the
    // firmware (at 0xF0000) and the kernel's real-mode setup code, each
    // linked at 0 and run at `base`.
    struct Region {
        uint64_t base, size;
        std::string label;  // "bios", "setup"
        SymbolTable table;
    };
    std::vector<Region> regions;

    // Adds the firmware's symbols (`firmware.elf` beside `firmware_image`,
    // run at 0xF0000) and, when `setup_addr` is not 0, the setup code's
    // (`setup.elf` beside `kernel_image`). A missing ELF adds nothing; a
    // malformed one is logged as a warning.
    void add_boot_regions(const std::string& firmware_image, const std::string& kernel_image, uint64_t setup_addr);
    // "start_kernel", "init:main+0x12" or "0xffffffff81000000".
    std::string name(uint64_t addr, const std::string& program) const;
};

// Which user program each address space (CR3) runs: the path of the last
// exec, given to the next address space seen in ring 3; an address space
// first seen without one (a forked child) runs what ran in ring 3 last.
class ProgramTracker {
public:
    // Feed every event in order.
    void observe(const Event& e);
    // The program of an address space, or "" while unknown.
    const std::string& program_of(uint64_t cr3) const;

private:
    std::map<uint64_t, std::string> by_cr3_;
    std::string pending_, last_;
};

// One frame of a call tree: a function call, an interrupt, an exception or
// a system call, with what happened inside it.
struct Node {
    enum class Type : uint8_t { Root, Call, Interrupt, Exception, SoftInt, Syscall };
    Type type = Type::Root;
    std::string name;
    uint64_t from = 0;  // the CALL's address (return matching), or the interrupted RIP
    std::string section;  // calls into the kernel: the target's section (".text", ".init.text")
    uint64_t start_icount = 0, end_icount = 0;
    uint64_t start_ns = 0, end_ns = 0;
    bool closed = false;
    std::vector<std::unique_ptr<Node>> children;
};

struct Task {
    std::string name;  // "kernel stack 0x...", or the user program's path
    Node root;
};

struct Analysis {
    std::vector<std::unique_ptr<Task>> tasks;  // in order of first appearance
    // Boot phases: name, icount and time where each begins, in order.
    struct Phase {
        std::string name;
        uint64_t icount, time_ns;
    };
    std::vector<Phase> phases;
    uint64_t end_icount = 0, end_ns = 0;
};

// THREAD_SIZE of the bundled guest (16 KiB kernel stacks).
inline constexpr uint64_t kDefaultKernelStack = 16 * 1024;

Analysis analyze(const Trace& t, const Symbolizer& syms, uint64_t kernel_stack = kDefaultKernelStack);

// Linux x86-64 system call names (the numbers the bundled guest uses, and
// the common ones); "syscall_<n>" for others.
std::string syscall_name(uint64_t nr);

}  // namespace bs::emu::trace
