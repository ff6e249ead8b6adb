// The post-mortem explanation (see postmortem.h).
#include "postmortem.h"

#include <spdlog/fmt/fmt.h>

#include "cpu/flags.h"
#include "cpu/trace.h"

namespace bs::frontend::debug {

namespace {

// Architectural exception names (SDM Vol. 3A table 6-1).
const char* long_name(uint8_t v) {
    switch (v) {
    case cpu::kDE: return "divide error";
    case cpu::kDB: return "debug";
    case cpu::kNMI: return "non-maskable interrupt";
    case cpu::kBP: return "breakpoint";
    case cpu::kOF: return "overflow";
    case cpu::kBR: return "BOUND range exceeded";
    case cpu::kUD: return "invalid opcode";
    case cpu::kNM: return "device not available";
    case cpu::kDF: return "double fault";
    case cpu::kTS: return "invalid TSS";
    case cpu::kNP: return "segment not present";
    case cpu::kSS: return "stack-segment fault";
    case cpu::kGP: return "general protection";
    case cpu::kPF: return "page fault";
    case cpu::kMF: return "x87 floating-point error";
    case cpu::kAC: return "alignment check";
    case cpu::kMC: return "machine check";
    case cpu::kXM: return "SIMD floating-point exception";
    }
    return nullptr;
}

const char* short_name(uint8_t v) {
    static const char* kNames[20] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
                                     "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    return v < 20 ? kNames[v] : nullptr;
}

// "#UD" or "vector 0x20": the name a chain step uses.
std::string tag(uint8_t v) { return short_name(v) ? short_name(v) : fmt::format("vector {:#x}", v); }

std::string where(const FaultContext& c, uint64_t rip) {
    const std::string s = c.symbol ? c.symbol(rip) : std::string();
    return s.empty() ? fmt::format("RIP {:#x}", rip) : fmt::format("RIP {:#x} ({})", rip, s);
}

}  // namespace

std::string vector_name(uint8_t vector) {
    if (const char* l = long_name(vector)) return fmt::format("{} ({})", short_name(vector), l);
    return fmt::format("vector {:#x}", vector);
}

std::string error_meaning(uint8_t vector, uint32_t error) {
    if (vector == cpu::kPF) {
        // SDM Vol. 3A §4.7: P, W/R, U/S, RSVD, I/D, PK.
        std::string s = (error & 1) ? "protection violation" : "page not present";
        s += (error & 0x10) ? ", instruction fetch" : (error & 2) ? ", write" : ", read";
        s += (error & 4) ? ", user mode" : ", supervisor mode";
        if (error & 8) s += ", reserved bit set in a paging entry";
        return s;
    }
    if (vector == cpu::kDF) return "always 0";
    // Selector error codes (SDM Vol. 3A §6.13): EXT, IDT, TI, index.
    const unsigned index = error >> 3;
    std::string s;
    if (error == 0) return "no selector";
    if (error & 2) s = fmt::format("IDT entry {}", index);
    else s = fmt::format("{} selector {:#x}", (error & 4) ? "LDT" : "GDT", error & 0xfff8);
    if (error & 1) s += ", EXT";
    return s;
}

std::string gate_problem(const FaultContext& c, uint8_t vector) {
    const cpu::CpuState& s = c.state;
    const uint64_t base = s.idtr.base, limit = s.idtr.limit;
    if (!(s.cr0 & 1)) {
        if (vector * 4u + 3 > limit)
            return fmt::format("IVT entry {} lies beyond the IVT limit (IDTR base {:#x}, limit {:#x})", vector, base,
                               limit);
        return fmt::format("the real-mode IVT entry {} is within the limit: the push onto the stack faulted", vector);
    }
    const bool long64 = (s.efer & (1u << 10)) != 0;  // EFER.LMA: 16-byte gates
    const unsigned size = long64 ? 16 : 8;
    const std::string idt = fmt::format("IDTR base {:#x}, limit {:#x}", base, limit);
    if (vector * size + size - 1 > limit)
        return fmt::format("IDT entry {} lies beyond the IDT limit ({})", vector, idt);
    uint8_t gate[16] = {};
    if (!c.read_linear || !c.read_linear(base + vector * size, gate, size))
        return fmt::format("IDT entry {} at {:#x} is not in mapped memory ({})", vector, base + vector * size, idt);
    const uint8_t access = gate[5];
    const unsigned type = access & 0xf;
    const bool system = !(access & 0x10), present = (access & 0x80) != 0;
    const bool valid_type = long64 ? (type == 0xe || type == 0xf) : (type == 0x6 || type == 0x7 || type == 0xe || type == 0xf);
    if (!system || !valid_type)
        return fmt::format("IDT entry {} is not an interrupt or trap gate (type {:#x}{})", vector, type,
                           system ? "" : ", a code/data descriptor");
    if (!present) return fmt::format("IDT entry {} is not present (P = 0)", vector);
    const unsigned selector = gate[2] | gate[3] << 8;
    uint64_t offset = gate[0] | gate[1] << 8 | uint64_t(gate[6]) << 16 | uint64_t(gate[7]) << 24;
    if (long64) offset |= uint64_t(gate[8] | gate[9] << 8 | gate[10] << 16 | uint64_t(gate[11]) << 24) << 32;
    return fmt::format("IDT entry {} is a present gate to {:04x}:{:#x}: its code segment, the TSS or the stack "
                       "(RSP {:#x}) faulted",
                       vector, selector, offset, s.gpr[cpu::RSP]);
}

std::string explain_stop(const FaultContext& c) {
    std::string out;
    if (c.stop == emu::StopReason::Shutdown) {
        if (c.history.empty()) return "Triple fault: the CPU shut down (no exception was recorded).\n";
        // The chain: the last attempts at the last instruction, at one RIP
        // (a failed delivery changes no register).
        size_t first = c.history.size() - 1;
        const cpu::EventRecord& last = c.history.back();
        while (first > 0 && c.history[first - 1].icount == last.icount && c.history[first - 1].rip == last.rip &&
               c.history[first - 1].cs == last.cs)
            --first;
        out += fmt::format("Triple fault: the CPU shut down at instruction {} ({} mode, CPL {}).\n", last.icount,
                           cpu::to_string(c.mode), c.state.cpl);
        int last_pf = -1;
        for (size_t k = first; k < c.history.size(); ++k)
            if (c.history[k].vector == cpu::kPF) last_pf = static_cast<int>(k);
        for (size_t k = first; k < c.history.size(); ++k) {
            const cpu::EventRecord& e = c.history[k];
            std::string step = vector_name(e.vector);
            if (e.has_error && e.vector != cpu::kDF)
                step += fmt::format(" [error {:#x}: {}]", e.error, error_meaning(e.vector, e.error));
            if (k == first) {
                out += fmt::format("  1. {} at {}", step, where(c, e.rip));
                if (e.vector == cpu::kPF)
                    out += static_cast<int>(k) == last_pf ? fmt::format(", CR2 {:#x}", c.state.cr2)
                                                          : std::string(" (CR2 since overwritten)");
                out += "\n";
                continue;
            }
            if (e.vector == cpu::kPF && static_cast<int>(k) == last_pf) step += fmt::format(" at CR2 {:#x}", c.state.cr2);
            const uint8_t failed = c.history[k - 1].vector;
            const bool double_fault = e.vector == cpu::kDF && failed != cpu::kDF;
            out += fmt::format("  {}. -> {} while delivering {}: {}{}\n", k - first + 1, step, tag(failed),
                               gate_problem(c, failed),
                               double_fault ? " (two faults in a row that the CPU cannot handle serially)" : "");
        }
        out += fmt::format("  {}. -> triple fault while delivering {}: {}; the CPU shut down.\n",
                           c.history.size() - first + 1, tag(last.vector), gate_problem(c, last.vector));
        // The chain in one line, as people say it.
        std::string summary;
        for (size_t k = first; k < c.history.size(); ++k) summary += tag(c.history[k].vector) + " -> ";
        out += "  In short: " + summary + "triple fault.\n";
        return out;
    }
    if (c.stop == emu::StopReason::Halted) {
        const bool panic = !(c.state.rflags & cpu::fl::IF);
        out += panic ? fmt::format("Kernel panic: the guest halted with interrupts disabled at {}.\n",
                                   where(c, c.state.rip))
                     : fmt::format("The guest halted at {} waiting for an interrupt that no device will raise.\n",
                                   where(c, c.state.rip));
        for (size_t k = c.open_calls.size(); k-- > 0;) {
            if (c.open_calls[k] != "panic") continue;
            out += "  inside panic()";
            if (k > 0) out += ", called by " + c.open_calls[k - 1] + "()";
            out += "\n";
            break;
        }
        if (!c.open_calls.empty()) {
            out += "  open calls:";
            for (const std::string& f : c.open_calls) out += " " + f;
            out += "\n";
        }
        if (!c.console_tail.empty()) {
            out += "  last console lines:\n";
            for (const std::string& l : c.console_tail) out += "    " + l + "\n";
        }
        return out;
    }
    return out;
}

}  // namespace bs::frontend::debug
