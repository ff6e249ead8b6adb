// Host vendor from CPUID (see vendor.h).
#include "vendor.h"

#include <cpuid.h>

#include <cstring>

namespace bs::difftest {

Vendor vendor_from_id(const std::string& id) {
    if (id == "GenuineIntel") return Vendor::Intel;
    if (id == "AuthenticAMD" || id == "HygonGenuine") return Vendor::Amd;
    return id.empty() ? Vendor::Unknown : Vendor::Other;
}

const char* vendor_name(Vendor v) {
    switch (v) {
        case Vendor::Intel: return "Intel";
        case Vendor::Amd: return "AMD";
        case Vendor::Other: return "other";
        case Vendor::Unknown: break;
    }
    return "unknown";
}

VendorInfo host_vendor() {
    VendorInfo v;
    unsigned a, b, c, d;
    __cpuid(0, a, b, c, d);
    char id[13] = {};
    std::memcpy(id, &b, 4);
    std::memcpy(id + 4, &d, 4);
    std::memcpy(id + 8, &c, 4);
    v.id = id;
    v.vendor = vendor_from_id(v.id);
    __cpuid(0x80000000, a, b, c, d);
    if (a >= 0x80000004) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            unsigned r[4];
            __cpuid(0x80000002 + i, r[0], r[1], r[2], r[3]);
            std::memcpy(brand + 16 * i, r, 16);
        }
        v.brand = brand;
        while (!v.brand.empty() && v.brand.back() == ' ') v.brand.pop_back();
    }
    return v;
}

}  // namespace bs::difftest
