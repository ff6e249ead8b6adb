// Running the jobs: the rounds, checking each run, and callgrind's counts.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bench/suite/host.h"
#include "bench/suite/process.h"
#include "bench/suite/suite.h"

namespace bench {
namespace {

constexpr double kRunTimeout = 300;         // seconds before a run is killed
constexpr double kCallgrindTimeout = 1800;  // callgrind is ~50 times slower than the native run

// The value of the last "checksum 0x..." line of a run's output, or "".
std::string checksum_of(const std::string& out) {
    const std::string key = "checksum ";
    size_t at = out.rfind("\n" + key);
    if (at != std::string::npos) {
        ++at;
    } else if (out.rfind(key, 0) == 0) {
        at = 0;
    } else {
        return "";
    }
    const size_t start = at + key.size(), end = out.find_first_of("\r\n", start);
    return out.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// N from Bootscope's summary line "bootscope: info: N instructions retired, ...", or 0.
uint64_t instructions_retired(const std::string& err) {
    const size_t at = err.find(" instructions retired");
    if (at == std::string::npos) return 0;
    size_t start = at;
    while (start > 0 && err[start - 1] >= '0' && err[start - 1] <= '9') --start;
    return start < at ? std::strtoull(err.c_str() + start, nullptr, 10) : 0;
}

// The last `lines` lines of text.
std::string last_lines(const std::string& text, int lines) {
    size_t start = text.size();
    int seen = 0;
    while (start > 0) {
        if (text[start - 1] == '\n' && start != text.size() && ++seen == lines) break;
        --start;
    }
    return text.substr(start);
}

// Runs a job once and adds its times, or sets job.error.
void run_job(Job& job) {
    RunOptions options;
    options.marker = job.marker;
    options.timeout = kRunTimeout;
    const RunResult r = run_process(job.argv, options);
    std::string problem;
    char text[160];
    if (!r.started) {
        problem = "could not be started";
    } else if (r.timed_out) {
        std::snprintf(text, sizeof text, "killed after %.0f s", kRunTimeout);
        problem = text;
    } else if (r.status != job.expected_status) {
        std::snprintf(text, sizeof text, "exit status %d, expected %d", r.status, job.expected_status);
        problem = text;
    } else if (!job.marker.empty() && r.to_marker < 0) {
        problem = "no line holding \"" + job.marker + "\"";
    }
    const std::string checksum = checksum_of(r.out_tail);
    if (problem.empty() && job.prints_checksum) {
        if (checksum.empty()) {
            problem = "no \"checksum\" line";
        } else if (!job.checksum.empty() && checksum != job.checksum) {
            problem = "checksum " + checksum + " after " + job.checksum + " in an earlier round (not deterministic)";
        }
    }
    const uint64_t instructions = job.runner == Runner::Bootscope ? instructions_retired(r.err) : 0;
    if (problem.empty() && job.instructions && instructions != job.instructions) {
        std::snprintf(text, sizeof text, "%" PRIu64 " instructions after %" PRIu64 " in an earlier round", instructions,
                      job.instructions);
        problem = std::string(text) + " (not deterministic)";
    }
    if (!problem.empty()) {
        job.error = problem + "\n    command: " + command_line(job.argv);
        if (!r.out_tail.empty()) job.error += "\n    last output:\n" + last_lines(r.out_tail, 8);
        if (!r.err.empty()) job.error += "\n    stderr:\n" + last_lines(r.err, 12);
        std::fprintf(stderr, "\nbench_suite: %s: %s\n", name_of(job.runner), job.error.c_str());
        return;
    }
    job.checksum = checksum;
    job.instructions = instructions;
    job.samples.wall.push_back(r.wall);
    job.samples.cpu.push_back(r.cpu);
    if (r.to_marker >= 0) job.samples.to_marker.push_back(r.to_marker);
}

// The emulators in the order of this round: Bootscope first in even
// rounds, QEMU first in odd ones; the native run (cheap) always first.
std::array<Runner, 3> order_of(int round) {
    if (round % 2) return {Runner::Native, Runner::Qemu, Runner::Bootscope};
    return {Runner::Native, Runner::Bootscope, Runner::Qemu};
}

// ---- callgrind ----

// The count of instructions the native build executes in workload_main
// (inclusive), from callgrind. Cached in work_dir/callgrind/<name>.count as
// "<FNV-1a of the program> <n> <count>": a new build of the workload or a
// new size counts again.
void count_with_callgrind(const Config& c, Row& row) {
    const Lane& lane = *row.lanes[size_t(Runner::Native)];
    const std::string program = lane.job.argv[0];
    const std::optional<uint64_t> hash = hash_file(program);
    if (!hash) {
        row.callgrind_note = "cannot read " + program;
        return;
    }
    const std::string cache_dir = c.work_dir + "/callgrind", cache = cache_dir + "/" + row.name + ".count";
    {
        std::ifstream in(cache);
        uint64_t cached_hash = 0, cached_size = 0, count = 0;
        if (in >> std::hex >> cached_hash >> std::dec >> cached_size >> count && cached_hash == *hash &&
            cached_size == row.size) {
            row.callgrind = count;
            return;
        }
    }
    std::fprintf(stderr, "bench_suite: counting the instructions of %s under callgrind (once per build)...\n",
                 row.name.c_str());
    const std::string out_file = c.work_dir + "/callgrind.out." + row.name;
    RunOptions options;
    options.timeout = kCallgrindTimeout;
    const RunResult r = run_process({c.valgrind, "--tool=callgrind", "--callgrind-out-file=" + out_file,
                                     "--toggle-collect=workload_main", program, std::to_string(row.size)},
                                    options);
    std::ifstream in(out_file);
    std::string line;
    uint64_t count = 0;
    while (std::getline(in, line)) {
        if (line.rfind("summary: ", 0) == 0) count = std::strtoull(line.c_str() + 9, nullptr, 10);
    }
    unlink(out_file.c_str());
    if (r.status != 0 || count == 0) {
        row.callgrind_note = "callgrind failed (status " + std::to_string(r.status) + ")";
        std::fprintf(stderr, "bench_suite: %s: %s\n%s\n", row.name.c_str(), row.callgrind_note.c_str(),
                     last_lines(r.err, 10).c_str());
        return;
    }
    row.callgrind = count;
    mkdir(cache_dir.c_str(), 0755);
    std::ofstream(cache) << std::hex << *hash << std::dec << ' ' << row.size << ' ' << count << '\n';
}

}  // namespace

bool measure(Suite& suite) {
    const Config& c = suite.config;
    const auto start = std::chrono::steady_clock::now();
    suite.load_before = load_average();
    for (int round = 0; round < c.rounds; ++round) {
        std::fprintf(stderr, "bench_suite: round %d of %d:", round + 1, c.rounds);
        for (Runner runner : order_of(round)) {
            for (Job& job : suite.startups) {
                if (job.runner == runner && job.error.empty()) run_job(job);
            }
        }
        std::fprintf(stderr, " start-up");
        for (Row& row : suite.rows) {
            for (Runner runner : order_of(round)) {
                std::optional<Lane>& lane = row.lanes[size_t(runner)];
                if (lane && lane->job.error.empty() && suite.startups[lane->startup].error.empty()) run_job(lane->job);
            }
            std::fprintf(stderr, " %s", row.name.c_str());
        }
        std::fprintf(stderr, "\n");
    }
    unlink((c.work_dir + "/boot-traced.trace").c_str());
    suite.load_after = load_average();

    for (Row& row : suite.rows) {
        if (!row.lanes[size_t(Runner::Native)]) continue;
        if (c.valgrind.empty()) {
            row.callgrind_note = c.valgrind_missing;
        } else {
            count_with_callgrind(c, row);
        }
    }
    suite.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    bool ok = true;
    for (const Job& job : suite.startups) ok = ok && job.error.empty();
    for (const Row& row : suite.rows) {
        for (const std::optional<Lane>& lane : row.lanes) ok = ok && (!lane || lane->job.error.empty());
        ok = ok && checksum_mismatch(row).empty();
    }
    return ok;
}

std::string checksum_mismatch(const Row& row) {
    std::string first, text;
    bool differ = false;
    for (Runner runner : kRunners) {
        const std::optional<Lane>& lane = row.lanes[size_t(runner)];
        if (!lane || lane->job.checksum.empty()) continue;
        if (first.empty()) first = lane->job.checksum;
        differ = differ || lane->job.checksum != first;
        text += std::string(text.empty() ? "" : ", ") + name_of(runner) + " " + lane->job.checksum;
    }
    return differ ? text : "";
}

}  // namespace bench
