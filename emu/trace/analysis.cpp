#include "emu/trace/analysis.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "cpu/state.h"
#include "emu/machine.h"
#include "emu/trace/cpio.h"

namespace bs::emu::trace {

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
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

}  // namespace

const char* exception_name(unsigned v) {
    static const char* kNames[20] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
                                     "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    return v < 20 ? kNames[v] : "exception";
}

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

namespace {

// A whole file; empty when it cannot be read.
std::vector<uint8_t> read_whole_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return {};
    return {std::istreambuf_iterator<char>(f), {}};
}

}  // namespace

bool Symbolizer::add_kernel(const std::string& vmlinux) {
    const std::vector<uint8_t> bytes = read_whole_file(vmlinux);
    if (bytes.empty()) return false;
    kernel = SymbolTable::from_elf(bytes, vmlinux);
    return true;
}

void Symbolizer::add_programs(const std::string& initrd) {
    const std::vector<uint8_t> bytes = read_whole_file(initrd);
    if (bytes.empty()) {
        spdlog::warn("initrd '{}' cannot be read (user programs stay unnamed)", initrd);
        return;
    }
    try {
        for (const CpioFile& file : read_cpio(bytes)) {
            const std::vector<uint8_t>& d = file.data;
            if (d.size() < 4 || d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F') continue;
            try {
                programs.emplace(file.path, SymbolTable::from_elf(d, file.path));
            } catch (const SymbolError& e) {
                spdlog::warn("{}", e.what());
            }
        }
    } catch (const CpioError& e) {
        spdlog::warn("initrd '{}': {} (user programs stay unnamed)", initrd, e.what());
    }
}

void Symbolizer::add_boot_regions(const std::string& firmware_image, const std::string& kernel_image,
                                  uint64_t setup_addr) {
    namespace fs = std::filesystem;
    auto region = [&](const fs::path& elf, uint64_t base, const char* label) {
        const std::vector<uint8_t> bytes = read_whole_file(elf.string());
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

Analyzer::Analyzer(const Symbolizer& syms, AnalyzerOptions opt) : syms_(syms), opt_(opt) {}

void Analyzer::phase(const std::string& name, const Event& e) {
    if (phase_seen_.insert(name).second) out_.phases.push_back({name, e.r.icount, e.r.time_ns});
}

Analyzer::Open& Analyzer::task_for(TaskKey key, const std::string& name) {
    Open& o = open_[key];
    if (!o.task) {
        out_.tasks.push_back(std::make_unique<Task>());
        o.task = out_.tasks.back().get();
        o.task->name = name;
        o.index = static_cast<int>(out_.tasks.size() - 1);
        o.stack.push_back(&o.task->root);
        open_by_index_.push_back(&o);
    }
    return o;
}

const Analyzer::Target& Analyzer::target(uint64_t addr) {
    auto [it, added] = targets_.try_emplace(addr);
    if (added) {
        Target& t = it->second;
        t.name = syms_.name(addr, "");
        if (syms_.kernel) {
            t.initcall = syms_.kernel->initcall(addr);
            if (addr >> 63) {
                if (const auto sec = syms_.kernel->section_of(addr)) t.section = sec->name;
            }
        }
    }
    return it->second;
}

void Analyzer::push(Open& o, Node::Type type, std::string name, uint64_t from, const Event& e) {
    auto n = std::make_unique<Node>();
    n->type = type;
    n->name = std::move(name);
    n->from = from;
    n->start_icount = n->end_icount = e.r.icount;
    n->start_ns = n->end_ns = e.r.time_ns;
    Node* raw = n.get();
    o.stack.back()->children.push_back(std::move(n));
    o.stack.push_back(raw);
    ++nodes_;
}

// Closes frames stack[depth..], innermost first. A closed frame is always
// its parent's last child, which is where folding and dropping look.
void Analyzer::close_to(Open& o, size_t depth, const Event& e) {
    while (o.stack.size() > depth && o.stack.size() > 1) {
        Node* n = o.stack.back();
        n->end_icount = e.r.icount;
        n->end_ns = e.r.time_ns;
        n->closed = true;
        o.stack.pop_back();
        if (!n->children.empty()) continue;
        auto& siblings = o.stack.back()->children;
        if (opt_.fold_repeats && siblings.size() >= 2) {
            Node& prev = *siblings[siblings.size() - 2];
            if (prev.closed && prev.children.empty() && prev.type == n->type && prev.name == n->name) {
                prev.repeats += n->repeats;
                prev.folded_insns += n->end_icount - n->start_icount + n->folded_insns;
                prev.dropped += n->dropped;
                siblings.pop_back();
                --nodes_;
                continue;
            }
        }
        if (opt_.max_nodes && nodes_ > opt_.max_nodes) {
            o.stack.back()->dropped += 1 + n->dropped;
            siblings.pop_back();
            --nodes_;
        }
    }
}

void Analyzer::observe(const Event& e) {
    const Fields& f = e.f;
    if (!started_) {
        started_ = true;
        phase("reset", e);
    }
    out_.end_icount = e.r.icount;
    out_.end_ns = e.r.time_ns;
    programs_.observe(e);
    if (f.kind == Kind::Exec) return;
    if (f.kind == Kind::Console || f.kind == Kind::PortSummary) return;
    if (f.kind == Kind::Stop) {
        phase("stop", e);
        return;
    }
    if (f.kind == Kind::ModeChange) {
        const auto to = bs::cpu::CpuMode(f.aux & 0xff);
        if (to == bs::cpu::CpuMode::Protected16 || to == bs::cpu::CpuMode::Protected32) phase("protected mode", e);
        if (to == bs::cpu::CpuMode::Long64) phase("long mode", e);
        return;
    }
    if (f.kind == Kind::ControlWrite || f.kind == Kind::Halt) return;

    // The task the event belongs to.
    Open* o;
    std::string program;
    if (f.cpl == 3 && f.kind != Kind::Iret && f.kind != Kind::Sysret) {
        program = programs_.program_of(f.cr3);
        phase("user space", e);
        const TaskKey key{true, f.cr3};
        o = open_.count(key) ? &open_[key]
                             : &task_for(key, (program.empty() ? "user" : program) + " (cr3 " + hex(f.cr3) + ")");
    } else if (f.kind == Kind::Iret || f.kind == Kind::Sysret) {
        if (!last_kernel_) return;
        o = last_kernel_;
    } else {
        const uint64_t base = e.r.rsp & ~(opt_.kernel_stack - 1);
        const TaskKey key{false, base};
        o = open_.count(key) ? &open_[key] : &task_for(key, "kernel stack " + hex(base));
        last_kernel_ = o;
        if (have_syscall_) {
            push(*o, Node::Type::Syscall, "syscall " + pending_syscall_, 0, e);
            have_syscall_ = false;
        }
    }
    last_task_ = o->index;

    switch (f.kind) {
    case Kind::Call: {
        // Kernel and firmware targets are looked up once; user programs' each time.
        Target user;
        const Target* t = &user;
        if (program.empty()) {
            t = &target(e.r.b);
        } else {
            user.name = syms_.name(e.r.b, program);
            if (syms_.kernel) user.initcall = syms_.kernel->initcall(e.r.b);
        }
        const std::string& name = t->name;
        if (name == "start_kernel") phase("start_kernel", e);
        // Direct calls of the boot's main functions, and initcalls, are phases.
        const Node* parent = o->stack.back();
        if (parent->type == Node::Type::Call &&
            (parent->name == "start_kernel" || parent->name == "rest_init" || parent->name == "kernel_init"))
            phase(parent->name + " > " + name, e);
        if (t->initcall)
            phase("initcall level " + std::to_string(t->initcall->level) + " (" + std::string(t->initcall->level_name) +
                      "): " + name,
                  e);
        push(*o, Node::Type::Call, name, e.r.a, e);
        o->stack.back()->section = t->section;
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
        pending_syscall_ = syscall_name(f.aux);
        have_syscall_ = true;
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

std::vector<const Node*> Analyzer::open_frames(size_t task) const {
    std::vector<const Node*> out;
    if (task < open_by_index_.size()) {
        const auto& stack = open_by_index_[task]->stack;
        out.assign(stack.begin() + 1, stack.end());
    }
    return out;
}

Analysis Analyzer::finish() && {
    if (!started_) out_.phases.push_back({"reset", 0, 0});
    // Frames still open at the end (the idle loop, the task that powered off).
    for (auto& [key, o] : open_) {
        for (size_t d = o.stack.size(); d-- > 1;) {
            o.stack[d]->end_icount = out_.end_icount;
            o.stack[d]->end_ns = out_.end_ns;
        }
    }
    return std::move(out_);
}

Analysis analyze(const Trace& t, const Symbolizer& syms, uint64_t kernel_stack) {
    Analyzer a(syms, {.kernel_stack = kernel_stack});
    for (const Event& e : t.events) a.observe(e);
    return std::move(a).finish();
}

}  // namespace bs::emu::trace
