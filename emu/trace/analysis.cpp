#include "emu/trace/analysis.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "cpu/state.h"
#include "emu/machine.h"

namespace bs::emu::trace {

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

const char* exception_name(unsigned v) {
    static const char* kNames[20] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
                                     "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    return v < 20 ? kNames[v] : "exception";
}

// "name" or "name+0x1a".
std::string with_offset(const SymbolLookup& l) {
    std::string s = l.sym->name;
    if (l.offset) {
        s.push_back('+');
        s.append(hex(l.offset));
    }
    return s;
}

// The frames of one task's call tree that are still open.
struct Open {
    Task* task = nullptr;
    std::vector<Node*> stack;  // stack[0] is the root
};

}  // namespace

std::string Symbolizer::name(uint64_t addr, const std::string& program) const {
    if (!program.empty()) {
        const auto it = programs.find(program);
        if (it != programs.end()) {
            const SymbolLookup l = it->second.lookup(addr);
            const std::string base = program.substr(program.find_last_of('/') + 1);
            if (l.sym) return base + ":" + with_offset(l);
            return base + ":" + hex(addr);
        }
    }
    if (kernel && (addr >> 63)) {
        const SymbolLookup l = kernel->lookup(addr);
        if (l.sym) return with_offset(l);
    }
    for (const Region& r : regions) {
        if (addr < r.base || addr - r.base >= r.size) continue;
        const SymbolLookup l = r.table.lookup(addr - r.base);
        if (l.sym) return r.label + ":" + with_offset(l);
    }
    return hex(addr);
}

void ProgramTracker::observe(const Event& e) {
    const Fields& f = e.f;
    if (f.kind == Kind::Exec) {
        pending_ = e.text;
        return;
    }
    if (f.cpl != 3 || f.kind == Kind::Iret || f.kind == Kind::Sysret) return;
    if (!pending_.empty()) {
        by_cr3_[f.cr3] = pending_;
        pending_.clear();
    } else if (!by_cr3_.count(f.cr3) && !last_.empty()) {
        by_cr3_[f.cr3] = last_;
    }
    const std::string& p = program_of(f.cr3);
    if (!p.empty()) last_ = p;
}

const std::string& ProgramTracker::program_of(uint64_t cr3) const {
    static const std::string kNone;
    const auto it = by_cr3_.find(cr3);
    return it != by_cr3_.end() ? it->second : kNone;
}

void Symbolizer::add_boot_regions(const std::string& firmware_image, const std::string& kernel_image,
                                  uint64_t setup_addr) {
    namespace fs = std::filesystem;
    auto region = [&](const fs::path& elf, uint64_t base, const char* label) {
        std::ifstream f(elf, std::ios::binary);
        const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
        if (bytes.empty()) return;
        try {
            regions.push_back({base, 0x10000, label, SymbolTable::from_elf(bytes, elf.string())});
        } catch (const SymbolError& e) {
            spdlog::warn("{}", e.what());
        }
    };
    if (!firmware_image.empty()) region(fs::path(firmware_image).replace_extension(".elf"), 0xf0000, "bios");
    if (setup_addr && !kernel_image.empty()) region(fs::path(kernel_image).parent_path() / "setup.elf", setup_addr, "setup");
}

