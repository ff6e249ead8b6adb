// `bootscope trace export`: a boot trace as Chrome Trace Event JSON (Perfetto)
// or as JSON lines, one raw event a line.
#pragma once

#include <string>

#include "trace_cmds.h"

namespace bs::frontend {

// format: "chrome" or "jsonl"; output: a file, or "" / "-" for stdout.
int trace_export_command(const std::string& path, const TraceReadOptions& opt, const std::string& format,
                         const std::string& output);

}  // namespace bs::frontend
