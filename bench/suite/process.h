// Running one emulator or native program and timing it.
#pragma once

#include <string>
#include <vector>

namespace bench {

// What one run of a command gave.
struct RunResult {
    bool started = false;     // fork and exec succeeded
    bool timed_out = false;   // killed after RunOptions::timeout
    int status = -1;          // exit status, or -1 if a signal ended it
    double wall = 0;          // seconds from fork to exit (monotonic clock)
    double cpu = 0;           // user + system seconds of the child (wait4)
    double to_marker = -1;    // seconds from fork to the first output line holding the marker, or -1
    std::string out_tail;     // the last RunOptions::keep bytes of stdout
    std::string err;          // the first RunOptions::keep bytes of stderr
};

struct RunOptions {
    std::string marker;       // see RunResult::to_marker; "" for none
    double timeout = 300;     // seconds of wall time
    size_t keep = 64 * 1024;  // bytes of stdout and stderr kept
};

// Runs argv (argv[0] is a path) with stdin from /dev/null and stdout and
// stderr read through pipes as they come, so a chatty guest never blocks
// on a full pipe and the marker's time is taken when the line arrives.
RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options);

// The whole command line, quoted where needed, for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace bench
