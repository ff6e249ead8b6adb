// bench_suite's model: the rows of the table, the runs behind each cell,
// and the three steps plan -> measure -> report.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace bench {

// Who runs a workload: the host itself (the Linux build), QEMU TCG, Bootscope.
enum class Runner { Native, Qemu, Bootscope };
inline constexpr std::array<Runner, 3> kRunners = {Runner::Native, Runner::Qemu, Runner::Bootscope};
const char* name_of(Runner runner);

// What a row is held to (the goals of issue 9).
enum class Goal {
    None,
    Mips,            // Bootscope runs at least `value` MIPS
    SpeedVsQemu,     // Bootscope runs at least `value` times as fast as QEMU
    FasterThanQemu,  // Bootscope takes less time than QEMU
    TracedOverhead,  // at most `value` times the time of the row `baseline`
};
struct Target {
    Goal goal = Goal::None;
    double value = 0;
};

// The measurements of one command over the rounds.
struct Samples {
    std::vector<double> wall;       // seconds from start to exit
    std::vector<double> cpu;        // user + system seconds
    std::vector<double> to_marker;  // seconds from start to the marker line (boot rows)
};

// One command line run once per round: one cell of a row, or an empty
// workload that gives a runner's start-up.
struct Job {
    Runner runner = Runner::Bootscope;
    std::string label;             // start-up jobs: what they start ("workloads", "boot")
    std::vector<std::string> argv;
    int expected_status = 0;
    std::string marker;            // time the first stdout line holding this ("": none)
    bool prints_checksum = false;  // must print "checksum 0x..."
    Samples samples;
    std::string checksum;          // what it printed, the same every run
    uint64_t instructions = 0;     // Bootscope's count of retired instructions, the same every run
    std::string error;             // why it stopped being run ("" while all is well)
};

// A cell: the job, and which start-up job's time is subtracted from its own.
struct Lane {
    Job job;
    size_t startup = 0;  // index into Suite::startups
};

struct Row {
    std::string name;           // alu, memory, ..., boot, boot-traced
    std::string what;           // a short description for the notes under the table
    uint64_t size = 0;          // the workload's n (0: not a sized workload)
    Target target;
    std::string baseline;       // Goal::TracedOverhead: the row compared with
    bool boot = false;          // times the marker line (/sbin/init), not the exit
    bool qemu_same_work = true; // QEMU retires the same instructions (not so for the boot)
    std::array<std::optional<Lane>, 3> lanes;  // indexed by Runner
    uint64_t callgrind = 0;     // the native build's instructions in workload_main, if counted
    std::string callgrind_note; // why there is no count
};

// Where things are and what to run; from the command line and the build.
struct Config {
    std::string bootscope;      // the bootscope binary
    std::vector<std::string> bootscope_args;  // added to every `bootscope run` (--bootscope-arg)
    std::string qemu;           // qemu-system-x86_64, "" if not installed or not wanted
    std::string qemu_missing;   // why QEMU is not run
    std::string valgrind;       // "" if not installed or not wanted
    std::string valgrind_missing;
    std::string kernel_dir, native_dir, guest_dir, poweroff_firmware;
    std::string work_dir;       // scratch files and the callgrind cache
    std::string results_dir;    // "" with --no-json
    std::string source_dir;
    int rounds = 5;
    double scale = 1;           // multiplies every workload's size (--scale)
    bool boot = true;
    bool cpu_time = false;      // the table's seconds are CPU time rather than wall time
    std::set<std::string> only; // row names; empty: all
};

struct Suite {
    Config config;
    std::vector<Job> startups;
    std::vector<Row> rows;
    double load_before = 0, load_after = 0;
    double seconds_total = 0;

    const Row* find(const std::string& name) const;
};

// The names of all rows, in the table's order (--only, --list).
std::vector<std::string> row_names();

// The rows and their command lines. Fails (with a message on stderr) when
// an image it needs has not been built.
std::optional<Suite> plan(const Config& config);

// Runs every job config.rounds times, Bootscope and QEMU alternating, then
// counts the native builds' instructions under callgrind. Progress goes to
// stderr. False if any run failed or the checksums disagree.
bool measure(Suite& suite);

// The table (Markdown) and the notes under it, on stdout.
void print_report(const Suite& suite);

// The JSON record in config.results_dir; its path, or "" after a message.
std::string write_json(const Suite& suite);

// ---- derived numbers, shared by the report and the JSON ----

double median(std::vector<double> values);  // NaN if empty

// The median of a cell's seconds (wall, or CPU with config.cpu_time; to
// the marker on boot rows, or to the exit with `to_exit`) less its
// runner's start-up; NaN if the cell was not measured.
double seconds(const Suite& suite, const Row& row, Runner runner, bool to_exit = false);
double startup_seconds(const Suite& suite, const Row& row, Runner runner);

// The instructions of the row's work: Bootscope's count less its empty
// workload's; 0 if unknown.
uint64_t guest_instructions(const Suite& suite, const Row& row);

// Millions of instructions per second of a cell; NaN if not meaningful.
double mips(const Suite& suite, const Row& row, Runner runner);

// How many times as fast as QEMU Bootscope is on the row; NaN if unknown.
double speed_vs_qemu(const Suite& suite, const Row& row);

// The value the target is about (MIPS, speed, ratio) and whether it is met.
struct Verdict {
    bool known = false;
    bool met = false;
    double value = 0;
};
Verdict judge(const Suite& suite, const Row& row);
std::string describe(const Target& target);

// Whether a checksum differs between the cells of a row ("" if not).
std::string checksum_mismatch(const Row& row);

}  // namespace bench
