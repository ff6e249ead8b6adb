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
#include <set>
#include <string>
#include <utility>
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

    // Reads `vmlinux` into `kernel`. False when the file cannot be read (or
    // is empty); a malformed ELF throws SymbolError.
    bool add_kernel(const std::string& vmlinux);
    // Adds the firmware's symbols (`firmware.elf` beside `firmware_image`,
    // run at 0xF0000) and, when `setup_addr` is not 0, the setup code's
    // (`setup.elf` beside `kernel_image`). A missing ELF adds nothing; a
    // malformed one is logged as a warning.
    void add_boot_regions(const std::string& firmware_image, const std::string& kernel_image, uint64_t setup_addr);
    // Adds every ELF file of the initramfs `initrd` (a newc cpio) to
    // `programs`, by its path. Unreadable or malformed files are logged as
    // warnings and leave the programs unnamed.
    void add_programs(const std::string& initrd);
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
    // Bounded trees (AnalyzerOptions; never in analyze()'s): identical leaf
    // calls folded into this node -- how many in all, and the instructions
    // of those beyond the first -- and the closed children left out.
    uint64_t repeats = 1, folded_insns = 0, dropped = 0;
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

struct AnalyzerOptions {
    uint64_t kernel_stack = kDefaultKernelStack;
    // For a tree that grows for a whole session (the debugger's timeline):
    // a closed leaf identical to its previous sibling is folded into it
    // (Node::repeats), and once the tree holds `max_nodes` nodes, closed
    // leaves are left out (counted in their parent's Node::dropped). Frames
    // are still opened and closed as they happen, so phases do not change.
    bool fold_repeats = false;
    size_t max_nodes = 0;  // 0: no limit
};

// analyze(), one event at a time: the debugger feeds it events as the
// machine makes them. Phases and trees are analyze()'s for the same events.
class Analyzer {
public:
    explicit Analyzer(const Symbolizer& syms, AnalyzerOptions opt = {});
    void observe(const Event& e);
    // The analysis so far: frames still open have closed == false and end
    // where they started.
    const Analysis& current() const { return out_; }
    // The whole analysis: open frames end at the last event.
    Analysis finish() &&;

    // The task of the last event (an index into tasks), -1 before any.
    int last_task() const { return last_task_; }
    // The frames open in a task, outermost first (the root excluded).
    std::vector<const Node*> open_frames(size_t task) const;
    size_t nodes() const { return nodes_; }
    // The user program an address space runs ("" while unknown).
    const std::string& program_of(uint64_t cr3) const { return programs_.program_of(cr3); }

private:
    // A task's key: a user address space (by CR3) or a kernel stack (by base).
    using TaskKey = std::pair<bool, uint64_t>;
    // The frames of one task's call tree that are still open.
    struct Open {
        Task* task = nullptr;
        int index = -1;
        std::vector<Node*> stack;  // stack[0] is the root
    };
    // What a call to a kernel or firmware address is: looked up once per address.
    struct Target {
        std::string name, section;
        const Initcall* initcall = nullptr;
    };
    const Target& target(uint64_t addr);
    Open& task_for(TaskKey key, const std::string& name);
    void phase(const std::string& name, const Event& e);
    void push(Open& o, Node::Type type, std::string name, uint64_t from, const Event& e);
    void close_to(Open& o, size_t depth, const Event& e);

    const Symbolizer& syms_;
    AnalyzerOptions opt_;
    Analysis out_;
    std::map<TaskKey, Open> open_;
    std::vector<Open*> open_by_index_;
    std::map<uint64_t, Target> targets_;
    ProgramTracker programs_;
    std::string pending_syscall_;
    bool have_syscall_ = false;
    bool started_ = false;
    Open* last_kernel_ = nullptr;
    int last_task_ = -1;
    std::set<std::string> phase_seen_;
    size_t nodes_ = 0;
};

// "#PF" for exception vectors 0-19, "exception" beyond.
const char* exception_name(unsigned vector);

// Linux x86-64 system call names (the numbers the bundled guest uses, and
// the common ones); "syscall_<n>" for others.
std::string syscall_name(uint64_t nr);

}  // namespace bs::emu::trace
