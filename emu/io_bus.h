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
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace bs::emu {

class PortBus {
public:
    // A device's port handlers: plain functions given the device object, so
    // an access is one table load and one indirect call (the boot polls
    // ports in tight loops; std::function's extra indirections showed).
    using ReadPtr = uint32_t (*)(void* dev, uint16_t port, unsigned size);
    using WritePtr = void (*)(void* dev, uint16_t port, unsigned size, uint32_t value);
    struct Handlers {
        void* dev = nullptr;
        ReadPtr read = nullptr;    // nullptr: reads as all ones
        WritePtr write = nullptr;  // nullptr: writes are dropped
    };
    // The convenient form, for tests and ports off the hot path.
    using ReadFn = std::function<uint32_t(uint16_t port, unsigned size)>;
    using WriteFn = std::function<void(uint16_t port, unsigned size, uint32_t value)>;
    enum class Width { Byte, Any };

    PortBus();
    // Claims [base, base+count). Throws std::logic_error on overlap.
    void add(uint16_t base, uint32_t count, std::string name, Handlers handlers, Width width = Width::Byte);
    void add(uint16_t base, uint32_t count, std::string name, ReadFn read, WriteFn write, Width width = Width::Byte);

    uint32_t read(uint16_t port, unsigned size) {
        const Slot& s = slots_[port];
        if (size > 1 && s.byte_wide) [[unlikely]] return read_split(port, size);
        return s.read(s.dev, port, size) & ones(size);
    }
    void write(uint16_t port, unsigned size, uint32_t value) {
        const Slot& s = slots_[port];
        if (size > 1 && s.byte_wide) [[unlikely]] return write_split(port, size, value);
        s.write(s.dev, port, size, value & ones(size));
    }

    // Name of the device at `port`, or nullptr.
    const char* owner(uint16_t port) const;
    uint64_t unclaimed_accesses() const { return unclaimed_; }

private:
    // One slot per port, every port filled: unclaimed ports and missing
    // handlers point at the bus's own functions, so an access never tests.
    struct Slot {
        void* dev;
        ReadPtr read;
        WritePtr write;
        uint16_t range;  // index+1 into names_, 0 = unclaimed
        bool byte_wide;  // wider accesses split into bytes (ISA)
    };
    static uint32_t ones(unsigned size) { return size >= 4 ? ~0u : (1u << (size * 8)) - 1; }
    uint32_t read_split(uint16_t port, unsigned size);
    void write_split(uint16_t port, unsigned size, uint32_t value);
    static uint32_t read_unclaimed(void* bus, uint16_t port, unsigned size);
    static void write_unclaimed(void* bus, uint16_t port, unsigned size, uint32_t value);
    static uint32_t read_none(void*, uint16_t, unsigned) { return ~0u; }
    static void write_none(void*, uint16_t, unsigned, uint32_t) {}
    void note_unclaimed(uint16_t port, bool is_write, unsigned size, uint32_t value);

    std::vector<Slot> slots_;  // 65536
    std::vector<std::string> names_;
    // The std::function handlers of the convenient add(), at stable addresses.
    struct FnPair {
        ReadFn read;
        WriteFn write;
    };
    std::vector<std::unique_ptr<FnPair>> fns_;
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
