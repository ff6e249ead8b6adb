// The debugger's machine, its breakpoints and its execution control (see
// debugger.h).
#include "debugger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cpu/decoder.h"
#include "cpu/trace.h"
#include "frontend/debug/guest_tasks.h"
#include "frontend/exit_status.h"

namespace bs::frontend::debug {

namespace fs = std::filesystem;
using emu::StopReason;

namespace {

// bootscope run's slicing grid (see debugger.h).
constexpr uint64_t kRunChunk = 2'000'000;
// How far above the stack pointer a return may land and still be "the same
// stack" for step-out (a kernel stack is 16 KiB; beyond it is another task's).
constexpr uint64_t kSameStack = 64 * 1024;

const char* table_name(cpu::TableReg r) {
    switch (r) {
    case cpu::TableReg::Gdtr: return "LGDT";
    case cpu::TableReg::Idtr: return "LIDT";
    case cpu::TableReg::Ldtr: return "LLDT";
    case cpu::TableReg::Tr: return "LTR";
    }
    return "?";
}

// Little-endian value of up to 8 bytes, or the bytes in hex.
std::string show_bytes(const std::vector<uint8_t>& b) {
    if (b.size() <= 8) {
        uint64_t v = 0;
        for (size_t i = 0; i < b.size(); ++i) v |= uint64_t(b[i]) << (8 * i);
        return fmt::format("{:#x}", v);
    }
    std::string s;
    for (uint8_t x : b) s += fmt::format("{:02x}", x);
    return s;
}

}  // namespace

// The CPU's trace hooks, turned into candidate breakpoint hits and stepping
// goals. Only ever asks System to stop: it changes no guest state.
class BreakSink final : public cpu::TraceSink {
public:
    explicit BreakSink(Debugger& d) : d_(d) {}

    // What rearm() tells the hooks to look at.
    bool any_vector = false, any_syscall = false, any_control = false, any_table = false, any_return = false;
    cpu::TraceSink* tap = nullptr;  // Debugger::set_trace_tap
    bool armed = true;              // off during step()'s instruction (Debugger::set_armed)
    bool external_seen = false;     // an asynchronous interrupt was delivered (step())

    // The stepping goal (step_over, step_out, run_to).
    Debugger::Goal goal = Debugger::Goal::None;
    enum class Landing { None, At, Out } landing = Landing::None;
    uint64_t land_target = 0;  // At: a RET/IRET back to here...
    uint64_t land_rsp = 0;     // ... with RSP at least this; Out: RSP above this
    unsigned land_cpl = 0;
    // An interrupt step_over_interrupts runs through: the IRET back to here.
    bool iret_watch = false, iret_seen = false;
    uint64_t iret_target = 0;
    // Return breakpoints: the calls of watched functions still open.
    struct Frame {
        unsigned id;
        uint64_t ret;  // the return address the call pushed
        uint64_t rsp;  // RSP after the push
    };
    std::vector<Frame> frames;

