// The boot trace kept in memory while the machine runs under the debugger:
// the events `trace record` would write (a tap Recorder makes them), sorted
// into the timeline's lanes, analysed as they come (phases, tasks, call
// trees: Analyzer), and the latest ones in a ring for the post-mortem.
//
// Cost: one Record and one Analyzer step per event; nothing per
// instruction. Memory is bounded: each lane keeps at most `lane_events`
// events (later ones are counted, not kept), the call trees fold repeated
// leaf calls and stop growing at `tree_nodes`, the ring holds `ring` events.
//
// Time travel: re-executing after the debugger went back in time calls the
// same hooks again, in the same order (the machine is deterministic). The
// trace keeps the events up to the furthest point reached and ignores the
// re-executed ones: an event at an instruction count below that frontier,
// or one of the events already kept at the frontier's own count. A rewind
// shows as an event below the frontier or as the instruction count going
// down between two sync() calls (the window calls it every frame).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "cpu/trace.h"
#include "emu/system.h"
#include "emu/trace/analysis.h"
#include "emu/trace/recorder.h"

namespace bs::emu::trace {

struct LiveLimits {
    size_t lane_events = 1u << 18;  // per lane
    size_t tree_nodes = 200'000;
    size_t ring = 1024;
};

// The timeline's lanes (besides phases, which come from the analysis).
enum class Lane : uint8_t {
    Mode,       // ModeChange and ControlWrite events
    Interrupt,  // Interrupt, Nmi, Exception, SoftInt
    Syscall,    // Syscall
    Console,    // Console lines
    Task,       // a change of task (see TaskSwitch) and Exec events
    Count
};

class LiveTrace final : public cpu::TraceSink, private EventSink {
public:
    // Chains itself in front of COM1's transmit sink (and takes it back in
    // the destructor). The CPU hooks come from the owner (the debugger's
    // trace tap). `syms` must outlive it.
    LiveTrace(System& sys, const Symbolizer& syms, LiveLimits limits = {});
    ~LiveTrace() override;
    LiveTrace(const LiveTrace&) = delete;
    LiveTrace& operator=(const LiveTrace&) = delete;

    // The kernel's exec function (Recorder::set_exec_function).
    void set_exec_function(uint64_t addr) { recorder_.set_exec_function(addr); }
    // The machine stopped for good (power-off, triple fault, ...): a Stop event.
    void stopped(StopReason why);
    // Notices a rewind from the machine's instruction count (see above).
    void sync();

    // ---- what was recorded ----
    const Analysis& analysis() const { return analyzer_.current(); }
    const Analyzer& analyzer() const { return analyzer_; }
    const std::vector<Event>& lane(Lane l) const { return lanes_[static_cast<size_t>(l)]; }
    // Events a full lane did not keep.
    uint64_t lane_dropped(Lane l) const { return dropped_[static_cast<size_t>(l)]; }
    // A change of task: from `icount` on, analysis().tasks[task] runs.
    struct TaskSwitch {
        uint64_t icount;
        int task;
    };
    const std::vector<TaskSwitch>& task_switches() const { return task_switches_; }
    // The first event in the kernel's real-mode setup code (the "setup"
    // symbol region), or UINT64_MAX while none came.
    uint64_t setup_entry() const { return setup_entry_; }
    // The last events, oldest first (all kinds, calls and returns included).
    const std::deque<Event>& recent() const { return ring_; }
    // Events kept in all (lanes, analysis, ring) and re-executed ones ignored.
    uint64_t events() const { return events_; }
    uint64_t replayed() const { return replayed_; }
    // The furthest instruction count an event was seen at.
    uint64_t frontier() const { return frontier_; }
    // The user program an address space runs ("" unknown), for naming.
    const std::string& program_of(uint64_t cr3) const { return analyzer_.program_of(cr3); }
    const Symbolizer& symbols() const { return syms_; }

    // cpu::TraceSink: each hook, unless re-executed, goes to the recorder.
    void call(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override;
    void ret(uint64_t icount, uint64_t from, uint64_t target, uint64_t rsp) override;
    void event(uint64_t icount, const cpu::EventRecord& e, uint64_t handler) override;
    void iret(uint64_t icount, uint64_t from, uint64_t target) override;
    void syscall(uint64_t icount, uint64_t from, uint64_t nr) override;
    void sysret(uint64_t icount, uint64_t target) override;
    void control_write(uint64_t icount, unsigned reg, uint64_t old, uint64_t now) override;
    void mode_change(uint64_t icount, cpu::CpuMode from, cpu::CpuMode to, unsigned cpl) override;
    void halt(uint64_t icount, uint64_t rip) override;

private:
    // False for an event re-executed after a rewind.
    bool fresh(uint64_t icount);
    void record(const Event& e) override;
    void keep(Lane l, const Event& e);

    System& sys_;
    const Symbolizer& syms_;
    LiveLimits limits_;
    Recorder recorder_;
    Analyzer analyzer_;
    std::function<void(uint8_t)> previous_tx_;
    std::vector<Event> lanes_[static_cast<size_t>(Lane::Count)];
    uint64_t dropped_[static_cast<size_t>(Lane::Count)] = {};
    std::vector<TaskSwitch> task_switches_;
    uint64_t setup_entry_ = UINT64_MAX;
    const Symbolizer::Region* setup_region_ = nullptr;
    std::deque<Event> ring_;
    uint64_t events_ = 0, replayed_ = 0;

    // The re-execution filter (see the file comment).
    uint64_t frontier_ = 0;      // the highest icount of a kept event
    uint64_t at_frontier_ = 0;   // events kept at frontier_
    bool replaying_ = false;     // a rewind was seen and the frontier not yet passed
    uint64_t replayed_at_frontier_ = 0;
    uint64_t last_position_ = 0;  // sys.instructions() at the last sync()
};

// One line about an event, symbolised: "call start_kernel+0x1a -> printk",
// "#PF (error 0x2) at foo+0x3 -> page_fault", "console: text", ...
std::string describe(const Event& e, const Symbolizer& syms, const std::string& program = "");

}  // namespace bs::emu::trace