std::string syscall_name(uint64_t nr) {
    static const std::map<uint64_t, const char*> kNames = {
        {0, "read"},        {1, "write"},      {2, "open"},          {3, "close"},        {4, "stat"},
        {5, "fstat"},       {8, "lseek"},      {9, "mmap"},          {10, "mprotect"},    {11, "munmap"},
        {12, "brk"},        {13, "rt_sigaction"}, {14, "rt_sigprocmask"}, {16, "ioctl"}, {20, "writev"},
        {21, "access"},     {22, "pipe"},      {24, "sched_yield"},  {32, "dup"},         {33, "dup2"},
        {34, "pause"},      {35, "nanosleep"}, {39, "getpid"},       {56, "clone"},       {57, "fork"},
        {58, "vfork"},      {59, "execve"},    {60, "exit"},         {61, "wait4"},       {62, "kill"},
        {63, "uname"},      {72, "fcntl"},     {78, "getdents"},     {79, "getcwd"},      {80, "chdir"},
        {89, "readlink"},   {96, "gettimeofday"}, {102, "getuid"},   {104, "getgid"},     {110, "getppid"},
        {158, "arch_prctl"}, {169, "reboot"},  {186, "gettid"},      {201, "time"},       {217, "getdents64"},
        {228, "clock_gettime"}, {231, "exit_group"}, {257, "openat"}, {262, "newfstatat"}, {318, "getrandom"},
    };
    const auto it = kNames.find(nr);
    return it != kNames.end() ? it->second : "syscall_" + std::to_string(nr);
}

