// The port-I/O bus and the MMIO bus: address ranges registered by the machine
// with the device callbacks that serve them.
//
// Unclaimed ports and MMIO read as all ones and swallow writes; each is logged
// once (per port, per 4 KiB page) at debug level. Port handlers registered
// byte-wide receive wider accesses as consecutive byte accesses (low byte
// first), as an ISA bus splits them.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace bs::emu {

class PortBus {
public:
    using ReadFn = std::function<uint32_t(uint16_t port, unsigned size)>;
    using WriteFn = std::function<void(uint16_t port, unsigned size, uint32_t value)>;
    enum class Width { Byte, Any };

    PortBus();
    // Claims [base, base+count). Throws std::logic_error on overlap.
    void add(uint16_t base, uint32_t count, std::string name, ReadFn read, WriteFn write, Width width = Width::Byte);

    uint32_t read(uint16_t port, unsigned size);
    void write(uint16_t port, unsigned size, uint32_t value);

    // Name of the device at `port`, or nullptr.
    const char* owner(uint16_t port) const;
    uint64_t unclaimed_accesses() const { return unclaimed_; }

private:
    struct Range {
        std::string name;
        ReadFn read;
        WriteFn write;
        Width width;
    };
    uint32_t read_one(uint16_t port, unsigned size);
    void write_one(uint16_t port, unsigned size, uint32_t value);
    void note_unclaimed(uint16_t port, bool is_write, unsigned size, uint32_t value);

    std::vector<Range> ranges_;
    std::vector<uint16_t> map_;  // 65536 entries: index+1 into ranges_, 0 = unclaimed
    std::bitset<65536> logged_;
    uint64_t unclaimed_ = 0;
};

class MmioBus {
public:
    using ReadFn = std::function<uint64_t(uint64_t offset, unsigned size)>;
    using WriteFn = std::function<void(uint64_t offset, unsigned size, uint64_t value)>;

    // Claims [base, base+size). Throws std::logic_error on overlap.
    void add(uint64_t base, uint64_t size, std::string name, ReadFn read, WriteFn write);

    uint64_t read(uint64_t pa, unsigned size);
    void write(uint64_t pa, unsigned size, uint64_t value);
    const char* owner(uint64_t pa) const;
    uint64_t unclaimed_accesses() const { return unclaimed_; }

private:
    struct Region {
        uint64_t base, size;
        std::string name;
        ReadFn read;
        WriteFn write;
    };
    const Region* find(uint64_t pa) const;
    void note_unclaimed(uint64_t pa, bool is_write, unsigned size, uint64_t value);

    std::vector<Region> regions_;  // sorted by base
    std::set<uint64_t> logged_pages_;
    uint64_t unclaimed_ = 0;
};

}  // namespace bs::emu