    void call(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override {
        if (tap) tap->call(icount, from, target, rsp);
        if (any_return) open_frame(target, rsp);
        if (goal == Debugger::Goal::Phase || goal == Debugger::Goal::Initcall) check_call_goal(from, target);
    }
    void ret(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override {
        if (tap) tap->ret(icount, from, target, rsp);
        if (!frames.empty()) close_frames(target, rsp);
        returned(target, rsp);
    }
    void sysret(uint64_t icount, uint64_t target) override {
        if (tap) tap->sysret(icount, target);
    }
    void iret(uint64_t icount, uint64_t from, uint64_t target) override {
        if (tap) tap->iret(icount, from, target);
        if (iret_watch && target == iret_target) {
            iret_watch = false;
            iret_seen = true;
            d_.candidate(0, "the interrupt returned");
        }
        returned(target, d_.sys_->cpu.s.gpr[cpu::RSP]);
    }
    void event(uint64_t icount, const cpu::EventRecord& e, uint64_t handler) override {
        if (tap) tap->event(icount, e, handler);
        if (e.kind == cpu::EventKind::External || e.kind == cpu::EventKind::Nmi) external_seen = true;
        if (!armed) return;
        if (goal == Debugger::Goal::Interrupt)
            d_.candidate(0, fmt::format("interrupt: vector {:#x} ({}) to {}", e.vector, kind_name(e.kind),
                                        d_.where_name(handler)));
        if (any_vector) {
            for (const Breakpoint& b : d_.bps_) {
                if (b.kind == BreakKind::Vector && b.enabled && e.vector >= b.lo && e.vector <= b.hi)
                    d_.candidate(b.id, fmt::format("vector {:#x} ({}) at {:#x}:{:#x}, handler {}", e.vector,
                                                   kind_name(e.kind), e.cs, e.rip, d_.where_name(handler)));
            }
        }
    }
    void syscall(uint64_t icount, uint64_t from, uint64_t nr) override {
        if (tap) tap->syscall(icount, from, nr);
        if (!armed || !any_syscall) return;
        for (const Breakpoint& b : d_.bps_) {
            if (b.kind == BreakKind::Syscall && b.enabled && nr == b.lo)
                d_.candidate(b.id, fmt::format("syscall {} ({}) from {:#x}", nr, emu::trace::syscall_name(nr), from));
        }
    }
    void control_write(uint64_t icount, unsigned reg, uint64_t old, uint64_t now) override {
        if (tap) tap->control_write(icount, reg, old, now);
        if (!armed || !any_control) return;
        for (const Breakpoint& b : d_.bps_) {
            if (b.kind != BreakKind::Control || !b.enabled || b.control.reg != reg) continue;
            if (b.control.bit && !((old ^ now) & b.control.bit)) continue;
            d_.candidate(b.id, fmt::format("{} {:#x} -> {:#x} at {}", cpu::control_register_name(reg), old, now,
                                           d_.where_name(d_.sys_->cpu.current_pc())));
        }
    }
    void mode_change(uint64_t icount, cpu::CpuMode from, cpu::CpuMode to, unsigned cpl) override {
        if (tap) tap->mode_change(icount, from, to, cpl);
        // The first entries to protected mode, long mode and user space are
        // boot phases (as `trace phases` names them).
        const bool to_protected = to == cpu::CpuMode::Protected16 || to == cpu::CpuMode::Protected32;
        const bool first_protected = to_protected && protected_at == kNever,
                   first_long = to == cpu::CpuMode::Long64 && long_at == kNever, first_user = cpl == 3 && user_at == kNever;
        if (first_protected) protected_at = icount;
        if (first_long) long_at = icount;
        if (first_user) user_at = icount;
        if (!armed) return;
        if (goal == Debugger::Goal::ModeSwitch && from != to)
            d_.candidate(0, fmt::format("mode switch {} -> {}", cpu::to_string(from), cpu::to_string(to)));
        if (goal == Debugger::Goal::Phase) {
            if (first_protected) d_.candidate(0, "phase: protected mode");
            if (first_long) d_.candidate(0, "phase: long mode");
            if (first_user) d_.candidate(0, "phase: user space");
        }
    }
    void halt(uint64_t icount, uint64_t rip) override {
        if (tap) tap->halt(icount, rip);
    }
    void table_load(uint64_t icount, cpu::TableReg reg, uint16_t selector, uint64_t base, uint64_t limit) override {
        if (tap) tap->table_load(icount, reg, selector, base, limit);
        if (!armed || !any_table) return;
        for (const Breakpoint& b : d_.bps_) {
            if (b.kind != BreakKind::Table || !b.enabled || b.table != reg) continue;
            const bool sel = reg == cpu::TableReg::Ldtr || reg == cpu::TableReg::Tr;
            d_.candidate(b.id, sel ? fmt::format("{} {:#x} (base {:#x} limit {:#x}) at {}", table_name(reg), selector,
                                                 base, limit, d_.where_name(d_.sys_->cpu.current_pc()))
                                   : fmt::format("{} base {:#x} limit {:#x} at {}", table_name(reg), base, limit,
                                                 d_.where_name(d_.sys_->cpu.current_pc())));
        }
    }

    // The instruction that first entered protected mode, long mode, ring 3
    // (kNever: not yet); time travel forgets the ones after where it lands.
    static constexpr uint64_t kNever = ~0ull;
    uint64_t protected_at = kNever, long_at = kNever, user_at = kNever;
    void forget_after(uint64_t position) {
        for (uint64_t* at : {&protected_at, &long_at, &user_at})
            if (*at != kNever && *at >= position) *at = kNever;  // it retires at *at + 1
    }

private:
    static const char* kind_name(cpu::EventKind k) {
        switch (k) {
        case cpu::EventKind::Exception: return "exception";
        case cpu::EventKind::External: return "external";
        case cpu::EventKind::Nmi: return "NMI";
        case cpu::EventKind::SoftwareInt: return "INT n";
        case cpu::EventKind::SoftwareExc: return "INT3/INTO";
        case cpu::EventKind::PrivSoftware: return "INT1";
        }
        return "?";
    }
    // Phases and initcalls are calls (emu/trace/analysis.cpp names them).
    void check_call_goal(uint64_t from, uint64_t target) {
        if (!armed) return;
        const auto& k = d_.syms_.kernel;
        if (!k) return;
        const emu::trace::Initcall* ic = k->initcall(target);
        const emu::trace::SymbolLookup caller = k->lookup(from);
        const std::string caller_name = caller.sym ? caller.sym->name : "";
        // The guest's do_initcalls() calls each through do_one_initcall().
        if (ic && caller_name != "do_one_initcall" && k->find("do_one_initcall")) ic = nullptr;
        if (goal == Debugger::Goal::Initcall) {
            if (ic)
                d_.candidate(0, fmt::format("initcall level {} ({}): {}", ic->level, ic->level_name,
                                            d_.where_name(target)));
            return;
        }
        const emu::trace::SymbolLookup callee = k->lookup(target);
        if (callee.sym && callee.offset == 0 && callee.sym->name == "start_kernel") {
            d_.candidate(0, "phase: start_kernel");
        } else if (caller_name == "start_kernel" || caller_name == "rest_init" || caller_name == "kernel_init") {
            d_.candidate(0, "phase: " + caller_name + " > " + d_.where_name(target));
        } else if (ic) {
            d_.candidate(0, fmt::format("phase: initcall level {} ({}): {}", ic->level, ic->level_name,
                                        d_.where_name(target)));
        }
    }
    // step_over / step_out.
    void returned(uint64_t target, uint64_t rsp) {
        if (!armed || landing == Landing::None) return;
        const bool hit = landing == Landing::At
                             ? target == land_target && rsp >= land_rsp
                             : (rsp > land_rsp && rsp - land_rsp <= kSameStack) || d_.sys_->cpu.s.cpl > land_cpl;
        if (hit) d_.candidate(0, "returned to " + d_.where_name(target));
    }
    void open_frame(uint64_t target, uint64_t rsp) {
        for (const Breakpoint& b : d_.bps_) {
            if (b.kind != BreakKind::Return || !b.enabled || b.lo != target) continue;
            uint8_t buf[8] = {};
            const cpu::Cpu& c = d_.sys_->cpu;
            const unsigned width = c.s.code_size;
            if (!d_.read_linear(c.segment_base(cpu::SS) + rsp, buf, width)) continue;
            uint64_t ret = 0;
            std::memcpy(&ret, buf, width);
            if (width < 8) ret += c.segment_base(cpu::CS);
            // Calls that never returned (a longjmp, a task that died) leave frames
            // deeper than this one: drop them.
            std::erase_if(frames, [&](const Frame& f) { return f.rsp <= rsp && f.id == b.id; });
            frames.push_back({b.id, ret, rsp});
        }
    }
    void close_frames(uint64_t target, uint64_t rsp) {
        for (size_t i = frames.size(); i-- > 0;) {
            const Frame& f = frames[i];
            if (target != f.ret || rsp <= f.rsp) continue;
            if (armed) d_.candidate(f.id, "returned to " + d_.where_name(target));
            frames.erase(frames.begin() + static_cast<long>(i));
        }
    }

    Debugger& d_;
};

// ---------------------------------------------------------------- creation

std::unique_ptr<Debugger> Debugger::create(const RunOptions& opt, int& status) {
    // The machine `bootscope run` would boot with these options.
    emu::MachineConfig cfg;
    LoadedMachine lm;
    if ((status = machine_config(opt, cfg)) || (status = load_machine(opt, cfg, lm))) return nullptr;
    const std::string fw_path = lm.fw_path, kernel_path = lm.kernel_path;
    const emu::BootState boot = lm.boot;
    std::unique_ptr<Debugger> d(new Debugger);
    Debugger* dp = d.get();
    d->sys_ = std::move(lm.sys);
    d->reboot_ = !opt.no_reboot;
    emu::Machine& m = d->sys_->machine;
    m.com1.tx_sink = [dp](uint8_t b) {
        if (dp->serial_.size() < (4u << 20)) {
            dp->serial_.push_back(static_cast<char>(b));
            dp->serial_at_.push_back(dp->sys_->current_instruction());
        }
        if (!dp->sink_->armed) return;
        for (const Breakpoint& bp : dp->bps_) {
            if (bp.kind != BreakKind::Console || !bp.enabled) continue;
            const std::string& s = dp->serial_;
            if (s.size() >= bp.text.size() && s.compare(s.size() - bp.text.size(), bp.text.size(), bp.text) == 0)
                dp->candidate(bp.id, "COM1 printed \"" + bp.text + "\"");
        }
    };
    // Port and MMIO breakpoints ride on the I/O callback --record-io uses.
    m.on_io = [dp, chained = std::move(m.on_io)](emu::Machine::IoKind k, uint64_t addr, unsigned size, uint64_t v) {
        if (chained) chained(k, addr, size, v);
        if (!dp->sink_->armed) return;
        using K = emu::Machine::IoKind;
        const bool port = k == K::PortRead || k == K::PortWrite;
        const bool write = k == K::PortWrite || k == K::MmioWrite;
        for (const Breakpoint& bp : dp->bps_) {
            if (!bp.enabled || bp.kind != (port ? BreakKind::Port : BreakKind::Mmio)) continue;
            if (!(bp.access & (write ? kAccessWrite : kAccessRead))) continue;
            if (addr + size - 1 < bp.lo || addr > bp.hi) continue;
            dp->candidate(bp.id, fmt::format("{} {:#x} {} {:#x} (size {}) at {}", port ? "port" : "mmio", addr,
                                             write ? "write" : "read", v, size,
                                             dp->where_name(dp->sys_->cpu.current_pc())));
        }
    };
    // Watchpoints: a write is seen before it is stored (the old bytes kept
    // for the hit's text), a read with the value it read.
    m.on_watched_write = [dp](uint64_t pa, unsigned size, uint64_t value) { dp->watched_access(pa, size, value, true); };
    m.on_watched_read = [dp](uint64_t pa, unsigned size, uint64_t value) { dp->watched_access(pa, size, value, false); };
    d->sink_ = std::make_unique<BreakSink>(*d);
    d->sys_->cpu.set_trace(d->sink_.get());
    d->load_symbols(fw_path, kernel_path, lm.initrd_path, boot.setup_addr, boot.kind == emu::ImageKind::Linux);
    d->prev_ = d->sys_->cpu.s;
    if (boot.mode != emu::BootState::Mode::ResetVector) d->status_ = "paused at the kernel's entry";
    d->checkpoints_ = std::make_unique<emu::Checkpoints>(
        *d->sys_, emu::Checkpoints::Options{.interval = kCheckpointInterval, .reboot = d->reboot_});
    status = 0;
    return d;
}

void Debugger::set_trace_tap(cpu::TraceSink* tap) { sink_->tap = tap; }

Debugger::~Debugger() {
    if (sys_) {
        sys_->cpu.set_trace(nullptr);
        sys_->machine.com1.tx_sink = nullptr;
        sys_->machine.on_watched_write = nullptr;
        sys_->machine.on_watched_read = nullptr;
    }
}

// As `bootscope trace` names things: vmlinux beside the kernel, the
// firmware's ELF beside its image (at 0xF0000), setup.elf at the setup
// address, the user programs from the initramfs.
void Debugger::load_symbols(const std::string& fw_path, const std::string& kernel_path,
                            const std::string& initrd_path, uint64_t setup_addr, bool linux_kernel) {
    const std::string vmlinux = (fs::path(kernel_path).parent_path() / "vmlinux").string();
    try {
        if (!syms_.add_kernel(vmlinux)) spdlog::warn("no kernel symbols ('{}' not found)", vmlinux);
    } catch (const emu::trace::SymbolError& e) {
        spdlog::warn("{}", e.what());
    }
    syms_.add_boot_regions(fw_path, kernel_path, linux_kernel ? setup_addr : 0);
    if (!initrd_path.empty()) syms_.add_programs(initrd_path);
}

// ---------------------------------------------------------------- names

std::string Debugger::symbol_name(uint64_t lin) const {
    // A user address outside the firmware and setup code: the program the
    // current task runs (its symbols are in the ELF it exec'd).
    std::string program;
    if (!(lin >> 47) && !syms_.programs.empty()) {
        bool boot_code = false;
        for (const auto& r : syms_.regions) boot_code = boot_code || (lin >= r.base && lin - r.base < r.size);
        if (!boot_code) program = current_program(*this);
    }
    const std::string n = syms_.name(lin, program);
    return n.rfind("0x", 0) == 0 ? std::string() : n;
}

std::string Debugger::where_name(uint64_t lin) const {
    const std::string n = symbol_name(lin);
    return n.empty() ? fmt::format("{:#x}", lin) : n;
}

bool Debugger::resolve(const std::string& spec, uint64_t& lin) const {
    if (spec.empty()) return false;
    // SYMBOL+OFFSET
    if (const size_t plus = spec.rfind('+'); plus != std::string::npos && plus > 0) {
        uint64_t base = 0, off = 0;
        if (!resolve(spec.substr(0, plus), base)) return false;
        try {
            size_t used = 0;
            off = std::stoull(spec.substr(plus + 1), &used, 0);
            if (used != spec.size() - plus - 1) return false;
        } catch (const std::exception&) {
            return false;
        }
        lin = base + off;
        return true;
    }
    if (syms_.kernel) {
        if (const auto* s = syms_.kernel->find(spec)) {
            lin = s->addr;
            return true;
        }
    }
    for (const auto& r : syms_.regions) {
        std::string name = spec;
        const std::string prefix = r.label + ":";
        if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
        if (const auto* s = r.table.find(name)) {
            lin = r.base + s->addr;
            return true;
        }
    }
    return parse_number(spec, lin);
}

bool Debugger::is_symbol_start(uint64_t lin) const { return symbol_size(lin) != ~0ull; }

uint64_t Debugger::symbol_size(uint64_t lin) const {
    if (syms_.kernel && (lin >> 63)) {
        const auto l = syms_.kernel->lookup(lin);
        if (l.sym && l.offset == 0) return l.sym->size;
    }
    for (const auto& r : syms_.regions) {
        if (lin < r.base || lin - r.base >= r.size) continue;
        const auto l = r.table.lookup(lin - r.base);
        if (l.sym && l.offset == 0) return l.sym->size;
    }
    return ~0ull;
}

// ---------------------------------------------------------------- memory

bool Debugger::read_phys(uint64_t pa, uint8_t* out, size_t n) const {
    while (n) {
        const size_t chunk = std::min<size_t>(n, 0x1000 - (pa & 0xfff));
        const cpu::PhysPage pg = sys_->machine.page(pa);
        if (!pg.host) return false;
        std::memcpy(out, pg.host + (pa & 0xfff), chunk);
        pa += chunk;
        out += chunk;
        n -= chunk;
    }
    return true;
}

bool Debugger::read_linear(uint64_t lin, uint8_t* out, size_t n) const {
    while (n) {
        const size_t chunk = std::min<size_t>(n, 0x1000 - (lin & 0xfff));
        uint64_t pa;
        if (!translate(lin, pa) || !read_phys(pa, out, chunk)) return false;
        lin += chunk;
        out += chunk;
        n -= chunk;
    }
    return true;
}

// ---------------------------------------------------------------- breakpoints

unsigned Debugger::add_parsed(Breakpoint b) {
    b.id = next_id_++;
    bps_.push_back(std::move(b));
    rearm();
    return bps_.back().id;
}

unsigned Debugger::add(const std::string& text, std::string& err) {
    std::string spec, cond;
    split_condition(text, spec, cond);
    const Resolver res = [this](const std::string& s, uint64_t& v) { return resolve(s, v); };
    Breakpoint b;
    if (!parse_breakpoint(spec, res, b, err)) return 0;
    if (!cond.empty() && !parse_condition(cond, res, b.cond, err)) return 0;
    return add_parsed(std::move(b));
}

unsigned Debugger::add_watch(const std::string& text, std::string& err) {
    std::string spec, cond;
    split_condition(text, spec, cond);
    std::istringstream in(spec);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    // -r: data reads, -a: reads and writes (gdb's rwatch and awatch), -w: writes (the default).
    unsigned access = kAccessWrite;
    std::string flag;
    if (!w.empty() && (w[0] == "-r" || w[0] == "-a" || w[0] == "-w")) {
        flag = w[0];
        access = flag == "-r" ? kAccessRead : flag == "-a" ? kAccessRead | kAccessWrite : kAccessWrite;
        w.erase(w.begin());
    }
    const bool phys = !w.empty() && w[0] == "phys";
    if (phys) w.erase(w.begin());
    if (w.empty() || w.size() > 2 || w[0][0] == '-') {
        err = "usage: watch [-r|-a|-w] [phys] ADDR [LEN]";
        return 0;
    }
    uint64_t addr = 0, len = 0;
    if (!resolve(w[0], addr)) {
        err = "no symbol or address '" + w[0] + "'";
        return 0;
    }
    if (w.size() == 2) {
        if (!resolve(w[1], len) || len == 0 || len > 4096) {
            err = "watch: LEN '" + w[1] + "' is not a length of 1..4096 bytes";
            return 0;
        }
    } else {
        const uint64_t sz = symbol_size(addr);
        len = sz != ~0ull && sz > 0 && sz <= 4096 ? sz : 8;
    }
    Breakpoint b;
    b.kind = BreakKind::Watch;
    b.access = access;
    b.lo = addr;
    if (!phys) {
        // The physical pages under the range now (a range may span two).
        uint64_t first, last;
        if (!translate(addr, first) || !translate(addr + len - 1, last)) {
            err = fmt::format("watch: {:#x} is not mapped now (watch phys ADDR watches a physical address)", addr);
            return 0;
        }
        if (last - first != len - 1) {
            err = "watch: the range is not physically contiguous; watch each page";
            return 0;
        }
        b.lo = first;
    } else if (!sys_->machine.page(addr).host || !sys_->machine.page(addr + len - 1).host) {
        err = fmt::format("watch: physical {:#x} is not memory", addr);
        return 0;
    }
    b.hi = b.lo + len - 1;
    b.spec = (flag.empty() || flag == "-w" ? "" : flag + " ") + (phys ? "phys " : "") + w[0] + " " + std::to_string(len);
    const Resolver res = [this](const std::string& s, uint64_t& v) { return resolve(s, v); };
    if (!cond.empty() && !parse_condition(cond, res, b.cond, err)) return 0;
    return add_parsed(std::move(b));
}

bool Debugger::remove(unsigned id) {
    const size_t before = bps_.size();
    std::erase_if(bps_, [&](const Breakpoint& b) { return b.id == id; });
    if (bps_.size() == before) return false;
    rearm();
    return true;
}

const Breakpoint* Debugger::breakpoint(unsigned id) const {
    for (const Breakpoint& b : bps_)
        if (b.id == id) return &b;
    return nullptr;
}

bool Debugger::set_enabled(unsigned id, bool on) {
    for (Breakpoint& b : bps_) {
        if (b.id != id) continue;
        b.enabled = on;
        rearm();
        return true;
    }
    return false;
}

bool Debugger::set_ignore(unsigned id, uint64_t count) {
    for (Breakpoint& b : bps_) {
        if (b.id != id) continue;
        b.ignore = b.hits + count;  // the next `count` hits
        return true;
    }
    return false;
}

bool Debugger::set_condition(unsigned id, const std::string& text, std::string& err) {
    for (Breakpoint& b : bps_) {
        if (b.id != id) continue;
        Condition c;
        const Resolver res = [this](const std::string& s, uint64_t& v) { return resolve(s, v); };
        if (!text.empty() && !parse_condition(text, res, c, err)) return false;
        b.cond = std::move(c);
        return true;
    }
    err = fmt::format("no breakpoint {}", id);
    return false;
}

void Debugger::add_breakpoint(uint64_t lin) {
    if (code_lin_.count(lin)) return;
    Breakpoint b;
    b.kind = BreakKind::Code;
    b.lo = b.hi = lin;
    const std::string n = symbol_name(lin);
    b.spec = n.empty() ? fmt::format("{:#x}", lin) : n;
    add_parsed(std::move(b));
}

void Debugger::remove_breakpoint(uint64_t lin) {
    std::erase_if(bps_, [&](const Breakpoint& b) { return b.kind == BreakKind::Code && b.lo == lin; });
    rearm();
}

void Debugger::rearm() {
    code_lin_.clear();
    code_phys_.clear();
    sink_->any_vector = sink_->any_syscall = sink_->any_control = sink_->any_table = sink_->any_return = false;
    std::vector<uint64_t> watched, read_watched;
    for (const Breakpoint& b : bps_) {
        if (!b.enabled) continue;
        switch (b.kind) {
        case BreakKind::Code:
            code_lin_.insert(b.lo);
            break;
        case BreakKind::PhysCode:
            code_phys_.insert(b.lo);
            break;
        case BreakKind::Return: sink_->any_return = true; break;
        case BreakKind::Vector: sink_->any_vector = true; break;
        case BreakKind::Syscall: sink_->any_syscall = true; break;
        case BreakKind::Control: sink_->any_control = true; break;
        case BreakKind::Table: sink_->any_table = true; break;
        case BreakKind::Watch:
            for (uint64_t p = b.lo & ~0xfffull; p <= b.hi; p += 0x1000) {
                if (b.access & kAccessWrite) watched.push_back(p);
                if (b.access & kAccessRead) read_watched.push_back(p);
            }
            break;
        case BreakKind::Port:
        case BreakKind::Mmio:
        case BreakKind::Console: break;  // their callbacks walk the list
        }
    }
    if (!sink_->any_return) sink_->frames.clear();
    sys_->machine.set_watched_pages(std::move(watched), std::move(read_watched));
    sys_->cpu.flush_tlb();  // the fast paths of the watched pages changed
    // The CPU checks code breakpoints on entering a block (Cpu::set_code_breakpoints).
    sys_->cpu.set_code_breakpoints({code_lin_.begin(), code_lin_.end()}, {code_phys_.begin(), code_phys_.end()});
}

std::string Debugger::describe_breakpoints() const {
    if (bps_.empty()) return "no breakpoints\n";
    std::string s;
    for (const Breakpoint& b : bps_) {
        s += fmt::format("{:>3} {:<8} {:<3} {}", b.id, to_string(b.kind), b.enabled ? "on" : "off", b.spec);
        if (b.kind == BreakKind::Code || b.kind == BreakKind::Return) s += fmt::format(" at {:#x}", b.lo);
        if (b.kind == BreakKind::Watch) s += fmt::format(" (physical {:#x}-{:#x})", b.lo, b.hi);
        if (!b.cond.empty()) s += " if " + b.cond.text;
        s += fmt::format(", hit {} time{}", b.hits, b.hits == 1 ? "" : "s");
        if (b.ignore > b.hits) s += fmt::format(", ignoring {} more", b.ignore - b.hits);
        s += "\n";
    }
    return s;
}

bool Debugger::save_breakpoints(const std::string& path, std::string& err) const {
    std::ofstream out(path);
    out << "# bootscope debugger breakpoints (load-breakpoints FILE)\n";
    for (const Breakpoint& b : bps_) {
        if (b.temporary) continue;
        out << b.command() << "\n";
        if (b.ignore > b.hits) out << "ignore $ " << (b.ignore - b.hits) << "\n";
        if (!b.enabled) out << "disable $\n";
    }
    if (!out.flush()) {
        err = "cannot write '" + path + "'";
        return false;
    }
    return true;
}

void Debugger::candidate(unsigned id, std::string what, std::vector<uint8_t> old) {
    for (Candidate& c : candidates_) {
        if (c.id != id) continue;
        // The first of an instruction's hits tells (a watch's old value),
        // but a write tells more than a read (an access watchpoint).
        if (c.old.empty() && !old.empty()) c = {id, std::move(what), std::move(old)};
        return;
    }
    candidates_.push_back({id, std::move(what), std::move(old)});
    if (sys_->running()) sys_->request_break();  // after a run the request would stop the next one
}

void Debugger::watched_access(uint64_t pa, unsigned size, uint64_t value, bool write) {
    if (!sink_->armed) return;
    for (const Breakpoint& bp : bps_) {
        if (bp.kind != BreakKind::Watch || !bp.enabled || !(bp.access & (write ? kAccessWrite : kAccessRead)) ||
            pa + size - 1 < bp.lo || pa > bp.hi)
            continue;
        std::vector<uint8_t> old;
        if (write) {
            old.resize(bp.hi - bp.lo + 1);
            read_phys(bp.lo, old.data(), old.size());
        }
        const uint64_t pc = sys_->cpu.current_pc();
        candidate(bp.id, fmt::format("{}-byte {} of {:#x} at {:#x} by {:#x} ({})", size, write ? "write" : "read", value,
                                     pa, pc, where_name(pc)),
                  std::move(old));
    }
}

void Debugger::code_candidates() {
    const uint64_t lin = sys_->cpu.current_pc();
    uint64_t pa = ~0ull;
    if (!code_phys_.empty() && !translate(lin, pa)) pa = ~0ull;
    for (const Breakpoint& b : bps_) {
        if (!b.enabled) continue;
        if (b.kind == BreakKind::Code && b.lo == lin) candidate(b.id, "at " + where_name(lin));
        if (b.kind == BreakKind::PhysCode && b.lo == pa)
            candidate(b.id, fmt::format("at physical {:#x} ({})", pa, where_name(lin)));
    }
}

void Debugger::set_armed(bool on) {
    sink_->armed = on;
    sys_->cpu.code_breakpoints_armed = on && !suspended_;
}


bool Debugger::confirm_hits() {
    if (suspended_) {
        candidates_.clear();
        return false;
    }
    const cpu::Cpu& c = sys_->cpu;
    std::vector<Hit> hits;
    std::vector<unsigned> done;
    for (Candidate& cand : candidates_) {
        if (cand.id == 0) {
            hits.push_back({0, cand.what});
            continue;
        }
        Breakpoint* b = nullptr;
        for (Breakpoint& x : bps_)
            if (x.id == cand.id) b = &x;
        if (!b || !b->enabled || !b->cond.holds(c.s, sys_->instructions())) continue;
        std::string what = cand.what;
        if (b->kind == BreakKind::Watch && !cand.old.empty()) {
            std::vector<uint8_t> now(b->hi - b->lo + 1);
            read_phys(b->lo, now.data(), now.size());
            what += ": old " + show_bytes(cand.old) + ", new " + show_bytes(now);
        }
        what = fmt::format("{} {} ({}): {}", b->kind == BreakKind::Watch ? "watchpoint" : "breakpoint", b->id, b->spec,
                           what);
        if (recording_) {
            recorded_.push_back({sys_->instructions(), b->id, std::move(what)});
            continue;
        }
        ++b->hits;
        hit_log_.push_back({sys_->instructions(), b->id});
        if (b->hits <= b->ignore) continue;
        hits.push_back({b->id, std::move(what)});
        if (b->temporary) done.push_back(b->id);
    }
    candidates_.clear();
    for (unsigned id : done) remove(id);
    if (hits.empty()) return false;
    hits_ = std::move(hits);
    return true;
}

// ---------------------------------------------------------------- execution

void Debugger::finish(StopReason r) {
    last_stop_ = r;
    state_ = State::Finished;
    status_ = std::string("the machine stopped: ") + emu::to_string(r);
    if (r == StopReason::Reset) status_ += " (--no-reboot)";
    end_run();
}

void Debugger::set_hit_status() {
    status_.clear();
    for (const Hit& h : hits_) status_ += (status_.empty() ? "" : "; ") + h.what;
}

void Debugger::stop_on_hits() {
    state_ = State::Paused;
    last_stop_ = StopReason::Break;
    set_hit_status();
    // "step over: returned to ...": the goal of the run reached, nothing else.
    if (!run_label_.empty() && hits_.size() == 1 && hits_[0].id == 0) status_ = run_label_ + ": " + hits_[0].what;
    end_run();
}

void Debugger::end_run() {
    sink_->goal = Goal::None;
    sink_->landing = BreakSink::Landing::None;
    run_end_ = UINT64_MAX;
    run_label_.clear();
}

StopReason Debugger::run_machine(uint64_t n) {
    // System::run, with a snapshot whenever the run passes a multiple of the interval.
    return checkpoints_->run({.max_instructions = n, .reboot = reboot_});
}

StopReason Debugger::run_chunk(uint64_t n) {
    const uint64_t end = sys_->instructions() + n;
    while (sys_->instructions() < end) {
        const uint64_t left = end - sys_->instructions();
        // Slices on `bootscope run`'s grid (see debugger.h).
        const StopReason r = run_machine(std::min(left, kRunChunk - sys_->instructions() % kRunChunk));
        if (r == StopReason::Break && sys_->cpu.code_breakpoints_armed) {
            // The CPU may have stopped before a breakpoint's instruction (or
            // a hook stopped there): its candidates; when none counts, the
            // run goes on through it.
            code_candidates();
            sys_->cpu.skip_code_breakpoint_once();
        }
        if (r != StopReason::InstructionLimit && r != StopReason::Break) {
            candidates_.clear();
            return r;
        }
        if (!candidates_.empty() && confirm_hits()) return StopReason::Break;
    }
    return StopReason::InstructionLimit;
}

bool Debugger::step() {
    if (state_ == State::Finished) return false;
    prev_ = sys_->cpu.s;
    hits_.clear();
    cpu::Cpu& c = sys_->cpu;
    for (int attempt = 0; attempt < 16; ++attempt) {
        const uint64_t pc0 = c.current_pc();
        set_armed(false);
        sink_->external_seen = false;
        const StopReason r = run_machine(1);
        set_armed(true);
        candidates_.clear();
        if (r != StopReason::InstructionLimit && r != StopReason::Break) {
            finish(r);
            return false;
        }
        if (!step_over_interrupts || !sink_->external_seen) break;
        // An interrupt came before the instruction: run the handler to its
        // IRET back to pc0, then take the instruction again. A breakpoint
        // inside the handler stops there.
        sink_->iret_watch = true;
        sink_->iret_seen = false;
        sink_->iret_target = pc0;
        const StopReason r2 = run_chunk(100'000'000);
        sink_->iret_watch = false;
        if (r2 == StopReason::Break && !sink_->iret_seen) {
            state_ = State::Paused;
            last_stop_ = r2;
            set_hit_status();
            return true;
        }
        if (r2 != StopReason::InstructionLimit && r2 != StopReason::Break) {
            finish(r2);
            return false;
        }
        hits_.clear();  // the IRET back is no stop of its own
        if (!sink_->iret_seen) break;  // did not come back (a task switch?): stay in the handler
        if (c.current_pc() != pc0) break;
    }
    state_ = State::Paused;
    status_ = "step";
    return true;
}

// ---- runs: started, then run by complete_run() (scripts) or run_for() (frames)

void Debugger::start_run(uint64_t max_insns, const char* label) {
    resume();
    if (state_ != State::Running) return;  // the machine has stopped for good
    // The limit counts from here.
    const uint64_t now = sys_->instructions();
    run_end_ = max_insns > UINT64_MAX - now ? UINT64_MAX : now + max_insns;
    run_label_ = label;
}

void Debugger::start_continue(uint64_t max_insns) { start_run(max_insns, ""); }

bool Debugger::start_step_over(uint64_t max_insns) {
    if (state_ == State::Finished) return false;
    cpu::Cpu& c = sys_->cpu;
    uint8_t bytes[15] = {};
    unsigned got = 0;
    while (got < 15 && read_linear(c.current_pc() + got, bytes + got, 1)) ++got;
    cpu::DecodedInsn d;
    if (cpu::decode({bytes, got}, c.s.code_size, d) != cpu::DecodeStatus::Ok) {
        step();
        return false;
    }
    const std::string m = cpu::mnemonic(d);
    const bool far_call = m == "call" && (d.form->opcode == 0x9a || (d.form->opcode == 0xff && d.form->reg == 3));
    const bool over = (m == "call" && !far_call) || m == "int" || m == "int3" || m == "into";
    if (!over) {
        step();
        return false;
    }
    const uint64_t mask = c.s.code_size == 8 ? ~0ull : c.s.code_size == 4 ? 0xffffffffull : 0xffffull;
    sink_->landing = BreakSink::Landing::At;
    sink_->land_target = c.segment_base(cpu::CS) + ((c.s.rip + d.len) & mask);
    sink_->land_rsp = c.s.gpr[cpu::RSP];
    hits_.clear();
    start_run(max_insns, "step over");
    return true;
}

void Debugger::start_step_out(uint64_t max_insns) {
    if (state_ == State::Finished) return;
    sink_->landing = BreakSink::Landing::Out;
    sink_->land_rsp = sys_->cpu.s.gpr[cpu::RSP];
    sink_->land_cpl = sys_->cpu.s.cpl;
    hits_.clear();
    start_run(max_insns, "finish");
}

void Debugger::start_run_to(Goal goal, uint64_t max_insns) {
    if (state_ == State::Finished) return;
    sink_->goal = goal;
    hits_.clear();
    start_run(max_insns, "");
}

StopReason Debugger::complete_run() {
    while (state_ == State::Running) {
        if (sys_->instructions() >= run_end_) {
            pause("instruction limit of the command");
            return StopReason::InstructionLimit;
        }
        // At most to the limit: a run_for chunk would overshoot it.
        const StopReason r =
            run_chunk(std::min<uint64_t>(run_end_ - sys_->instructions(), kRunChunk));
        if (r == StopReason::Break) stop_on_hits();
        else if (r != StopReason::InstructionLimit && r != StopReason::TimeLimit) finish(r);
    }
    return last_stop_;
}

bool Debugger::step_over(uint64_t max_insns) {
    if (start_step_over(max_insns)) complete_run();
    return state_ != State::Finished;
}

bool Debugger::step_out(uint64_t max_insns) {
    start_step_out(max_insns);
    complete_run();
    return state_ != State::Finished;
}

bool Debugger::run_to(Goal goal, uint64_t max_insns) {
    start_run_to(goal, max_insns);
    complete_run();
    return state_ != State::Finished;
}

StopReason Debugger::run_until_stop(uint64_t max_insns) {
    start_continue(max_insns);
    return complete_run();
}

void Debugger::resume() {
    if (state_ == State::Finished) return;
    prev_ = sys_->cpu.s;
    state_ = State::Running;
    status_ = "running";
    run_end_ = UINT64_MAX;
    // Off a code breakpoint we may be standing on, without stopping at it again.
    sys_->cpu.skip_code_breakpoint_once();
}

void Debugger::pause(const std::string& why) {
    if (state_ != State::Running) return;
    state_ = State::Paused;
    status_ = why;
    end_run();
}

bool Debugger::run_for(double host_ms) {
    if (state_ != State::Running) return false;
    const auto start = std::chrono::steady_clock::now();
    // Small enough that the last chunk overshoots `host_ms` by about a
    // millisecond (the window's frame rate); stops are invisible, so the
    // size does not change the guest's run.
    constexpr uint64_t chunk = 250'000;
    for (;;) {
        if (sys_->instructions() >= run_end_) {
            pause("instruction limit of the command");
            return true;
        }
        const StopReason r = run_chunk(std::min(chunk, run_end_ - sys_->instructions()));
        if (r == StopReason::Break) {
            stop_on_hits();
            return true;
        }
        if (r != StopReason::InstructionLimit && r != StopReason::TimeLimit) {
            finish(r);
            return true;
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (ms >= host_ms) return false;
    }
}

// ---------------------------------------------------------------- time travel

void Debugger::type_serial(const std::string& bytes) {
    sys_->machine.com1.host_input(bytes);
    // The machine's future changed: re-execution from an older snapshot would not see this input.
    checkpoints_->discard_after(sys_->instructions());
}

void Debugger::forget_after(uint64_t position) {
    // A hit at `position` stopped the machine there: it stays counted.
    while (!hit_log_.empty() && hit_log_.back().icount > position) {
        for (Breakpoint& b : bps_)
            if (b.id == hit_log_.back().id && b.hits) --b.hits;
        hit_log_.pop_back();
    }
    sink_->forget_after(position);
}

void Debugger::trim_serial(uint64_t position) {
    size_t keep = serial_at_.size();
    while (keep > 0 && serial_at_[keep - 1] >= position) --keep;
    serial_.resize(keep);
    serial_at_.resize(keep);
}

// Backwards (a restore, then re-execution) or forwards (running on), with
// breakpoints suspended.
bool Debugger::go_to(uint64_t icount) {
    // A started run ends here: its goal must not stop the re-execution, nor
    // outlive it.
    end_run();
    const uint64_t now = sys_->instructions();
    if (icount < now || state_ == State::Finished) {
        if (icount < checkpoints_->oldest()) {
            status_ = fmt::format("instruction {} is before the oldest checkpoint ({})", icount, checkpoints_->oldest());
            return false;
        }
        // The COM1 log as it was at the snapshot seek() restores; re-execution prints the rest again.
        uint64_t restored = checkpoints_->oldest();
        for (uint64_t p : checkpoints_->positions())
            if (p <= icount) restored = p;
        trim_serial(restored);
        sink_->frames.clear();
        forget_after(icount);
    }
    candidates_.clear();
    suspended_ = true;
    set_armed(sink_->armed);
    StopReason r = StopReason::Break;
    // A hook's stop request ends a piece early (Break): go on.
    while (r == StopReason::Break && sys_->instructions() != icount)
        r = icount < sys_->instructions() || state_ == State::Finished ? checkpoints_->seek(icount)
                                                                       : checkpoints_->run_to(icount);
    suspended_ = false;
    set_armed(sink_->armed);
    candidates_.clear();
    if (sys_->instructions() != icount) {
        finish(r);
        return false;
    }
    state_ = State::Paused;
    return true;
}

bool Debugger::seek(uint64_t icount) {
    prev_ = sys_->cpu.s;
    hits_.clear();
    if (!go_to(icount)) return false;
    status_ = fmt::format("at instruction {}", icount);
    return true;
}

bool Debugger::step_back(uint64_t n) {
    const uint64_t now = sys_->instructions();
    return seek(n > now ? 0 : now - n);
}

bool Debugger::reverse_continue() {
    const uint64_t now = sys_->instructions();
    // Search backwards one checkpoint window at a time: from the snapshot
    // before where the last search began, re-run to there recording hits.
    for (uint64_t end = now; end > checkpoints_->oldest();) {
        const uint64_t from = checkpoints_->window_start(end);
        if (!go_to(from)) return false;
        recorded_.clear();
        recording_ = true;
        StopReason r = StopReason::InstructionLimit;
        while (sys_->instructions() < end) {
            r = run_chunk(end - sys_->instructions());
            if (r != StopReason::InstructionLimit && r != StopReason::Break) break;
        }
        recording_ = false;
        // Not the hit the machine stands on now.
        std::erase_if(recorded_, [&](const Recorded& h) { return h.icount >= now; });
        if (!recorded_.empty()) {
            const Recorded last = recorded_.back();
            if (!seek(last.icount)) return false;
            hits_ = {{last.id, last.what}};
            status_ = fmt::format("back at instruction {}: {}", last.icount, last.what);
            return true;
        }
        end = from;
    }
    seek(now);
    status_ = "reverse-continue: no breakpoint hit since the oldest checkpoint";
    return false;
}

bool Debugger::last_write(uint64_t pa, uint64_t len) {
    Breakpoint b;
    b.kind = BreakKind::Watch;
    b.access = kAccessWrite;
    b.lo = pa;
    b.hi = pa + len - 1;
    b.spec = fmt::format("phys {:#x} {}", pa, len);
    b.temporary = true;
    // Only this watch counts during the search.
    std::vector<bool> was;
    for (Breakpoint& x : bps_) {
        was.push_back(x.enabled);
        x.enabled = false;
    }
    const unsigned id = add_parsed(std::move(b));
    const bool found = reverse_continue();
    remove(id);
    for (size_t i = 0; i < was.size(); ++i) bps_[i].enabled = was[i];
    rearm();
    if (found) status_ = fmt::format("last write of physical {:#x} ({} bytes): {}", pa, len, hits_[0].what);
    else status_ = fmt::format("last-write: nothing wrote {:#x} since the oldest checkpoint", pa);
    return found;
}

void Debugger::save_state(const std::string& name) {
    saved_.insert_or_assign(name, SavedState{emu::Snapshot::take(*sys_), serial_});
}

bool Debugger::compare_state(const std::string& name, std::string& diff) {
    const auto it = saved_.find(name);
    if (it == saved_.end()) {
        diff = "no saved state '" + name + "'";
        return false;
    }
    const emu::Snapshot now = emu::Snapshot::take(*sys_);
    const emu::Snapshot& then = it->second.snap;
    diff.clear();
    if (now.icount() != then.icount())
        diff += fmt::format("instruction count {} (saved {}); ", now.icount(), then.icount());
    if (now.state() != then.state()) diff += "CPU or device state differs; ";
    if (!now.ram().same_contents(then.ram())) diff += "RAM differs; ";
    if (!now.vram().same_contents(then.vram())) diff += "video memory differs; ";
    if (serial_ != it->second.serial)
        diff += fmt::format("COM1 output differs ({} bytes, saved {}); ", serial_.size(), it->second.serial.size());
    if (diff.empty() && !now.same_state(then)) diff = "the snapshots differ; ";
    if (!diff.empty()) diff.resize(diff.size() - 2);
    return diff.empty();
}

}  // namespace bs::frontend::debug
