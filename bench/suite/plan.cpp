// The rows of the benchmark table and the command line of every cell.
#include <algorithm>
#include <cstdio>

#include "bench/suite/host.h"
#include "bench/suite/suite.h"

namespace bench {
namespace {

// Guest RAM for every run: the pagetable workload maps 256 MiB.
constexpr const char* kMemory = "512M";
// What a bare-metal workload's exit through isa-debug-exit 0x21 gives.
constexpr int kKernelDone = 67;
constexpr const char* kInitLine = "init: Hello from /sbin/init";

// The workloads of bench/workloads/*.c, sized so that Bootscope runs each
// for about a second at the speed of 2026-11 (100-200 MIPS; the pagetable
// workload ~25). The sizes of `make test` are in bench/CMakeLists.txt.
struct Workload {
    const char* name;
    const char* what;
    uint64_t size;
    bool native;       // also built as a Linux program
    const char* qemu_clock;  // extra QEMU options, or nullptr
    Target target;
};

constexpr Workload kWorkloads[] = {
    {"alu", "integer ALU loop: n iterations of a dependent add/xor/shift/rotate/imul chain", 10'000'000, true,
     nullptr, {Goal::Mips, 400}},
    {"memory", "n rounds of the sieve of Eratosthenes over 2 MiB and two 8 MiB copies (8-byte loads and stores)", 2,
     true, nullptr, {Goal::SpeedVsQemu, 0.8}},
    {"branchy", "quicksort of 64 Ki random 32-bit keys, n times", 8, true, nullptr, {Goal::Mips, 400}},
    {"calls", "recursive calls: tak(18 or 19, 12, 6) + fib(20), n times", 80, true, nullptr, {Goal::Mips, 400}},
    {"crc32", "table-driven CRC-32, n passes over 64 KiB", 250, true, nullptr, {Goal::Mips, 400}},
    {"pagetable", "n read-modify-writes over 256 MiB of 4 KiB pages, each to a page untouched for 65,535 accesses",
     2'000'000, true, nullptr, {Goal::SpeedVsQemu, 2}},
    {"timer", "n ticks of the PIT at 10 kHz through the 8259, HLT between (QEMU: -icount shift=0,sleep=off)",
     100'000, false, "-icount shift=0,sleep=off", {}},
    {"portio", "n 80-byte lines on COM1, polling LSR before each byte", 20'000, false, nullptr, {}},
};

std::vector<std::string> split_words(const char* text) {
    std::vector<std::string> words;
    std::string word;
    for (const char* p = text;; ++p) {
        if (*p == ' ' || !*p) {
            if (!word.empty()) words.push_back(word);
            word.clear();
            if (!*p) return words;
        } else {
            word += *p;
        }
    }
}

std::vector<std::string> bootscope_kernel(const Config& c, const std::string& kernel, uint64_t n) {
    std::vector<std::string> argv = {c.bootscope, "--log-level", "info", "run"};
    argv.insert(argv.end(), c.bootscope_args.begin(), c.bootscope_args.end());
    argv.insert(argv.end(), {"--kernel", kernel, "--append", "n=" + std::to_string(n), "--memory", kMemory});
    return argv;
}

std::vector<std::string> qemu_kernel(const Config& c, const std::string& kernel, uint64_t n, const char* clock) {
    std::vector<std::string> argv = {c.qemu, "-accel", "tcg"};
    if (clock) {
        for (const std::string& word : split_words(clock)) argv.push_back(word);
    }
    argv.insert(argv.end(), {"-kernel", kernel, "-append", "n=" + std::to_string(n), "-m", kMemory, "-serial",
                             "stdio", "-display", "none", "-monitor", "none", "-nodefaults", "-no-reboot",
                             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"});
    return argv;
}

Job make_job(Runner runner, std::vector<std::string> argv, int status, bool checksum, std::string marker = "") {
    Job job;
    job.runner = runner;
    job.argv = std::move(argv);
    job.expected_status = status;
    job.prints_checksum = checksum;
    job.marker = std::move(marker);
    return job;
}

bool wanted(const Config& c, const std::string& name) { return c.only.empty() || c.only.count(name); }

}  // namespace

std::optional<Suite> plan(const Config& c) {
    Suite suite;
    suite.config = c;
    std::vector<std::string> missing;
    auto need = [&](const std::string& path) {
        if (!readable(path)) missing.push_back(path);
        return path;
    };
    auto add_startup = [&](Job job, const char* label) {
        job.label = label;
        suite.startups.push_back(std::move(job));
        return suite.startups.size() - 1;
    };

    // The bare-metal workloads. Start-up: the empty workload, per runner.
    const std::string empty_kernel = need(c.kernel_dir + "/empty.elf");
    const size_t native_startup =
        add_startup(make_job(Runner::Native, {need(c.native_dir + "/empty"), "1"}, 0, true), "workloads");
    const size_t bootscope_startup =
        add_startup(make_job(Runner::Bootscope, bootscope_kernel(c, empty_kernel, 1), kKernelDone, true), "workloads");
    size_t qemu_startup = 0;
    if (!c.qemu.empty()) {
        qemu_startup =
            add_startup(make_job(Runner::Qemu, qemu_kernel(c, empty_kernel, 1, nullptr), kKernelDone, true), "workloads");
    }
    for (const Workload& w : kWorkloads) {
        if (!wanted(c, w.name)) continue;
        Row row;
        row.name = w.name;
        row.what = w.what;
        row.size = std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(w.size) * c.scale));
        row.target = w.target;
        const std::string kernel = need(c.kernel_dir + "/" + w.name + ".elf");
        if (w.native) {
            const std::string program = need(c.native_dir + "/" + w.name);
            row.lanes[size_t(Runner::Native)] =
                Lane{make_job(Runner::Native, {program, std::to_string(row.size)}, 0, true), native_startup};
        }
        if (!c.qemu.empty()) {
            row.lanes[size_t(Runner::Qemu)] =
                Lane{make_job(Runner::Qemu, qemu_kernel(c, kernel, row.size, w.qemu_clock), kKernelDone, true),
                     qemu_startup};
        }
        row.lanes[size_t(Runner::Bootscope)] =
            Lane{make_job(Runner::Bootscope, bootscope_kernel(c, kernel, row.size), kKernelDone, true),
                 bootscope_startup};
        suite.rows.push_back(std::move(row));
    }

    // The bundled guest's boot from the reset vector, to the /sbin/init
    // line (and on to the power-off), three ways on Bootscope: `run` as it
    // comes (with its flight recorder, the last 64 Ki trace events in
    // memory), `run --no-flight-recorder` (no tracing at all), and `trace
    // record` (the whole trace to a file), held to 1.5 times the second.
    // Start-up: `run` with a firmware that powers off at the reset vector
    // (workloads/poweroff_fw.S) and otherwise the same command lines.
    const bool boot_rows = wanted(c, "boot") || wanted(c, "boot-untraced") || wanted(c, "boot-traced");
    if (c.boot && boot_rows) {
        const std::string firmware = need(c.guest_dir + "/firmware.bin"), kernel = need(c.guest_dir + "/bzImage"),
                          initrd = need(c.guest_dir + "/initramfs.cpio");
        need(c.poweroff_firmware);
        auto bootscope_boot = [&](const std::string& fw, std::vector<std::string> mode) {
            std::vector<std::string> argv = {c.bootscope, "--log-level", "info"};
            argv.insert(argv.end(), mode.begin(), mode.end());
            if (mode[0] == "run") argv.insert(argv.end(), c.bootscope_args.begin(), c.bootscope_args.end());
            argv.insert(argv.end(), {"--firmware", fw, "--kernel", kernel, "--initrd", initrd, "--memory", "128M"});
            return argv;
        };
        auto qemu_boot = [&](const std::string& fw) {
            return std::vector<std::string>{c.qemu, "-accel", "tcg", "-bios", fw, "-kernel", kernel, "-initrd",
                                            initrd, "-m", "128M", "-serial", "stdio", "-display", "none",
                                            "-monitor", "none", "-nodefaults", "-no-reboot"};
        };
        const size_t boot_bootscope_startup = add_startup(
            make_job(Runner::Bootscope, bootscope_boot(c.poweroff_firmware, {"run"}), 0, false), "boot");
        size_t boot_qemu_startup = 0;
        if (!c.qemu.empty()) {
            boot_qemu_startup = add_startup(make_job(Runner::Qemu, qemu_boot(c.poweroff_firmware), 0, false), "boot");
        }
        auto boot_row = [&](const char* name, std::string what, std::vector<std::string> mode) {
            Row row;
            row.name = name;
            row.what = std::move(what);
            row.boot = true;
            row.qemu_same_work = false;
            row.lanes[size_t(Runner::Bootscope)] = Lane{
                make_job(Runner::Bootscope, bootscope_boot(firmware, std::move(mode)), 0, false, kInitLine),
                boot_bootscope_startup};
            return row;
        };
        Row boot = boot_row("boot",
                            "the bundled guest (firmware.bin, bzImage, initramfs.cpio, 128 MiB) from the reset "
                            "vector to the first `" + std::string(kInitLine) + "` line, `bootscope run`",
                            {"run"});
        boot.target = {Goal::FasterThanQemu, 0};
        if (!c.qemu.empty()) {
            boot.lanes[size_t(Runner::Qemu)] =
                Lane{make_job(Runner::Qemu, qemu_boot(firmware), 0, false, kInitLine), boot_qemu_startup};
        }
        Row untraced = boot_row("boot-untraced", "the same boot without the flight recorder: no tracing at all",
                                {"run", "--no-flight-recorder"});
        Row traced = boot_row("boot-traced", "the same boot under `bootscope trace record` (the whole trace to a file)",
                              {"trace", "record", "-o", c.work_dir + "/boot-traced.trace"});
        traced.target = {Goal::TracedOverhead, 1.5};
        traced.baseline = untraced.name;
        if (wanted(c, "boot")) suite.rows.push_back(std::move(boot));
        if (wanted(c, "boot-untraced") || wanted(c, "boot-traced")) suite.rows.push_back(std::move(untraced));
        if (wanted(c, "boot-traced")) suite.rows.push_back(std::move(traced));
    }

    if (!missing.empty()) {
        for (const std::string& path : missing) std::fprintf(stderr, "bench_suite: %s is missing\n", path.c_str());
        std::fprintf(stderr, "bench_suite: build the project first (make build, or cmake --build BUILD)\n");
        return std::nullopt;
    }
    return suite;
}

std::vector<std::string> row_names() {
    std::vector<std::string> names;
    for (const Workload& w : kWorkloads) names.push_back(w.name);
    names.insert(names.end(), {"boot", "boot-untraced", "boot-traced"});
    return names;
}

const Row* Suite::find(const std::string& name) const {
    for (const Row& row : rows) {
        if (row.name == name) return &row;
    }
    return nullptr;
}

const char* name_of(Runner runner) {
    switch (runner) {
    case Runner::Native: return "native";
    case Runner::Qemu: return "QEMU";
    case Runner::Bootscope: return "Bootscope";
    }
    return "?";
}

}  // namespace bench
