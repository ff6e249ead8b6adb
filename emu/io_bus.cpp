#include "emu/io_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace bs::emu {

namespace {
uint64_t ones(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
}  // namespace

PortBus::PortBus() : slots_(65536, Slot{this, &read_unclaimed, &write_unclaimed, 0, true}) {}

void PortBus::add(uint16_t base, uint32_t count, std::string name, Handlers h, Width width) {
    if (count == 0 || base + count > 65536) throw std::logic_error("port range of " + name + " is out of bounds");
    for (uint32_t p = base; p < base + count; ++p)
        if (slots_[p].range)
            throw std::logic_error("port " + std::to_string(p) + " of " + name + " already belongs to " +
                                   names_[slots_[p].range - 1]);
    names_.push_back(std::move(name));
    const Slot slot{h.dev, h.read ? h.read : &read_none, h.write ? h.write : &write_none,
                    uint16_t(names_.size()), width == Width::Byte};
    for (uint32_t p = base; p < base + count; ++p) slots_[p] = slot;
}

void PortBus::add(uint16_t base, uint32_t count, std::string name, ReadFn read, WriteFn write, Width width) {
    Handlers h;
    if (read || write) {
        fns_.push_back(std::make_unique<FnPair>(FnPair{std::move(read), std::move(write)}));
        h.dev = fns_.back().get();
    }
    if (h.dev && static_cast<FnPair*>(h.dev)->read)
        h.read = [](void* d, uint16_t port, unsigned size) { return static_cast<FnPair*>(d)->read(port, size); };
    if (h.dev && static_cast<FnPair*>(h.dev)->write)
        h.write = [](void* d, uint16_t port, unsigned size, uint32_t v) { static_cast<FnPair*>(d)->write(port, size, v); };
    add(base, count, std::move(name), h, width);
}

const char* PortBus::owner(uint16_t port) const {
    return slots_[port].range ? names_[slots_[port].range - 1].c_str() : nullptr;
}

void PortBus::note_unclaimed(uint16_t port, bool is_write, unsigned size, uint32_t value) {
    ++unclaimed_;
    if (logged_.test(port)) return;
    logged_.set(port);
    if (is_write)
        spdlog::debug("io: unclaimed port {:#06x} written ({} bytes, {:#x}); logged once", port, size, value);
    else
        spdlog::debug("io: unclaimed port {:#06x} read ({} bytes): all ones; logged once", port, size);
}

uint32_t PortBus::read_unclaimed(void* bus, uint16_t port, unsigned size) {
    static_cast<PortBus*>(bus)->note_unclaimed(port, false, size, 0);
    return ~0u;
}

void PortBus::write_unclaimed(void* bus, uint16_t port, unsigned size, uint32_t value) {
    static_cast<PortBus*>(bus)->note_unclaimed(port, true, size, value);
}

// A wide access to byte-wide (or unclaimed) ports: consecutive byte
// accesses, low byte first, each to whichever device owns that port.
uint32_t PortBus::read_split(uint16_t port, unsigned size) {
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
        const uint16_t p = uint16_t(port + i);
        const Slot& s = slots_[p];
        v |= (s.read(s.dev, p, 1) & 0xff) << (8 * i);
    }
    return v;
}

void PortBus::write_split(uint16_t port, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) {
        const uint16_t p = uint16_t(port + i);
        const Slot& s = slots_[p];
        s.write(s.dev, p, 1, (value >> (8 * i)) & 0xff);
    }
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
