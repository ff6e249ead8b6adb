#include "emu/trace/live.h"

#include <cinttypes>
#include <cstdio>

#include "cpu/cpu.h"
#include "emu/machine.h"

namespace bs::emu::trace {

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

}  // namespace

LiveTrace::LiveTrace(System& sys, const Symbolizer& syms, LiveLimits limits)
    : sys_(sys),
      syms_(syms),
      limits_(limits),
      recorder_(sys, *this),
      analyzer_(syms, {.fold_repeats = true, .max_nodes = limits.tree_nodes}) {
    for (const Symbolizer::Region& r : syms.regions)
        if (r.label == "setup") setup_region_ = &r;
    previous_tx_ = sys_.machine.com1.tx_sink;
    sys_.machine.com1.tx_sink = [this](uint8_t b) {
        // A byte's instruction count: the OUT that sent it.
        if (fresh(sys_.cpu.trace_icount())) recorder_.console_byte(b);
        if (previous_tx_) previous_tx_(b);
    };
    last_position_ = sys_.instructions();
}

LiveTrace::~LiveTrace() { sys_.machine.com1.tx_sink = previous_tx_; }

void LiveTrace::sync() {
    const uint64_t now = sys_.instructions();
    if (now < last_position_) {
        replaying_ = true;
        replayed_at_frontier_ = 0;
    }
    last_position_ = now;
}

bool LiveTrace::fresh(uint64_t icount) {
    if (icount > frontier_) {
        frontier_ = icount;
        at_frontier_ = 1;
        replaying_ = false;
        return true;
    }
    if (icount < frontier_) {
        // Before the frontier: re-executed after a rewind.
        replaying_ = true;
        replayed_at_frontier_ = 0;
        ++replayed_;
        return false;
    }
    if (replaying_ && replayed_at_frontier_ < at_frontier_) {
        ++replayed_at_frontier_;
        ++replayed_;
        return false;
    }
    replaying_ = false;
    ++at_frontier_;
    return true;
}

void LiveTrace::stopped(StopReason why) {
    if (fresh(sys_.instructions())) recorder_.finish(why);
}

void LiveTrace::keep(Lane l, const Event& e) {
    std::vector<Event>& v = lanes_[static_cast<size_t>(l)];
    if (v.size() < limits_.lane_events) v.push_back(e);
    else ++dropped_[static_cast<size_t>(l)];
}

// Every kept event: the analysis, its lane, the ring.
void LiveTrace::record(const Event& e) {
    ++events_;
    analyzer_.observe(e);
    const int task = analyzer_.last_task();
    if (task >= 0 && (task_switches_.empty() || task_switches_.back().task != task))
        task_switches_.push_back({e.r.icount, task});
    switch (e.f.kind) {
    case Kind::ModeChange:
    case Kind::ControlWrite: keep(Lane::Mode, e); break;
    case Kind::Interrupt:
    case Kind::Nmi:
    case Kind::Exception:
    case Kind::SoftInt: keep(Lane::Interrupt, e); break;
    case Kind::Syscall: keep(Lane::Syscall, e); break;
    case Kind::Console: keep(Lane::Console, e); break;
    case Kind::Exec: keep(Lane::Task, e); break;
    default: break;
    }
    const bool has_address = e.f.kind == Kind::Call || e.f.kind == Kind::Return || e.f.kind == Kind::SoftInt ||
                             e.f.kind == Kind::Exception || e.f.kind == Kind::Interrupt;
    if (setup_region_ && setup_entry_ == UINT64_MAX && has_address && e.r.a - setup_region_->base < setup_region_->size)
        setup_entry_ = e.r.icount;
    if (ring_.size() == limits_.ring) ring_.pop_front();
    ring_.push_back(e);
}

void LiveTrace::call(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) {
    if (fresh(icount)) recorder_.call(icount, from, target, rsp);
}
void LiveTrace::ret(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) {
    if (fresh(icount)) recorder_.ret(icount, from, target, rsp);
}
void LiveTrace::event(uint64_t icount, const cpu::EventRecord& e, uint64_t handler) {
    if (fresh(icount)) recorder_.event(icount, e, handler);
}
void LiveTrace::iret(uint64_t icount, uint64_t from, uint64_t target) {
    if (fresh(icount)) recorder_.iret(icount, from, target);
}
void LiveTrace::syscall(uint64_t icount, uint64_t from, uint64_t nr) {
    if (fresh(icount)) recorder_.syscall(icount, from, nr);
}
void LiveTrace::sysret(uint64_t icount, uint64_t target) {
    if (fresh(icount)) recorder_.sysret(icount, target);
}
void LiveTrace::control_write(uint64_t icount, unsigned reg, uint64_t old, uint64_t now) {
    if (fresh(icount)) recorder_.control_write(icount, reg, old, now);
}
void LiveTrace::mode_change(uint64_t icount, cpu::CpuMode from, cpu::CpuMode to, unsigned cpl) {
    if (fresh(icount)) recorder_.mode_change(icount, from, to, cpl);
}
void LiveTrace::halt(uint64_t icount, uint64_t rip) {
    if (fresh(icount)) recorder_.halt(icount, rip);
}

std::string describe(const Event& e, const Symbolizer& syms, const std::string& program) {
    const Fields& f = e.f;
    auto at = [&](uint64_t addr) { return syms.name(addr, f.cpl == 3 ? program : std::string()); };
    switch (f.kind) {
    case Kind::Call: return "call " + at(e.r.b) + " from " + at(e.r.a);
    case Kind::Return: return "return to " + at(e.r.b) + " from " + at(e.r.a);
    case Kind::Interrupt:
        return "irq " + hex(f.aux) + (e.r.c ? " (" + std::string(interrupt_source_name(int(e.r.c) - 1)) + ")" : "") +
               " at " + at(e.r.a) + " -> " + at(e.r.b);
    case Kind::Nmi: return "NMI at " + at(e.r.a) + " -> " + at(e.r.b);
    case Kind::Exception:
        return std::string(exception_name(f.aux)) + ((e.r.c >> 32) ? " (error " + hex(uint32_t(e.r.c)) + ")" : "") +
               " at " + at(e.r.a) + " -> " + at(e.r.b);
    case Kind::SoftInt: return "int " + hex(f.aux) + " at " + at(e.r.a) + " -> " + at(e.r.b);
    case Kind::Iret: return "iret to " + at(e.r.b);
    case Kind::Syscall: return "syscall " + syscall_name(e.r.c) + " at " + at(e.r.a);
    case Kind::Sysret: return "sysret to " + at(e.r.b);
    case Kind::ControlWrite:
        return std::string(cpu::control_register_name(f.aux)) + " " + hex(e.r.a) + " -> " + hex(e.r.b);
    case Kind::ModeChange:
        return std::string("mode ") + cpu::to_string(cpu::CpuMode(f.aux >> 8)) + " -> " +
               cpu::to_string(cpu::CpuMode(f.aux & 0xff));
    case Kind::Halt: return "hlt at " + at(e.r.a);
    case Kind::Console: return "console: " + e.text;
    case Kind::Exec: return "exec " + e.text;
    case Kind::Stop: return std::string("stop: ") + to_string(StopReason(f.aux));
    case Kind::PortSummary:
    case Kind::End: break;
    }
    return to_string(f.kind);
}

}  // namespace bs::emu::trace
