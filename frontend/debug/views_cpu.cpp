// The registers pane (see views.h): every value highlighted when the last
// step or run changed it (Debugger::previous()), every register with named
// bits decoded bit by bit in its tooltip.
#include <imgui.h>

#include <cinttypes>
#include <cstdio>

#include "cpu/flags.h"
#include "cpu/trace.h"
#include "views.h"

namespace bs::frontend::debug::views {

namespace {

const char* const kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
const char* const kSegNames[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

// A named bit (or field, `width` > 1) of a register and what it means.
struct Bit {
    unsigned bit;
    const char* name;
    const char* meaning;
    unsigned width = 1;
};

// SDM Vol. 1 §3.4.3 (EFLAGS), Vol. 3A §2.3 (RFLAGS system flags).
constexpr Bit kRflags[] = {
    {0, "CF", "carry"},           {2, "PF", "parity"},
    {4, "AF", "auxiliary carry"}, {6, "ZF", "zero"},
    {7, "SF", "sign"},            {8, "TF", "trap (single step)"},
    {9, "IF", "interrupts enabled"}, {10, "DF", "direction (string ops go down)"},
    {11, "OF", "overflow"},       {12, "IOPL", "I/O privilege level", 2},
    {14, "NT", "nested task"},    {16, "RF", "resume (no #DB on the next instruction)"},
    {17, "VM", "virtual-8086 mode"}, {18, "AC", "alignment check / SMAP override"},
    {19, "VIF", "virtual interrupt flag"}, {20, "VIP", "virtual interrupt pending"},
    {21, "ID", "CPUID available"},
};
// SDM Vol. 3A §2.5 (control registers).
constexpr Bit kCr0[] = {
    {0, "PE", "protection enable"},     {1, "MP", "monitor coprocessor"},
    {2, "EM", "x87 emulation (#NM)"},   {3, "TS", "task switched (lazy FPU)"},
    {4, "ET", "extension type (387)"},  {5, "NE", "native x87 errors (#MF)"},
    {16, "WP", "write protect for supervisor"}, {18, "AM", "alignment mask"},
    {29, "NW", "not write-through"},    {30, "CD", "cache disable"},
    {31, "PG", "paging"},
};
constexpr Bit kCr3[] = {
    {3, "PWT", "page-level write-through (top table)"},
    {4, "PCD", "page-level cache disable (top table)"},
};
constexpr Bit kCr4[] = {
    {0, "VME", "virtual-8086 mode extensions"}, {1, "PVI", "protected-mode virtual interrupts"},
    {2, "TSD", "RDTSC only at CPL 0"},           {3, "DE", "debugging extensions"},
    {4, "PSE", "4 MiB pages (32-bit paging)"},   {5, "PAE", "physical address extension"},
    {6, "MCE", "machine-check enable"},          {7, "PGE", "global pages"},
    {8, "PCE", "RDPMC at any CPL"},              {9, "OSFXSR", "FXSAVE/FXRSTOR and SSE"},
    {10, "OSXMMEXCPT", "unmasked SIMD FP exceptions (#XM)"}, {11, "UMIP", "user-mode instruction prevention"},
    {12, "LA57", "5-level paging"},              {13, "VMXE", "VMX enable"},
    {16, "FSGSBASE", "RDFSBASE and friends"},    {17, "PCIDE", "process-context identifiers"},
    {18, "OSXSAVE", "XSAVE and XCR0"},           {20, "SMEP", "supervisor-mode execution prevention"},
    {21, "SMAP", "supervisor-mode access prevention"}, {22, "PKE", "protection keys"},
};
// SDM Vol. 3A §2.2.1, Vol. 4 (IA32_EFER, C000_0080h).
constexpr Bit kEfer[] = {
    {0, "SCE", "SYSCALL/SYSRET enable"}, {8, "LME", "long mode enable"},
    {10, "LMA", "long mode active"},     {11, "NXE", "execute-disable bit in page tables"},
};
// SDM Vol. 3A §10.4.4 (IA32_APIC_BASE, 1Bh).
constexpr Bit kApicBase[] = {
    {8, "BSP", "bootstrap processor"}, {10, "EXTD", "x2APIC mode"}, {11, "EN", "APIC global enable"},
};
// SDM Vol. 4 (IA32_MISC_ENABLE, 1A0h), the bits the core keeps.
constexpr Bit kMiscEnable[] = {
    {0, "FAST_STRINGS", "fast-string operations"}, {7, "PERFMON", "performance monitoring available"},
    {11, "BTS_UNAVAIL", "branch trace storage unavailable"}, {12, "PEBS_UNAVAIL", "PEBS unavailable"},
    {16, "EIST", "enhanced SpeedStep"}, {18, "MONITOR", "MONITOR/MWAIT"},
    {22, "LIMIT_CPUID", "CPUID leaves limited to 2"}, {34, "XD_DISABLE", "execute-disable unavailable"},
};
// SDM Vol. 3A §17.2.4 (DR7).
constexpr Bit kDr7[] = {
    {0, "L0", "local enable 0"}, {1, "G0", "global enable 0"}, {2, "L1", "local enable 1"},
    {3, "G1", "global enable 1"}, {4, "L2", "local enable 2"}, {5, "G2", "global enable 2"},
    {6, "L3", "local enable 3"}, {7, "G3", "global enable 3"}, {13, "GD", "general detect"},
    {16, "RW0", "condition 0 (0 exec, 1 write, 2 I/O, 3 rw)", 2}, {18, "LEN0", "length 0", 2},
    {20, "RW1", "condition 1", 2}, {22, "LEN1", "length 1", 2},
    {24, "RW2", "condition 2", 2}, {26, "LEN2", "length 2", 2},
    {28, "RW3", "condition 3", 2}, {30, "LEN3", "length 3", 2},
};

uint64_t field(uint64_t v, const Bit& b) { return (v >> b.bit) & ((1ull << b.width) - 1); }

// The names of the set one-bit flags, and NAME=value for the wider fields that are not zero.
template <size_t N> std::string set_bits(uint64_t v, const Bit (&bits)[N]) {
    std::string s;
    for (const Bit& b : bits) {
        const uint64_t f = field(v, b);
        if (!f) continue;
        if (!s.empty()) s += ' ';
        s += b.name;
        if (b.width > 1) {
            s += '=';
            s += std::to_string(f);
        }
    }
    return s.empty() ? "-" : s;
}

// Every bit of the table, set or not, as a tooltip.
template <size_t N> void bits_tooltip(uint64_t v, const Bit (&bits)[N]) {
    if (!ImGui::IsItemHovered()) return;
    ImGui::BeginTooltip();
    for (const Bit& b : bits) {
        const uint64_t f = field(v, b);
        ImGui::TextColored(f ? kCurrent : kDim, "%2u%s %-12s %" PRIu64 "  %s", b.bit, b.width > 1 ? "+" : " ", b.name, f,
                           b.meaning);
    }
    ImGui::EndTooltip();
}

// "name  value  decoded", in the highlight colour when changed.
void row(const char* name, uint64_t now, uint64_t before, int digits, const std::string& decoded = {}) {
    ImGui::PushStyleColor(ImGuiCol_Text, now != before ? kChanged : ImGui::GetStyle().Colors[ImGuiCol_Text]);
    ImGui::Text("%-7s %0*" PRIx64 "%s%s", name, digits, now, decoded.empty() ? "" : "  ", decoded.c_str());
    ImGui::PopStyleColor();
}
template <size_t N>
void bits_row(const char* name, uint64_t now, uint64_t before, int digits, const Bit (&bits)[N]) {
    row(name, now, before, digits, set_bits(now, bits));
    bits_tooltip(now, bits);
}

bool same(const cpu::Segment& a, const cpu::Segment& b) {
    return a.selector == b.selector && a.base == b.base && a.limit == b.limit && a.attr == b.attr;
}

// Type field of a code/data descriptor (SDM Vol. 3A §3.4.5.1, Table 3-1)
// or of a system descriptor (§3.5, Table 3-2; the long-mode meanings).
std::string segment_type(uint16_t attr, bool long_mode) {
    const unsigned type = attr & 0xf;
    if (attr & cpu::segattr::S) {
        std::string t = type & 8 ? "code" : "data";
        if (type & 8) {
            t += type & 2 ? " r-x" : " --x";
            if (type & 4) t += " conforming";
        } else {
            t += type & 2 ? " rw-" : " r--";
            if (type & 4) t += " expand-down";
        }
        if (type & 1) t += " accessed";
        return t;
    }
    static const char* const legacy[16] = {"reserved", "TSS16 avail", "LDT", "TSS16 busy", "call gate16", "task gate",
                                           "int gate16", "trap gate16", "reserved", "TSS32 avail", "reserved",
                                           "TSS32 busy", "call gate32", "reserved", "int gate32", "trap gate32"};
    static const char* const longm[16] = {"reserved", "reserved", "LDT", "reserved", "reserved", "reserved",
                                          "reserved", "reserved", "reserved", "TSS64 avail", "reserved",
                                          "TSS64 busy", "call gate64", "reserved", "int gate64", "trap gate64"};
    return (long_mode ? longm : legacy)[type];
}

// A segment register and its hidden descriptor cache, two lines; the
// tooltip decodes the selector and every attribute.
void segment(const char* name, const cpu::Segment& s, const cpu::Segment& before, bool long_mode) {
    const bool changed = !same(s, before);
    ImGui::PushStyleColor(ImGuiCol_Text, changed ? kChanged : ImGui::GetStyle().Colors[ImGuiCol_Text]);
    ImGui::BeginGroup();
    const uint16_t a = s.attr;
    ImGui::Text("%-4s %04x  base %016" PRIx64, name, s.selector, s.base);
    if (!(a & (cpu::segattr::Present | cpu::segattr::S))) {
        // A null selector's cache: nothing to decode (accesses through it fault).
        ImGui::TextColored(changed ? kChanged : kDim, "     limit %08x unusable", s.limit);
        ImGui::EndGroup();
        ImGui::PopStyleColor();
        return;
    }
    std::string type = segment_type(a, long_mode);
    if (const size_t acc = type.find(" accessed"); acc != std::string::npos) type.erase(acc);  // in the tooltip
    ImGui::TextColored(changed ? kChanged : kDim, "     limit %08x %s dpl%u%s%s%s%s", s.limit, type.c_str(),
                       (a >> cpu::segattr::DplShift) & 3, a & cpu::segattr::Present ? " P" : " NP",
                       a & cpu::segattr::L ? " L" : "", a & cpu::segattr::DB ? " D/B" : "",
                       a & cpu::segattr::G ? " G" : "");
    ImGui::EndGroup();
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::Text("selector %04x: index %u, table %s, RPL %u", s.selector, s.selector >> 3,
                    s.selector & 4 ? "LDT" : "GDT", s.selector & 3);
        ImGui::Text("descriptor cache: base %#" PRIx64 ", limit %#x, attributes %04x", s.base, s.limit, s.attr);
        ImGui::Text("type %x (%s), S=%u (%s)", a & 0xf, segment_type(a, long_mode).c_str(),
                    a & cpu::segattr::S ? 1 : 0, a & cpu::segattr::S ? "code/data" : "system");
        ImGui::Text("DPL %u, P=%u, AVL=%u", (a >> cpu::segattr::DplShift) & 3, a & cpu::segattr::Present ? 1 : 0,
                    (a >> 12) & 1);
        ImGui::Text("L=%u (64-bit code), D/B=%u (%s), G=%u (limit in %s)", a & cpu::segattr::L ? 1 : 0,
                    a & cpu::segattr::DB ? 1 : 0, a & cpu::segattr::DB ? "32-bit" : "16-bit",
                    a & cpu::segattr::G ? 1 : 0, a & cpu::segattr::G ? "4 KiB units" : "bytes");
        ImGui::EndTooltip();
    }
}

// IA32_PAT: eight 3-bit memory types (SDM Vol. 3A §11.12.2, Table 11-10).
std::string pat_types(uint64_t pat) {
    static const char* const kTypes[8] = {"UC", "WC", "?2", "?3", "WT", "WP", "WB", "UC-"};
    std::string s;
    for (unsigned i = 0; i < 8; ++i) {
        if (i) s += ' ';
        s += kTypes[(pat >> (8 * i)) & 7];
    }
    return s;
}

}  // namespace

void registers(Debugger& dbg) {
    cpu::Cpu& c = dbg.sys().cpu;
    // Copies: RFLAGS is materialised from the lazy flags (cpu/flags.h).
    cpu::CpuState now = c.s;
    cpu::CpuState before = dbg.previous();
    const bool long_mode = now.efer & cpu::efer::LMA;

    static const char* const kActivity[] = {"active", "halted", "shutdown"};
    ImGui::TextColored(kLabel, "%s  CPL %u  %s%s", cpu::to_string(c.mode()), now.cpl, kActivity[unsigned(now.activity)],
                       now.interrupt_shadow ? " (interrupt shadow)" : "");
    ImGui::TextColored(kLabel, "%u-bit code, %u-bit stack", now.code_size * 8, now.stack_size * 8);
    ImGui::Separator();

    // Two registers a line: rax rcx / rdx rbx / ...
    const float second = ImGui::CalcTextSize("rax     0000000000000000   ").x;
    for (unsigned i = 0; i < 16; ++i) {
        if (i % 2) ImGui::SameLine(second);
        row(kGprNames[i], now.gpr[i], before.gpr[i], 16);
    }
    const std::string sym = dbg.symbol_name(c.current_pc());
    row("rip", now.rip, before.rip, 16, sym);
    const uint64_t fl = cpu::get_rflags(now);
    bits_row("rflags", fl, cpu::get_rflags(before), 8, kRflags);

    ImGui::Separator();
    for (unsigned i = 0; i < 6; ++i) segment(kSegNames[i], now.seg[i], before.seg[i], long_mode);
    segment("ldtr", now.ldtr, before.ldtr, long_mode);
    segment("tr", now.tr, before.tr, long_mode);
    const bool tables_changed = now.gdtr.base != before.gdtr.base || now.gdtr.limit != before.gdtr.limit ||
                                now.idtr.base != before.idtr.base || now.idtr.limit != before.idtr.limit;
    ImGui::TextColored(tables_changed ? kChanged : ImGui::GetStyle().Colors[ImGuiCol_Text],
                       "gdtr    %016" PRIx64 " limit %04x\nidtr    %016" PRIx64 " limit %04x", now.gdtr.base,
                       now.gdtr.limit, now.idtr.base, now.idtr.limit);

    ImGui::Separator();
    bits_row("cr0", now.cr0, before.cr0, 8, kCr0);
    row("cr2", now.cr2, before.cr2, 16, "last #PF address");
    // The top table: a 32-byte aligned PDPT under PAE (SDM Vol. 3A §4.4.1), a page otherwise.
    const bool pae = (now.cr4 & cpu::cr4::PAE) && !long_mode;
    char cr3[64];
    std::snprintf(cr3, sizeof cr3, "%s at %#" PRIx64, pae ? "PDPT" : long_mode ? "PML4" : "page directory",
                  pae ? now.cr3 & 0xffffffe0 : now.cr3 & uint64_t(0x000ffffffffff000));
    row("cr3", now.cr3, before.cr3, 16, cr3);
    bits_tooltip(now.cr3, kCr3);
    bits_row("cr4", now.cr4, before.cr4, 8, kCr4);
    row("cr8", now.cr8, before.cr8, 2, "task priority class");
    bits_row("efer", now.efer, before.efer, 8, kEfer);

    if (ImGui::CollapsingHeader("MSRs", ImGuiTreeNodeFlags_DefaultOpen)) {
        const cpu::Msrs& m = now.msr;
        const cpu::Msrs& b = before.msr;
        // SYSCALL/SYSRET (SDM Vol. 3B §5.8.8): STAR[47:32] is SYSCALL's CS (SS = +8),
        // STAR[63:48] SYSRET's base selector; LSTAR/CSTAR the 64-bit/compat entries.
        char star[96];
        std::snprintf(star, sizeof star, "syscall cs %04x sysret %04x", unsigned(m.star >> 32 & 0xffff),
                      unsigned(m.star >> 48));
        row("STAR", m.star, b.star, 16, star);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("STAR[31:0]  %08x  legacy-mode SYSCALL EIP\n"
                              "STAR[47:32] %04x      SYSCALL CS (SS = CS + 8)\n"
                              "STAR[63:48] %04x      SYSRET base: CS + 16 to 64-bit code, CS to 32-bit, SS = base + 8",
                              unsigned(m.star & 0xffffffff), unsigned(m.star >> 32 & 0xffff), unsigned(m.star >> 48));
        row("LSTAR", m.lstar, b.lstar, 16, dbg.symbol_name(m.lstar));
        row("CSTAR", m.cstar, b.cstar, 16, dbg.symbol_name(m.cstar));
        row("SFMASK", m.fmask, b.fmask, 8, "clears " + set_bits(m.fmask, kRflags));
        bits_tooltip(m.fmask, kRflags);
        row("FS.base", now.seg[cpu::FS].base, before.seg[cpu::FS].base, 16);
        row("GS.base", now.seg[cpu::GS].base, before.seg[cpu::GS].base, 16);
        row("KGSBASE", m.kernel_gs_base, b.kernel_gs_base, 16, "swapped in by SWAPGS");
        const uint64_t apic = dbg.sys().machine.lapic.apic_base();
        char apic_text[64];
        std::snprintf(apic_text, sizeof apic_text, "page %#" PRIx64 " %s", apic & ~uint64_t(0xfff),
                      set_bits(apic, kApicBase).c_str());
        row("APICBASE", apic, apic, 16, apic_text);
        bits_tooltip(apic, kApicBase);
        row("SYSENTER_CS", m.sysenter_cs, b.sysenter_cs, 4);
        row("SYSENTER_ESP", m.sysenter_esp, b.sysenter_esp, 16);
        row("SYSENTER_EIP", m.sysenter_eip, b.sysenter_eip, 16, dbg.symbol_name(m.sysenter_eip));
        row("PAT", m.pat, b.pat, 16, pat_types(m.pat));
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("PA0..PA7: the memory type each PAT/PCD/PWT combination selects");
        row("TSC_AUX", m.tsc_aux, b.tsc_aux, 8);
        bits_row("MISC_ENABLE", m.misc_enable, b.misc_enable, 16, kMiscEnable);
        char mtrr[64];
        std::snprintf(mtrr, sizeof mtrr, "%s%s default type %s", m.mtrr_def_type & 0x800 ? "E" : "-",
                      m.mtrr_def_type & 0x400 ? " FE" : "", (m.mtrr_def_type & 0xff) == 6 ? "WB" : "UC");
        row("MTRRdefType", m.mtrr_def_type, b.mtrr_def_type, 8, mtrr);
        const uint64_t tsc = dbg.sys().machine.tsc() + uint64_t(m.tsc_offset);  // what RDTSC reads
        row("TSC", tsc, tsc, 16, "time stamp counter (virtual)");
    }
    if (ImGui::CollapsingHeader("Debug registers")) {
        for (unsigned i = 0; i < 4; ++i) {
            char name[8];
            std::snprintf(name, sizeof name, "dr%u", i);
            row(name, now.dr[i], before.dr[i], 16, dbg.symbol_name(now.dr[i]));
        }
        row("dr6", now.dr[6], before.dr[6], 8);
        bits_row("dr7", now.dr[7], before.dr[7], 8, kDr7);
    }
}

}  // namespace bs::frontend::debug::views
