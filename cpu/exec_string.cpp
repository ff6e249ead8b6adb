// Instruction family 'string': MOVS, STOS, LODS, SCAS, CMPS, INS, OUTS in all
// widths, with REP (F3 or F2 for MOVS/STOS/LODS/INS/OUTS), REPE (F3) and
// REPNE (F2) for SCAS/CMPS. SDM Vol. 2B "MOVS", "STOS", "LODS", "SCAS",
// "CMPS", "INS", "OUTS", "REP/REPE/REPZ/REPNE/REPNZ"; Vol. 1 §7.3.9.
//
// - Address size (16/32/64) selects SI/ESI/RSI, DI/EDI/RDI and CX/ECX/RCX:
//   they wrap at that size, and 16-bit updates keep the upper bits.
// - The source segment is DS unless overridden; the destination is always ES
//   (segment bases are 0 for both in 64-bit mode, cpu.cpp).
// - DF decides the direction.
// - Each iteration commits: a fault in the middle of a REP string leaves
//   RSI/RDI/RCX as they were after the last completed iteration, with RIP at
//   the instruction, as hardware does. The flags of REPE/REPNE CMPS/SCAS keep
//   their values from before the instruction until it completes (also
//   across the chunks below), so a fault leaves them untouched, as the Intel
//   host does.
// - A zero count under a 32-bit address size still clears RCX[63:32] (Intel).
// - A REP string runs at most kRepChunk iterations per handler call; if work
//   is left it sets next_rip = rip and raises `attention`, so the run loop
//   ends the block and re-executes the instruction (it counts as one
//   retired instruction per chunk). Interrupts can then arrive between chunks.
// - INS/OUTS check I/O permission (Cpu::check_io_permission) before each
//   access. INS checks that the destination is writable before reading the
//   port, so a faulting INS does not lose the port's data.
// Forms not listed decode to #UD.
#include "families.h"
#include "operands.h"

namespace bs::cpu {
namespace {

enum class Str : uint8_t { Movs, Stos, Lods, Scas, Cmps, Ins, Outs };

// Iterations of a REP string per handler call before it yields.
constexpr unsigned kRepChunk = 4096;

// SI/DI/CX at the instruction's address size.
struct StrRegs {
    uint64_t mask;
    uint64_t si, di, cx;

    StrRegs(const CpuState& s, unsigned addrsize)
        : mask(width_mask(addrsize)), si(s.gpr[RSI] & mask), di(s.gpr[RDI] & mask), cx(s.gpr[RCX] & mask) {}

