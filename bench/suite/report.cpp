// What the measurements say: the derived numbers, the table and the JSON.
#include <sys/stat.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

#include "bench/suite/host.h"
#include "bench/suite/process.h"
#include "bench/suite/suite.h"

namespace bench {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Work times below this are start-up jitter rather than a measurement: no MIPS.
constexpr double kShortest = 0.01;
// Work times below this are rough (noted under the table).
constexpr double kRough = 0.1;

// ---- derived numbers ----

double median(std::vector<double> values) {
    if (values.empty()) return kNaN;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

namespace {

const Lane* measured_lane(const Row& row, Runner runner) {
    const std::optional<Lane>& lane = row.lanes[size_t(runner)];
    return lane && !lane->job.samples.wall.empty() ? &*lane : nullptr;
}

}  // namespace

double startup_seconds(const Suite& suite, const Row& row, Runner runner) {
    const std::optional<Lane>& lane = row.lanes[size_t(runner)];
    if (!lane) return kNaN;
    const Samples& s = suite.startups[lane->startup].samples;
    return median(suite.config.cpu_time ? s.cpu : s.wall);
}

double seconds(const Suite& suite, const Row& row, Runner runner, bool to_exit) {
    const Lane* lane = measured_lane(row, runner);
    if (!lane) return kNaN;
    const Samples& s = lane->job.samples;
    const std::vector<double>& values = suite.config.cpu_time ? s.cpu : (row.boot && !to_exit ? s.to_marker : s.wall);
    return median(values) - startup_seconds(suite, row, runner);
}

uint64_t guest_instructions(const Suite& suite, const Row& row) {
    const Lane* lane = measured_lane(row, Runner::Bootscope);
    if (!lane) return 0;
    const uint64_t all = lane->job.instructions, startup = suite.startups[lane->startup].instructions;
    return all && startup && all > startup ? all - startup : 0;
}

double mips(const Suite& suite, const Row& row, Runner runner) {
    uint64_t count = guest_instructions(suite, row);
    if (runner == Runner::Native && row.callgrind) count = row.callgrind;
    if (runner == Runner::Qemu && !row.qemu_same_work) return kNaN;
    // The boot's instructions are counted to the power-off.
    const double s = seconds(suite, row, runner, row.boot);
    return count && s >= kShortest ? static_cast<double>(count) / s / 1e6 : kNaN;
}

double speed_vs_qemu(const Suite& suite, const Row& row) {
    const double qemu = seconds(suite, row, Runner::Qemu), bootscope = seconds(suite, row, Runner::Bootscope);
    return qemu > 0 && bootscope > 0 ? qemu / bootscope : kNaN;
}

Verdict judge(const Suite& suite, const Row& row) {
    double value = kNaN;
    bool met = false;
    switch (row.target.goal) {
    case Goal::None: return {};
    case Goal::Mips:
        value = mips(suite, row, Runner::Bootscope);
        met = value >= row.target.value;
        break;
    case Goal::SpeedVsQemu:
        value = speed_vs_qemu(suite, row);
        met = value >= row.target.value;
        break;
    case Goal::FasterThanQemu:
        value = speed_vs_qemu(suite, row);
        met = value > 1;
        break;
    case Goal::TracedOverhead: {
        const Row* base = suite.find(row.baseline);
        if (base) value = seconds(suite, row, Runner::Bootscope, true) / seconds(suite, *base, Runner::Bootscope, true);
        met = value <= row.target.value;
        break;
    }
    }
    if (std::isnan(value)) return {};
    return {true, met, value};
}

std::string describe(const Target& t) {
    char text[64];
    switch (t.goal) {
    case Goal::None: return "";
    case Goal::Mips: std::snprintf(text, sizeof text, "≥ %g MIPS", t.value); break;
    case Goal::SpeedVsQemu: std::snprintf(text, sizeof text, "≥ %g× QEMU", t.value); break;
    case Goal::FasterThanQemu: return "faster than QEMU";
    case Goal::TracedOverhead: std::snprintf(text, sizeof text, "≤ %g× untraced", t.value); break;
    }
    return text;
}

// ---- the table ----

namespace {

std::string format(const char* spec, double value) {
    if (std::isnan(value)) return "—";
    char text[64];
    std::snprintf(text, sizeof text, spec, value);
    return text;
}

std::string with_commas(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t k = 0; k < digits.size(); ++k) {
        if (k && (digits.size() - k) % 3 == 0) out += ',';
        out += digits[k];
    }
    return out;
}

std::string format_mips(double value) { return format(value >= 100 ? "%.0f" : "%.1f", value); }

// The two cells (seconds, MIPS) of one runner in a row.
std::pair<std::string, std::string> runner_cells(const Suite& suite, const Row& row, Runner runner) {
    const std::optional<Lane>& lane = row.lanes[size_t(runner)];
    if (!lane) {
        if (runner == Runner::Qemu && suite.config.qemu.empty()) return {suite.config.qemu_missing, "—"};
        return {"n/a", "n/a"};
    }
    if (!lane->job.error.empty() || !suite.startups[lane->startup].error.empty()) return {"failed", "—"};
    return {format("%.3f", seconds(suite, row, runner)), format_mips(mips(suite, row, runner))};
}

void print_markdown(const std::vector<std::vector<std::string>>& table) {
    // Display widths, counting UTF-8 sequences (×, ≥, —) as one column.
    auto width = [](const std::string& s) {
        return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xc0) != 0x80; }));
    };
    std::vector<size_t> widths(table[0].size(), 0);
    for (const auto& line : table) {
        for (size_t k = 0; k < line.size(); ++k) widths[k] = std::max(widths[k], width(line[k]));
    }
    const size_t columns = widths.size();
    auto left_aligned = [&](size_t k) { return k == 0 || k + 2 >= columns; };  // name, target, met
    for (size_t r = 0; r < table.size(); ++r) {
        std::printf("|");
        for (size_t k = 0; k < columns; ++k) {
            const std::string& cell = table[r][k];
            const int pad = static_cast<int>(widths[k] - width(cell));
            if (left_aligned(k)) {
                std::printf(" %s%*s |", cell.c_str(), pad, "");
            } else {
                std::printf(" %*s%s |", pad, "", cell.c_str());
            }
        }
        std::printf("\n");
        if (r > 0) continue;
        std::printf("|");
        for (size_t k = 0; k < columns; ++k) {
            std::printf("%s%s|", std::string(widths[k] + 1, '-').c_str(), left_aligned(k) ? "-" : ":");
        }
        std::printf("\n");
    }
}

}  // namespace

