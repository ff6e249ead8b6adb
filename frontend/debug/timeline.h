// The boot timeline pane and the post-mortem pane of `bootscope debug`.
//
// The Timeline records the boot while the debugger runs it: a LiveTrace
// (emu/trace/live.h) on the debugger's trace tap gets every CPU hook and
// COM1's output, as `bootscope trace record` would, and keeps bounded lanes,
// the phases and call trees, and a ring of the latest events. It exists
// with or without a window (scripts record too); the window draws it.
//
// The timeline pane: lanes over the instruction count (boot stage, phase,
// CPU mode and control registers, interrupts and exceptions, system calls,
// task and program, console lines, bookmarks), zoom with the wheel, pan by
// dragging, a tooltip per event, and a click on an event runs -- or goes
// back -- to it (Debugger::seek); a click between events goes to the
// instruction under the mouse. A cursor marks the machine's instruction
// count, a dim line the furthest point recorded. Above the lanes, a
// scrubber: a slider over the boot's instruction count, from the oldest
// checkpoint to the furthest instruction reached, that shows the machine's
// position; releasing it goes there, forwards or back (dragging a running
// machine pauses it first). Tabs hold the call tree of start_kernel as it
// grows and the named bookmarks (saved to a file).
//
// The post-mortem pane opens when the machine stops on a triple fault or a
// guest panic: the fault chain explained (postmortem.h) and the last events.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bookmarks.h"
#include "emu/trace/live.h"

namespace bs::frontend::debug {

class Debugger;

class Timeline {
public:
    // Attaches to `dbg` (its trace tap) and loads the bookmarks from
    // `bookmarks_path` (a bad file is reported in the pane and the log).
    Timeline(Debugger& dbg, const std::string& bookmarks_path);
    ~Timeline();
    Timeline(const Timeline&) = delete;
    Timeline& operator=(const Timeline&) = delete;

    // Notes rewinds and the machine's final stop (the window calls it every
    // frame through draw(); scripts before they look at the trace).
    void update();
    // The timeline and, after a crash, the post-mortem pane (one ImGui frame).
    void draw();

    const emu::trace::LiveTrace& trace() const { return *trace_; }
    Bookmarks& bookmarks() { return bookmarks_; }
    const std::string& bookmarks_error() const { return bookmarks_error_; }

    // Why the machine stopped, when a triple fault or a guest panic stopped
    // it (postmortem.h); "" otherwise.
    std::string fault_chain() const;

    // Pauses a run, then runs or rewinds the machine to an instruction
    // count (Debugger::seek). False with the reason in `why`.
    bool go_to(uint64_t icount, std::string& why);

    // How the timeline pauses a run before it moves the machine: the
    // window's Pause (which also ends a running console command); by
    // default Debugger::pause.
    void set_pause(std::function<void()> pause) { pause_ = std::move(pause); }

    // The scrubber's range: the oldest checkpoint (the earliest instruction
    // time travel reaches) to the furthest instruction reached (the trace's
    // frontier, or the machine's when it ran further).
    struct Range {
        uint64_t first, last;
    };
    Range scrub_range() const;
    // What releasing the scrubber at `icount` does (and a click between the
    // lanes' events): pauses a run, then asks to go to `icount` clamped to
    // scrub_range(). The next draw() goes there, or go_to_requested().
    void scrub_to(uint64_t icount);
    // Goes where a click or the scrubber asked since the last frame, now
    // (draw() does it first). False with `why` when that failed; true when
    // it worked or nothing was asked.
    bool go_to_requested(std::string& why);

private:
    struct View;
    void draw_timeline();
    void draw_scrubber();
    void draw_lanes();
    void draw_call_tree();
    void draw_bookmarks();
    void draw_post_mortem();
    void request_go_to(uint64_t icount);

    Debugger& dbg_;
    std::unique_ptr<emu::trace::LiveTrace> trace_;
    Bookmarks bookmarks_;
    std::string bookmarks_error_;
    bool stop_recorded_ = false;
    std::function<void()> pause_;
    std::unique_ptr<View> view_;
};

}  // namespace bs::frontend::debug
