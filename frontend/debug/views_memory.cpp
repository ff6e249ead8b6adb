// The memory panes (see views.h): hex dump, page-table walk, GDT/IDT/TSS,
// the stack with its return addresses, and the guest's current task. All of
// them read guest memory through Debugger::read_phys/read_linear, which have
// no side effects (no accessed/dirty bits set, no MMIO touched).
#include <imgui.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/system.h"
#include "views.h"

namespace bs::frontend::debug::views {

namespace {

uint64_t bits(uint64_t hi, uint64_t lo) { return ((hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1); }

bool parse_number(const char* text, uint64_t& v) {
    try {
        size_t used = 0;
        v = std::stoull(text, &used, 0);
        return used == std::strlen(text) && used > 0;
    } catch (const std::exception&) {
        return false;
    }
}

// An address field that takes a number or a symbol (SYMBOL+OFF too).
bool address_input(Debugger& dbg, const char* label, char* buf, size_t size, uint64_t& addr) {
    ImGui::SetNextItemWidth(220);
    ImGui::InputText(label, buf, size);
    if (parse_number(buf, addr) || dbg.resolve(buf, addr)) return true;
    if (buf[0]) {
        ImGui::SameLine();
        ImGui::TextColored(kBad, "not a number or a symbol");
    }
    return false;
}

uint64_t read_le(const uint8_t* p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
}

const char* vector_name(unsigned v) {
    static const char* const kNames[22] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                           "#DF", "(coprocessor overrun)", "#TS", "#NP", "#SS", "#GP",
                                           "#PF", "", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
    return v < 22 ? kNames[v] : "";
}

}  // namespace

// ---- hex dump ----

void hex_dump(Debugger& dbg, HexState& st) {
    uint64_t addr = 0;
    const bool ok_addr = address_input(dbg, "address", st.addr, sizeof st.addr, addr);
    ImGui::SameLine();
    ImGui::Checkbox("linear (through the page tables)", &st.linear);
    if (!ok_addr) return;
    addr &= ~0xfull;
    ImGui::BeginChild("hex");
    for (unsigned row = 0; row < 32; ++row) {
        const uint64_t a = addr + row * 16;
        uint8_t b[16];
        uint64_t pa = a;
        const bool ok = st.linear ? dbg.read_linear(a, b, 16) && dbg.translate(a, pa) : dbg.read_phys(a, b, 16);
        if (!ok) {
            ImGui::TextColored(kDim, "%016" PRIx64 "  %s", a, st.linear ? "not mapped" : "no memory here");
            continue;
        }
        char hex[64], asc[17];
        for (unsigned k = 0; k < 16; ++k) {
            std::snprintf(hex + 3 * k, sizeof hex - 3 * k, "%02x ", b[k]);
            asc[k] = b[k] >= 0x20 && b[k] < 0x7f ? char(b[k]) : '.';
        }
        asc[16] = 0;
        if (st.linear) ImGui::Text("%016" PRIx64 " %09" PRIx64 " %s %s", a, pa, hex, asc);
        else ImGui::Text("%016" PRIx64 "  %s %s", a, hex, asc);
    }
    ImGui::EndChild();
}

// ---- page-table walk ----

std::string entry_flags(uint64_t e, bool pte, bool nx_valid) {
    struct Flag {
        unsigned bit;
        const char* name;
    };
    // SDM Vol. 3A §4.5, Tables 4-14..4-20; bit 7 is PS above the PTE level, PAT in a PTE.
    static const Flag kFlags[] = {{0, "P"}, {1, "RW"}, {2, "US"}, {3, "PWT"}, {4, "PCD"},
                                  {5, "A"}, {6, "D"},  {7, "PS"}, {8, "G"}};
    std::string s;
    for (const Flag& f : kFlags) {
        if (!(e >> f.bit & 1)) continue;
        if (!s.empty()) s += ' ';
        s += f.bit == 7 && pte ? "PAT" : f.name;
    }
    if (nx_valid && (e >> 63)) s += s.empty() ? "NX" : " NX";
    return s.empty() ? "-" : s;
}

Walk walk(Debugger& dbg, uint64_t lin) {
    const cpu::CpuState& s = dbg.sys().cpu.s;
    Walk w;
    if (!(s.cr0 & cpu::cr0::PG)) {
        w.mode = "no paging";
        w.mapped = true;
        w.phys = lin & 0xffffffff;
        w.writable = w.user = true;
        return w;
    }
    const bool lma = s.efer & cpu::efer::LMA;
    const bool pae = s.cr4 & cpu::cr4::PAE;
    const bool nx_valid = (s.efer & cpu::efer::NXE) && pae;
    const uint64_t addr_mask = bits(cpu::Cpu::kPhysAddrBits - 1, 12);
    const uint64_t above_maxphy = bits(51, cpu::Cpu::kPhysAddrBits);
    w.writable = w.user = true;

    auto read_entry = [&](const char* name, uint64_t table, unsigned index, unsigned size) -> WalkLevel& {
        WalkLevel l{name, table, index, 0, size, true};
        uint8_t buf[8] = {};
        l.read_ok = dbg.read_phys(table + uint64_t(index) * size, buf, size);
        l.entry = read_le(buf, size);
        w.levels.push_back(l);
        return w.levels.back();
    };
    // Present, no reserved bit set; else the walk ends with #PF.
    auto check = [&](const WalkLevel& l, uint64_t reserved) {
        if (!l.read_ok) {
            w.fault = std::string(l.name) + " is outside RAM: the walk cannot go on";
            return false;
        }
        if (!(l.entry & 1)) {
            w.fault = std::string(l.name) + " not present: #PF";
            return false;
        }
        if (l.entry & reserved) {
            char m[96];
            std::snprintf(m, sizeof m, "%s has reserved bits %#" PRIx64 " set: #PF (RSVD)", l.name, l.entry & reserved);
            w.fault = m;
            return false;
        }
        return true;
    };
    auto rights = [&](uint64_t e) {
        w.writable = w.writable && (e & 2);
        w.user = w.user && (e & 4);
        w.nx = w.nx || (nx_valid && (e >> 63));
    };
    auto leaf = [&](uint64_t e, uint64_t size) {
        w.mapped = true;
        w.page_size = size;
        w.phys = (e & addr_mask & ~(size - 1)) | (lin & (size - 1));
    };
    const uint64_t nx_reserved = nx_valid ? 0 : 1ull << 63;

    if (lma) {
        // 4-level paging (SDM Vol. 3A §4.5): 9 bits per level from bit 39; the
        // linear address must be canonical (bits 63:47 equal) or the access is #GP.
        w.mode = "4-level";
        const uint64_t top = lin >> 47;
        if (top != 0 && top != 0x1ffff) {
            w.fault = "not canonical: #GP (no walk)";
            return w;
        }
        static const char* const kNames[4] = {"PML4E", "PDPTE", "PDE", "PTE"};
        uint64_t table = s.cr3 & addr_mask;
        for (unsigned level = 0; level < 4; ++level) {
            const unsigned shift = 39 - 9 * level;
            const WalkLevel& l = read_entry(kNames[level], table, unsigned(lin >> shift) & 511, 8);
            uint64_t reserved = above_maxphy | nx_reserved;
            const bool ps = level == 1 || level == 2 ? (l.entry >> 7) & 1 : false;
            if (level == 0) reserved |= 1ull << 7;               // PS is reserved in a PML4E
            if (ps) reserved |= bits(shift - 1, 13);             // 1 GiB / 2 MiB page: address bits below the page
            if (!check(l, reserved)) return w;
            rights(l.entry);
            if (ps || level == 3) {
                leaf(l.entry, 1ull << shift);
                return w;
            }
            table = l.entry & addr_mask;
        }
        return w;
    }
    if (pae) {
        // PAE paging (SDM Vol. 3A §4.4): the four PDPTEs are registers the CPU
        // loaded from CR3 (at the MOV to CR3 or CR0), not read during the walk.
        w.mode = "PAE";
        lin &= 0xffffffff;
        const unsigned i = unsigned(lin >> 30) & 3;
        w.levels.push_back({"PDPTE (register)", s.cr3 & 0xffffffe0, i, s.pdpte[i], 8, true});
        if (!check(w.levels.back(), above_maxphy | bits(63, 63) | bits(8, 5) | bits(2, 1))) return w;
        uint64_t table = s.pdpte[i] & addr_mask;
        const WalkLevel& pde = read_entry("PDE", table, unsigned(lin >> 21) & 511, 8);
        const bool ps = (pde.entry >> 7) & 1;
        if (!check(pde, above_maxphy | nx_reserved | (ps ? bits(20, 13) : 0))) return w;
        rights(pde.entry);
        if (ps) {
            leaf(pde.entry, 2ull << 20);
            return w;
        }
        const WalkLevel& pte = read_entry("PTE", pde.entry & addr_mask, unsigned(lin >> 12) & 511, 8);
        if (!check(pte, above_maxphy | nx_reserved)) return w;
        rights(pte.entry);
        leaf(pte.entry, 4096);
        return w;
    }
    // 32-bit paging (SDM Vol. 3A §4.3): 10 + 10 bits; with CR4.PSE a PDE
    // with PS maps 4 MiB, its bits 20:13 giving physical bits 39:32 (PSE-36).
    w.mode = "32-bit";
    lin &= 0xffffffff;
    const WalkLevel& pde = read_entry("PDE", s.cr3 & 0xfffff000, unsigned(lin >> 22), 4);
    const bool ps = (s.cr4 & cpu::cr4::PSE) && (pde.entry >> 7 & 1);
    if (!check(pde, ps ? bits(21, 21) : 0)) return w;
    rights(pde.entry);
    if (ps) {
        w.mapped = true;
        w.page_size = 4ull << 20;
        w.phys = (pde.entry & 0xffc00000) | ((pde.entry >> 13 & 0xff) << 32) | (lin & 0x3fffff);
        return w;
    }
    const WalkLevel& pte = read_entry("PTE", pde.entry & 0xfffff000, unsigned(lin >> 12) & 1023, 4);
    if (!check(pte, 0)) return w;
    rights(pte.entry);
    w.mapped = true;
    w.page_size = 4096;
    w.phys = (pte.entry & 0xfffff000) | (lin & 0xfff);
    return w;
}

void page_walk(Debugger& dbg, WalkState& st) {
    cpu::Cpu& c = dbg.sys().cpu;
    auto set = [&](uint64_t v) { std::snprintf(st.addr, sizeof st.addr, "%#" PRIx64, v); };
    if (!st.addr[0]) set(c.current_pc());
    uint64_t lin = 0;
    const bool ok = address_input(dbg, "linear address", st.addr, sizeof st.addr, lin);
    ImGui::SameLine();
    if (ImGui::SmallButton("RIP")) set(c.current_pc());
    ImGui::SameLine();
    if (ImGui::SmallButton("RSP")) set(c.segment_base(cpu::SS) + c.s.gpr[cpu::RSP]);
    ImGui::SameLine();
    if (ImGui::SmallButton("CR2")) set(c.s.cr2);
    if (!ok) return;

    const Walk w = walk(dbg, lin);
    const bool nx_valid = (c.s.efer & cpu::efer::NXE) && (c.s.cr4 & cpu::cr4::PAE);
    ImGui::Text("%s paging, CR3 %#" PRIx64 "%s", w.mode, c.s.cr3, c.s.cr0 & cpu::cr0::WP ? ", CR0.WP" : "");
    if (!w.levels.empty() &&
        ImGui::BeginTable("walk", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("level");
        ImGui::TableSetupColumn("table");
        ImGui::TableSetupColumn("index");
        ImGui::TableSetupColumn("entry");
        ImGui::TableSetupColumn("flags");
        ImGui::TableHeadersRow();
        for (size_t i = 0; i < w.levels.size(); ++i) {
            const WalkLevel& l = w.levels[i];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(l.name);
            ImGui::TableNextColumn();
            ImGui::Text("%09" PRIx64, l.table);
            ImGui::TableNextColumn();
            ImGui::Text("%3u", l.index);
            ImGui::TableNextColumn();
            if (!l.read_ok) ImGui::TextColored(kBad, "(no memory)");
            else ImGui::Text("%0*" PRIx64, int(l.entry_size * 2), l.entry);
            ImGui::TableNextColumn();
            const bool is_pte = std::strcmp(l.name, "PTE") == 0;
            ImGui::TextUnformatted(l.read_ok ? entry_flags(l.entry, is_pte, nx_valid).c_str() : "");
        }
        ImGui::EndTable();
    }
    if (w.mapped) {
        char size[16] = "";
        if (w.page_size) {
            const uint64_t k = w.page_size >> 10;
            std::snprintf(size, sizeof size, k >= 1024 * 1024 ? "%" PRIu64 " GiB" : k >= 1024 ? "%" PRIu64 " MiB" : "%" PRIu64 " KiB",
                          k >= 1024 * 1024 ? k >> 20 : k >= 1024 ? k >> 10 : k);
        }
        ImGui::TextColored(kCurrent, "-> physical %#" PRIx64 "%s%s", w.phys, size[0] ? " in a page of " : "", size);
        ImGui::Text("   %s, %s, %s", w.writable ? "writable" : "read-only", w.user ? "user" : "supervisor only",
                    w.nx ? "not executable" : "executable");
    } else {
        ImGui::TextColored(kBad, "-> %s", w.fault.c_str());
    }
    // The CPU's own walk, as a cross-check of this one.
    uint64_t pa = 0;
    const bool cpu_ok = dbg.translate(lin, pa);
    if (cpu_ok != w.mapped || (cpu_ok && pa != w.phys))
        ImGui::TextColored(kBad, "the CPU's translation differs: %s %#" PRIx64, cpu_ok ? "maps to" : "does not map", pa);
}

// ---- GDT, IDT, TSS ----

namespace {

// The name of a selector the CPU holds right now ("CS SS", "TR"), for the GDT listing.
std::string loaded_as(const cpu::CpuState& s, uint16_t index) {
    static const char* const kSeg[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    std::string r;
    auto add = [&](const char* n, uint16_t sel) {
        if (sel >> 3 == index && !(sel & 4) && sel > 3) r += r.empty() ? n : std::string(" ") + n;
    };
    for (unsigned i = 0; i < 6; ++i) add(kSeg[i], s.seg[i].selector);
    add("TR", s.tr.selector);
    add("LDTR", s.ldtr.selector);
    return r;
}

std::string descriptor_text(const cpu::Descriptor& d, bool long_mode) {
    char b[160];
    if (!d.present() && !(d.raw & ~(1ull << 40))) return "null";
    if (d.s()) {
        const unsigned t = d.type();
        std::snprintf(b, sizeof b, "%s base %08" PRIx64 " limit %08x dpl%u %s%s%s%s%s%s",
                      d.code() ? (t & 2 ? "code r-x" : "code --x") : (t & 2 ? "data rw-" : "data r--"), d.base(),
                      d.limit(), d.dpl(), d.code() && (t & 4) ? "conforming " : !d.code() && (t & 4) ? "expand-down " : "",
                      d.present() ? "P" : "not-present", d.l() ? " L" : "", d.db() ? " D/B" : "",
                      (d.raw >> 55) & 1 ? " G" : "", (t & 1) ? " A" : "");
        return b;
    }
    const unsigned t = d.type();
    const bool tss = t == cpu::systype::Tss32Avail || t == cpu::systype::Tss32Busy || t == cpu::systype::Tss16Avail ||
                     t == cpu::systype::Tss16Busy;
    if (tss || t == cpu::systype::Ldt) {
        const char* kind = t == cpu::systype::Ldt ? "LDT"
                           : long_mode           ? (t & 2 ? "TSS64 busy" : "TSS64 available")
                           : t & 8               ? (t & 2 ? "TSS32 busy" : "TSS32 available")
                                                 : (t & 2 ? "TSS16 busy" : "TSS16 available");
        std::snprintf(b, sizeof b, "%s base %0*" PRIx64 " limit %05x dpl%u %s", kind, long_mode ? 16 : 8,
                      long_mode ? d.base64() : d.base(), d.limit(), d.dpl(), d.present() ? "P" : "not-present");
        return b;
    }
    if (t == cpu::systype::CallGate32 || t == cpu::systype::CallGate16) {
        std::snprintf(b, sizeof b, "call gate -> %04x:%" PRIx64 " dpl%u %s", d.gate_selector(),
                      long_mode ? d.gate_offset64() : d.gate_offset32(), d.dpl(), d.present() ? "P" : "not-present");
        return b;
    }
    std::snprintf(b, sizeof b, "system type %x (not valid in the GDT)", t);
    return b;
}

void gdt(Debugger& dbg) {
    const cpu::CpuState& s = dbg.sys().cpu.s;
    const bool long_mode = s.efer & cpu::efer::LMA;
    const size_t size = size_t(s.gdtr.limit) + 1;
    ImGui::Text("GDTR base %016" PRIx64 " limit %04x: %zu entries%s", s.gdtr.base, s.gdtr.limit, size / 8,
                dbg.sys().cpu.mode() == cpu::CpuMode::Real ? " (real mode: not in use)" : "");
    std::vector<uint8_t> bytes(size);
    if (!dbg.read_linear(s.gdtr.base, bytes.data(), size)) {
        ImGui::TextColored(kBad, "the GDT is not readable at its linear address");
        return;
    }
    if (!ImGui::BeginTable("gdt", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("sel");
    ImGui::TableSetupColumn("raw");
    ImGui::TableSetupColumn("decoded");
    ImGui::TableSetupColumn("in use");
    ImGui::TableHeadersRow();
    for (size_t i = 0; i + 8 <= size; i += 8) {
        cpu::Descriptor d;
        d.raw = read_le(&bytes[i], 8);
        // Long mode: LDT, TSS and call-gate descriptors take 16 bytes.
        const bool wide = long_mode && !d.s() && d.present() && i + 16 <= size &&
                          (d.type() == cpu::systype::Ldt || (d.type() & 7) == 1 || (d.type() & 7) == 3 ||
                           d.type() == cpu::systype::CallGate32);
        if (wide) d.upper = uint32_t(read_le(&bytes[i + 8], 4));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%04zx", i);
        ImGui::TableNextColumn();
        ImGui::Text("%016" PRIx64, d.raw);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(descriptor_text(d, long_mode).c_str());
        ImGui::TableNextColumn();
        ImGui::TextColored(kCurrent, "%s", loaded_as(s, uint16_t(i / 8)).c_str());
        if (wide) i += 8;
    }
    ImGui::EndTable();
}

void idt(Debugger& dbg) {
    cpu::Cpu& c = dbg.sys().cpu;
    const cpu::CpuState& s = c.s;
    const bool long_mode = s.efer & cpu::efer::LMA;
    const bool real = c.mode() == cpu::CpuMode::Real;
    const unsigned gate_size = real ? 4 : long_mode ? 16 : 8;
    const size_t size = size_t(s.idtr.limit) + 1;
    const size_t count = std::min<size_t>(256, size / gate_size);
    ImGui::Text("IDTR base %016" PRIx64 " limit %04x: %zu %s", s.idtr.base, s.idtr.limit, count,
                real ? "real-mode vectors (segment:offset)" : long_mode ? "16-byte gates" : "8-byte gates");
    std::vector<uint8_t> bytes(count * gate_size);
    if (!dbg.read_linear(s.idtr.base, bytes.data(), bytes.size())) {
        ImGui::TextColored(kBad, "the IDT is not readable at its linear address");
        return;
    }
    if (!ImGui::BeginTable("idt", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("vector");
    ImGui::TableSetupColumn("gate");
    ImGui::TableSetupColumn("target");
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(int(count));
    while (clip.Step()) {
        for (int v = clip.DisplayStart; v < clip.DisplayEnd; ++v) {
            const uint8_t* p = &bytes[size_t(v) * gate_size];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%02x %s", v, vector_name(unsigned(v)));
            ImGui::TableNextColumn();
            if (real) {
                const uint16_t off = uint16_t(read_le(p, 2)), seg = uint16_t(read_le(p + 2, 2));
                ImGui::Text("%04x:%04x", seg, off);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(dbg.symbol_name(uint64_t(seg) * 16 + off).c_str());
                continue;
            }
            cpu::Descriptor d;
            d.raw = read_le(p, 8);
            if (long_mode) d.upper = uint32_t(read_le(p + 8, 4));
            if (!d.present()) {
                ImGui::TextColored(kDim, "not present");
                ImGui::TableNextColumn();
                continue;
            }
            const unsigned t = d.type();
            if (t == cpu::systype::TaskGate && !long_mode) {
                ImGui::Text("task gate dpl%u", d.dpl());
                ImGui::TableNextColumn();
                ImGui::Text("TSS selector %04x", d.gate_selector());
                continue;
            }
            const bool intr = (t & 7) == 6, trap = (t & 7) == 7;
            if (d.s() || (!intr && !trap)) {
                ImGui::TextColored(kBad, "invalid type %x", t);
                ImGui::TableNextColumn();
                continue;
            }
            const uint64_t off = long_mode ? d.gate_offset64() : d.gate_offset32();
            if (long_mode && d.ist()) ImGui::Text("%s dpl%u ist%u", intr ? "interrupt" : "trap", d.dpl(), d.ist());
            else ImGui::Text("%s%s dpl%u", intr ? "interrupt" : "trap", t & 8 ? "" : "16", d.dpl());
            ImGui::TableNextColumn();
            // Offsets in a flat kernel are linear addresses; the selector's base is 0 there.
            const std::string sym = dbg.symbol_name(off);
            ImGui::Text("%04x:%016" PRIx64 " %s", d.gate_selector(), off, sym.c_str());
        }
    }
    ImGui::EndTable();
}

void tss(Debugger& dbg) {
    const cpu::CpuState& s = dbg.sys().cpu.s;
    const cpu::Segment& tr = s.tr;
    const unsigned type = tr.attr & 0xf;
    if (!(tr.selector & ~3) || !(tr.attr & cpu::segattr::Present)) {
        ImGui::TextDisabled("no TSS loaded (TR selector %04x): LTR has not run yet", tr.selector);
        return;
    }
    const bool long_mode = s.efer & cpu::efer::LMA;
    ImGui::Text("TR %04x: base %016" PRIx64 " limit %x, %s", tr.selector, tr.base, tr.limit,
                long_mode ? "64-bit TSS" : type & 8 ? "32-bit TSS" : "16-bit TSS");
    const size_t n = std::min<size_t>(size_t(tr.limit) + 1, 104);
    std::vector<uint8_t> t(104, 0);
    if (!dbg.read_linear(tr.base, t.data(), n)) {
        ImGui::TextColored(kBad, "the TSS is not readable at its linear address");
        return;
    }
    auto q = [&](size_t off) { return read_le(&t[off], 8); };
    auto d = [&](size_t off) { return read_le(&t[off], 4); };
    auto w = [&](size_t off) { return read_le(&t[off], 2); };
    uint64_t io_base = 0;
    if (long_mode) {
        // SDM Vol. 3A §7.7, Figure 7-11.
        for (unsigned i = 0; i < 3; ++i) {
            const uint64_t v = q(4 + 8 * i);
            ImGui::Text("RSP%u  %016" PRIx64 " %s", i, v, dbg.symbol_name(v).c_str());
        }
        for (unsigned i = 1; i <= 7; ++i) {
            const uint64_t v = q(36 + 8 * (i - 1));
            if (v) ImGui::Text("IST%u  %016" PRIx64 " %s", i, v, dbg.symbol_name(v).c_str());
            else ImGui::TextColored(kDim, "IST%u  0", i);
        }
        io_base = w(102);
    } else if (type & 8) {
        // SDM Vol. 3A §7.2.1, Figure 7-2.
        for (unsigned i = 0; i < 3; ++i) ImGui::Text("SS%u:ESP%u  %04" PRIx64 ":%08" PRIx64, i, i, w(8 + 8 * i), d(4 + 8 * i));
        ImGui::Text("CR3 %08" PRIx64 "  EIP %08" PRIx64 "  EFLAGS %08" PRIx64 "  LDT %04" PRIx64 "  T %u", d(28), d(32),
                    d(36), w(96), unsigned(w(100) & 1));
        static const char* const kRegs[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
        for (unsigned i = 0; i < 8; ++i) {
            ImGui::Text("%s %08" PRIx64, kRegs[i], d(40 + 4 * i));
            if (i % 4 != 3) ImGui::SameLine();
        }
        ImGui::Text("ES %04" PRIx64 " CS %04" PRIx64 " SS %04" PRIx64 " DS %04" PRIx64 " FS %04" PRIx64 " GS %04" PRIx64
                    "  previous task %04" PRIx64,
                    w(72), w(76), w(80), w(84), w(88), w(92), w(0));
        io_base = w(102);
    } else {
        // 80286 TSS (SDM Vol. 3A §7.6): the privileged stacks.
        for (unsigned i = 0; i < 3; ++i) ImGui::Text("SS%u:SP%u  %04" PRIx64 ":%04" PRIx64, i, i, w(4 + 4 * i), w(2 + 4 * i));
        return;
    }
    // The I/O permission bitmap (SDM Vol. 1 §19.5.2): from the base to the limit.
    if (io_base < tr.limit)
        ImGui::Text("I/O map base %#" PRIx64 ": a bitmap for ports 0-%" PRIu64, io_base,
                    std::min<uint64_t>(65535, (tr.limit - io_base) * 8 + 7));
    else
        ImGui::Text("I/O map base %#" PRIx64 ": beyond the limit, no bitmap (CPL > IOPL cannot use ports)", io_base);
}

}  // namespace

void descriptor_tables(Debugger& dbg, TablesState& st) {
    ImGui::RadioButton("GDT", &st.table, 0);
    ImGui::SameLine();
    ImGui::RadioButton("IDT", &st.table, 1);
    ImGui::SameLine();
    ImGui::RadioButton("TSS", &st.table, 2);
    switch (st.table) {
    case 0: gdt(dbg); break;
    case 1: idt(dbg); break;
    default: tss(dbg); break;
    }
}

// ---- the stack ----

namespace {

// Whether `value` is a return address: it is in known code and the bytes
// before it decode as a CALL that ends exactly there (E8 rel32 is 5 bytes,
// FF /2 through a register or memory 2 to 7, with a REX prefix one more).
bool is_return_address(Debugger& dbg, const Disassembler& disasm, uint64_t value, uint64_t cs_base, unsigned code_size) {
    if (dbg.symbol_name(cs_base + value).empty()) return false;
    uint8_t buf[8];
    if (value < 8 || !dbg.read_linear(cs_base + value - 8, buf, 8)) return false;
    for (unsigned len : {5u, 2u, 3u, 6u, 7u, 4u, 8u}) {
        const auto lines = disasm.decode(buf + 8 - len, len, value - len, code_size, 1);
        if (!lines.empty() && lines[0].size == len && lines[0].is_call) return true;
    }
    return false;
}

}  // namespace

void stack(Debugger& dbg, const Disassembler& disasm) {
    cpu::Cpu& c = dbg.sys().cpu;
    const cpu::CpuState& s = c.s;
    const unsigned word = s.code_size;  // the size CALL pushes in the current code
    const uint64_t sp_mask = s.stack_size == 8 ? ~0ull : s.stack_size == 4 ? 0xffffffffull : 0xffff;
    const uint64_t cs_base = c.segment_base(cpu::CS), ss_base = c.segment_base(cpu::SS);
    const uint64_t sp = s.gpr[cpu::RSP] & sp_mask;

    // Frames from the RBP chain: [rbp] = the caller's rbp, [rbp + word] = the
    // return address. The kernel is built with -fno-omit-frame-pointer; the
    // real-mode setup code and user programs need not be.
    if (ImGui::CollapsingHeader("Frames (frame-pointer chain)", ImGuiTreeNodeFlags_DefaultOpen)) {
        const uint64_t pc = c.current_pc();
        ImGui::Text("#0  %016" PRIx64 " %s", pc, dbg.symbol_name(pc).c_str());
        unsigned n = 1;
        // In the prologue (at the function's first byte, or just after its
        // PUSH RBP) RBP is still the caller's: the return address is at RSP
        // (or RSP + one word), above no frame of its own.
        uint8_t first = 0;
        const bool at_entry = dbg.is_symbol_start(pc);
        const bool after_push = !at_entry && dbg.is_symbol_start(pc - 1) && dbg.read_linear(pc - 1, &first, 1) && first == 0x55;
        if (at_entry || after_push) {
            uint8_t buf[8] = {};
            const uint64_t slot = (sp + (after_push ? word : 0)) & sp_mask;
            const uint64_t ret = dbg.read_linear(ss_base + slot, buf, word) ? read_le(buf, word) : 0;
            if (is_return_address(dbg, disasm, ret, cs_base, word))
                ImGui::Text("#%-2u %016" PRIx64 " %s", n++, ret, dbg.symbol_name(cs_base + ret).c_str());
        }
        const unsigned from_prologue = n;
        uint64_t fp = s.gpr[cpu::RBP] & sp_mask;
        for (; n < 32;) {
            uint8_t buf[16] = {};
            if (fp < sp || fp - sp > 256 * 1024 || !dbg.read_linear(ss_base + fp, buf, 2 * word)) break;
            const uint64_t next = read_le(buf, word), ret = read_le(buf + word, word);
            if (!is_return_address(dbg, disasm, ret, cs_base, word)) break;
            ImGui::Text("#%-2u %016" PRIx64 " %s", n++, ret, dbg.symbol_name(cs_base + ret).c_str());
            if (next <= fp) break;
            fp = next;
        }
        if (n == from_prologue)
            ImGui::TextDisabled("RBP %#" PRIx64 " does not start a frame chain here (function entry, or no frame pointers)",
                                s.gpr[cpu::RBP]);
    }
    ImGui::Separator();
    ImGui::Text("SS:RSP %04x:%0*" PRIx64 " (linear %#" PRIx64 "), %u-byte words", s.seg[cpu::SS].selector, int(s.stack_size * 2),
                sp, ss_base + sp, word);
    ImGui::BeginChild("stack words");
    for (unsigned i = 0; i < 64; ++i) {
        const uint64_t slot = (sp + uint64_t(i) * word) & sp_mask;
        uint8_t buf[8];
        if (!dbg.read_linear(ss_base + slot, buf, word)) {
            ImGui::TextColored(kDim, "%016" PRIx64 "  not mapped", ss_base + slot);
            break;
        }
        const uint64_t v = read_le(buf, word);
        if (is_return_address(dbg, disasm, v, cs_base, word)) {
            ImGui::TextColored(kLabel, "%016" PRIx64 "  %0*" PRIx64 "  <- return to %s", ss_base + slot, int(word * 2), v,
                               dbg.symbol_name(cs_base + v).c_str());
        } else {
            const std::string sym = dbg.symbol_name(v);
            ImGui::Text("%016" PRIx64 "  %0*" PRIx64 "  %s", ss_base + slot, int(word * 2), v, sym.c_str());
        }
    }
    ImGui::EndChild();
}

// ---- the current task (guest_tasks.h reads it) ----

namespace {

const char* state_name(int64_t s) {
    switch (s) {
    case 0: return "running";
    case 1: return "sleeping";
    case 2: return "uninterruptible";
    case 32: return "zombie";
    case 64: return "dead";
    default: return "?";
    }
}

}  // namespace

void task(Debugger& dbg) {
    GuestTask cur;
    std::string why;
    if (!current_task(dbg, cur, why)) {
        ImGui::TextDisabled("%s", why.c_str());
        return;
    }
    ImGui::TextColored(kCurrent, "current: pid %d \"%s\" (%s%s) task_struct at %#" PRIx64, cur.pid, cur.comm.c_str(),
                       state_name(cur.state), cur.flags & 0x00200000 ? ", kernel thread" : "", cur.addr);
    const std::vector<GuestTask> tasks = all_tasks(dbg);
    if (tasks.empty()) return;
    ImGui::Text("task_list: %zu tasks", tasks.size());
    for (const GuestTask& t : tasks)
        ImGui::TextColored(t.addr == cur.addr ? kCurrent : ImGui::GetStyle().Colors[ImGuiCol_Text],
                           "  pid %-3d %-16s %-15s %s", t.pid, t.comm.c_str(), state_name(t.state),
                           t.flags & 0x00200000 ? "kthread" : "");
}

}  // namespace bs::frontend::debug::views