void print_report(const Suite& suite) {
    const Config& c = suite.config;
    std::vector<std::vector<std::string>> table = {{"workload", "guest instructions", "native s", "native MIPS",
                                                    "QEMU s", "QEMU MIPS", "Bootscope s", "Bootscope MIPS",
                                                    "Bootscope/QEMU", "target", "met"}};
    for (const Row& row : suite.rows) {
        const uint64_t count = guest_instructions(suite, row);
        std::vector<std::string> line = {row.name, count ? with_commas(count) : "—"};
        for (Runner runner : kRunners) {
            const auto [s, m] = runner_cells(suite, row, runner);
            line.push_back(s);
            line.push_back(m);
        }
        line.push_back(format("%.2f×", speed_vs_qemu(suite, row)));
        line.push_back(describe(row.target));
        const Verdict v = judge(suite, row);
        std::string met = !v.known ? (row.target.goal == Goal::None ? "" : "?") : v.met ? "yes" : "no";
        if (v.known && row.target.goal == Goal::TracedOverhead) met += format(" (%.2f×)", v.value);
        if (!checksum_mismatch(row).empty()) met = "WRONG CHECKSUM";
        line.push_back(met);
        table.push_back(line);
    }
    std::printf("\n");
    print_markdown(table);

    // The notes: what the numbers are.
    const char* clock = c.cpu_time ? "CPU time (user + system)" : "wall time";
    std::printf("\nSeconds: median of %d round%s of %s, less the runner's start-up (its run of the empty workload):",
                c.rounds, c.rounds == 1 ? "" : "s", clock);
    for (size_t k = 0; k < suite.startups.size(); ++k) {
        const Job& job = suite.startups[k];
        std::printf("%s %s (%s) %s s", k ? ";" : "", name_of(job.runner), job.label.c_str(),
                    format("%.3f", median(c.cpu_time ? job.samples.cpu : job.samples.wall)).c_str());
    }
    std::printf(".");
    std::printf("\nGuest instructions: retired by Bootscope, less its empty workload's. QEMU runs the same guest "
                "code. The native MIPS use callgrind's count of workload_main in the Linux build");
    std::string differing, missing;
    for (const Row& row : suite.rows) {
        const uint64_t guest = guest_instructions(suite, row);
        if (row.callgrind && guest) {
            const double excess = (static_cast<double>(guest) - static_cast<double>(row.callgrind)) / row.callgrind;
            if (std::fabs(excess) > 0.001) differing += " " + row.name + format(" (%+.1f%%)", excess * 100);
        }
        if (missing.empty() && !row.callgrind_note.empty()) missing = row.callgrind_note;
    }
    if (!missing.empty()) {
        std::printf(" (none here: %s; the guest count stands in)", missing.c_str());
    } else {
        std::printf(", which matches the guest count within 0.1%%");
    }
    if (!differing.empty()) {
        std::printf(" except on%s: the runtimes' own work inside workload_main differs (on bare metal, "
                    "bench_alloc_small_pages fills 65,536 page-table entries; on Linux the kernel does)",
                    differing.c_str());
    }
    std::printf(".\n");
    std::string short_cells;
    for (const Row& row : suite.rows) {
        for (Runner runner : kRunners) {
            const double s = seconds(suite, row, runner);
            if (s < kRough) short_cells += std::string(short_cells.empty() ? "" : ", ") + name_of(runner) + " " + row.name;
        }
    }
    if (!short_cells.empty()) {
        std::printf("Under %g s, so within the jitter of the start-up subtracted (their MIPS are rough, none under "
                    "%g s): %s.\n",
                    kRough, kShortest, short_cells.c_str());
    }
    if (suite.find("boot") || suite.find("boot-untraced")) {
        std::printf("Boot rows: seconds to the first `init: Hello from /sbin/init` line; instructions and MIPS to the "
                    "guest's power-off. QEMU's boot waits in real time (TSC and delay calibration, timer ticks), so "
                    "it retires other instructions: no QEMU MIPS. Start-up with bench/workloads/poweroff_fw.S as "
                    "firmware.\n");
    }
    if (!c.bootscope_args.empty()) {
        std::printf("bootscope run options added: %s\n", command_line(c.bootscope_args).c_str());
    }
    std::printf("\nWorkloads (n = the size given to each):\n");
    for (const Row& row : suite.rows) {
        std::printf("  %-13s %s%s\n", row.name.c_str(), row.what.c_str(),
                    row.size ? (" [n=" + std::to_string(row.size) + "]").c_str() : "");
    }
    std::printf("\nHost: %s, %ld CPUs online, load average %.2f before and %.2f after; %s; %s; %.0f s in all.\n",
                cpu_model().c_str(), cpus_online(), suite.load_before, suite.load_after,
                c.qemu.empty() ? ("QEMU " + c.qemu_missing).c_str()
                               : first_line_of("'" + c.qemu + "' --version 2>/dev/null").c_str(),
                utc_now("%Y-%m-%d %H:%M UTC").c_str(), suite.seconds_total);
    if (suite.load_before > 0.5 * static_cast<double>(cpus_online())) {
        std::printf("(Other work shared the host: wall times suffer first; --cpu-time shows CPU times.)\n");
    }

    // What went wrong, in full.
    for (const Job& job : suite.startups) {
        if (!job.error.empty()) {
            std::printf("\nFAILED: %s start-up (%s): %s\n", name_of(job.runner), job.label.c_str(), job.error.c_str());
        }
    }
    for (const Row& row : suite.rows) {
        for (Runner runner : kRunners) {
            const std::optional<Lane>& lane = row.lanes[size_t(runner)];
            if (lane && !lane->job.error.empty()) {
                std::printf("\nFAILED: %s on %s: %s\n", row.name.c_str(), name_of(runner), lane->job.error.c_str());
            }
        }
        const std::string mismatch = checksum_mismatch(row);
        if (!mismatch.empty()) std::printf("\nFAILED: %s: the checksums differ: %s\n", row.name.c_str(), mismatch.c_str());
    }
}

