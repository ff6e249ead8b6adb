// Random encodings and initial states (see generator.h).
#include "generator.h"

#include <cstring>
#include <vector>

#include "cpu/families.h"
#include "cpu/state.h"

namespace bs::difftest {

using namespace bs::cpu;

void fill_data(const Case& c, uint8_t* buf) {
    uint64_t x = c.mem_seed;
    for (uint64_t i = 0; i < kDataSize; i += 8) {
        const uint64_t v = splitmix64(x);
        std::memcpy(buf + i, &v, 8);
    }
    for (unsigned i = 0; i < c.npokes; ++i) std::memcpy(buf + c.pokes[i].offset, c.pokes[i].data, c.pokes[i].len);
}

namespace {

bool named(const Form& f, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (!std::strcmp(f.mnemonic, n)) return true;
    }
    return false;
}

bool op1(const Form& f, uint8_t op) { return f.map == kMap1 && f.opcode == op; }

const char* skip_reason(const Form& f) {
    if (!std::strcmp(f.isa, "system")) return "system instruction";
    if (f.attrs & fa::Privileged) return "privileged";
    if (named(f, {"cpuid"})) return "host-specific result (CPUID)";
    if (named(f, {"rdtsc", "rdtscp", "rdpmc"})) return "time-dependent";
    if (named(f, {"rdrand", "rdseed"})) return "random result";
    if (named(f, {"rdpid", "xgetbv"})) return "host-specific result";
    if (named(f, {"hlt", "in", "out", "ins", "outs", "insb", "insw", "insd", "outsb", "outsw", "outsd"}))
        return "I/O or HLT (privileged at CPL 3)";
    if (named(f, {"int", "int1", "int3", "into", "syscall", "sysret", "sysenter", "sysexit", "iret", "iretd",
                  "iretq"}))
        return "interrupt or system call";
    if (named(f, {"rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase", "swapgs"})) return "host FS/GS base";
    if (named(f, {"xsave", "xsave64", "xrstor", "xrstor64", "xsaveopt", "xsavec", "xsaves", "xrstors"}))
        return "XSAVE state (AVX) not modelled";
    if (named(f, {"lsl", "lar", "verr", "verw", "sldt", "str", "sgdt", "sidt", "smsw", "ltr", "lldt"}))
        return "descriptor-table dependent";
    if (op1(f, 0x9a) || op1(f, 0xea) || op1(f, 0xca) || op1(f, 0xcb) || op1(f, 0xcf) ||
        (op1(f, 0xff) && (f.reg == 3 || f.reg == 5)))
        return "far branch";
    if (op1(f, 0x8e) || (f.map == kMap0F && (f.opcode == 0xa1 || f.opcode == 0xa9 || f.opcode == 0xb2 ||
                                             f.opcode == 0xb4 || f.opcode == 0xb5)) || op1(f, 0x07) ||
        op1(f, 0x17) || op1(f, 0x1f) || op1(f, 0xc4) || op1(f, 0xc5))
        return "loads a segment register";
    if ((f.attrs & fa::Inv64) && f.map == kMap1 &&
        ((f.opcode >= 0x40 && f.opcode <= 0x4f) || f.opcode == 0x62 || f.opcode == 0xc4 || f.opcode == 0xc5))
        return "opcode byte is REX/VEX/EVEX in 64-bit mode";
    return nullptr;
}

std::string hex2(unsigned v) {
    static const char* d = "0123456789ABCDEF";
    return {d[(v >> 4) & 15], d[v & 15]};
}

std::string pattern_of(const Form& f) {
    std::string p;
    switch (f.pfx) {
        case kPfxNP: p += "NP "; break;
        case kPfx66: p += "66 "; break;
        case kPfxF3: p += "F3 "; break;
        case kPfxF2: p += "F2 "; break;
        default: break;
    }
    if (f.attrs & fa::Rex_W_Only) p += "REX.W ";
    if (f.map == kMap0F) p += "0F ";
    if (f.map == kMap0F38) p += "0F 38 ";
    if (f.map == kMap0F3A) p += "0F 3A ";
    p += hex2(f.opcode);
    if (f.attrs & fa::OpReg) p += "+r";
    if (f.rm >= 0) {
        p += ' ';
        p += hex2(0xc0 | (f.reg >= 0 ? f.reg : 0) << 3 | f.rm);
    } else if (f.attrs & fa::ModRM) {
        p += " /";
        p += f.reg >= 0 ? std::to_string(f.reg) : std::string("r");
        if (f.mod == kModReg) p += " reg";
        if (f.mod == kModMem) p += " mem";
    }
    static const char* kImm[] = {"", " ib", " iw", " iz", " iv", " iw ib", " ap", " moffs", " rel8", " rel32"};
    p += kImm[f.imm];
    return p;
}

// A landing-pad address (never inside the instruction slot).
uint64_t pad_at(uint64_t index) {
    const uint64_t a = kPadFirst + index * kPadStride;
    return (a >= kInsnAddr && a < kInsnAddr + kInsnSlot) ? a + kInsnSlot : a;
}
constexpr uint64_t kPadCount = (kCodeBase + kCodeSize - kPadFirst) / kPadStride - kInsnSlot / kPadStride;

// An address that is unmapped in the native child whatever else the process
// maps (a sanitizer's shadow, the heap): non-canonical, the PROT_NONE hole or
// guard, or below mmap_min_addr. Random values could hit live host memory.
uint64_t unmapped_address(Rng& r) {
    switch (r.below(4)) {
        case 0: return 0x8000000000000000ull | (r.next() >> 17);
        case 1: return kHoleBase + r.below(0x10000);
        case 2: return kGuardBase + r.below(kDataBase - kGuardBase - 64);
        default: return r.below(0x10000);
    }
}

uint64_t branch_target(Rng& r) {
    return r.chance(75) ? pad_at(r.below(kPadCount)) : unmapped_address(r);
}

void put_le(uint8_t* p, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// 16 bytes of operand-shaped content for the memory operand.
void operand_bytes(Rng& r, uint8_t* out) {
    switch (r.below(4)) {
        case 0: put_le(out, r.value(), 8); put_le(out + 8, r.value(), 8); break;
        case 1: for (int i = 0; i < 4; ++i) put_le(out + 4 * i, r.float32(), 4); break;
        case 2: put_le(out, r.float64(), 8); put_le(out + 8, r.float64(), 8); break;
        default: r.float80(out); put_le(out + 10, r.next(), 6); break;
    }
}

void random_vector_state(const FormInfo& fi, Rng& r, ArchState& st) {
    for (unsigned i = 0; i < 16; ++i) {
        uint8_t* x = st.fx + fx::XMM + 16 * i;
        switch (r.below(5)) {
            case 0: put_le(x, r.next(), 8); put_le(x + 8, r.next(), 8); break;
            case 1: for (int k = 0; k < 4; ++k) put_le(x + 4 * k, r.float32(), 4); break;
            case 2: put_le(x, r.float64(), 8); put_le(x + 8, r.float64(), 8); break;
            case 3: for (int k = 0; k < 16; ++k) x[k] = static_cast<uint8_t>(r.chance(50) ? r.below(4) : r.next()); break;
            default: for (int k = 0; k < 4; ++k) put_le(x + 4 * k, r.value(), 4); break;
        }
    }
    // MXCSR: flags, DAZ, masks (mostly all masked), rounding, FTZ.
    uint32_t mx = r.chance(30) ? static_cast<uint32_t>(r.below(64)) : 0;
    if (r.chance(20)) mx |= 1u << 6;
    mx |= (r.chance(85) ? 0x3fu : static_cast<uint32_t>(r.below(64))) << 7;
    mx |= static_cast<uint32_t>(r.below(4)) << 13;
    if (r.chance(20)) mx |= 1u << 15;
    put_le(st.fx + fx::MXCSR, mx, 4);
    put_le(st.fx + fx::MXCSR_MASK, 0xffff, 4);

    // x87: control word, status word with TOP, tags, registers.
    static constexpr uint16_t kPc[] = {0, 2, 3, 3};
    uint16_t fcw = static_cast<uint16_t>((fi.x87 && r.chance(20) ? r.below(64) : 0x3f) | 0x40);
    fcw |= static_cast<uint16_t>(r.pick(kPc) << 8 | r.below(4) << 10);
    const unsigned top = static_cast<unsigned>(r.below(8));
    const unsigned nvalid = static_cast<unsigned>(r.below(9));
    uint8_t tags = 0;
    for (unsigned i = 0; i < nvalid; ++i) tags |= static_cast<uint8_t>(1u << ((top + i) & 7));
    if (r.chance(10)) tags = static_cast<uint8_t>(r.next());
    uint16_t fsw = static_cast<uint16_t>(top << 11 | (r.next() & 0x4700));
    if (fi.x87 && r.chance(10)) {
        fsw |= static_cast<uint16_t>(r.below(128));
        if (fsw & ~fcw & 0x3f) fsw |= 0x8080;  // ES and B follow unmasked pending exceptions
    }
    put_le(st.fx + fx::FCW, fcw, 2);
    put_le(st.fx + fx::FSW, fsw, 2);
    st.fx[fx::FTW] = tags;
    for (unsigned i = 0; i < 8; ++i) r.float80(st.fx + fx::ST + 16 * i);
}

}  // namespace

FormInfo classify(const Form& f) {
    FormInfo fi;
    fi.form = &f;
    fi.pattern = pattern_of(f);
    fi.skip = skip_reason(f);
    const bool m1 = f.map == kMap1;
    fi.string_op = m1 && f.opcode >= 0xa4 && f.opcode <= 0xaf && f.opcode != 0xa8 && f.opcode != 0xa9;
    fi.rep_cond = m1 && (f.opcode == 0xa6 || f.opcode == 0xa7 || f.opcode == 0xae || f.opcode == 0xaf);
    fi.rel_branch = f.imm == kRelB || f.imm == kRelZ;
    fi.indirect = m1 && f.opcode == 0xff && (f.reg == 2 || f.reg == 4);
    fi.near_ret = m1 && (f.opcode == 0xc2 || f.opcode == 0xc3);
    fi.near_branch = fi.rel_branch || fi.indirect || fi.near_ret;
    fi.frame = m1 && (f.opcode == 0xc8 || f.opcode == 0xc9);
    fi.popf = m1 && f.opcode == 0x9d;
    fi.xlat = m1 && f.opcode == 0xd7;
    fi.rdi_mem = f.map == kMap0F && f.opcode == 0xf7;
    const auto mmx = forms_mmx();  // MMX-register forms of every ISA extension use the x87 registers
    // So do the SSE forms with an MMX operand (cpu/exec_sse.cpp).
    const bool sse_mmx = named(f, {"cvtpi2ps", "cvtps2pi", "cvttps2pi", "cvtpi2pd", "cvtpd2pi", "cvttpd2pi",
                                   "movdq2q", "movq2dq"});
    fi.x87 = !std::strcmp(f.isa, "x87") || (&f >= mmx.data() && &f < mmx.data() + mmx.size()) || sse_mmx ||
             (m1 && f.opcode >= 0xd8 && f.opcode <= 0xdf);
    fi.bsf_bsr = f.map == kMap0F && (f.opcode == 0xbc || f.opcode == 0xbd) && f.pfx == kPfxAny;
    return fi;
}

Generator::Generator(const GenPolicy& policy) : policy_(policy) {
    ZydisDecoderInit(&zydis_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    if (policy.amd_branches) ZydisDecoderEnableMode(&zydis_, ZYDIS_DECODER_MODE_AMD_BRANCHES, ZYAN_TRUE);
}

bool Generator::reference(const uint8_t* bytes, size_t n, ZydisDecodedInstruction& insn) const {
    return ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&zydis_, nullptr, bytes, n, &insn));
}

