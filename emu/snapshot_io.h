// The byte stream that machine state is saved to and loaded from.
//
// Each part of the machine (the clock, every device, the CPU) writes its
// state with a save(SnapshotWriter&) const and reads it back with a
// load(SnapshotReader&), field by field in the same order, under a named,
// versioned section. The reader checks every section header and every
// length, so a save() and a load() that disagree, or a stream of another
// layout, fail loudly with SnapshotError instead of loading garbage.
//
// Only values with a unique object representation (integers, bools, enums,
// arrays and padding-free structs of them) go in as raw bytes: equal states
// give equal streams, which the tests use to compare whole machines.
// Floating-point registers are written as their bytes.
//
// The stream is an in-memory format for snapshots of one System in one
// process (emu/snapshot.h); it is not (yet) a file format with
// compatibility promises. Header-only so devices/ can use it.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bs::emu {

// A snapshot that cannot be taken or put back (a layout mismatch, a machine
// of another configuration).
class SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

template <class T>
concept SnapshotPod = std::is_trivially_copyable_v<T> && std::has_unique_object_representations_v<T>;

class SnapshotWriter {
public:
    SnapshotWriter() { buf_.reserve(16 * 1024); }  // a machine's state is a few KiB

    // Starts the state of one part (a device, the clock, ...).
    void section(std::string_view name, uint32_t version) {
        put(static_cast<uint32_t>(name.size()));
        bytes(name.data(), name.size());
        put(version);
    }
    template <SnapshotPod T> void put(const T& value) { bytes(&value, sizeof(T)); }
    void bytes(const void* data, size_t size) {
        const size_t at = buf_.size();
        buf_.resize(at + size);
        if (size) std::memcpy(buf_.data() + at, data, size);
    }
    // A sequence container (vector, deque) of POD elements: count, then elements.
    template <class C> void put_seq(const C& c) {
        put(static_cast<uint64_t>(c.size()));
        for (const auto& e : c) put(e);
    }

    const std::vector<uint8_t>& data() const { return buf_; }
    std::vector<uint8_t> take() { return std::move(buf_); }

private:
    std::vector<uint8_t> buf_;
};

class SnapshotReader {
public:
    explicit SnapshotReader(std::span<const uint8_t> data) : data_(data) {}

    // Checks that the next section is `name` at `version`.
    void section(std::string_view name, uint32_t version) {
        const auto len = get<uint32_t>();
        if (len > 64 || len > data_.size() - pos_) fail(name, "no section header");
        const std::string_view got(reinterpret_cast<const char*>(data_.data() + pos_), len);
        pos_ += len;
        if (got != name) fail(name, "found section '" + std::string(got) + "'");
        const auto v = get<uint32_t>();
        if (v != version) fail(name, "version " + std::to_string(v) + ", expected " + std::to_string(version));
    }
    template <SnapshotPod T> void get(T& value) { bytes(&value, sizeof(T)); }
    template <SnapshotPod T> T get() {
        T v;
        get(v);
        return v;
    }
    void bytes(void* data, size_t size) {
        if (size > data_.size() - pos_) throw SnapshotError("snapshot: the state ends early");
        std::memcpy(data, data_.data() + pos_, size);
        pos_ += size;
    }
    // A sequence written by put_seq(), no longer than `max` elements.
    template <class C> void get_seq(C& c, uint64_t max) {
        const auto n = get<uint64_t>();
        if (n > max) throw SnapshotError("snapshot: a queue of " + std::to_string(n) + " entries (at most " +
                                         std::to_string(max) + ")");
        c.clear();
        for (uint64_t i = 0; i < n; ++i) c.push_back(get<typename C::value_type>());
    }

    bool at_end() const { return pos_ == data_.size(); }
    void expect_end() const {
        if (!at_end()) throw SnapshotError("snapshot: " + std::to_string(data_.size() - pos_) + " bytes left unread");
    }

private:
    [[noreturn]] void fail(std::string_view section, const std::string& what) const {
        throw SnapshotError("snapshot: section '" + std::string(section) + "': " + what);
    }

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
};

}  // namespace bs::emu
