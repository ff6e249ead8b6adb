// bench_suite: the benchmark suite of issue 9 (`make bench`).
//
//   bench_suite [--quick] [--rounds N] [--scale F] [--only NAME,...] [--no-boot] [--cpu-time]
//               [--no-qemu | --qemu PATH] [--no-callgrind] [--bootscope-arg ARG]...
//               [--results DIR | --no-json] [--list]
//
// Runs the bare-metal workloads of bench/workloads on Bootscope and on
// `qemu-system-x86_64 -accel tcg`, natively as Linux programs built from the
// same object files, and the bundled guest's boot (plain and under
// `trace record`), N rounds (default 5, 3 with --quick), Bootscope and QEMU
// alternating, and prints a Markdown table of medians: guest instructions,
// seconds and MIPS per runner, Bootscope's speed relative to QEMU, and the
// targets with whether each is met. The native instruction counts come from
// `valgrind --tool=callgrind`, once per build of each workload (cached).
// The numbers are also written to DIR/bench-DATE.json (default
// bench/results/ in the source tree) with the host's CPU model.
//
// Exit status: 0 when every run ended as expected and the checksums agree,
// 1 when one did not (the table says which), 2 for a bad command line,
// 3 when images are missing (build first), 4 when the JSON cannot be written.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/suite/host.h"
#include "bench/suite/suite.h"

namespace {

constexpr int kExitFailedRun = 1, kExitUsage = 2, kExitMissing = 3, kExitNoResults = 4;

int usage(const char* problem) {
    if (problem) std::fprintf(stderr, "bench_suite: %s\n", problem);
    std::fprintf(stderr,
                 "usage: bench_suite [--quick] [--rounds N] [--scale F] [--only NAME,...] [--no-boot] [--cpu-time]\n"
                 "                   [--no-qemu | --qemu PATH] [--no-callgrind] [--bootscope-arg ARG]...\n"
                 "                   [--results DIR | --no-json] [--list]\n"
                 "  --quick          3 rounds instead of 5\n"
                 "  --rounds N       N rounds (medians of N runs)\n"
                 "  --scale F        every workload's size times F (the table is then not comparable)\n"
                 "  --only NAMES     only these rows (comma-separated; --list shows them)\n"
                 "  --no-boot        without the boot rows\n"
                 "  --cpu-time       the table's seconds are CPU time (user + system), not wall time\n"
                 "  --no-qemu        without QEMU;  --qemu PATH: this qemu-system-x86_64\n"
                 "  --no-callgrind   native MIPS from the guest's instruction count, no valgrind\n"
                 "  --bootscope-arg ARG  add ARG to every `bootscope run` (e.g. --no-flight-recorder)\n"
                 "  --results DIR    where the JSON goes (default %s);  --no-json: nowhere\n",
                 BENCH_RESULTS_DIR);
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    bench::Config c;
    c.bootscope = BENCH_BOOTSCOPE;
    c.kernel_dir = BENCH_BUILD_DIR "/kernels";
    c.native_dir = BENCH_BUILD_DIR "/native";
    c.work_dir = BENCH_BUILD_DIR;
    c.guest_dir = BENCH_GUEST_DIR;
    c.poweroff_firmware = BENCH_POWEROFF_FIRMWARE;
    c.results_dir = BENCH_RESULTS_DIR;
    c.source_dir = BENCH_SOURCE_DIR;
    std::string qemu = "qemu-system-x86_64";
    bool use_qemu = true, use_callgrind = true;

    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        const bool has_value = k + 1 < argc;
        if (a == "--quick") {
            c.rounds = 3;
        } else if (a == "--rounds" && has_value) {
            c.rounds = std::atoi(argv[++k]);
            if (c.rounds < 1) return usage("--rounds: give a number of at least 1");
        } else if (a == "--scale" && has_value) {
            char* end = nullptr;
            c.scale = std::strtod(argv[++k], &end);
            if (*end || !(c.scale > 0)) return usage("--scale: give a positive number (e.g. 0.1)");
        } else if (a == "--only" && has_value) {
            const std::string list = argv[++k];
            size_t start = 0;
            while (start <= list.size()) {
                const size_t end = std::min(list.find(',', start), list.size());
                const std::string name = list.substr(start, end - start);
                const std::vector<std::string> names = bench::row_names();
                const bool known = std::find(names.begin(), names.end(), name) != names.end();
                if (!known) return usage(("--only: no row named '" + name + "' (see --list)").c_str());
                c.only.insert(name);
                start = end + 1;
            }
        } else if (a == "--no-boot") {
            c.boot = false;
        } else if (a == "--cpu-time") {
            c.cpu_time = true;
        } else if (a == "--no-qemu") {
            use_qemu = false;
        } else if (a == "--qemu" && has_value) {
            qemu = argv[++k];
        } else if (a == "--no-callgrind") {
            use_callgrind = false;
        } else if (a == "--bootscope-arg" && has_value) {
            c.bootscope_args.push_back(argv[++k]);
        } else if (a == "--results" && has_value) {
            c.results_dir = argv[++k];
        } else if (a == "--no-json") {
            c.results_dir.clear();
        } else if (a == "--list") {
            for (const std::string& name : bench::row_names()) std::printf("%s\n", name.c_str());
            return 0;
        } else if (a == "--help" || a == "-h") {
            usage(nullptr);
            return 0;
        } else {
            return usage(("unknown option or missing value: " + a).c_str());
        }
    }

    if (!use_qemu) {
        c.qemu_missing = "not run (--no-qemu)";
    } else {
        c.qemu = qemu.find('/') == std::string::npos ? bench::find_in_path(qemu) : qemu;
        if (c.qemu.empty() || access(c.qemu.c_str(), X_OK) != 0) {
            c.qemu.clear();
            c.qemu_missing = "not installed";
            std::fprintf(stderr, "bench_suite: %s not found: the QEMU columns stay empty\n", qemu.c_str());
        }
    }
    if (!use_callgrind) {
        c.valgrind_missing = "--no-callgrind";
    } else if ((c.valgrind = bench::find_in_path("valgrind")).empty()) {
        c.valgrind_missing = "valgrind is not installed";
    }

    std::optional<bench::Suite> suite = bench::plan(c);
    if (!suite) return kExitMissing;
    const bool ok = bench::measure(*suite);
    bench::print_report(*suite);
    if (!c.results_dir.empty()) {
        const std::string path = bench::write_json(*suite);
        if (path.empty()) return kExitNoResults;
        std::printf("\nResults: %s\n", path.c_str());
    }
    return ok ? 0 : kExitFailedRun;
}
