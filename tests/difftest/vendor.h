// Host-CPU facts: the vendor, and the one table of behaviours where Intel
// and AMD processors differ for the instructions this test runs.
//
// The native side is always the reference. When the core models the same
// vendor as the host (from the core's own CPUID leaf 0), everything is
// compared. When they differ, each rule below says what the harness does
// instead, so a run on the other vendor's CI machine stays meaningful.
#pragma once

#include <string>

namespace bs::difftest {

enum class Vendor { Intel, Amd, Other, Unknown };

struct VendorInfo {
    Vendor vendor = Vendor::Unknown;
    std::string id;     // "GenuineIntel", "AuthenticAMD", ...
    std::string brand;  // CPUID brand string
};

Vendor vendor_from_id(const std::string& id);
VendorInfo host_vendor();
const char* vendor_name(Vendor v);

struct VendorRule {
    const char* behaviour;
    const char* intel;
    const char* amd;
    const char* when_vendors_differ;  // what the harness does
};

inline constexpr VendorRule kVendorRules[] = {
    {"BSF/BSR, zero source (ZF=1)",
     "destination unchanged, all 64 bits, for 16/32/64-bit operands (observed on Sapphire Rapids; "
     "documented as undefined)",
     "destination unchanged (documented)",
     "destination register not compared when the source is zero"},
    {"66-prefixed near branches (Jcc/JMP/CALL rel, JMP/CALL r/m, RET)",
     "66 ignored in 64-bit mode: rel32, 64-bit target and stack slot",
     "66 honoured: rel16 / 16-bit target, IP truncated to 16 bits, 2-byte stack slot",
     "no 66 prefix generated on near branches; Zydis decodes with the host's rule"},
    {"FXSAVE/FNSTENV/FNSAVE x87 pointers (FOP, FIP, FDP, FCS, FDS)",
     "saved (FCS/FDS deprecated to 0 on CPUs with CPUID.7.EBX[13])",
     "saved only while an unmasked exception is pending (ES=1), else 0",
     "never compared, on any vendor: state fields skipped, image bytes masked"},
};

}  // namespace bs::difftest
