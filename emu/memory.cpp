#include "emu/memory.h"

#include <sys/mman.h>

#include <cctype>
#include <cmath>
#include <new>

namespace bs::emu {

uint64_t parse_memory_size(std::string_view text) {
    std::string s(text);
    if (s.empty()) throw MemorySizeError("memory size is empty");
    size_t i = 0;
    if (s[0] == '-') throw MemorySizeError("memory size '" + s + "' is negative");
    // Integer part (decimal, or 0x hex as QEMU's qemu_strtosz accepts).
    long double value = 0;
    bool any = false;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        i = 2;
        while (i < s.size() && std::isxdigit((unsigned char)s[i])) {
            int d = std::isdigit((unsigned char)s[i]) ? s[i] - '0' : (std::tolower((unsigned char)s[i]) - 'a' + 10);
            value = value * 16 + d;
            any = true;
            ++i;
        }
    } else {
        while (i < s.size() && std::isdigit((unsigned char)s[i])) {
            value = value * 10 + (s[i] - '0');
            any = true;
            ++i;
        }
        if (i < s.size() && s[i] == '.') {
            ++i;
            long double scale = 0.1L;
            while (i < s.size() && std::isdigit((unsigned char)s[i])) {
                value += (s[i] - '0') * scale;
                scale /= 10;
                any = true;
                ++i;
            }
        }
    }
    if (!any) throw MemorySizeError("memory size '" + s + "' does not start with a number");
    uint64_t unit = MiB;
    if (i < s.size()) {
        switch (std::toupper((unsigned char)s[i])) {
        case 'B': unit = 1; break;
        case 'K': unit = KiB; break;
        case 'M': unit = MiB; break;
        case 'G': unit = GiB; break;
        case 'T': unit = 1024 * GiB; break;
        default: throw MemorySizeError("memory size '" + s + "' has an unknown suffix '" + s.substr(i) + "' (use B, K, M, G or T)");
        }
        ++i;
        if (i < s.size()) throw MemorySizeError("memory size '" + s + "' has trailing characters '" + s.substr(i) + "'");
    }
    long double bytes = value * (long double)unit;
    if (bytes > (long double)kMaxRamSize)
        throw MemorySizeError("memory size '" + s + "' is larger than the maximum of " + std::to_string(kMaxRamSize / GiB) + "G");
    uint64_t b = (uint64_t)std::ceil(bytes);
    b = (b + 8191) & ~uint64_t(8191);
    if (b == 0) throw MemorySizeError("memory size '" + s + "' is zero");
    if (b < kMinRamSize)
        throw MemorySizeError("memory size '" + s + "' is smaller than the minimum of 1M");
    return b;
}

GuestRam::GuestRam(uint64_t size) : size_(size) {
    // calloc: the host maps zero pages lazily, so untouched guest RAM costs nothing.
    data_.reset(static_cast<uint8_t*>(std::calloc(size ? size : 1, 1)));
    if (!data_) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    // Transparent huge pages where the host offers them on request: a guest
    // touching MiBs of RAM at 4 KiB strides (page tables, mem_map, a big
    // working set) then misses the host's TLB far less. A hint only; the
    // pages stay lazily allocated.
    const uintptr_t first = (reinterpret_cast<uintptr_t>(data_.get()) + 4095) & ~uintptr_t(4095);
    const uintptr_t last = (reinterpret_cast<uintptr_t>(data_.get()) + size) & ~uintptr_t(4095);
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
}

bool GuestRam::contains(uint64_t pa, uint64_t len) const {
    if (len == 0) return offset_of(pa) != ~0ull || pa == below_4g();
    uint64_t end = pa + len;
    if (end < pa) return false;
    if (pa < below_4g()) return end <= below_4g();
    if (pa >= 4 * GiB) return end - 4 * GiB <= above_4g();
    return false;
}

}  // namespace bs::emu
