// The x86-64 decoder: prefixes, REX, opcode maps, ModRM/SIB, immediates.
//
// SDM Vol. 2 §2.1 (instruction format), §2.2 (REX), §2.1.5 (addressing
// forms), appendix A (opcode maps). Forms come from the families' tables;
// this file only knows the encoding rules.
#include "decoder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "cpu.h"
#include "families.h"

namespace bs::cpu {

namespace {

[[noreturn]] void handle_ud(Cpu&, const DecodedInsn&) { raise(kUD); }
// An instruction longer than 15 bytes raises #GP(0) (SDM Vol. 2 §2.3.11).
[[noreturn]] void handle_too_long(Cpu&, const DecodedInsn&) { raise(kGP, 0); }

// All forms, grouped by (map, opcode). OpReg forms are entered under each
// of their eight opcodes.
struct FormIndex {
    std::vector<const Form*> all;
    std::vector<const Form*> by_opcode;
    std::array<uint32_t, 4 * 256 + 1> start{};

    FormIndex() {
        const std::span<const Form> families[] = {
            forms_alu(), forms_shift(), forms_muldiv(), forms_bit(), forms_move(),
            forms_stack(), forms_string(), forms_misc(), forms_sse(), forms_x87(), forms_mmx(), forms_system(),
        };
        std::vector<std::pair<unsigned, const Form*>> keyed;
        for (auto family : families) {
            for (const Form& f : family) {
                all.push_back(&f);
                const unsigned key = f.map * 256u + f.opcode;
                if (f.attrs & fa::OpReg) {
                    for (unsigned r = 0; r < 8; ++r) keyed.emplace_back((key & ~7u) + r, &f);
                } else {
                    keyed.emplace_back(key, &f);
                }
            }
        }
        std::stable_sort(keyed.begin(), keyed.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        unsigned k = 0;
        for (unsigned key = 0; key <= 4 * 256; ++key) {
            start[key] = static_cast<uint32_t>(by_opcode.size());
            while (k < keyed.size() && keyed[k].first == key) by_opcode.push_back(keyed[k++].second);
        }
    }

    std::span<const Form* const> forms_for(unsigned map, unsigned opcode) const {
        const unsigned key = map * 256 + opcode;
        return {by_opcode.data() + start[key], by_opcode.data() + start[key + 1]};
    }
};

const FormIndex& form_index() {
    static const FormIndex index;
    return index;
}

// Sizes of an immediate kind, given operand and address sizes.
unsigned imm_bytes(Imm kind, unsigned opsize, unsigned addrsize) {
    switch (kind) {
        case kImmNone: return 0;
        case kImmB:
        case kRelB: return 1;
        case kImmW: return 2;
        case kImmZ:
        case kRelZ: return opsize == 2 ? 2 : 4;
        case kImmV: return opsize;
        case kImmWB: return 3;
        case kImmAp: return (opsize == 2 ? 2 : 4) + 2;
        case kImmMoffs: return addrsize;
    }
    return 0;
}

uint64_t load_le(const uint8_t* p, unsigned n) {
    uint64_t v = 0;
    std::memcpy(&v, p, n);
    return v;
}

uint64_t sign_extend(uint64_t v, unsigned bytes) {
    const unsigned sh = 64 - bytes * 8;
    return static_cast<uint64_t>(static_cast<int64_t>(v << sh) >> sh);
}

bool form_matches(const Form& f, unsigned mp, bool has_modrm, uint8_t modrm) {
    if (f.pfx != kPfxAny && f.pfx != mp) return false;
    if (!has_modrm) return true;
    const unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (f.reg >= 0 && static_cast<unsigned>(f.reg) != reg) return false;
    if (f.rm >= 0 && (mod != 3 || static_cast<unsigned>(f.rm) != rm)) return false;
    if (f.mod == kModMem && mod == 3) return false;
    if (f.mod == kModReg && mod != 3) return false;
    return true;
}

// Chooses among the forms of one opcode: an exact mandatory-prefix match
// wins over a legacy (kPfxAny) form.
const Form* select_form(std::span<const Form* const> forms, unsigned mp, bool has_modrm, uint8_t modrm) {
    const Form* legacy = nullptr;
    for (const Form* f : forms) {
        if (!form_matches(*f, mp, has_modrm, modrm)) continue;
        if (f->pfx != kPfxAny) return f;
        if (!legacy) legacy = f;
    }
    return legacy;
}

}  // namespace

std::span<const Form* const> all_forms() { return form_index().all; }

DecodeStatus decode(std::span<const uint8_t> bytes, unsigned code_size, DecodedInsn& out) {
    out = DecodedInsn{};
    const size_t avail = std::min<size_t>(bytes.size(), 15);
    const uint8_t* p = bytes.data();
    size_t pos = 0;
    auto need = [&](size_t n) { return pos + n <= avail; };
    const bool mode64 = code_size == 8;

    auto invalid = [&](Handler h = handle_ud) {
        out.len = static_cast<uint8_t>(pos == 0 ? 1 : pos);
        out.handler = h;
        out.form = nullptr;
        return DecodeStatus::Invalid;
    };
    auto need_more = [&] {
        // Fifteen bytes available and still incomplete: too long.
        if (bytes.size() >= 15) {
            pos = 15;
            return invalid(handle_too_long);
        }
        return DecodeStatus::NeedMore;
    };

    // Legacy prefixes (SDM Vol. 2 §2.1.1), then REX immediately before the opcode.
    bool opsize_prefix = false, addrsize_prefix = false;
    uint8_t last_rep = 0, seg_override = kNoReg, rex = 0;
    for (;;) {
        if (!need(1)) return need_more();
        const uint8_t b = p[pos];
        if (b == 0x66) opsize_prefix = true;
        else if (b == 0x67) addrsize_prefix = true;
        else if (b == 0xf0) out.lock = 1;
        else if (b == 0xf2 || b == 0xf3) last_rep = b;
        // In 64-bit mode ES/CS/SS/DS overrides are ignored (SDM Vol. 1 §3.3.7.1):
        // the default segment stays, and the last FS/GS prefix wins whatever follows.
        else if (b == 0x26) { if (!mode64) seg_override = ES; }
        else if (b == 0x2e) { if (!mode64) seg_override = CS; }
        else if (b == 0x36) { if (!mode64) seg_override = SS; }
        else if (b == 0x3e) { if (!mode64) seg_override = DS; }
        else if (b == 0x64) seg_override = FS;
        else if (b == 0x65) seg_override = GS;
        else if (mode64 && (b & 0xf0) == 0x40) {
            rex = b;  // a REX followed by another prefix is ignored: keep looping
            ++pos;
            if (!need(1)) return need_more();
            const uint8_t nb = p[pos];
            if ((nb & 0xf0) == 0x40) continue;
            const bool legacy = nb == 0x66 || nb == 0x67 || nb == 0xf0 || nb == 0xf2 || nb == 0xf3 ||
                                nb == 0x26 || nb == 0x2e || nb == 0x36 || nb == 0x3e || nb == 0x64 || nb == 0x65;
            if (legacy) rex = 0;
            else break;
            continue;
        } else {
            break;
        }
        ++pos;
    }
    out.rex = rex;
    out.rep = last_rep;
    out.opsize_prefix = opsize_prefix;
    out.seg_override = seg_override;
    const bool rex_w = rex & 8, rex_r = rex & 4, rex_x = rex & 2, rex_b = rex & 1;

    // VEX (C4/C5), EVEX (62) and XOP (8F) are not implemented: a clean #UD.
    // Outside 64-bit mode C4/C5/62 are LES/LDS/BOUND unless the next byte has mod == 3.
    if (!need(1)) return need_more();
    {
        const uint8_t b = p[pos];
        if (b == 0xc4 || b == 0xc5 || b == 0x62) {
            if (!need(2)) return need_more();
            if (mode64 || (p[pos + 1] >> 6) == 3) {
                pos += 2;
                return invalid();
            }
        }
        if (b == 0x8f) {
            if (!need(2)) return need_more();
            if (((p[pos + 1] >> 3) & 7) != 0) {  // XOP: ModRM.reg != 0 selects map 8..10
                pos += 2;
                return invalid();
            }
        }
    }

    // Opcode and map.
    Map map = kMap1;
    uint8_t opcode = p[pos++];
    if (opcode == 0x0f) {
        if (!need(1)) return need_more();
        opcode = p[pos++];
        map = kMap0F;
        if (opcode == 0x38 || opcode == 0x3a) {
            map = opcode == 0x38 ? kMap0F38 : kMap0F3A;
            if (!need(1)) return need_more();
            opcode = p[pos++];
        }
    }

    const auto candidates = form_index().forms_for(map, opcode);
    if (candidates.empty()) return invalid();

    // ModRM presence is a property of the opcode: all its forms agree.
    const bool has_modrm = candidates.front()->attrs & fa::ModRM;
    uint8_t modrm = 0;
    if (has_modrm) {
        if (!need(1)) return need_more();
        modrm = p[pos];
    }

    // The mandatory prefix: last of F2/F3, else 66, else none.
    const unsigned mp = last_rep == 0xf3 ? kPfxF3 : last_rep == 0xf2 ? kPfxF2 : opsize_prefix ? kPfx66 : kPfxNP;
    const Form* form = select_form(candidates, mp, has_modrm, modrm);
    if (!form) {
        if (has_modrm) ++pos;
        return invalid();
    }
    const uint32_t attrs = form->attrs;
    out.form = form;

    // Operand and address sizes (SDM Vol. 1 §3.6, Vol. 2 §2.2.1.2).
    unsigned opsize;
    if (attrs & fa::Byte) {
        opsize = 1;
    } else if (mode64) {
        if (attrs & fa::Force64) opsize = 8;
        else if (rex_w) opsize = 8;
        else if (attrs & fa::Def64) opsize = opsize_prefix ? 2 : 8;
        else opsize = opsize_prefix ? 2 : 4;
    } else {
        const bool d32 = code_size == 4;
        opsize = (d32 != opsize_prefix) ? 4 : 2;
    }
    const unsigned addrsize = mode64 ? (addrsize_prefix ? 4 : 8) : ((code_size == 4) != addrsize_prefix) ? 4 : 2;
    out.opsize = static_cast<uint8_t>(opsize);
    out.addrsize = static_cast<uint8_t>(addrsize);

    if (mode64 && (attrs & fa::Inv64)) {
        if (has_modrm) ++pos;
        return invalid();
    }
    if (!mode64 && (attrs & fa::Only64)) {
        if (has_modrm) ++pos;
        return invalid();
    }

    // Default segment; overrides other than FS/GS are ignored in 64-bit mode
    // (their bases count as zero, see Cpu::linear).
    unsigned seg = DS;

    if (attrs & fa::OpReg) {
        out.reg = static_cast<uint8_t>((opcode & 7) | (rex_b ? 8 : 0));
        // B4..B7 without REX: MOV AH..BH, imm8.
        if (opsize == 1 && !rex && (opcode & 7) >= 4) out.reg = static_cast<uint8_t>(kAH + (opcode & 7) - 4);
        // F3 90 is PAUSE even with REX.B (no exchange with r8 on hardware): keep rAX.
        if (map == kMap1 && opcode == 0x90 && last_rep == 0xf3) out.reg = RAX;
    }

    if (has_modrm) {
        ++pos;
        out.modrm = modrm;
        // MOV to/from control and debug registers ignore ModRM.mod: always registers.
        const unsigned mod = (attrs & fa::ForceReg) ? 3 : modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
        out.mod = static_cast<uint8_t>(mod);
        out.reg = static_cast<uint8_t>(reg | (rex_r ? 8 : 0));
        const bool byte_regs_legacy = opsize == 1 && !rex;
        if (byte_regs_legacy && reg >= 4) out.reg = static_cast<uint8_t>(kAH + reg - 4);
        if (mod == 3) {
            out.rm = static_cast<uint8_t>(rm | (rex_b ? 8 : 0));
            if (byte_regs_legacy && rm >= 4) out.rm = static_cast<uint8_t>(kAH + rm - 4);
        } else if (addrsize == 2) {
            // 16-bit addressing (SDM Vol. 2 table 2-1).
            static constexpr uint8_t base16[8] = {RBX, RBX, RBP, RBP, kNoReg, kNoReg, RBP, RBX};
            static constexpr uint8_t index16[8] = {RSI, RDI, RSI, RDI, RSI, RDI, kNoReg, kNoReg};
            out.base = base16[rm];
            out.index = index16[rm];
            if (rm == 4) out.base = RSI, out.index = kNoReg;
            if (rm == 5) out.base = RDI, out.index = kNoReg;
            unsigned disp_bytes = mod == 1 ? 1 : mod == 2 ? 2 : 0;
            if (mod == 0 && rm == 6) out.base = kNoReg, disp_bytes = 2;
            if (out.base == RBP) seg = SS;
            if (!need(disp_bytes)) return need_more();
            out.disp = disp_bytes ? static_cast<int32_t>(sign_extend(load_le(p + pos, disp_bytes), disp_bytes)) : 0;
            pos += disp_bytes;
        } else {
            // 32/64-bit addressing with optional SIB (SDM Vol. 2 tables 2-2, 2-3).
            unsigned base = rm | (rex_b ? 8 : 0);
            unsigned disp_bytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            if (rm == 4) {
                if (!need(1)) return need_more();
                const uint8_t sib = p[pos++];
                const unsigned ss = sib >> 6, idx = ((sib >> 3) & 7) | (rex_x ? 8 : 0), b = sib & 7;
                out.scale = static_cast<uint8_t>(ss);
                out.index = idx == RSP ? kNoReg : static_cast<uint8_t>(idx);
                base = b | (rex_b ? 8 : 0);
                if (b == 5 && mod == 0) {
                    base = kNoReg;
                    disp_bytes = 4;
                }
            } else if (rm == 5 && mod == 0) {
                base = mode64 ? kRipBase : kNoReg;
                disp_bytes = 4;
            }
            out.base = static_cast<uint8_t>(base);
            if (base == RSP || base == RBP) seg = SS;
            if (!need(disp_bytes)) return need_more();
            out.disp = disp_bytes ? static_cast<int32_t>(sign_extend(load_le(p + pos, disp_bytes), disp_bytes)) : 0;
            pos += disp_bytes;
        }
    }
    if (seg_override != kNoReg) seg = seg_override;
    out.seg = static_cast<uint8_t>(seg);

    // Immediates.
    const unsigned n = imm_bytes(form->imm, opsize, addrsize);
    if (!need(n)) return need_more();
    switch (form->imm) {
        case kImmNone: break;
        case kImmB:
        case kRelB: out.imm = sign_extend(p[pos], 1); break;
        case kImmW: out.imm = load_le(p + pos, 2); break;
        case kImmZ:
        case kRelZ: out.imm = sign_extend(load_le(p + pos, n), n); break;
        case kImmV:
        case kImmMoffs: out.imm = load_le(p + pos, n); break;
        case kImmWB:
            out.imm = load_le(p + pos, 2);
            out.imm2 = p[pos + 2];
            break;
        case kImmAp:
            out.imm = load_le(p + pos, n - 2);
            out.imm2 = static_cast<uint16_t>(load_le(p + pos + n - 2, 2));
            break;
    }
    pos += n;
    out.len = static_cast<uint8_t>(pos);

    // LOCK only on lockable forms with a memory destination (SDM Vol. 2 LOCK).
    if (out.lock && (!(attrs & fa::Lockable) || out.mod == 3)) {
        out.handler = handle_ud;
        return DecodeStatus::Invalid;
    }
    const unsigned width_index = opsize == 1 ? 0 : opsize == 2 ? 1 : opsize == 4 ? 2 : 3;
    out.handler = out.mod == 3 && (attrs & fa::ModRM) && form->reg_handler[width_index] ? form->reg_handler[width_index]
                                                                                       : form->handler[width_index];
    if (!out.handler) {
        out.handler = handle_ud;
        return DecodeStatus::Invalid;
    }
    return DecodeStatus::Ok;
}

const char* mnemonic(const DecodedInsn& insn) {
    if (!insn.form) return "(bad)";
    const char* m = insn.form->mnemonic;
    const unsigned os = insn.opsize;
    auto by_size = [&](const char* b, const char* w, const char* d, const char* q) {
        return os == 1 ? b : os == 2 ? w : os == 4 ? d : q;
    };
    // Names that depend on operand or address size, as Zydis spells them.
    if (!std::strcmp(m, "cbw")) return by_size("cbw", "cbw", "cwde", "cdqe");
    if (!std::strcmp(m, "cwd")) return by_size("cwd", "cwd", "cdq", "cqo");
    if (!std::strcmp(m, "iret")) return by_size("iret", "iret", "iretd", "iretq");
    if (!std::strcmp(m, "pushf")) return by_size("pushf", "pushf", "pushfd", "pushfq");
    if (!std::strcmp(m, "popf")) return by_size("popf", "popf", "popfd", "popfq");
    if (!std::strcmp(m, "pusha")) return by_size("pusha", "pusha", "pushad", "pushad");
    if (!std::strcmp(m, "popa")) return by_size("popa", "popa", "popad", "popad");
    if (!std::strcmp(m, "cmpxchg8b")) return os == 8 ? "cmpxchg16b" : "cmpxchg8b";
    // REX.W forms of SSE moves/inserts/extracts and FXSAVE/FXRSTOR.
    if (os == 8) {
        if (!std::strcmp(m, "movd")) return "movq";
        if (!std::strcmp(m, "pextrd")) return "pextrq";
        if (!std::strcmp(m, "pinsrd")) return "pinsrq";
        if (!std::strcmp(m, "fxsave")) return "fxsave64";
        if (!std::strcmp(m, "fxrstor")) return "fxrstor64";
    }
    if (!std::strcmp(m, "jrcxz")) return insn.addrsize == 2 ? "jcxz" : insn.addrsize == 4 ? "jecxz" : "jrcxz";
    static constexpr const char* kStrings[][5] = {
        {"movs", "movsb", "movsw", "movsd", "movsq"}, {"stos", "stosb", "stosw", "stosd", "stosq"},
        {"lods", "lodsb", "lodsw", "lodsd", "lodsq"}, {"scas", "scasb", "scasw", "scasd", "scasq"},
        {"cmps", "cmpsb", "cmpsw", "cmpsd", "cmpsq"}, {"ins", "insb", "insw", "insd", "insd"},
        {"outs", "outsb", "outsw", "outsd", "outsd"},
    };
    for (const auto& s : kStrings) {
        if (!std::strcmp(m, s[0])) return by_size(s[1], s[2], s[3], s[4]);
    }
    // 90 is NOP unless REX.B makes it XCHG r8, rAX; F3 90 is PAUSE.
    if (!std::strcmp(m, "xchg") && insn.form->map == kMap1 && (insn.form->attrs & fa::OpReg) && insn.reg == RAX) {
        return insn.rep == 0xf3 ? "pause" : "nop";
    }
    return m;
}

}  // namespace bs::cpu
