// Breakpoints as data: parsing, conditions, the text form (breakpoints.h).
#include "breakpoints.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <sstream>

#include "cpu/flags.h"
#include "emu/trace/analysis.h"

namespace bs::frontend::debug {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// "A" or "A-B" with both ends resolved; B >= A.
bool parse_range(const std::string& s, const Resolver& resolve, uint64_t& lo, uint64_t& hi) {
    const size_t dash = s.find('-');
    if (dash == std::string::npos) {
        if (!resolve(s, lo)) return false;
        hi = lo;
        return true;
    }
    return resolve(s.substr(0, dash), lo) && resolve(s.substr(dash + 1), hi) && hi >= lo;
}

bool parse_access(const std::string& s, unsigned& access) {
    if (s == "r") access = kAccessRead;
    else if (s == "w") access = kAccessWrite;
    else if (s == "rw") access = kAccessRead | kAccessWrite;
    else return false;
    return true;
}

// The 16 general registers by their 64/32/16/8-bit names.
constexpr std::array<const char*, 16> kGpr64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                                "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
constexpr std::array<const char*, 8> kGpr32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
constexpr std::array<const char*, 8> kGpr16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
constexpr std::array<const char*, 4> kGpr8 = {"al", "cl", "dl", "bl"};
constexpr std::array<const char*, 6> kSeg = {"es", "cs", "ss", "ds", "fs", "gs"};

// The value of a condition register; false when `reg` names none.
bool read_register(const std::string& reg, const cpu::CpuState& s, uint64_t icount, uint64_t& v) {
    for (unsigned i = 0; i < 16; ++i) {
        const std::string r = kGpr64[i];
        if (reg == r) return v = s.gpr[i], true;
        if (i >= 8 && reg == r + "d") return v = static_cast<uint32_t>(s.gpr[i]), true;
        if (i >= 8 && reg == r + "w") return v = static_cast<uint16_t>(s.gpr[i]), true;
        if (i >= 8 && reg == r + "b") return v = static_cast<uint8_t>(s.gpr[i]), true;
        if (i < 8 && reg == kGpr32[i]) return v = static_cast<uint32_t>(s.gpr[i]), true;
        if (i < 8 && reg == kGpr16[i]) return v = static_cast<uint16_t>(s.gpr[i]), true;
        if (i < 4 && reg == kGpr8[i]) return v = static_cast<uint8_t>(s.gpr[i]), true;
    }
    for (unsigned i = 0; i < kSeg.size(); ++i)
        if (reg == kSeg[i]) return v = s.seg[i].selector, true;
    if (reg == "rip") return v = s.rip, true;
    if (reg == "rflags" || reg == "eflags") {
        cpu::CpuState copy = s;  // materialising the lazy flags is not the debugger's to do to the guest
        return v = cpu::get_rflags(copy), true;
    }
    if (reg == "cr0") return v = s.cr0, true;
    if (reg == "cr2") return v = s.cr2, true;
    if (reg == "cr3") return v = s.cr3, true;
    if (reg == "cr4") return v = s.cr4, true;
    if (reg == "efer") return v = s.efer, true;
    if (reg == "cpl") return v = s.cpl, true;
    if (reg == "icount") return v = icount, true;
    return false;
}

struct OpName {
    const char* text;
    Condition::Op op;
};
// Two-character operators first, so "<=" is not read as "<".
constexpr OpName kOps[] = {{"==", Condition::Op::Eq}, {"!=", Condition::Op::Ne}, {"<=", Condition::Op::Le},
                           {">=", Condition::Op::Ge}, {"<", Condition::Op::Lt},  {">", Condition::Op::Gt},
                           {"&", Condition::Op::And}};

}  // namespace

bool is_condition_register(const std::string& reg) {
    uint64_t v;
    return read_register(reg, cpu::CpuState{}, 0, v);
}

