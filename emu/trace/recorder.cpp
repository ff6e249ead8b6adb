#include "emu/trace/recorder.h"

#include <cstring>

namespace bs::emu::trace {

namespace {

constexpr size_t kBufferRecords = 4096;

}  // namespace

const char* to_string(Kind k) {
    switch (k) {
    case Kind::Call: return "call";
    case Kind::Return: return "return";
    case Kind::Interrupt: return "interrupt";
    case Kind::Exception: return "exception";
    case Kind::SoftInt: return "softint";
    case Kind::Nmi: return "nmi";
    case Kind::Iret: return "iret";
    case Kind::Syscall: return "syscall";
    case Kind::Sysret: return "sysret";
    case Kind::ControlWrite: return "control";
    case Kind::ModeChange: return "mode";
    case Kind::Halt: return "halt";
    case Kind::Console: return "console";
    case Kind::PortSummary: return "ports";
    case Kind::Stop: return "stop";
    case Kind::Exec: return "exec";
    case Kind::End: return "end";
    }
    return "?";
}

uint64_t fnv1a64(const void* data, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t k = 0; k < n; ++k) {
        h ^= p[k];
        h *= 0x100000001b3ull;
    }
    return h;
}

Recorder::Recorder(System& sys, std::FILE* out, const std::string& header)
    : sys_(sys), out_(out), ports_(65536) {
    buf_.reserve(kBufferRecords);
    const uint32_t version = kFormatVersion, len = static_cast<uint32_t>(header.size());
    failed_ = std::fwrite(kMagic, 1, 8, out_) != 8 || std::fwrite(&version, 4, 1, out_) != 1 ||
              std::fwrite(&len, 4, 1, out_) != 1 || std::fwrite(header.data(), 1, len, out_) != len;
}

Recorder::Recorder(System& sys, size_t ring_records, const std::string& header)
    : sys_(sys), out_(nullptr), header_(header), ring_(ring_records ? ring_records : 1) {}

Recorder::Recorder(System& sys, EventSink& sink) : sys_(sys), out_(nullptr), sink_(&sink) {}

bool Recorder::dump(std::FILE* out, StopReason why) {
    const uint32_t version = kFormatVersion, len = static_cast<uint32_t>(header_.size());
    bool ok = std::fwrite(kMagic, 1, 8, out) == 8 && std::fwrite(&version, 4, 1, out) == 1 &&
              std::fwrite(&len, 4, 1, out) == 1 && std::fwrite(header_.data(), 1, len, out) == len;
    const size_t n = std::min<uint64_t>(count_, ring_.size());
    const size_t first = count_ > ring_.size() ? ring_head_ : 0;
    for (size_t k = 0; k < n && ok; ++k) ok = std::fwrite(&ring_[(first + k) % ring_.size()], sizeof(Record), 1, out) == 1;
    const uint64_t icount = sys_.cpu.instructions_retired();
    Record stop, end;
    stop.icount = end.icount = icount;
    stop.time_ns = end.time_ns = sys_.time_at(icount);
    stop.packed = pack({static_cast<uint16_t>(why), Kind::Stop, sys_.cpu.s.cpl, sys_.cpu.s.cr3 & ~0xfffull});
    end.a = n + 1;
    end.packed = pack({0, Kind::End, sys_.cpu.s.cpl, sys_.cpu.s.cr3 & ~0xfffull});
    ok = ok && std::fwrite(&stop, sizeof stop, 1, out) == 1 && std::fwrite(&end, sizeof end, 1, out) == 1;
    return std::fflush(out) == 0 && ok;
}

Recorder::~Recorder() {
    if (sys_.cpu.trace_sink() == this) sys_.cpu.set_trace(nullptr);
}

void Recorder::attach() {
    sys_.cpu.set_trace(this);
    if (!out_) return;  // the flight recorder listens to the CPU only
    auto previous = sys_.machine.com1.tx_sink;
    sys_.machine.com1.tx_sink = [this, previous](uint8_t b) {
        console_byte(b);
        if (previous) previous(b);
    };
    auto previous_io = sys_.machine.on_io;
    sys_.machine.on_io = [this, previous_io](Machine::IoKind k, uint64_t addr, unsigned size, uint64_t v) {
        if (k == Machine::IoKind::PortRead) ++ports_[static_cast<uint16_t>(addr)].first;
        if (k == Machine::IoKind::PortWrite) ++ports_[static_cast<uint16_t>(addr)].second;
        if (previous_io) previous_io(k, addr, size, v);
    };
}

Record Recorder::make(uint64_t icount, Kind kind, uint16_t aux, uint64_t a, uint64_t b, uint64_t c) const {
    const cpu::CpuState& s = sys_.cpu.s;
    Record r;
    r.icount = icount;
    r.time_ns = sys_.time_at(icount);
    r.a = a;
    r.b = b;
    r.c = c;
    r.rsp = s.gpr[cpu::RSP];
    r.packed = pack({aux, kind, s.cpl, s.cr3 & ~0xfffull});
    return r;
}

void Recorder::emit(uint64_t icount, Kind kind, uint16_t aux, uint64_t a, uint64_t b, uint64_t c) {
    const Record r = make(icount, kind, aux, a, b, c);
    ++count_;
    if (sink_) {
        sink_->record(Event{r, unpack(r.packed), {}});
        return;
    }
    if (!out_) {
        ring_[ring_head_] = r;
        ring_head_ = ring_head_ + 1 == ring_.size() ? 0 : ring_head_ + 1;
        return;
    }
    buf_.push_back(r);
    if (buf_.size() == kBufferRecords) flush();
}