void Generator::make(const FormInfo& fi, Rng& r, Case& c) const {
    const Form& f = *fi.form;
    c = Case{};
    c.x87 = fi.x87;
    c.mem_seed = r.next();
    ArchState& st = c.in;

    // ---- registers: random, with the implicit address registers pinned into the buffer
    for (auto& g : st.gpr) g = r.value();
    uint32_t pinned = 0;
    auto in_buffer = [&](uint64_t margin, unsigned align_pct) {
        uint64_t a = kDataBase + margin + r.below(kDataSize - 2 * margin);
        if (r.chance(align_pct)) a &= ~7ull;
        return a;
    };
    st.gpr[RSP] = in_buffer(0x800, 85);
    pinned |= 1u << RSP;
    if (fi.string_op) {
        st.gpr[RSI] = in_buffer(0x100, 50);
        st.gpr[RDI] = in_buffer(0x100, 50);
        st.gpr[RCX] = r.chance(85) ? r.below(40) : r.value();
        pinned |= 1u << RSI | 1u << RDI;
    }
    if (fi.frame) {
        st.gpr[RBP] = in_buffer(0x800, 90);
        pinned |= 1u << RBP;
    }
    if (fi.xlat) {
        st.gpr[RBX] = in_buffer(0x200, 0);
        pinned |= 1u << RBX;
    }
    if (fi.rdi_mem) {
        st.gpr[RDI] = in_buffer(0x100, 50);
        pinned |= 1u << RDI;
    }
    uint64_t rf = 0x202 | (r.next() & fl::Arith);
    if (r.chance(fi.string_op ? 50 : 10)) rf |= fl::DF;
    if (r.chance(20)) rf |= fl::ID;
    if (r.chance(5)) rf |= fl::NT;
    st.rflags = rf;
    random_vector_state(fi, r, st);

    // ---- prefixes
    uint8_t b[32];
    unsigned n = 0;
    uint8_t opt[6];
    unsigned nopt = 0;
    bool p66 = false, p67 = false;
    if (f.pfx == kPfxAny) {
        const bool allow66 = !(fi.near_branch && !policy_.prefix66_on_near_branches);
        if (allow66 && r.chance(25)) opt[nopt++] = 0x66, p66 = true;
        if (fi.string_op && r.chance(55)) opt[nopt++] = fi.rep_cond && r.chance(40) ? 0xf2 : 0xf3;
    }
    if (r.chance(10)) opt[nopt++] = 0x67, p67 = true;
    if (r.chance(5)) opt[nopt++] = r.pick({0x26, 0x2e, 0x36, 0x3e});
    const bool has_modrm = f.attrs & fa::ModRM;
    // ModRM shape first: LOCK depends on it.
    unsigned mod = 3, reg = 0, rm = 0;
    if (has_modrm) {
        reg = f.reg >= 0 ? static_cast<unsigned>(f.reg) : static_cast<unsigned>(r.below(8));
        if (f.rm >= 0) {
            rm = static_cast<unsigned>(f.rm);
        } else if (f.mod == kModMem || (f.mod == kModAny && r.chance(60))) {
            mod = static_cast<unsigned>(r.below(3));
        } else {
            rm = static_cast<unsigned>(r.below(8));
        }
    }
    const bool memop = has_modrm && mod != 3;
    if ((f.attrs & fa::Lockable) && memop ? r.chance(35) : r.chance(2)) opt[nopt++] = 0xf0;
    for (unsigned i = nopt; i > 1; --i) std::swap(opt[i - 1], opt[r.below(i)]);
    for (unsigned i = 0; i < nopt; ++i) b[n++] = opt[i];
    if (f.pfx == kPfx66) b[n++] = 0x66, p66 = true;
    if (f.pfx == kPfxF3) b[n++] = 0xf3;
    if (f.pfx == kPfxF2) b[n++] = 0xf2;
    // REX
    uint8_t rex = 0;
    if ((f.attrs & fa::Rex_W_Only) || r.chance(55)) {
        rex = static_cast<uint8_t>(0x40 | r.below(16));
        if (f.attrs & fa::Rex_W_Only) rex |= 8;
        b[n++] = rex;
    }
    const bool rex_w = rex & 8;
    // Opcode
    if (f.map == kMap0F) b[n++] = 0x0f;
    if (f.map == kMap0F38) b[n++] = 0x0f, b[n++] = 0x38;
    if (f.map == kMap0F3A) b[n++] = 0x0f, b[n++] = 0x3a;
    b[n++] = static_cast<uint8_t>((f.attrs & fa::OpReg) ? (f.opcode & ~7) | r.below(8) : f.opcode);

    // ---- ModRM / SIB / displacement, aimed at a target address
    unsigned disp_at = 0, disp_size = 0;
    bool rip_rel = false;
    uint64_t target = 0;
    bool target_in_buffer = false;
    if (has_modrm) {
        const unsigned modrm_at = n++;
        if (memop) {
            const uint64_t amask = p67 ? 0xffffffffull : ~0ull;
            const uint64_t where = r.below(100);
            if (where < 3 && !p67) {
                target = r.chance(50) ? 0x8000000000000000ull | (r.next() >> 17) : 0x0000800000000000ull | (r.next() >> 20);
            } else if (where < 6) {
                target = kDataBase + kDataSize - 1 - r.below(16);  // runs off the end into the guard
            } else if (where < 8) {
                target = kDataBase - 1 - r.below(64);
            } else {
                target = kDataBase + 0x40 + r.below(kDataSize - 0x40 - 0x240);
                const uint64_t a = r.below(100);
                if (a < 40) target &= ~15ull;
                else if (a < 50) target &= ~63ull;
                else if (a < 65) target &= ~7ull;
                target_in_buffer = true;
            }
            const unsigned kind = static_cast<unsigned>(r.below(100));
            const unsigned rb = (rex & 1) << 3, rx = (rex & 2) << 2;
            int base = -1, index = -1;
            unsigned scale = 0;
            if (kind < 12) {  // [rip + disp32]
                mod = 0, rm = 5, rip_rel = true, disp_size = 4;
                target = kDataBase + 0x40 + r.below(kDataSize - 0x40 - 0x240);
                if (r.chance(50)) target &= ~15ull;
                target_in_buffer = true;
            } else if (kind < 45) {  // [base + disp]
                static constexpr unsigned kNoSib[] = {0, 1, 2, 3, 5, 6, 7};
                rm = r.pick(kNoSib);
                if (mod == 0 && rm == 5) mod = 1 + static_cast<unsigned>(r.below(2));
                base = static_cast<int>(rm | rb);
                disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            } else {  // SIB
                rm = 4;
                const unsigned sb = static_cast<unsigned>(r.below(8)), si = static_cast<unsigned>(r.below(8));
                scale = static_cast<unsigned>(r.below(4));
                if (!(mod == 0 && sb == 5)) base = static_cast<int>(sb | rb);
                if ((si | rx) != 4) index = static_cast<int>(si | rx);
                b[modrm_at + 1] = static_cast<uint8_t>(scale << 6 | si << 3 | sb);
                disp_size = mod == 1 ? 1 : (mod == 2 || base < 0) ? 4 : 0;
            }
            const bool base_pinned = base >= 0 && (pinned >> base & 1);
            const bool index_pinned = index >= 0 && (pinned >> index & 1);
            int64_t disp = disp_size == 1 ? static_cast<int8_t>(r.next()) : disp_size == 4 ? (r.chance(50) ? static_cast<int32_t>(r.below(0x2000)) - 0x1000 : static_cast<int32_t>(r.next())) : 0;
            if (rip_rel) {
                // fixed after the length is known
            } else if (base >= 0 && base == index && !base_pinned) {
                st.gpr[base] = ((target - disp) & amask) / (1 + (1u << scale));
            } else if (base >= 0 && !base_pinned) {
                const uint64_t iv = index >= 0 ? st.gpr[index] << scale : 0;
                st.gpr[base] = (target - disp - iv) & amask;
                if (p67) st.gpr[base] |= r.next() & ~amask;
            } else if (index >= 0 && !index_pinned) {
                const uint64_t bv = base >= 0 ? st.gpr[base] : 0;
                uint64_t diff = (target - disp - bv) & amask;
                const uint64_t low = diff & ((1u << scale) - 1);
                target -= low;
                diff -= low;
                st.gpr[index] = (diff >> scale) | (p67 ? r.next() & ~amask : 0);
            } else {
                // Only pinned registers (or none): reach the target through a disp32.
                if (base >= 0 && index >= 0) scale = 0, b[modrm_at + 1] &= 0x3f;
                if (base >= 0 && mod != 2) mod = 2, disp_size = 4;
                const uint64_t bv = base >= 0 ? st.gpr[base] : 0;
                const uint64_t iv = index >= 0 ? st.gpr[index] << scale : 0;
                if (!p67 && !target_in_buffer) {  // cannot form a non-canonical disp32 sum reliably
                    target = kDataBase + 0x40 + r.below(kDataSize - 0x40 - 0x240);
                    target_in_buffer = true;
                }
                disp = static_cast<int64_t>(target - bv - iv);
                if (!p67 && (disp < INT32_MIN || disp > INT32_MAX)) disp = 0;  // leave it where it lands
            }
            if (rm == 4) n++;
            disp_at = n;
            // BT/BTS/BTR/BTC m, r: the register bit offset moves the access; keep it near mostly.
            const bool bt_reg = f.map == kMap0F && (f.opcode == 0xa3 || f.opcode == 0xab || f.opcode == 0xb3 || f.opcode == 0xbb);
            unsigned regfull = reg | (rex & 4) << 1;
            // The offset register must not also form the address (its value would then be
            // uncontrolled and could reach live host memory): pick another ModRM.reg.
            while (bt_reg && ((pinned >> regfull & 1) || static_cast<int>(regfull) == base ||
                              static_cast<int>(regfull) == index)) {
                reg = (reg + 1) & 7;
                regfull = reg | (rex & 4) << 1;
            }
            // The rest take a full 64-bit offset (non-canonical in effect): a 32-bit one could reach live host memory.
            if (bt_reg)
                st.gpr[regfull] = r.chance(85) ? static_cast<uint64_t>(static_cast<int64_t>(r.below(0x8000)) - 0x4000) : r.next() | 1ull << 62;
            put_le(b + n, static_cast<uint64_t>(disp), disp_size);
            n += disp_size;
        }
        b[modrm_at] = static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | (rm & 7));
    }
    const unsigned imm_at = n;
    for (unsigned i = 0; i < 8; ++i) b[n + i] = static_cast<uint8_t>(r.next());

    // ---- length and immediate positions from the reference decoder
    ZydisDecodedInstruction zi;
    unsigned len;
    const bool valid = reference(b, n + 8, zi);
    if (valid) {
        len = zi.length;
    } else {
        const unsigned os = (f.attrs & fa::Byte) ? 1 : rex_w ? 8 : (f.attrs & fa::Force64) ? 8 : p66 ? 2 : 4;
        static constexpr unsigned kImmSize[] = {0, 1, 2, 0, 0, 3, 0, 0, 1, 0};
        unsigned is = kImmSize[f.imm];
        if (f.imm == kImmZ || f.imm == kRelZ) is = os == 2 ? 2 : 4;
        if (f.imm == kImmV) is = os;
        if (f.imm == kImmMoffs) is = p67 ? 4 : 8;
        if (f.imm == kImmAp) is = (os == 2 ? 2 : 4) + 2;
        len = n + is;
        if (len > 15) len = 15;
    }
    const uint64_t next = kInsnAddr + len;

    // ---- immediates with meaning
    if (valid) {
        if (f.imm == kImmMoffs && zi.raw.disp.size) {  // Zydis reports moffs as a displacement
            const uint64_t a = r.chance(92) ? kDataBase + r.below(kDataSize - 8) : unmapped_address(r);
            put_le(b + zi.raw.disp.offset, a, zi.raw.disp.size / 8);
        }
        for (unsigned k = 0; k < 2; ++k) {
            const unsigned at = zi.raw.imm[k].offset, sz = zi.raw.imm[k].size / 8;
            if (!sz || at + sz > len) continue;
            if (zi.raw.imm[k].is_relative) {
                uint64_t t;
                if (sz == 1) {
                    if (r.chance(5)) {
                        t = next;
                    } else {
                        // a pad within rel8 reach, outside the slot
                        const uint64_t lo = (next - 128 + kPadStride - 1) & ~(kPadStride - 1);
                        std::vector<uint64_t> cand;
                        for (uint64_t a = lo; a <= next + 127; a += kPadStride) {
                            if (a < kInsnAddr || a >= kInsnAddr + kInsnSlot) cand.push_back(a);
                        }
                        t = cand[r.below(cand.size())];
                    }
                } else if (sz == 2) {
                    t = next + r.next();
                } else {
                    const uint64_t k2 = r.below(100);
                    t = k2 < 80 ? pad_at(r.below(kPadCount)) : k2 < 90 ? kHoleBase + r.below(0x10000) : next + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(r.next())));
                    if (t >= kCodeBase && t < kCodeBase + kCodeSize && (t - kPadFirst) % kPadStride) t = pad_at(r.below(kPadCount));
                    if (t >= kCodeBase && t < kPadFirst) t = pad_at(r.below(kPadCount));
                }
                put_le(b + at, t - next, sz);
            } else if (fi.frame && k == 0) {
                put_le(b + at, r.chance(70) ? r.below(64) : r.next(), sz);
            } else if (fi.frame && k == 1) {
                b[at] = static_cast<uint8_t>(r.chance(60) ? 0 : r.chance(60) ? 1 + r.below(4) : r.next());
            } else if (sz == 1) {
                static constexpr uint8_t kEdge[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff};
                b[at] = static_cast<uint8_t>(r.chance(30) ? r.below(9) : r.chance(40) ? r.pick(kEdge) : r.next());
            }
        }
    }
    if (rip_rel) put_le(b + disp_at, target - next, 4);

    // ---- memory content and stack contents that steer the instruction
    auto poke = [&](uint64_t addr, const uint8_t* data, unsigned nbytes) {
        if (addr < kDataBase || addr >= kDataBase + kDataSize || c.npokes == 3) return;
        Poke& p = c.pokes[c.npokes++];
        p.offset = static_cast<uint32_t>(addr - kDataBase);
        p.len = static_cast<uint8_t>(std::min<uint64_t>(nbytes, kDataBase + kDataSize - addr));
        std::memcpy(p.data, data, p.len);
    };
    uint8_t tmp[16];
    if (memop && target_in_buffer) {
        if (fi.indirect) {
            put_le(tmp, branch_target(r), 8);
            poke(target, tmp, 8);
        } else if (r.chance(70)) {
            operand_bytes(r, tmp);
            poke(target, tmp, 16);
        }
    }
    if (fi.indirect && !memop) st.gpr[rm | (rex & 1) << 3] = branch_target(r);
    if (fi.near_ret) {
        put_le(tmp, branch_target(r), 8);
        poke(st.gpr[RSP], tmp, 8);
    }
    if (fi.popf) {
        put_le(tmp, r.value() & ~(fl::TF | fl::AC), 8);
        poke(st.gpr[RSP], tmp, 8);
    }

    std::memcpy(c.bytes, b, len);
    c.len = static_cast<uint8_t>(len);
    st.rip = kInsnAddr;
    if (valid) {
        if (zi.cpu_flags) c.undef_flags = zi.cpu_flags->undefined;
        // Zydis leaves OF (and AF) of every shift and rotate undefined; by the
        // SDM a masked count of 0 changes no flag and a count of 1 defines OF.
        const bool shift = (f.map == kMap1 && (f.opcode == 0xc0 || f.opcode == 0xc1 || (f.opcode >= 0xd0 && f.opcode <= 0xd3))) ||
                           (f.map == kMap0F && (f.opcode == 0xa4 || f.opcode == 0xa5 || f.opcode == 0xac || f.opcode == 0xad));
        if (shift) {
            const uint64_t mask = zi.operand_width == 64 ? 0x3f : 0x1f;
            uint64_t count;
            if (f.map == kMap1 && (f.opcode == 0xd0 || f.opcode == 0xd1)) count = 1;
            else if ((f.map == kMap1 && (f.opcode == 0xd2 || f.opcode == 0xd3)) || f.opcode == 0xa5 || f.opcode == 0xad) count = st.gpr[RCX] & mask;
            else count = b[zi.raw.imm[0].offset] & mask;
            if (count == 0) c.undef_flags = 0;
            else if (count == 1) c.undef_flags &= ~fl::OF;
        }
        if (zi.fpu_flags) {
            const uint32_t u = zi.fpu_flags->undefined;
            c.undef_fsw = static_cast<uint16_t>((u & 1 ? 0x100 : 0) | (u & 2 ? 0x200 : 0) | (u & 4 ? 0x400 : 0) |
                                                (u & 8 ? 0x4000 : 0));
        }
    }
    (void)imm_at;
}

}  // namespace bs::difftest
