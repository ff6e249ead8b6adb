// Reading a trace file (event.h) back: the header and the events, with the
// console text joined to its records. Malformed files raise TraceError with
// what is wrong and where; nothing is read out of bounds.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/trace/event.h"

namespace bs::emu::trace {

class TraceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Event {
    Record r;
    Fields f;
    std::string text;  // Console: the line
};

struct Trace {
    uint32_t version = 0;
    std::string header;          // "key: value" lines
    std::vector<Event> events;   // without the End record
    // The value of a header key, or "".
    std::string header_value(const std::string& key) const;
};

Trace parse_trace(std::span<const uint8_t> bytes);
Trace read_trace_file(const std::string& path);

}  // namespace bs::emu::trace
