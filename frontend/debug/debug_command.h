// `bootscope debug [run options]`: the SDL debugger window, or a script of
// debugger commands (see README, "Debugger").
#pragma once

#include <string>

#include "frontend/run.h"

namespace bs::frontend {

struct DebugOptions {
    std::string script;      // --script FILE: run these commands, then quit
    bool no_window = false;  // --no-window: scripts without SDL (no screenshots)
    std::string bookmarks;   // --bookmarks FILE: the timeline's bookmarks (default: beside the kernel)
    bool no_timeline = false;  // --no-timeline: do not record the boot for the timeline
};

int debug_command(const RunOptions& ro, const DebugOptions& opt);

}  // namespace bs::frontend
