// The debugger's machine and its execution control (see debugger.h).
#include "debugger.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cpu/trace.h"
#include "frontend/exit_status.h"

namespace bs::frontend::debug {

namespace fs = std::filesystem;
using emu::StopReason;

// Breakpoints on transfer targets, and the IRET that ends an interrupt a
// step ran into. Only ever asks System to stop: it changes no guest state.
class BreakSink final : public cpu::TraceSink {
public:
    BreakSink(emu::System& sys, const std::set<uint64_t>& bps) : sys_(sys), bps_(bps) {}

    void call(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override {
        if (tap) tap->call(icount, from, target, rsp);
        landed(target);
    }
    void ret(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override {
        if (tap) tap->ret(icount, from, target, rsp);
        landed(target);
    }
    void sysret(uint64_t icount, uint64_t target) override {
        if (tap) tap->sysret(icount, target);
        landed(target);
    }
    void iret(uint64_t icount, uint64_t from, uint64_t target) override {
        if (tap) tap->iret(icount, from, target);
        if (iret_watch_ && target == iret_target_) {
            iret_watch_ = false;
            iret_seen_ = true;
            sys_.request_break();
        }
        landed(target);
    }
    void event(uint64_t icount, const cpu::EventRecord& e, uint64_t handler) override {
        if (tap) tap->event(icount, e, handler);
        if (e.kind == cpu::EventKind::External || e.kind == cpu::EventKind::Nmi) external_seen_ = true;
    }
    void syscall(uint64_t icount, uint64_t from, uint64_t nr) override {
        if (tap) tap->syscall(icount, from, nr);
    }
    void control_write(uint64_t icount, unsigned reg, uint64_t old, uint64_t now) override {
        if (tap) tap->control_write(icount, reg, old, now);
    }
    void mode_change(uint64_t icount, cpu::CpuMode from, cpu::CpuMode to, unsigned cpl) override {
        if (tap) tap->mode_change(icount, from, to, cpl);
    }
    void halt(uint64_t icount, uint64_t rip) override {
        if (tap) tap->halt(icount, rip);
    }

    cpu::TraceSink* tap = nullptr;  // Debugger::set_trace_tap
    bool armed = true;  // off while stepping off a breakpoint
    bool external_seen_ = false;
    bool iret_watch_ = false, iret_seen_ = false;
    uint64_t iret_target_ = 0;

private:
    void landed(uint64_t target) {
        if (armed && bps_.count(target)) sys_.request_break();
    }
    emu::System& sys_;
    const std::set<uint64_t>& bps_;
};

namespace {

std::vector<uint8_t> slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return {};
    return {std::istreambuf_iterator<char>(f), {}};
}

}  // namespace

std::unique_ptr<Debugger> Debugger::create(const RunOptions& opt, int& status) {
    // The machine `bootscope run` would boot with these options.
    emu::MachineConfig cfg;
    LoadedMachine lm;
    if ((status = machine_config(opt, cfg)) || (status = load_machine(opt, cfg, lm))) return nullptr;
    const std::string fw_path = lm.fw_path, kernel_path = lm.kernel_path;
    const emu::BootState boot = lm.boot;
    std::unique_ptr<Debugger> d(new Debugger);
    d->sys_ = std::move(lm.sys);
    d->reboot_ = !opt.no_reboot;
    d->sys_->machine.com1.tx_sink = [dp = d.get()](uint8_t b) {
        if (dp->serial_.size() < (4u << 20)) dp->serial_.push_back(static_cast<char>(b));
    };
    d->sink_ = std::make_unique<BreakSink>(*d->sys_, d->breakpoints_);
    d->sys_->cpu.set_trace(d->sink_.get());
    d->load_symbols(fw_path, kernel_path, boot.setup_addr, boot.kind == emu::ImageKind::Linux);
    d->prev_ = d->sys_->cpu.s;
    if (boot.mode != emu::BootState::Mode::ResetVector) d->status_ = "paused at the kernel's entry";
    status = 0;
    return d;
}

void Debugger::set_trace_tap(cpu::TraceSink* tap) { sink_->tap = tap; }

Debugger::~Debugger() {
    if (sys_) sys_->cpu.set_trace(nullptr);
}

// As `bootscope trace` names things: vmlinux beside the kernel, the
// firmware's ELF beside its image (at 0xF0000), setup.elf at the setup address.
void Debugger::load_symbols(const std::string& fw_path, const std::string& kernel_path, uint64_t setup_addr,
                            bool linux_kernel) {
    using emu::trace::SymbolTable;
    const fs::path vmlinux = fs::path(kernel_path).parent_path() / "vmlinux";
    const std::vector<uint8_t> k = slurp(vmlinux.string());
    try {
        if (!k.empty()) syms_.kernel = SymbolTable::from_elf(k, vmlinux.string());
        else spdlog::warn("no kernel symbols ('{}' not found)", vmlinux.string());
    } catch (const emu::trace::SymbolError& e) {
        spdlog::warn("{}", e.what());
    }
    syms_.add_boot_regions(fw_path, kernel_path, linux_kernel ? setup_addr : 0);
}

std::string Debugger::symbol_name(uint64_t lin) const {
    const std::string n = syms_.name(lin, "");
    return n.rfind("0x", 0) == 0 ? std::string() : n;
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
    try {
        size_t used = 0;
        lin = std::stoull(spec, &used, 0);
        return used == spec.size();
    } catch (const std::exception&) {
        return false;
    }
}

bool Debugger::is_symbol_start(uint64_t lin) const {
    if (syms_.kernel && (lin >> 63)) {
        const auto l = syms_.kernel->lookup(lin);
        if (l.sym && l.offset == 0) return true;
    }
    for (const auto& r : syms_.regions) {
        if (lin < r.base || lin - r.base >= r.size) continue;
        const auto l = r.table.lookup(lin - r.base);
        if (l.sym && l.offset == 0) return true;
    }
    return false;
}

bool Debugger::read_phys(uint64_t pa, uint8_t* out, size_t n) {
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

bool Debugger::read_linear(uint64_t lin, uint8_t* out, size_t n) {
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

void Debugger::add_breakpoint(uint64_t lin) {
    if (breakpoints_.insert(lin).second && !is_symbol_start(lin)) ++precise_;
}

void Debugger::remove_breakpoint(uint64_t lin) {
    if (breakpoints_.erase(lin) && !is_symbol_start(lin)) --precise_;
}

void Debugger::finish(StopReason r) {
    last_stop_ = r;
    state_ = State::Finished;
    status_ = std::string("the machine stopped: ") + emu::to_string(r);
    if (r == StopReason::Reset) status_ += " (--no-reboot)";
}

bool Debugger::step() {
    if (state_ == State::Finished) return false;
    prev_ = sys_->cpu.s;
    cpu::Cpu& c = sys_->cpu;
    for (int attempt = 0; attempt < 16; ++attempt) {
        const uint64_t pc0 = c.current_pc();
        sink_->armed = false;
        sink_->external_seen_ = false;
        const StopReason r = sys_->run({.max_instructions = 1, .reboot = reboot_});
        sink_->armed = true;
        if (r != StopReason::InstructionLimit && r != StopReason::Break) {
            finish(r);
            return false;
        }
        if (!step_over_interrupts || !sink_->external_seen_) break;
        // An interrupt came before the instruction: run the handler to its
        // IRET back to pc0, then take the instruction again.
        sink_->iret_watch_ = true;
        sink_->iret_seen_ = false;
        sink_->iret_target_ = pc0;
        const StopReason r2 = sys_->run({.max_instructions = 100'000'000, .reboot = reboot_});
        sink_->iret_watch_ = false;
        if (r2 != StopReason::Break && r2 != StopReason::InstructionLimit) {
            finish(r2);
            return false;
        }
        if (!sink_->iret_seen_) break;  // did not come back (a task switch?): stay in the handler
        if (c.current_pc() != pc0) break;
        // A breakpoint hit inside the handler stops there too.
    }
    state_ = State::Paused;
    status_ = "step";
    return true;
}

void Debugger::resume() {
    if (state_ == State::Finished) return;
    prev_ = sys_->cpu.s;
    state_ = State::Running;
    status_ = "running";
    // Off a breakpoint we are standing on, without stopping at it again.
    if (breakpoints_.count(sys_->cpu.current_pc())) {
        sink_->armed = false;
        const StopReason r = sys_->run({.max_instructions = 1, .reboot = reboot_});
        sink_->armed = true;
        if (r != StopReason::InstructionLimit && r != StopReason::Break) finish(r);
    }
}

void Debugger::pause(const std::string& why) {
    if (state_ != State::Running) return;
    state_ = State::Paused;
    status_ = why;
}

StopReason Debugger::run_chunk(uint64_t n) {
    cpu::Cpu& c = sys_->cpu;
    if (precise_ == 0) {
        // Slices on `bootscope run`'s grid (its 2M-instruction chunks from
        // instruction 0), so that a boot the debugger only continues sees what
        // `run` gives it: devices see virtual time advance per slice.
        constexpr uint64_t kRunChunk = 2'000'000;
        n = std::min(n, kRunChunk - sys_->instructions() % kRunChunk);
        const StopReason r = sys_->run({.max_instructions = n, .reboot = reboot_});
        if (r == StopReason::InstructionLimit && breakpoints_.count(c.current_pc())) return StopReason::Break;
        return r;
    }
    for (uint64_t k = 0; k < n; ++k) {
        const StopReason r = sys_->run({.max_instructions = 1, .reboot = reboot_});
        if (r != StopReason::InstructionLimit) return r;
        if (breakpoints_.count(c.current_pc())) return StopReason::Break;
    }
    return StopReason::InstructionLimit;
}

bool Debugger::run_for(double host_ms) {
    if (state_ != State::Running) return false;
    const auto start = std::chrono::steady_clock::now();
    const uint64_t chunk = precise_ ? 20'000 : 2'000'000;
    for (;;) {
        const StopReason r = run_chunk(chunk);
        if (r == StopReason::Break) {
            state_ = State::Paused;
            last_stop_ = r;
            const uint64_t pc = sys_->cpu.current_pc();
            const std::string n = symbol_name(pc);
            status_ = "breakpoint at " + (n.empty() ? fmt::format("{:#x}", pc) : n);
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

StopReason Debugger::run_until_stop(uint64_t max_insns) {
    resume();
    if (state_ == State::Finished) return last_stop_;
    const uint64_t end = sys_->instructions() + max_insns;
    while (state_ == State::Running) {
        if (sys_->instructions() >= end) {
            pause("instruction limit of the command");
            return StopReason::InstructionLimit;
        }
        run_for(50);
    }
    return last_stop_;
}

}  // namespace bs::frontend::debug
