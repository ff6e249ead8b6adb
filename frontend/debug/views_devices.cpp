// The devices pane (see views.h): the interrupt controllers, timers, RTC,
// UARTs and the keyboard controller, decoded from their const getters (none
// of the reads here goes through a port, so read-to-clear registers stay as
// they are).
#include <imgui.h>

#include <cinttypes>
#include <cstdio>
#include <string>

#include "emu/machine.h"
#include "views.h"

namespace bs::frontend::debug::views {

namespace {

// The names of the set bits, from bit 0 up; `names` has one entry per bit
// ("" for bits without a name).
template <size_t N> std::string flags(unsigned v, const char* const (&names)[N]) {
    std::string s;
    for (unsigned i = 0; i < N; ++i) {
        if (!(v >> i & 1) || !names[i][0]) continue;
        if (!s.empty()) s += ' ';
        s += names[i];
    }
    return s.empty() ? "-" : s;
}

// "IRQ0 IRQ4" for the set bits of an 8259A register, numbered from `first`.
std::string irq_list(uint8_t v, unsigned first) {
    std::string s;
    for (unsigned i = 0; i < 8; ++i) {
        if (!(v >> i & 1)) continue;
        if (!s.empty()) s += ' ';
        s += std::to_string(first + i);
    }
    return s.empty() ? "-" : s;
}

// The vectors set in a 256-bit APIC register (ISR, TMR, IRR).
std::string vector_list(const uint32_t* words) {
    std::string s;
    char b[8];
    for (unsigned v = 0; v < 256; ++v) {
        if (!(words[v >> 5] >> (v & 31) & 1)) continue;
        std::snprintf(b, sizeof b, "%s%02x", s.empty() ? "" : " ", v);
        s += b;
    }
    return s.empty() ? "-" : s;
}

void pic(const devices::Pic8259& p, const char* name, unsigned first) {
    ImGui::Text("%-6s vectors %02x-%02x  IRR %02x  ISR %02x  IMR %02x  ELCR %02x", name, p.irq_base(), p.irq_base() + 7,
                p.irr(), p.isr(), p.imr(), p.read_elcr());
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::Text("requested (IRR):   IRQ %s", irq_list(p.irr(), first).c_str());
        ImGui::Text("in service (ISR):  IRQ %s", irq_list(p.isr(), first).c_str());
        ImGui::Text("masked (IMR):      IRQ %s", irq_list(p.imr(), first).c_str());
        ImGui::Text("level-triggered:   IRQ %s", irq_list(p.read_elcr(), first).c_str());
        ImGui::EndTooltip();
    }
}

// Local vector table entry (SDM Vol. 3A §10.5.1, Figure 10-8).
std::string lvt_text(uint32_t v, bool timer) {
    static const char* const kDelivery[8] = {"fixed", "lowest?", "SMI", "?", "NMI", "INIT", "?", "ExtINT"};
    static const char* const kTimerMode[4] = {"one-shot", "periodic", "TSC-deadline", "?"};
    char b[96];
    std::snprintf(b, sizeof b, "%08x vector %02x %s%s%s%s%s", v, v & 0xff, timer ? kTimerMode[(v >> 17) & 3] : kDelivery[(v >> 8) & 7],
                  v & (1u << 16) ? " masked" : "", v & (1u << 12) ? " send-pending" : "",
                  !timer && (v & (1u << 15)) ? " level" : "", !timer && (v & (1u << 13)) ? " active-low" : "");
    return b;
}

void lapic(const devices::LocalApic& a) {
    ImGui::Text("id %u  base %#" PRIx64 "  %s, %s", a.id(), a.apic_base() & ~uint64_t(0xfff),
                a.hw_enabled() ? "enabled" : "disabled in IA32_APIC_BASE",
                a.sw_enabled() ? "software-enabled" : "software-disabled (SVR bit 8)");
    ImGui::Text("TPR %02x  PPR %02x  SVR %03x (spurious vector %02x)  ESR %02x  LDR %08x  DFR %08x", a.tpr(), a.ppr(),
                a.svr(), a.svr() & 0xff, a.esr(), a.ldr(), a.dfr());
    ImGui::Text("IRR %s", vector_list(a.irr()).c_str());
    ImGui::Text("ISR %s", vector_list(a.isr()).c_str());
    ImGui::Text("TMR %s", vector_list(a.tmr()).c_str());
    static const char* const kLvt[devices::LocalApic::kLvtEntries] = {"CMCI", "timer", "thermal", "perf", "LINT0",
                                                                      "LINT1", "error"};
    for (unsigned i = 0; i < devices::LocalApic::kLvtEntries; ++i)
        ImGui::Text("LVT %-7s %s", kLvt[i], lvt_text(a.lvt(i), i == 1).c_str());
    // Divide configuration (SDM Vol. 3A §10.5.4, Figure 10-10): bits 3,1:0.
    const uint32_t dcr = a.timer_divide_config();
    const unsigned code = ((dcr >> 1) & 4) | (dcr & 3);
    const unsigned divide = code == 7 ? 1 : 2u << code;
    ImGui::Text("timer: initial %08x current %08x, divide by %u", a.timer_initial_count(), a.timer_current_count(), divide);
    ImGui::Text("ICR %016" PRIx64, a.icr());
}

// Redirection table entry (82093AA datasheet §3.2.4).
void ioapic(const devices::IoApic& io) {
    ImGui::Text("IRR (latched requests) %06x", io.irr());
    if (!ImGui::BeginTable("redir", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) return;
    ImGui::TableSetupColumn("pin");
    ImGui::TableSetupColumn("entry");
    ImGui::TableSetupColumn("decoded");
    ImGui::TableHeadersRow();
    static const char* const kDelivery[8] = {"fixed", "lowest", "SMI", "?", "NMI", "INIT", "?", "ExtINT"};
    for (unsigned pin = 0; pin < devices::IoApic::kPins; ++pin) {
        const uint64_t e = io.redirection(pin);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%2u", pin);
        ImGui::TableNextColumn();
        ImGui::Text("%016" PRIx64, e);
        ImGui::TableNextColumn();
        const bool masked = e & (1u << 16);
        ImGui::TextColored(masked ? kDim : kCurrent, "vector %02x %s, %s dest %02x, %s, %s%s%s%s", unsigned(e & 0xff),
                           kDelivery[(e >> 8) & 7], e & (1u << 11) ? "logical" : "physical", unsigned(e >> 56),
                           e & (1u << 15) ? "level" : "edge", e & (1u << 13) ? "active-low" : "active-high",
                           e & (1u << 14) ? ", remote IRR" : "", e & (1u << 12) ? ", send pending" : "",
                           masked ? ", masked" : "");
    }
    ImGui::EndTable();
}

void pit(const devices::Pit8254& p) {
    // 8254 datasheet: modes 6 and 7 are modes 2 and 3.
    static const char* const kModes[8] = {"interrupt on terminal count", "hardware one-shot", "rate generator",
                                          "square wave", "software strobe", "hardware strobe",
                                          "rate generator", "square wave"};
    static const char* const kUse[3] = {"IRQ0", "refresh", "speaker"};
    for (unsigned ch = 0; ch < 3; ++ch) {
        const uint32_t reload = p.reload(ch);
        ImGui::Text("ch%u %-7s reload %5u%s count %5u gate %u out %u", ch, kUse[ch], reload, p.bcd(ch) ? " BCD" : "",
                    p.count_now(ch), p.gate(ch), p.out(ch));
        ImGui::SameLine();
        if (p.loaded(ch))
            ImGui::TextColored(kDim, " mode %u %s, %.1f Hz", p.mode(ch) & 7, kModes[p.mode(ch) & 7],
                               double(devices::Pit8254::kFreqHz) / reload);
        else
            ImGui::TextColored(kDim, " mode %u %s, no count written", p.mode(ch) & 7, kModes[p.mode(ch) & 7]);
    }
}

void rtc(const devices::RtcMc146818& r) {
    const devices::CivilTime t = devices::seconds_to_civil(r.time_seconds());
    ImGui::Text("time %04d-%02u-%02u %02u:%02u:%02u UTC   alarm %02x:%02x:%02x (registers)  NMI %s", t.year, t.month,
                t.day, t.hour, t.minute, t.second, r.cmos(5), r.cmos(3), r.cmos(1),
                r.nmi_disabled() ? "masked (port 70h bit 7)" : "enabled");
    // MC146818A datasheet, registers A-D.
    static const char* const kB[8] = {"DSE", "24H", "DM(binary)", "SQWE", "UIE", "AIE", "PIE", "SET"};
    static const char* const kC[8] = {"", "", "", "", "UF", "AF", "PF", "IRQF"};
    const uint8_t a = r.cmos(0x0a), b = r.cmos(0x0b), c = r.cmos(0x0c), d = r.cmos(0x0d);
    const unsigned rs = a & 15;
    ImGui::Text("A %02x (divider %u, rate %u%s)  B %02x %s", a, (a >> 4) & 7, rs,
                rs ? (" = " + std::to_string(rs <= 2 ? 32768 >> (rs + 6) : 65536 >> rs) + " Hz").c_str() : " off", b,
                flags(b, kB).c_str());
    ImGui::Text("C %02x %s  D %02x %s", c, flags(c, kC).c_str(), d, d & 0x80 ? "VRT (battery good)" : "battery bad");
}

void uart(const devices::Uart16550& u, const char* name) {
    // PC16550D datasheet, Table II.
    static const char* const kIer[4] = {"RDA", "THRE", "RLS", "MS"};
    static const char* const kMcr[5] = {"DTR", "RTS", "OUT1", "OUT2", "LOOP"};
    static const char* const kLsr[8] = {"DR", "OE", "PE", "FE", "BI", "THRE", "TEMT", "RXFIFOERR"};
    static const char* const kMsr[8] = {"dCTS", "dDSR", "TERI", "dDCD", "CTS", "DSR", "RI", "DCD"};
    static const char* const kParity[8] = {"N", "O", "N", "E", "N", "mark", "N", "space"};
    static const char* const kIirId[8] = {"modem status", "none", "THR empty", "?", "received data", "?",
                                          "line status", "?"};
    const uint8_t lcr = u.lcr(), iir = u.interrupt_id();
    ImGui::Text("%s %u baud %u%s%u%s  IER %02x %s  IIR %02x %s%s", name,
                u.divisor() ? unsigned(devices::Uart16550::kClockHz / 16 / u.divisor()) : 0, 5 + (lcr & 3),
                kParity[(lcr >> 3) & 7], lcr & 4 ? 2 : 1, lcr & 0x80 ? " DLAB" : "", u.ier(), flags(u.ier(), kIer).c_str(),
                iir, iir & 1 ? "no interrupt" : kIirId[(iir >> 1) & 7], iir & 0x08 ? " (timeout)" : "");
    ImGui::Text("     FCR %02x%s  MCR %02x %s  LSR %02x %s  MSR %02x %s  SCR %02x  RX FIFO %zu, host queue %zu", u.fcr(),
                u.fcr() & 1 ? " FIFOs on" : " FIFOs off", u.mcr(), flags(u.mcr(), kMcr).c_str(), u.lsr(),
                flags(u.lsr(), kLsr).c_str(), u.msr(), flags(u.msr(), kMsr).c_str(), u.scr(), u.rx_fifo_level(),
                u.host_input_pending());
}

void i8042(const devices::I8042& k) {
    static const char* const kStatus[8] = {"OBF", "IBF", "SYS", "CMD", "unlocked", "AUXOBF", "timeout", "parity"};
    static const char* const kCtr[8] = {"KBDINT", "AUXINT", "SYS", "", "KBDDIS", "AUXDIS", "XLATE", ""};
    ImGui::Text("status %02x %s  command byte %02x %s  output port %02x (A20 %s)  %zu bytes queued", k.status(),
                flags(k.status(), kStatus).c_str(), k.command_byte(), flags(k.command_byte(), kCtr).c_str(),
                k.output_port(), k.output_port() & 2 ? "on" : "off", k.queued());
}

}  // namespace

void devices(Debugger& dbg) {
    const emu::Machine& m = dbg.sys().machine;
    const ImGuiTreeNodeFlags open = ImGuiTreeNodeFlags_DefaultOpen;
    if (ImGui::CollapsingHeader("8259A PIC pair", open)) {
        pic(m.pic.master, "master", 0);
        pic(m.pic.slave, "slave", 8);
    }
    if (ImGui::CollapsingHeader("8254 PIT", open)) pit(m.pit);
    if (ImGui::CollapsingHeader("Local APIC", open)) lapic(m.lapic);
    if (ImGui::CollapsingHeader("IOAPIC redirection table")) ioapic(m.ioapic);
    if (ImGui::CollapsingHeader("MC146818 RTC", open)) rtc(m.rtc);
    if (ImGui::CollapsingHeader("16550A UARTs", open)) {
        uart(m.com1, "COM1");
        uart(m.com2, "COM2");
    }
    if (ImGui::CollapsingHeader("i8042 keyboard controller", open)) i8042(m.kbd);
    if (ImGui::CollapsingHeader("Device dumps (one line each)")) {
        const std::string d = m.dump();
        ImGui::TextUnformatted(d.data(), d.data() + d.size());
    }
}

}  // namespace bs::frontend::debug::views
