#include "emu/trace/reader.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace bs::emu::trace {

std::string Trace::header_value(const std::string& key) const {
    size_t pos = 0;
    while (pos < header.size()) {
        const size_t end = header.find('\n', pos);
        const std::string line = header.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (line.rfind(key + ": ", 0) == 0) return line.substr(key.size() + 2);
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    return "";
}

Trace parse_trace(std::span<const uint8_t> bytes) {
    Trace t;
    if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, 8) != 0)
        throw TraceError("not a Bootscope trace (no BSTRACE magic)");
    uint32_t len;
    std::memcpy(&t.version, bytes.data() + 8, 4);
    std::memcpy(&len, bytes.data() + 12, 4);
    if (t.version != kFormatVersion)
        throw TraceError("trace format version " + std::to_string(t.version) + ", this Bootscope reads version " +
                         std::to_string(kFormatVersion));
    if (len > bytes.size() - 16) throw TraceError("the trace header runs past the end of the file");
    t.header.assign(reinterpret_cast<const char*>(bytes.data() + 16), len);
    const size_t body = 16 + len;
    const size_t n = (bytes.size() - body) / sizeof(Record);
    if ((bytes.size() - body) % sizeof(Record) != 0)
        throw TraceError("the trace is cut short inside a record (" + std::to_string(bytes.size()) + " bytes)");
    auto record = [&](size_t k) {
        Record r;
        std::memcpy(&r, bytes.data() + body + k * sizeof(Record), sizeof(Record));
        return r;
    };
    bool ended = false;
    for (size_t k = 0; k < n; ++k) {
        Event e;
        e.r = record(k);
        e.f = unpack(e.r.packed);
        if (e.f.kind == Kind::End) {
            if (e.r.a != k) throw TraceError("the End record counts " + std::to_string(e.r.a) + " records, found " +
                                             std::to_string(k));
            if (k + 1 != n) throw TraceError("data after the End record");
            ended = true;
            break;
        }
        if (e.f.kind < Kind::Call || e.f.kind > Kind::End)
            throw TraceError("record " + std::to_string(k) + " has an unknown kind " +
                             std::to_string(unsigned(e.f.kind)));
        if (e.f.kind == Kind::Console || e.f.kind == Kind::Exec) {
            const uint64_t chars = e.r.a;
            const uint64_t extra = (chars + sizeof(Record) - 1) / sizeof(Record);
            if (chars > 4096 || extra > n - k - 1) throw TraceError("console record " + std::to_string(k) + " is cut short");
            for (uint64_t x = 0; x < extra; ++x) {
                const Record r = record(k + 1 + x);
                const size_t take = std::min<uint64_t>(sizeof(Record), chars - x * sizeof(Record));
                e.text.append(reinterpret_cast<const char*>(&r), take);
            }
            k += extra;
        }
        t.events.push_back(std::move(e));
    }
    if (!ended) throw TraceError("the trace has no End record: the recording was cut short");
    return t;
}

Trace read_trace_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw TraceError("cannot read '" + path + "'");
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    return parse_trace(bytes);
}

}  // namespace bs::emu::trace