bool Condition::holds(const cpu::CpuState& s, uint64_t icount) const {
    for (const Term& t : terms) {
        uint64_t v = 0;
        read_register(t.reg, s, icount, v);
        bool ok = false;
        switch (t.op) {
        case Op::Eq: ok = v == t.value; break;
        case Op::Ne: ok = v != t.value; break;
        case Op::Lt: ok = v < t.value; break;
        case Op::Le: ok = v <= t.value; break;
        case Op::Gt: ok = v > t.value; break;
        case Op::Ge: ok = v >= t.value; break;
        case Op::And: ok = (v & t.value) != 0; break;
        }
        if (!ok) return false;
    }
    return true;
}

bool parse_condition(const std::string& text, const Resolver& resolve, Condition& out, std::string& err) {
    out = Condition{};
    out.text = trim(text);
    if (out.text.empty()) {
        err = "empty condition after 'if'";
        return false;
    }
    std::string rest = out.text;
    for (;;) {
        const size_t amp = rest.find("&&");
        const std::string term = trim(rest.substr(0, amp));
        // The first operator in the term splits it (a `&` inside "&&" was split off above).
        size_t at = std::string::npos;
        const OpName* op = nullptr;
        for (const OpName& o : kOps) {
            const size_t p = term.find(o.text);
            if (p != std::string::npos && (p < at || (p == at && std::string(o.text).size() > 1))) {
                at = p;
                op = &o;
            }
        }
        if (!op) {
            err = "condition '" + term + "' is not REG OP VALUE (OP: == != < <= > >= &)";
            return false;
        }
        Condition::Term t;
        t.reg = lower(trim(term.substr(0, at)));
        t.op = op->op;
        const std::string value = trim(term.substr(at + std::string(op->text).size()));
        if (!is_condition_register(t.reg)) {
            err = "condition '" + term + "': unknown register '" + t.reg + "'";
            return false;
        }
        if (!resolve(value, t.value)) {
            err = "condition '" + term + "': '" + value + "' is not a number or a symbol";
            return false;
        }
        out.terms.push_back(t);
        if (amp == std::string::npos) break;
        rest = rest.substr(amp + 2);
    }
    return true;
}

void split_condition(const std::string& text, std::string& spec, std::string& cond) {
    const std::string t = " " + text;
    const size_t at = t.rfind(" if ");
    if (at == std::string::npos) {
        spec = trim(text);
        cond.clear();
        return;
    }
    spec = trim(t.substr(0, at));
    cond = trim(t.substr(at + 4));
}