// ---- JSON ----

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", ch);
            out += escape;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string number(double value, const char* spec = "%.4f") {
    if (std::isnan(value) || std::isinf(value)) return "null";
    char text[64];
    std::snprintf(text, sizeof text, spec, value);
    return text;
}

std::string array(const std::vector<double>& values) {
    std::string out = "[";
    for (size_t k = 0; k < values.size(); ++k) out += (k ? ", " : "") + number(values[k]);
    return out + "]";
}

std::string samples_json(const Samples& s) {
    std::string out = "{\"wall_s\": " + array(s.wall) + ", \"cpu_s\": " + array(s.cpu);
    if (!s.to_marker.empty()) out += ", \"to_marker_s\": " + array(s.to_marker);
    return out + "}";
}

}  // namespace

std::string write_json(const Suite& suite) {
    const Config& c = suite.config;
    mkdir(c.results_dir.c_str(), 0755);
    const std::string path = c.results_dir + "/bench-" + utc_now("%Y-%m-%d-%H%M%S") + ".json";
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
        std::fprintf(stderr, "bench_suite: cannot write %s\n", path.c_str());
        return "";
    }
    std::fprintf(f, "{\n  \"benchmark\": \"bench_suite\",\n  \"format\": 1,\n");
    std::fprintf(f, "  \"date\": %s,\n  \"git_revision\": %s,\n", quoted(utc_now("%Y-%m-%dT%H:%M:%SZ")).c_str(),
                 quoted(git_revision(c.source_dir)).c_str());
    std::fprintf(f, "  \"host_cpu\": %s,\n  \"host_cpus_online\": %ld,\n  \"host_load_average\": [%.2f, %.2f],\n",
                 quoted(cpu_model()).c_str(), cpus_online(), suite.load_before, suite.load_after);
    std::fprintf(f, "  \"qemu\": %s,\n",
                 quoted(c.qemu.empty() ? c.qemu_missing : first_line_of("'" + c.qemu + "' --version 2>/dev/null"))
                     .c_str());
    std::fprintf(f, "  \"rounds\": %d,\n  \"table_seconds\": %s,\n  \"bootscope_run_options\": %s,\n", c.rounds,
                 quoted(c.cpu_time ? "cpu" : "wall").c_str(), quoted(command_line(c.bootscope_args)).c_str());
    std::fprintf(f, "  \"startups\": [\n");
    for (size_t k = 0; k < suite.startups.size(); ++k) {
        const Job& job = suite.startups[k];
        std::fprintf(f, "    {\"runner\": %s, \"for\": %s, \"command\": %s, \"instructions\": %" PRIu64 ", \"samples\": %s}%s\n",
                     quoted(name_of(job.runner)).c_str(), quoted(job.label).c_str(), quoted(command_line(job.argv)).c_str(),
                     job.instructions,
                     samples_json(job.samples).c_str(), k + 1 < suite.startups.size() ? "," : "");
    }
    std::fprintf(f, "  ],\n  \"workloads\": [\n");
    for (size_t r = 0; r < suite.rows.size(); ++r) {
        const Row& row = suite.rows[r];
        const Verdict v = judge(suite, row);
        std::fprintf(f, "    {\"name\": %s, \"what\": %s, \"n\": %" PRIu64 ",\n", quoted(row.name).c_str(),
                     quoted(row.what).c_str(), row.size);
        std::fprintf(f, "     \"guest_instructions\": %" PRIu64 ", \"callgrind_instructions\": %" PRIu64 ",\n",
                     guest_instructions(suite, row), row.callgrind);
        std::fprintf(f, "     \"target\": %s, \"target_value\": %s, \"met\": %s,\n",
                     quoted(describe(row.target)).c_str(), number(v.known ? v.value : kNaN).c_str(),
                     !v.known ? "null" : v.met ? "true" : "false");
        std::fprintf(f, "     \"speed_vs_qemu\": %s, \"checksums_differ\": %s,\n     \"runners\": {",
                     number(speed_vs_qemu(suite, row)).c_str(), checksum_mismatch(row).empty() ? "false" : "true");
        bool first = true;
        for (Runner runner : kRunners) {
            const std::optional<Lane>& lane = row.lanes[size_t(runner)];
            if (!lane) continue;
            const Job& job = lane->job;
            std::fprintf(f,
                         "%s\n       %s: {\"seconds\": %s, \"mips\": %s, \"startup_s\": %s, \"checksum\": %s, "
                         "\"error\": %s,\n         \"command\": %s,\n         \"samples\": %s}",
                         first ? "" : ",", quoted(name_of(runner)).c_str(),
                         number(seconds(suite, row, runner)).c_str(), number(mips(suite, row, runner), "%.1f").c_str(),
                         number(startup_seconds(suite, row, runner)).c_str(), quoted(job.checksum).c_str(),
                         quoted(job.error).c_str(), quoted(command_line(job.argv)).c_str(),
                         samples_json(job.samples).c_str());
            first = false;
        }
        std::fprintf(f, "}}%s\n", r + 1 < suite.rows.size() ? "," : "");
    }
    std::fprintf(f, "  ]\n}\n");
    if (std::fclose(f) != 0) {
        std::fprintf(stderr, "bench_suite: writing %s failed\n", path.c_str());
        return "";
    }
    return path;
}

}  // namespace bench
