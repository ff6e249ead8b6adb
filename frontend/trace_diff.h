// `bootscope trace diff A B`: a structural diff of two boot traces, for people
// and for CI (exit status kExitTraceDiff when they differ beyond thresholds).
#pragma once

#include <cstdint>
#include <string>

namespace bs::frontend {

struct TraceDiffOptions {
    double threshold_pct = 10;       // a phase's change counts when above this share...
    uint64_t threshold_insns = 1000; // ...and above this many instructions
    uint64_t threshold_ns = 1000;    // ...or (durations) above this many nanoseconds
};

int trace_diff_command(const std::string& a, const std::string& b, const TraceDiffOptions& opt);

}  // namespace bs::frontend
