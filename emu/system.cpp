// The run loop of a whole computer (see system.h).
#include "emu/system.h"

#include <algorithm>

#include "cpu/flags.h"

namespace bs::emu {

const char* to_string(StopReason r) {
    switch (r) {
    case StopReason::PowerOff: return "power-off";
    case StopReason::GuestExit: return "guest exit";
    case StopReason::Reset: return "reset";
    case StopReason::Shutdown: return "shutdown (triple fault)";
    case StopReason::Halted: return "halted";
    case StopReason::InstructionLimit: return "instruction limit";
    case StopReason::TimeLimit: return "time limit";
    case StopReason::Break: return "breakpoint";
    }
    return "?";
}

System::System(MachineConfig config) : machine(std::move(config)), cpu(machine) { wire(); }

void System::wire() {
    cpu.exception_exit = false;
    machine.on_interrupt_change = [this] {
        cpu.intr_line = machine.intr_pending();
        cpu.nmi_line = machine.nmi_pending();
        cpu.attention = true;
        if (machine.request() != Machine::Request::None) cpu.request_stop();
    };
    // Stops are invisible: the guest must see the same thing whether the
    // machine runs to instruction N in one run() or in pieces (a debugger's
    // single steps, the run loop's slices, checkpoint boundaries). So a port
    // or device MMIO access, and a TSC read, retires the slice so far first
    // and devices see the access's exact time; and if that time made an
    // event due earlier than the slice was planned to end, or the access
    // itself scheduled one sooner, the slice ends after this instruction.
    // Events thus always run after the instruction that crosses their
    // deadline, wherever the slices were cut.
    machine.on_sync_time = [this](uint64_t icount) {
        if (icount <= slice_start_) return;
        machine.retire(icount - slice_start_);
        slice_start_ = icount;
        if (machine.insn_budget() < slice_end_ - icount) cpu.request_stop();
    };
    machine.on_device_accessed = [this] {
        if (slice_end_ > slice_start_ && machine.insn_budget() < slice_end_ - slice_start_) cpu.request_stop();
    };
    // The only map change is A20: the machine's A20 line is the CPU's A20M#.
    machine.on_memory_map_change = [this] {
        cpu.set_a20_masked(!machine.a20());
        cpu.flush_tlb();
        cpu.flush_code_cache();
        cpu.attention = true;
    };
}

void System::reset() {
    machine.reset();
    cpu.reset();
    cpu.intr_line = machine.intr_pending();
    cpu.nmi_line = machine.nmi_pending();
}

// The entry states of loaders that bypass the firmware: flat segments as
// the GDT the loader wrote describes them (0x08 code32, 0x10 data, 0x18
// code64), interrupts off.
void System::start(const BootState& boot) {
    using namespace cpu;
    cpu.reset();
    if (boot.mode == BootState::Mode::ResetVector) return;
    CpuState& s = cpu.s;
    const uint16_t data_attr = segattr::Present | segattr::S | segattr::Writable | segattr::Accessed |
                               segattr::DB | segattr::G;
    for (Segment& sg : s.seg) {
        sg.selector = 0x10;
        sg.base = 0;
        sg.limit = 0xffffffff;
        sg.attr = data_attr;
    }
    s.gdtr = {boot.gdt_base, boot.gdt_limit};
    s.idtr = {0, 0};
    s.cr0 = cr0::PE | cr0::ET | cr0::NE;
    Segment& cs = s.seg[CS];
    cs.limit = 0xffffffff;
    if (boot.mode == BootState::Mode::Protected32) {
        cs.selector = 0x08;
        cs.attr = segattr::Present | segattr::S | segattr::Code | segattr::Writable | segattr::Accessed |
                  segattr::DB | segattr::G;
        s.gpr[RAX] = boot.eax;
        s.gpr[RBX] = boot.ebx;
    } else {
        cs.selector = 0x18;
        cs.attr = segattr::Present | segattr::S | segattr::Code | segattr::Writable | segattr::Accessed |
                  segattr::L | segattr::G;
        s.cr4 = cr4::PAE;
        s.cr3 = boot.cr3;
        s.efer = efer::LME | efer::LMA;
        s.cr0 |= cr0::PG;
    }
    s.rip = boot.entry;
    cpu.mode_changed();
    cpu.flush_tlb();
    cpu.flush_code_cache();
}

void System::state_restored() {
    slice_start_ = slice_end_ = cpu.instructions_retired();
    break_requested_ = false;
    cpu.intr_line = machine.intr_pending();
    cpu.nmi_line = machine.nmi_pending();
    cpu.attention = true;
}

StopReason System::run(const Limits& limits) {
    struct Running {
        bool& flag;
        explicit Running(bool& f) : flag(f) { flag = true; }
        ~Running() { flag = false; }
    } running(running_);
    const uint64_t first = cpu.instructions_retired();
    const uint64_t time_end = limits.max_time_ns ? machine.clock().now() + limits.max_time_ns : Clock::kNever;
    // A slice bounds how long a guest runs between checks of the machine's
    // requests and the limits when no device event comes sooner.
    constexpr uint64_t kSlice = 1u << 20;
    cpu.intr_line = machine.intr_pending();
    cpu.nmi_line = machine.nmi_pending();
    for (;;) {
        switch (machine.request()) {
        case Machine::Request::PowerOff: return StopReason::PowerOff;
        case Machine::Request::Exit: return StopReason::GuestExit;
        case Machine::Request::Reset:
            if (!limits.reboot) return StopReason::Reset;
            reset();
            continue;
        case Machine::Request::None: break;
        }
        const uint64_t done = cpu.instructions_retired() - first;
        if (limits.max_instructions && done >= limits.max_instructions) return StopReason::InstructionLimit;
        if (machine.clock().now() >= time_end) return StopReason::TimeLimit;

        uint64_t budget = std::min(machine.insn_budget(), kSlice);
        if (limits.max_instructions) budget = std::min(budget, limits.max_instructions - done);
        if (time_end != Clock::kNever) budget = std::min(budget, machine.clock().insns_until(time_end));
        slice_start_ = cpu.instructions_retired();
        slice_end_ = slice_start_ + budget;
        const cpu::RunResult r = cpu.run(budget);
        machine.retire(cpu.instructions_retired() - slice_start_);
        slice_start_ = cpu.instructions_retired();
        if (break_requested_) {
            break_requested_ = false;
            return StopReason::Break;
        }

        switch (r.exit) {
        case cpu::Exit::Shutdown: return StopReason::Shutdown;
        case cpu::Exit::Breakpoint: return StopReason::Break;
        case cpu::Exit::Halt:
            // HLT: time jumps to the next device event, whose interrupt wakes
            // the CPU. With IF clear, or no event ever, nothing can.
            if (machine.request() != Machine::Request::None) continue;
            if (!(cpu.s.rflags & cpu::fl::IF)) return StopReason::Halted;
            if (machine.next_deadline() >= time_end) {
                if (time_end == Clock::kNever) return StopReason::Halted;
                machine.clock().advance_to(time_end);
                return StopReason::TimeLimit;
            }
            if (!machine.halt_skip()) return StopReason::Halted;
            break;
        default: break;
        }
    }
}

}  // namespace bs::emu
