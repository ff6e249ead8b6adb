#include "emu/io_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace bs::emu {

namespace {
uint64_t ones(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
}  // namespace

PortBus::PortBus() : map_(65536, 0) {}

void PortBus::add(uint16_t base, uint32_t count, std::string name, ReadFn read, WriteFn write, Width width) {
    if (count == 0 || base + count > 65536) throw std::logic_error("port range of " + name + " is out of bounds");
    for (uint32_t p = base; p < base + count; ++p)
        if (map_[p])
            throw std::logic_error("port " + std::to_string(p) + " of " + name + " already belongs to " +
                                   ranges_[map_[p] - 1].name);
    ranges_.push_back(Range{std::move(name), std::move(read), std::move(write), width});
    for (uint32_t p = base; p < base + count; ++p) map_[p] = uint16_t(ranges_.size());
}

const char* PortBus::owner(uint16_t port) const { return map_[port] ? ranges_[map_[port] - 1].name.c_str() : nullptr; }

void PortBus::note_unclaimed(uint16_t port, bool is_write, unsigned size, uint32_t value) {
    ++unclaimed_;
    if (logged_.test(port)) return;
    logged_.set(port);
    if (is_write)
        spdlog::debug("io: unclaimed port {:#06x} written ({} bytes, {:#x}); logged once", port, size, value);
    else
        spdlog::debug("io: unclaimed port {:#06x} read ({} bytes): all ones; logged once", port, size);
}

uint32_t PortBus::read_one(uint16_t port, unsigned size) {
    uint16_t idx = map_[port];
    if (!idx) {
        note_unclaimed(port, false, size, 0);
        return uint32_t(ones(size));
    }
    Range& r = ranges_[idx - 1];
    return uint32_t(r.read ? r.read(port, size) & ones(size) : ones(size));
}

void PortBus::write_one(uint16_t port, unsigned size, uint32_t value) {
    uint16_t idx = map_[port];
    if (!idx) {
        note_unclaimed(port, true, size, value);
        return;
    }
    Range& r = ranges_[idx - 1];
    if (r.write) r.write(port, size, uint32_t(value & ones(size)));
}

uint32_t PortBus::read(uint16_t port, unsigned size) {
    uint16_t idx = map_[port];
    if (size > 1 && (!idx || ranges_[idx - 1].width == Width::Byte)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; ++i) v |= read_one(uint16_t(port + i), 1) << (8 * i);
        return v;
    }
    return read_one(port, size);
}

void PortBus::write(uint16_t port, unsigned size, uint32_t value) {
    uint16_t idx = map_[port];
    if (size > 1 && (!idx || ranges_[idx - 1].width == Width::Byte)) {
        for (unsigned i = 0; i < size; ++i) write_one(uint16_t(port + i), 1, (value >> (8 * i)) & 0xff);
        return;
    }
    write_one(port, size, value);
}

void MmioBus::add(uint64_t base, uint64_t size, std::string name, ReadFn read, WriteFn write) {
    for (const Region& r : regions_)
        if (base < r.base + r.size && r.base < base + size)
            throw std::logic_error("MMIO range of " + name + " overlaps " + r.name);
    Region reg{base, size, std::move(name), std::move(read), std::move(write)};
    auto it = std::upper_bound(regions_.begin(), regions_.end(), base,
                               [](uint64_t b, const Region& r) { return b < r.base; });
    regions_.insert(it, std::move(reg));
}

const MmioBus::Region* MmioBus::find(uint64_t pa) const {
    auto it = std::upper_bound(regions_.begin(), regions_.end(), pa,
                               [](uint64_t a, const Region& r) { return a < r.base; });
    if (it == regions_.begin()) return nullptr;
    --it;
    return pa - it->base < it->size ? &*it : nullptr;
}

const char* MmioBus::owner(uint64_t pa) const {
    const Region* r = find(pa);
    return r ? r->name.c_str() : nullptr;
}

void MmioBus::note_unclaimed(uint64_t pa, bool is_write, unsigned size, uint64_t value) {
    ++unclaimed_;
    if (!logged_pages_.insert(pa & ~0xfffull).second) return;
    if (is_write)
        spdlog::debug("mmio: unclaimed write at {:#x} ({} bytes, {:#x}); logged once per page", pa, size, value);
    else
        spdlog::debug("mmio: unclaimed read at {:#x} ({} bytes): all ones; logged once per page", pa, size);
}

uint64_t MmioBus::read(uint64_t pa, unsigned size) {
    const Region* r = find(pa);
    if (!r || !r->read) {
        note_unclaimed(pa, false, size, 0);
        return ones(size);
    }
    return r->read(pa - r->base, size) & ones(size);
}

void MmioBus::write(uint64_t pa, unsigned size, uint64_t value) {
    const Region* r = find(pa);
    if (!r || !r->write) {
        note_unclaimed(pa, true, size, value);
        return;
    }
    r->write(pa - r->base, size, value & ones(size));
}

}  // namespace bs::emu