void Recorder::flush() {
    if (buf_.empty() || !out_) return;
    if (!failed_ && std::fwrite(buf_.data(), sizeof(Record), buf_.size(), out_) != buf_.size()) failed_ = true;
    buf_.clear();
}

void Recorder::call(uint64_t icount, uint64_t from, uint64_t target, uint64_t) {
    emit(icount, Kind::Call, 0, from, target);
    if (target == exec_fn_ && exec_fn_) {
        // The path argument (RDI), read through the guest's page tables.
        std::string path;
        uint64_t at = sys_.cpu.s.gpr[cpu::RDI];
        for (unsigned k = 0; k < 255; ++k, ++at) {
            uint64_t pa;
            char c = 0;
            if (!sys_.cpu.debug_translate(at, pa) || !sys_.machine.read_phys(pa, &c, 1) || c == 0) break;
            path.push_back(c);
        }
        text_record(icount, Kind::Exec, path);
    }
}
void Recorder::ret(uint64_t icount, uint64_t from, uint64_t target, uint64_t) {
    emit(icount, Kind::Return, 0, from, target);
}
void Recorder::event(uint64_t icount, const cpu::EventRecord& e, uint64_t handler) {
    Kind k = Kind::Exception;
    switch (e.kind) {
    case cpu::EventKind::External: k = Kind::Interrupt; break;
    case cpu::EventKind::Nmi: k = Kind::Nmi; break;
    case cpu::EventKind::SoftwareInt:
    case cpu::EventKind::SoftwareExc:
    case cpu::EventKind::PrivSoftware: k = Kind::SoftInt; break;
    case cpu::EventKind::Exception: k = Kind::Exception; break;
    }
    // External interrupts carry their source (+1; 0 unknown) where exceptions carry the error code.
    const uint64_t c = k == Kind::Interrupt ? uint64_t(sys_.machine.last_interrupt_source() + 1)
                                            : e.error | (e.has_error ? 1ull << 32 : 0);
    emit(icount, k, e.vector, e.rip, handler, c);
}
void Recorder::iret(uint64_t icount, uint64_t from, uint64_t target) { emit(icount, Kind::Iret, 0, from, target); }
void Recorder::syscall(uint64_t icount, uint64_t from, uint64_t nr) {
    emit(icount, Kind::Syscall, static_cast<uint16_t>(nr), from, 0, nr);
}
void Recorder::sysret(uint64_t icount, uint64_t target) { emit(icount, Kind::Sysret, 0, 0, target); }
void Recorder::control_write(uint64_t icount, unsigned reg, uint64_t old, uint64_t now) {
    emit(icount, Kind::ControlWrite, static_cast<uint16_t>(reg), old, now);
}
void Recorder::mode_change(uint64_t icount, cpu::CpuMode from, cpu::CpuMode to, unsigned) {
    emit(icount, Kind::ModeChange, static_cast<uint16_t>(uint16_t(from) << 8 | uint16_t(to)), 0);
}
void Recorder::halt(uint64_t icount, uint64_t rip) { emit(icount, Kind::Halt, 0, rip); }

// Console lines, stamped when their newline is written (CR dropped).
void Recorder::console_byte(uint8_t b) {
    if (b == '\r') return;
    if (b != '\n') {
        if (line_.size() < 4096) line_.push_back(static_cast<char>(b));
        return;
    }
    text_record(sys_.cpu.trace_icount(), Kind::Console, line_);
    line_.clear();
}

void Recorder::text_record(uint64_t icount, Kind kind, const std::string& text) {
    if (sink_) {
        const Record r = make(icount, kind, 0, text.size(), 0, 0);
        ++count_;
        sink_->record(Event{r, unpack(r.packed), text});
        return;
    }
    if (!out_) return;  // the flight recorder keeps no text
    emit(icount, kind, 0, text.size());
    for (size_t off = 0; off < text.size(); off += sizeof(Record)) {
        Record r;
        std::memcpy(&r, text.data() + off, std::min(sizeof(Record), text.size() - off));
        buf_.push_back(r);
        ++count_;
        if (buf_.size() == kBufferRecords) flush();
    }
}

bool Recorder::finish(StopReason why) {
    if (sink_) {
        emit(sys_.cpu.instructions_retired(), Kind::Stop, static_cast<uint16_t>(why), 0);
        return true;
    }
    if (!out_) {
        sys_.cpu.set_trace(nullptr);
        return true;
    }
    if (finished_) return !failed_;
    finished_ = true;
    const uint64_t icount = sys_.cpu.instructions_retired();
    if (!line_.empty()) console_byte('\n');
    for (size_t port = 0; port < ports_.size(); ++port) {
        const auto [reads, writes] = ports_[port];
        if (reads || writes) emit(icount, Kind::PortSummary, static_cast<uint16_t>(port), reads, writes);
    }
    emit(icount, Kind::Stop, static_cast<uint16_t>(why), 0);
    const uint64_t before = count_;
    emit(icount, Kind::End, 0, before);
    flush();
    if (std::fflush(out_) != 0) failed_ = true;
    sys_.cpu.set_trace(nullptr);
    return !failed_;
}

}  // namespace bs::emu::trace