    // Writes one register back at the address size (32-bit zero-extends,
    // 16-bit merges).
    void put(CpuState& s, unsigned r, uint64_t v) const {
        if (mask == 0xffff) set_reg<uint16_t>(s, r, static_cast<uint16_t>(v));
        else s.gpr[r] = v;  // masked to 32 bits already when the size is 4
    }
};

// The source segment (DS or the override prefix) and the destination's (ES).
inline unsigned src_seg(const DecodedInsn& i) { return i.seg_override != kNoReg ? i.seg_override : unsigned{DS}; }

// One iteration of string operation Op on the registers in `r`.
// Returns the result of the comparison for CMPS/SCAS (true = equal).
template <class T, Str Op> bool step(Cpu& c, const DecodedInsn& i, StrRegs& r, uint64_t delta) {
    bool equal = false;
    if constexpr (Op == Str::Movs) {
        const T v = c.read<T>(c.linear(src_seg(i), r.si));
        c.write<T>(c.linear(ES, r.di), v);
    } else if constexpr (Op == Str::Stos) {
        c.write<T>(c.linear(ES, r.di), get_reg<T>(c.s, RAX));
    } else if constexpr (Op == Str::Lods) {
        set_reg<T>(c.s, RAX, c.read<T>(c.linear(src_seg(i), r.si)));
    } else if constexpr (Op == Str::Scas) {
        const T a = get_reg<T>(c.s, RAX);
        const T b = c.read<T>(c.linear(ES, r.di));
        set_flags(c.s, FlagOp::Sub, sizeof(T), static_cast<T>(a - b), a, b);
        equal = a == b;
    } else if constexpr (Op == Str::Cmps) {
        const T a = c.read<T>(c.linear(src_seg(i), r.si));
        const T b = c.read<T>(c.linear(ES, r.di));
        set_flags(c.s, FlagOp::Sub, sizeof(T), static_cast<T>(a - b), a, b);
        equal = a == b;
    } else if constexpr (Op == Str::Ins) {
        c.check_io_permission(static_cast<uint16_t>(c.s.gpr[RDX]), sizeof(T));
        const uint64_t lin = c.linear(ES, r.di);
        c.probe_write(lin, sizeof(T));
        c.io_sync(i);
        const T v = static_cast<T>(c.bus().io_in(static_cast<uint16_t>(c.s.gpr[RDX]), sizeof(T)));
        c.write<T>(lin, v);
    } else if constexpr (Op == Str::Outs) {
        c.check_io_permission(static_cast<uint16_t>(c.s.gpr[RDX]), sizeof(T));
        const T v = c.read<T>(c.linear(src_seg(i), r.si));
        c.io_sync(i);
        c.bus().io_out(static_cast<uint16_t>(c.s.gpr[RDX]), sizeof(T), v);
    }
    constexpr bool kUsesSi = Op == Str::Movs || Op == Str::Lods || Op == Str::Cmps || Op == Str::Outs;
    constexpr bool kUsesDi = Op != Str::Lods && Op != Str::Outs;
    if constexpr (kUsesSi) r.si = (r.si + delta) & r.mask;
    if constexpr (kUsesDi) r.di = (r.di + delta) & r.mask;
    return equal;
}

template <class T, Str Op> void commit(CpuState& s, const StrRegs& r, bool with_cx) {
    if constexpr (Op == Str::Movs || Op == Str::Lods || Op == Str::Cmps || Op == Str::Outs) r.put(s, RSI, r.si);
    if constexpr (Op != Str::Lods && Op != Str::Outs) r.put(s, RDI, r.di);
    if (with_cx) r.put(s, RCX, r.cx);
}

template <class T, Str Op> void str(Cpu& c, const DecodedInsn& i) {
    StrRegs r(c.s, i.addrsize);
    const uint64_t delta = (c.s.rflags & fl::DF) ? uint64_t(0) - sizeof(T) : sizeof(T);
    if (i.rep == 0) {
        step<T, Op>(c, i, r, delta);
        commit<T, Op>(c.s, r, false);
        return;
    }
    if (r.cx == 0) {
        // Intel writes ECX even for a zero count: the upper half of RCX is
        // cleared under a 32-bit address size.
        if (i.addrsize == 4) c.s.gpr[RCX] = 0;
        return;
    }
    const uint64_t cx_before = r.cx;
    const uint64_t rflags_before = c.s.rflags;
    const LazyFlags lf_before = c.s.lf;
    constexpr bool kCompares = Op == Str::Scas || Op == Str::Cmps;
    const bool stop_when_equal = i.rep == 0xf2;  // REPNE; F3 is REPE (only for CMPS/SCAS)
    unsigned left = kRepChunk;
    try {
        for (;;) {
            const bool equal = step<T, Op>(c, i, r, delta);
            r.cx = (r.cx - 1) & r.mask;
            if (r.cx == 0) break;
            if (kCompares && equal == stop_when_equal) break;
            if (--left == 0) {
                // Work is left: run the instruction again after this block.
                // CMPS/SCAS flags stay those from before the instruction until
                // it ends, so a fault in a later chunk finds them there.
                c.s.next_rip = c.s.rip;
                c.attention = true;
                // The next chunk is this instruction still: not a new arrival at a breakpoint.
                if (c.has_code_breakpoints()) c.skip_code_breakpoint(c.current_icount() + 1, c.current_pc());
                if constexpr (kCompares) {
                    c.s.rflags = rflags_before;
                    c.s.lf = lf_before;
                }
                break;
            }
        }
    } catch (...) {
        // A fault in the first iteration changes nothing at all.
        if (r.cx != cx_before) commit<T, Op>(c.s, r, true);
        // Intel's REPE/REPNE CMPS/SCAS leave the flags as they were before the
        // instruction when a fault stops them (RSI/RDI/RCX do show the
        // progress).
        if constexpr (kCompares) {
            c.s.rflags = rflags_before;
            c.s.lf = lf_before;
        }
        throw;
    }
    commit<T, Op>(c.s, r, true);
}

#define BS_STR(op) {&str<uint8_t, op>, &str<uint16_t, op>, &str<uint32_t, op>, &str<uint64_t, op>}
// INS/OUTS have no 64-bit form: REX.W leaves them 32-bit.
#define BS_STR_IO(op) {&str<uint8_t, op>, &str<uint16_t, op>, &str<uint32_t, op>, &str<uint32_t, op>}

// Mnemonics are the family names; mnemonic() in decoder.cpp adds the size
// suffix (movs → movsb/movsw/movsd/movsq, ins → insb/insw/insd, ...).
const Form kForms[] = {
    {"movs", kMap1, 0xA4, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR(Str::Movs), "base"},
    {"movs", kMap1, 0xA5, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR(Str::Movs), "base"},
    {"cmps", kMap1, 0xA6, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR(Str::Cmps), "base"},
    {"cmps", kMap1, 0xA7, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR(Str::Cmps), "base"},
    {"stos", kMap1, 0xAA, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR(Str::Stos), "base"},
    {"stos", kMap1, 0xAB, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR(Str::Stos), "base"},
    {"lods", kMap1, 0xAC, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR(Str::Lods), "base"},
    {"lods", kMap1, 0xAD, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR(Str::Lods), "base"},
    {"scas", kMap1, 0xAE, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR(Str::Scas), "base"},
    {"scas", kMap1, 0xAF, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR(Str::Scas), "base"},
    {"ins", kMap1, 0x6C, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR_IO(Str::Ins), "base"},
    {"ins", kMap1, 0x6D, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR_IO(Str::Ins), "base"},
    {"outs", kMap1, 0x6E, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_STR_IO(Str::Outs), "base"},
    {"outs", kMap1, 0x6F, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_STR_IO(Str::Outs), "base"},
};

}  // namespace

std::span<const Form> forms_string() { return kForms; }

}  // namespace bs::cpu