bool parse_breakpoint(const std::string& text, const Resolver& resolve, Breakpoint& out, std::string& err) {
    std::istringstream in(text);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    if (w.empty()) {
        err = "break: what? (try help)";
        return false;
    }
    out.spec = trim(text);
    const std::string head = lower(w[0]);
    auto want = [&](size_t lo, size_t hi, const char* usage) {
        if (w.size() >= lo && w.size() <= hi) return true;
        err = std::string("usage: break ") + usage;
        return false;
    };
    auto bad = [&](const std::string& what) {
        err = what;
        return false;
    };

    if (head == "phys") {
        if (!want(2, 2, "phys ADDR")) return false;
        out.kind = BreakKind::PhysCode;
        if (!parse_number(w[1], out.lo)) return bad("break phys: '" + w[1] + "' is not a physical address");
        out.hi = out.lo;
        return true;
    }
    if (head == "return") {
        if (!want(2, 2, "return FUNC")) return false;
        out.kind = BreakKind::Return;
        if (!resolve(w[1], out.lo)) return bad("break return: no symbol or address '" + w[1] + "'");
        out.hi = out.lo;
        out.text = w[1];
        return true;
    }
    if (head == "io" || head == "mmio") {
        if (!want(2, 3, head == "io" ? "io PORT[-PORT] [r|w|rw]" : "mmio ADDR[-ADDR] [r|w|rw]")) return false;
        out.kind = head == "io" ? BreakKind::Port : BreakKind::Mmio;
        if (!parse_range(w[1], [](const std::string& s, uint64_t& v) { return parse_number(s, v); }, out.lo, out.hi))
            return bad("break " + head + ": '" + w[1] + "' is not a number or a range A-B");
        if (out.kind == BreakKind::Port && out.hi > 0xffff) return bad("break io: ports are 0..0xffff");
        if (w.size() == 3 && !parse_access(w[2], out.access)) return bad("break " + head + ": access is r, w or rw");
        return true;
    }
    if (head == "vector") {
        if (!want(2, 2, "vector N[-M]")) return false;
        out.kind = BreakKind::Vector;
        if (!parse_range(w[1], [](const std::string& s, uint64_t& v) { return parse_number(s, v); }, out.lo, out.hi) ||
            out.hi > 255)
            return bad("break vector: '" + w[1] + "' is not a vector 0..255 or a range");
        return true;
    }
    if (head == "syscall") {
        if (!want(2, 2, "syscall NR|NAME")) return false;
        out.kind = BreakKind::Syscall;
        if (!parse_number(w[1], out.lo)) {
            bool found = false;
            for (uint64_t nr = 0; nr < 512 && !found; ++nr) {
                if (emu::trace::syscall_name(nr) == w[1]) {
                    out.lo = nr;
                    found = true;
                }
            }
            if (!found) return bad("break syscall: no system call named '" + w[1] + "'");
        }
        out.hi = out.lo;
        return true;
    }
    static const struct {
        const char* name;
        ControlSpec spec;
    } kControl[] = {{"cr0.pe", {0, cpu::cr0::PE}}, {"cr0.pg", {0, cpu::cr0::PG}},
                    {"efer.lme", {cpu::kTraceEfer, cpu::efer::LME}}, {"cr0", {0, 0}}, {"cr3", {3, 0}},
                    {"cr4", {4, 0}}, {"efer", {cpu::kTraceEfer, 0}}};
    for (const auto& c : kControl) {
        if (head != c.name) continue;
        if (!want(1, 1, c.name)) return false;
        out.kind = BreakKind::Control;
        out.control = c.spec;
        return true;
    }
    static const struct {
        const char* name;
        cpu::TableReg reg;
    } kTables[] = {{"lgdt", cpu::TableReg::Gdtr}, {"lidt", cpu::TableReg::Idtr}, {"lldt", cpu::TableReg::Ldtr},
                   {"ltr", cpu::TableReg::Tr}};
    for (const auto& t : kTables) {
        if (head != t.name) continue;
        if (!want(1, 1, t.name)) return false;
        out.kind = BreakKind::Table;
        out.table = t.reg;
        return true;
    }
    if (head == "console") {
        const size_t at = out.spec.find("console") + 7;
        out.kind = BreakKind::Console;
        out.text = trim(out.spec.substr(at));
        if (out.text.empty()) return bad("usage: break console TEXT");
        return true;
    }
    // Code at a linear address.
    if (!want(1, 1, "SYMBOL | SYMBOL+OFF | 0xADDR (or a kind: try help)")) return false;
    out.kind = BreakKind::Code;
    if (!resolve(w[0], out.lo)) return bad("no symbol or address '" + w[0] + "'");
    out.hi = out.lo;
    return true;
}

std::string Breakpoint::command() const {
    std::string c = (kind == BreakKind::Watch ? "watch " : "break ") + spec;
    if (!cond.empty()) c += " if " + cond.text;
    return c;
}

const char* to_string(BreakKind k) {
    switch (k) {
    case BreakKind::Code: return "code";
    case BreakKind::PhysCode: return "phys";
    case BreakKind::Return: return "return";
    case BreakKind::Port: return "io";
    case BreakKind::Mmio: return "mmio";
    case BreakKind::Vector: return "vector";
    case BreakKind::Syscall: return "syscall";
    case BreakKind::Control: return "control";
    case BreakKind::Table: return "table";
    case BreakKind::Console: return "console";
    case BreakKind::Watch: return "watch";
    }
    return "?";
}

bool parse_number(const std::string& s, uint64_t& v) {
    if (s.empty() || s[0] == '-' || s[0] == '+') return false;
    try {
        size_t used = 0;
        v = std::stoull(s, &used, 0);
        return used == s.size();
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace bs::frontend::debug