Analysis analyze(const Trace& t, const Symbolizer& syms, uint64_t kernel_stack) {
    Analysis out;
    std::map<std::string, Open> open;  // by task key
    ProgramTracker programs;
    std::string pending_syscall;
    bool have_syscall = false;
    Open* last_kernel = nullptr;
    std::set<std::string> phase_seen;
    auto phase = [&](const std::string& name, const Event& e) {
        if (phase_seen.insert(name).second) out.phases.push_back({name, e.r.icount, e.r.time_ns});
    };
    auto task_for = [&](const std::string& key, const std::string& name) -> Open& {
        Open& o = open[key];
        if (!o.task) {
            out.tasks.push_back(std::make_unique<Task>());
            o.task = out.tasks.back().get();
            o.task->name = name;
            o.stack.push_back(&o.task->root);
        }
        return o;
    };
    auto close_to = [&](Open& o, size_t depth, const Event& e) {  // closes frames stack[depth..]
        while (o.stack.size() > depth && o.stack.size() > 1) {
            Node* n = o.stack.back();
            n->end_icount = e.r.icount;
            n->end_ns = e.r.time_ns;
            n->closed = true;
            o.stack.pop_back();
        }
    };
    auto push = [&](Open& o, Node::Type type, std::string name, uint64_t from, const Event& e) {
        auto n = std::make_unique<Node>();
        n->type = type;
        n->name = std::move(name);
        n->from = from;
        n->start_icount = n->end_icount = e.r.icount;
        n->start_ns = n->end_ns = e.r.time_ns;
        Node* raw = n.get();
        o.stack.back()->children.push_back(std::move(n));
        o.stack.push_back(raw);
    };
    phase("reset", t.events.empty() ? Event{} : t.events.front());

    for (const Event& e : t.events) {
        const Fields& f = e.f;
        out.end_icount = e.r.icount;
        out.end_ns = e.r.time_ns;
        programs.observe(e);
        if (f.kind == Kind::Exec) continue;
        if (f.kind == Kind::Console || f.kind == Kind::PortSummary) continue;
        if (f.kind == Kind::Stop) {
            phase("stop", e);
            continue;
        }
        if (f.kind == Kind::ModeChange) {
            const auto to = bs::cpu::CpuMode(f.aux & 0xff);
            if (to == bs::cpu::CpuMode::Protected16 || to == bs::cpu::CpuMode::Protected32) phase("protected mode", e);
            if (to == bs::cpu::CpuMode::Long64) phase("long mode", e);
            continue;
        }
        if (f.kind == Kind::ControlWrite || f.kind == Kind::Halt) continue;

        // The task the event belongs to.
        Open* o;
        std::string program;
        if (f.cpl == 3 && f.kind != Kind::Iret && f.kind != Kind::Sysret) {
            program = programs.program_of(f.cr3);
            phase("user space", e);
            o = &task_for("u:" + hex(f.cr3), (program.empty() ? "user" : program) + " (cr3 " + hex(f.cr3) + ")");
        } else if (f.kind == Kind::Iret || f.kind == Kind::Sysret) {
            if (!last_kernel) continue;
            o = last_kernel;
        } else {
            const uint64_t base = e.r.rsp & ~(kernel_stack - 1);
            o = &task_for("k:" + hex(base), "kernel stack " + hex(base));
            last_kernel = o;
            if (have_syscall) {
                push(*o, Node::Type::Syscall, "syscall " + pending_syscall, 0, e);
                have_syscall = false;
            }
        }

        switch (f.kind) {
        case Kind::Call: {
            const std::string name = syms.name(e.r.b, program);
            if (name == "start_kernel") phase("start_kernel", e);
            // Direct calls of the boot's main functions, and initcalls, are phases.
            const Node* parent = o->stack.back();
            if (parent->type == Node::Type::Call &&
                (parent->name == "start_kernel" || parent->name == "rest_init" || parent->name == "kernel_init"))
                phase(parent->name + " > " + name, e);
            if (syms.kernel) {
                if (const Initcall* ic = syms.kernel->initcall(e.r.b))
                    phase("initcall level " + std::to_string(ic->level) + " (" + std::string(ic->level_name) + "): " + name, e);
            }
            push(*o, Node::Type::Call, name, e.r.a, e);
            if (syms.kernel && (e.r.b >> 63)) {
                if (const auto sec = syms.kernel->section_of(e.r.b)) o->stack.back()->section = sec->name;
            }
            break;
        }
        case Kind::Return:
            // Close the call whose return address this is (the CALL is 2-15 bytes long).
            for (size_t d = o->stack.size(); d-- > 1;) {
                const Node* n = o->stack[d];
                if (n->type == Node::Type::Call && e.r.b > n->from && e.r.b <= n->from + 15) {
                    close_to(*o, d, e);
                    break;
                }
                if (n->type != Node::Type::Call) break;  // never return through an interrupt frame
            }
            break;
        case Kind::Interrupt:
        case Kind::Nmi:
            push(*o, Node::Type::Interrupt,
                 f.kind == Kind::Nmi ? std::string("NMI")
                 : e.r.c ? "irq " + hex(f.aux) + " (" + interrupt_source_name(int(e.r.c) - 1) + ")"
                         : "irq " + hex(f.aux),
                 e.r.a, e);
            break;
        case Kind::Exception:
            push(*o, Node::Type::Exception,
                 (e.r.c >> 32) ? std::string(exception_name(f.aux)) + " (error " + hex(uint32_t(e.r.c)) + ")"
                               : std::string(exception_name(f.aux)),
                 e.r.a, e);
            break;
        case Kind::SoftInt:
            push(*o, Node::Type::SoftInt, "int " + hex(f.aux), e.r.a, e);
            break;
        case Kind::Iret:
            for (size_t d = o->stack.size(); d-- > 1;) {
                // IRET also ends system calls whose kernel returns that way.
                const Node::Type ty = o->stack[d]->type;
                if (ty == Node::Type::Interrupt || ty == Node::Type::Exception || ty == Node::Type::SoftInt ||
                    ty == Node::Type::Syscall) {
                    close_to(*o, d, e);
                    break;
                }
            }
            break;
        case Kind::Syscall:
            pending_syscall = syscall_name(f.aux);
            have_syscall = true;
            break;
        case Kind::Sysret:
            for (size_t d = o->stack.size(); d-- > 1;) {
                if (o->stack[d]->type == Node::Type::Syscall) {
                    close_to(*o, d, e);
                    break;
                }
            }
            break;
        default: break;
        }
    }
    // Frames still open at the end (the idle loop, the task that powered off).
    for (auto& [key, o] : open) {
        for (size_t d = o.stack.size(); d-- > 1;) {
            o.stack[d]->end_icount = out.end_icount;
            o.stack[d]->end_ns = out.end_ns;
        }
    }
    return out;
}

}  // namespace bs::emu::trace
