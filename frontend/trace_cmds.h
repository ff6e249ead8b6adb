// `bootscope trace show|phases`: reading a recorded boot trace.
#pragma once

#include <cstdint>
#include <string>

#include "emu/trace/analysis.h"

namespace bs::frontend {

struct TraceReadOptions {
    std::string vmlinux;   // kernel symbols (default: vmlinux beside the traced kernel)
    std::string initrd;    // user programs' symbols (default: the traced initrd)
    unsigned depth = 0;    // show: levels of the call tree (0: all)
    uint64_t min_insns = 0;  // show: hide calls shorter than this
    uint64_t min_ns = 0;     // show: hide calls that took less virtual time
    std::string function;  // show: only subtrees rooted at this function
    std::string task;      // show: only tasks whose name contains this
    std::string match;     // show: only calls whose name matches this glob (others are see-through)
    std::string section;   // show: only calls into this kernel section, e.g. .init.text
    std::string svg;       // phases: also draw the boot chart into this SVG file
};

// Shared by the trace commands: read a trace file (false, logged, when it is
// missing or malformed), and load the symbols of the images it names (false,
// logged, when --vmlinux cannot be read).
bool load_trace(const std::string& path, emu::trace::Trace& t);
bool load_trace_symbols(const emu::trace::Trace& t, const TraceReadOptions& opt, emu::trace::Symbolizer& syms);

int trace_show_command(const std::string& path, const TraceReadOptions& opt);
int trace_phases_command(const std::string& path, const TraceReadOptions& opt);

}  // namespace bs::frontend
