// Instruction family 'misc': CPUID, RDTSC/RDTSCP, UD0/UD1/UD2, IN/OUT, and
// the cache-control hints PREFETCH/PREFETCHW/PREFETCHWT1 (0F 0D) and
// CLFLUSH/CLFLUSHOPT. SDM Vol. 2A "CPUID", "IN", "CLFLUSH", "CLFLUSHOPT",
// Vol. 2B "OUT", "PREFETCHW", "RDTSC", "RDTSCP", "UD".
//
// What is not here yet (CPU core II): HLT, INT3/INTO/INT n, the privilege
// checks of IN/OUT (CPL > IOPL → TSS I/O bitmap → #GP), and the system forms.
// Forms not listed decode to #UD.
#include <cstring>

#include "families.h"
#include "operands.h"

namespace bs::cpu {
namespace {

// ---- CPUID ----
//
// An honest CPU: every feature bit set here is implemented by the core, and
// nothing else. The vendor is "BootscopeCPU", family 6 model 0 stepping 1, so
// no guest applies a real part's errata.
//
// Not set, because not implemented: VME, MCE/MCA (no machine checks), MTRR
// (the MTRR MSRs report no ranges), x2APIC, TSC-deadline, XSAVE, FSGSBASE,
// SMEP/SMAP/UMIP, PCID. Leaf 0x80000008 reports the MAXPHYADDR the MMU
// checks in paging entries (Cpu::kPhysAddrBits).
namespace cpuid_bits {
// Leaf 1 EDX.
constexpr uint32_t FPU = 1u << 0, DE = 1u << 2, PSE = 1u << 3, TSC = 1u << 4, MSR = 1u << 5, PAE = 1u << 6,
                   CX8 = 1u << 8, APIC = 1u << 9, SEP = 1u << 11, PGE = 1u << 13, CMOV = 1u << 15,
                   PAT = 1u << 16, PSE36 = 1u << 17, CLFSH = 1u << 19, MMX = 1u << 23, FXSR = 1u << 24,
                   SSE = 1u << 25, SSE2 = 1u << 26;
// Leaf 7 EBX: x87 FDP updated only on unmasked exceptions; FCS/FDS deprecated (saved as 0).
constexpr uint32_t FDP_EXCPTN_ONLY = 1u << 6, FCS_FDS_DEPRECATED = 1u << 13, CLFLUSHOPT = 1u << 23;
// Leaf 1 ECX.
constexpr uint32_t SSE3 = 1u << 0, SSSE3 = 1u << 9, CX16 = 1u << 13, SSE41 = 1u << 19, SSE42 = 1u << 20,
                   POPCNT = 1u << 23;
// Leaf 0x80000001 ECX / EDX.
constexpr uint32_t LAHF_LM = 1u << 0, ABM = 1u << 5, PREFETCHW = 1u << 8;  // ABM: LZCNT; PREFETCHW: 0F 0D /1
constexpr uint32_t SYSCALL = 1u << 11, NX = 1u << 20, PDPE1GB = 1u << 26, RDTSCP = 1u << 27, LM = 1u << 29;
// Leaf 0x80000007 EDX: the TSC runs at a constant rate (it is the virtual clock).
constexpr uint32_t INVARIANT_TSC = 1u << 8;
}  // namespace cpuid_bits

constexpr uint32_t kMaxBasicLeaf = 7;
constexpr uint32_t kMaxExtLeaf = 0x80000008;
constexpr char kVendor[13] = "BootscopeCPU";
constexpr char kBrand[49] = "Bootscope virtual x86-64 CPU";  // NUL-padded to 48

struct CpuidResult {
    uint32_t a = 0, b = 0, c = 0, d = 0;
};

inline uint32_t chars4(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf) {
    using namespace cpuid_bits;
    // Intel: a leaf above the maximum (basic or extended) returns the
    // highest basic leaf.
    const bool ext = leaf >= 0x80000000u;
    if ((!ext && leaf > kMaxBasicLeaf) || (ext && leaf > kMaxExtLeaf)) leaf = kMaxBasicLeaf;
    CpuidResult r;
    switch (leaf) {
        case 0:
            r.a = kMaxBasicLeaf;
            r.b = chars4(kVendor);  // "Boot"
            r.d = chars4(kVendor + 4);  // "scop"
            r.c = chars4(kVendor + 8);  // "eCPU"
            break;
        case 1:
            r.a = (6u << 8) | (0u << 4) | 1u;  // family 6, model 0, stepping 1
            r.b = (1u << 16) | (8u << 8);      // one logical processor, APIC ID 0; CLFLUSH line 64 bytes
            r.c = SSE3 | SSSE3 | CX16 | SSE41 | SSE42 | POPCNT;
            r.d = FPU | DE | PSE | TSC | MSR | PAE | CX8 | APIC | SEP | PGE | CMOV | PAT | PSE36 | CLFSH | MMX |
                  FXSR | SSE | SSE2;
            break;
        case 7:
            // Subleaf 0 (BMI1 stays clear: its VEX instructions are not
            // implemented, see exec_bit.cpp).
            if (subleaf == 0) r.b = FDP_EXCPTN_ONLY | FCS_FDS_DEPRECATED | CLFLUSHOPT;
            break;
        case 0x80000000:
            r.a = kMaxExtLeaf;
            break;
        case 0x80000001:
            r.c = LAHF_LM | ABM | PREFETCHW;
            r.d = SYSCALL | NX | PDPE1GB | RDTSCP | LM;
            break;
        case 0x80000007:
            r.d = INVARIANT_TSC;
            break;
        case 0x80000002:
        case 0x80000003:
        case 0x80000004: {
            const char* p = kBrand + (leaf - 0x80000002) * 16;
            r.a = chars4(p);
            r.b = chars4(p + 4);
            r.c = chars4(p + 8);
            r.d = chars4(p + 12);
            break;
        }
        case 0x80000008:
            r.a = (48u << 8) | 40u;  // 48-bit linear, 40-bit physical addresses
            break;
        default:  // leaves 2-6 and 0x80000005-7: nothing to report
            break;
    }
    return r;
}

void cpuid(Cpu& c, const DecodedInsn&) {
    const CpuidResult r = cpuid_leaf(static_cast<uint32_t>(c.s.gpr[RAX]), static_cast<uint32_t>(c.s.gpr[RCX]));
    c.s.gpr[RAX] = r.a;
    c.s.gpr[RBX] = r.b;
    c.s.gpr[RCX] = r.c;
    c.s.gpr[RDX] = r.d;
}

// ---- time stamp counter ----

// CR4.TSD restricts RDTSC/RDTSCP to CPL 0.
inline void check_tsd(const Cpu& c) {
    if ((c.s.cr4 & cr4::TSD) && c.s.cpl != 0) raise(kGP, 0);
}

void rdtsc(Cpu& c, const DecodedInsn& i) {
    check_tsd(c);
    c.io_sync(i);  // the time of this instruction, not of its slice's start
    const uint64_t t = c.bus().tsc() + static_cast<uint64_t>(c.s.msr.tsc_offset);
    c.s.gpr[RAX] = static_cast<uint32_t>(t);
    c.s.gpr[RDX] = t >> 32;
}

void rdtscp(Cpu& c, const DecodedInsn& i) {
    check_tsd(c);
    c.io_sync(i);  // the time of this instruction, not of its slice's start
    const uint64_t t = c.bus().tsc() + static_cast<uint64_t>(c.s.msr.tsc_offset);
    c.s.gpr[RAX] = static_cast<uint32_t>(t);
    c.s.gpr[RDX] = t >> 32;
    c.s.gpr[RCX] = static_cast<uint32_t>(c.s.msr.tsc_aux);
}

// ---- UD0/UD1/UD2 ----

void ud(Cpu&, const DecodedInsn&) { raise(kUD); }

// ---- cache control ----
// The core has no caches, so these change no architectural state.

// 0F 0D /r with a memory operand: PREFETCH (/0, /3../7), PREFETCHW (/1),
// PREFETCHWT1 (/2). A hint: it never faults, whatever the address.
void prefetch_hint(Cpu&, const DecodedInsn&) {}

// CLFLUSH m8 (NP 0F AE /7), CLFLUSHOPT m8 (66 0F AE /7): faults as a byte
// read of the address would (#GP/#SS, #PF), and does nothing else — an MMIO
// device never sees it (there are no caches to flush).
void clflush(Cpu& c, const DecodedInsn& i) { c.probe_read(mem_linear(c, i)); }

// ---- IN/OUT ----
// Port from imm8 (E4-E7) or DX (EC-EF). Sizes 1, 2, 4 (REX.W is ignored).
// Permission: Cpu::check_io_permission (CPL > IOPL: the TSS I/O bitmap decides).

enum class Port : uint8_t { Imm, Dx };

template <Port P> uint16_t port_of(const Cpu& c, const DecodedInsn& i) {
    if constexpr (P == Port::Imm) return static_cast<uint8_t>(i.imm);
    else return static_cast<uint16_t>(c.s.gpr[RDX]);
}

template <class T, Port P> void in(Cpu& c, const DecodedInsn& i) {
    const uint16_t port = port_of<P>(c, i);
    c.check_io_permission(port, sizeof(T));
    c.io_sync(i);
    set_reg<T>(c.s, RAX, static_cast<T>(c.bus().io_in(port, sizeof(T))));
}

template <class T, Port P> void out(Cpu& c, const DecodedInsn& i) {
    const uint16_t port = port_of<P>(c, i);
    c.check_io_permission(port, sizeof(T));
    c.io_sync(i);
    c.bus().io_out(port, sizeof(T), get_reg<T>(c.s, RAX));
}

#define BS_IO(h, p) {&h<uint8_t, p>, &h<uint16_t, p>, &h<uint32_t, p>, &h<uint32_t, p>}

const Form kForms[] = {
    {"cpuid", kMap0F, 0xA2, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(cpuid), "base"},
    {"rdtsc", kMap0F, 0x31, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(rdtsc), "base"},
    {"rdtscp", kMap0F, 0x01, 7, 1, kModReg, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(rdtscp), "rdtscp"},
    {"ud2", kMap0F, 0x0B, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_HANDLER1(ud), "base"},
    {"ud1", kMap0F, 0xB9, -1, -1, kModAny, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(ud), "base"},
    {"ud0", kMap0F, 0xFF, -1, -1, kModAny, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(ud), "base"},
    {"prefetch", kMap0F, 0x0D, 0, -1, kModMem, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(prefetch_hint), "prefetchw"},
    {"prefetchw", kMap0F, 0x0D, 1, -1, kModMem, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(prefetch_hint), "prefetchw"},
    {"prefetchwt1", kMap0F, 0x0D, 2, -1, kModMem, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(prefetch_hint), "prefetchw"},
    {"prefetch", kMap0F, 0x0D, -1, -1, kModMem, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(prefetch_hint), "prefetchw"},
    {"nop", kMap0F, 0x0D, -1, -1, kModReg, kPfxAny, kImmNone, fa::ModRM, BS_HANDLER1(prefetch_hint), "prefetchw"},
    {"clflush", kMap0F, 0xAE, 7, -1, kModMem, kPfxNP, kImmNone, fa::ModRM, BS_HANDLER1(clflush), "clflush"},
    {"clflushopt", kMap0F, 0xAE, 7, -1, kModMem, kPfx66, kImmNone, fa::ModRM, BS_HANDLER1(clflush), "clflushopt"},
    {"in", kMap1, 0xE4, -1, -1, kModAny, kPfxAny, kImmB, fa::Byte, BS_IO(in, Port::Imm), "base"},
    {"in", kMap1, 0xE5, -1, -1, kModAny, kPfxAny, kImmB, 0, BS_IO(in, Port::Imm), "base"},
    {"out", kMap1, 0xE6, -1, -1, kModAny, kPfxAny, kImmB, fa::Byte, BS_IO(out, Port::Imm), "base"},
    {"out", kMap1, 0xE7, -1, -1, kModAny, kPfxAny, kImmB, 0, BS_IO(out, Port::Imm), "base"},
    {"in", kMap1, 0xEC, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_IO(in, Port::Dx), "base"},
    {"in", kMap1, 0xED, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_IO(in, Port::Dx), "base"},
    {"out", kMap1, 0xEE, -1, -1, kModAny, kPfxAny, kImmNone, fa::Byte, BS_IO(out, Port::Dx), "base"},
    {"out", kMap1, 0xEF, -1, -1, kModAny, kPfxAny, kImmNone, 0, BS_IO(out, Port::Dx), "base"},
};

}  // namespace

std::span<const Form> forms_misc() { return kForms; }

}  // namespace bs::cpu
