// The trace recorder: the CPU's TraceSink, plus the console and port I/O
// taps, writing the trace file (event.h) as the machine runs -- or keeping
// the last events in memory (the flight recorder), or handing each event to
// an EventSink (the debugger's timeline).
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cpu/trace.h"
#include "emu/system.h"
#include "emu/trace/event.h"
#include "emu/trace/reader.h"

namespace bs::emu::trace {

// Where a tap recorder's events go: each one as a trace file would hold it,
// with its console line or exec path in `text`.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void record(const Event& e) = 0;
};

class Recorder final : public cpu::TraceSink {
public:
    // Writes the file header at once; `header` is "key: value" lines.
    Recorder(System& sys, std::FILE* out, const std::string& header);
    // The flight recorder: keeps only the last `ring_records` events in
    // memory (no console text, no exec paths, no port counts), written out
    // with dump() when something goes wrong (a triple fault, a panic).
    Recorder(System& sys, size_t ring_records, const std::string& header);
    // A tap: every event goes to `sink`. Its owner calls the TraceSink hooks
    // (it does not attach itself to the CPU) and console_byte().
    Recorder(System& sys, EventSink& sink);
    ~Recorder() override;
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // Attaches to the CPU, COM1's output (chaining the existing sink) and
    // the machine's I/O tap.
    void attach();
    // Writes the port summary, the Stop and End records, and flushes.
    // Returns false if any write failed. A tap gets the Stop event.
    bool finish(StopReason why);

    // cpu::TraceSink
    void call(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override;
    void ret(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override;
    void event(uint64_t icount, const cpu::EventRecord& e, uint64_t handler) override;
    void iret(uint64_t icount, uint64_t from, uint64_t target) override;
    void syscall(uint64_t icount, uint64_t from, uint64_t nr) override;
    void sysret(uint64_t icount, uint64_t target) override;
    void control_write(uint64_t icount, unsigned reg, uint64_t old, uint64_t now) override;
    void mode_change(uint64_t icount, cpu::CpuMode from, cpu::CpuMode to, unsigned cpl) override;
    void halt(uint64_t icount, uint64_t rip) override;

    uint64_t records() const { return count_; }
    // Flight recorder: writes the ring (oldest first) as a trace file that
    // ends with a Stop record for `why`. Returns false if a write failed.
    bool dump(std::FILE* out, StopReason why);
    // The address of the kernel's exec function (its first argument is the
    // path): calls to it are recorded with the path, so user programs can be
    // told apart (they may share addresses). 0: none.
    void set_exec_function(uint64_t addr) { exec_fn_ = addr; }
    // A byte COM1 sent (attach() connects it): Console events are lines.
    void console_byte(uint8_t b);

private:
    Record make(uint64_t icount, Kind kind, uint16_t aux, uint64_t a, uint64_t b, uint64_t c) const;
    void emit(uint64_t icount, Kind kind, uint16_t aux, uint64_t a, uint64_t b = 0, uint64_t c = 0);
    void text_record(uint64_t icount, Kind kind, const std::string& text);
    uint64_t exec_fn_ = 0;
    void flush();

    System& sys_;
    std::FILE* out_;
    EventSink* sink_ = nullptr;
    std::string header_;
    std::vector<Record> buf_;
    std::vector<Record> ring_;  // flight recorder (empty otherwise)
    size_t ring_head_ = 0;
    uint64_t count_ = 0;
    bool failed_ = false;
    bool finished_ = false;
    std::string line_;
    std::vector<std::pair<uint64_t, uint64_t>> ports_;  // by port: reads, writes (trace files only)
};

}  // namespace bs::emu::trace
