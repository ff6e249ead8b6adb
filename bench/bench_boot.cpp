// bench_boot: the bundled guest's boot on Bootscope beside QEMU TCG.
//
//   bench_boot [--repeat N] [--results DIR | --no-json] [--qemu PATH]
//
// (QEMU is looked up on $PATH; without it only Bootscope's numbers are shown.)
//
// Both emulators boot the same images (firmware.bin, bzImage,
// initramfs.cpio, 128 MiB) from the reset vector to /sbin/init and the
// guest's ACPI power-off, one at a time, alternating, N times (default 5):
//
//   bootscope --log-level info run --firmware F --kernel K --initrd I --memory 128M
//   qemu-system-x86_64 -accel tcg -bios F -kernel K -initrd I -m 128M -serial stdio
//       -display none -monitor none -nodefaults -no-reboot
//
// Each run's COM1 comes through a pipe; the time from fork to the first
// line holding "init: Hello from /sbin/init" and to the child's exit are
// taken on the monotonic clock, and the child's CPU time from wait4().
// Start-up is measured the same way with an empty workload: the same
// command lines with poweroff_fw.bin (workloads/poweroff_fw.S, a firmware
// that powers off at its reset vector) in place of firmware.bin.
// Medians are printed; the guest instruction count comes from Bootscope's
// summary line. The numbers are also written as JSON to
// DIR/boot-YYYY-MM-DD-HHMMSS.json (default: bench/results in the source tree).
//
// Note: QEMU without -icount runs guest time at host speed, so its wall
// time includes the guest's idle waits (timer ticks, HLT); Bootscope's
// virtual clock skips them. The CPU-time rows show the difference.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kInitLine = "init: Hello from /sbin/init";
constexpr double kTimeout = 120.0;  // seconds of wall time before a run is killed

// One emulator run: wall seconds to the /sbin/init line (negative if none)
// and to exit, CPU seconds (user + system), exit status, what it printed.
struct Run {
    double to_init = -1;
    double to_exit = 0;
    double cpu = 0;
    int status = -1;  // exit status, or -1 if killed by a signal
    std::string out, err;
};

// Runs argv with stdin from /dev/null and stdout/stderr through pipes.
std::optional<Run> run_child(const std::vector<std::string>& argv) {
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) || pipe(err_pipe)) return std::nullopt;
    const Clock::time_point t0 = Clock::now();
    const pid_t pid = fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
        const int null_fd = open("/dev/null", O_RDONLY);
        dup2(null_fd, 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]);
        close(err_pipe[0]);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    Run r;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    size_t scanned = 0;  // r.out before this offset holds no init line
    char buf[65536];
    while (open_fds > 0) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        if (elapsed > kTimeout) {
            kill(pid, SIGKILL);
            break;
        }
        if (poll(fds, 2, 1000) < 0 && errno != EINTR) break;
        const Clock::time_point now = Clock::now();
        for (pollfd& p : fds) {
            if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = read(p.fd, buf, sizeof buf);
            if (n <= 0) {
                close(p.fd);
                p.fd = -1;
                --open_fds;
                continue;
            }
            std::string& dst = (p.fd == out_pipe[0]) ? r.out : r.err;
            dst.append(buf, static_cast<size_t>(n));
            if (&dst == &r.out && r.to_init < 0) {
                if (r.out.find(kInitLine, scanned) != std::string::npos) {
                    r.to_init = std::chrono::duration<double>(now - t0).count();
                }
                scanned = r.out.size() > std::strlen(kInitLine) ? r.out.size() - std::strlen(kInitLine) : 0;
            }
        }
    }
    for (pollfd& p : fds) {
        if (p.fd >= 0) close(p.fd);
    }
    int wstatus = 0;
    rusage ru{};
    while (wait4(pid, &wstatus, 0, &ru) < 0 && errno == EINTR) {
    }
    r.to_exit = std::chrono::duration<double>(Clock::now() - t0).count();
    r.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    return r;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The guest instruction count from Bootscope's summary line
// ("bootscope: info: N instructions retired, ..."), or 0.
unsigned long long parse_instructions(const std::string& err) {
    const size_t at = err.find(" instructions retired");
    if (at == std::string::npos) return 0;
    size_t start = at;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(err[start - 1]))) --start;
    return start < at ? std::strtoull(err.c_str() + start, nullptr, 10) : 0;
}

std::string shell_line(const char* cmd) {
    std::string out;
    if (FILE* f = popen(cmd, "r")) {
        char line[512];
        if (std::fgets(line, sizeof line, f)) out = line;
        pclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("model name", 0) == 0) {
            const size_t c = line.find(':');
            return c == std::string::npos ? line : line.substr(c + 2);
        }
    }
    return "unknown";
}

// The 1-minute load average: other work on the host shows in wall times.
double load_average() {
    double load = 0;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1) load = 0;
        std::fclose(f);
    }
    return load;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (static_cast<unsigned char>(ch) < 0x20) continue;
        out += ch;
    }
    return out + "\"";
}

std::string json_array(const std::vector<double>& v) {
    std::string out = "[";
    char num[32];
    for (size_t k = 0; k < v.size(); ++k) {
        std::snprintf(num, sizeof num, "%s%.4f", k ? ", " : "", v[k]);
        out += num;
    }
    return out + "]";
}

// The samples of one emulator on one workload.
struct Samples {
    std::vector<double> to_init, to_exit, cpu;
    void add(const Run& r) {
        if (r.to_init >= 0) to_init.push_back(r.to_init);
        to_exit.push_back(r.to_exit);
        cpu.push_back(r.cpu);
    }
};

struct Emulator {
    const char* name = "";
    std::vector<std::string> boot, empty;  // command lines
    Samples boot_s, empty_s;
    bool present = true;
};

// The first NAME on $PATH, or "" if none.
std::string find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        const size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string candidate = dirs.substr(start, end - start) + "/" + name;
        if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return "";
}

// Runs one command and checks that it ended as a clean power-off.
bool measure(Emulator& e, bool empty, unsigned long long* insns) {
    const std::optional<Run> r = run_child(empty ? e.empty : e.boot);
    if (!r) {
        std::fprintf(stderr, "bench_boot: cannot start %s\n", e.name);
        return false;
    }
    if (r->status != 0 || (!empty && r->to_init < 0)) {
        std::fprintf(stderr, "bench_boot: %s (%s workload) ended with status %d%s\n---- stdout ----\n%s\n"
                             "---- stderr ----\n%s\n",
                     e.name, empty ? "empty" : "boot", r->status,
                     empty || r->to_init >= 0 ? "" : " without the /sbin/init line", r->out.c_str(),
                     r->err.c_str());
        return false;
    }
    (empty ? e.empty_s : e.boot_s).add(*r);
    if (insns && !empty) *insns = parse_instructions(r->err);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 5;
    std::string results_dir = BENCH_RESULTS_DIR;
    std::string qemu = find_in_path("qemu-system-x86_64");
    bool write_json = true;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--repeat" && k + 1 < argc) {
            repeat = std::max(1, std::atoi(argv[++k]));
        } else if (a == "--results" && k + 1 < argc) {
            results_dir = argv[++k];
        } else if (a == "--no-json") {
            write_json = false;
        } else if (a == "--qemu" && k + 1 < argc) {
            qemu = argv[++k];
        } else {
            std::fprintf(stderr, "usage: bench_boot [--repeat N] [--results DIR | --no-json] [--qemu PATH]\n");
            return 2;
        }
    }
    const std::string g = BENCH_GUEST_DIR;
    const std::string fw = g + "/firmware.bin", kernel = g + "/bzImage", initrd = g + "/initramfs.cpio";
    const std::string empty_fw = BENCH_EMPTY_FIRMWARE;
    for (const std::string& f : {fw, kernel, initrd, empty_fw}) {
        if (access(f.c_str(), R_OK)) {
            std::fprintf(stderr, "bench_boot: %s is missing (build the project first)\n", f.c_str());
            return 1;
        }
    }

    auto bootscope_cmd = [&](const std::string& firmware) {
        return std::vector<std::string>{BENCH_BOOTSCOPE, "--log-level", "info", "run", "--firmware", firmware,
                                        "--kernel", kernel, "--initrd", initrd, "--memory", "128M"};
    };
    auto qemu_cmd = [&](const std::string& firmware) {
        return std::vector<std::string>{qemu, "-accel", "tcg", "-bios", firmware, "-kernel", kernel,
                                        "-initrd", initrd, "-m", "128M", "-serial", "stdio", "-display",
                                        "none", "-monitor", "none", "-nodefaults", "-no-reboot"};
    };
    Emulator bs;
    bs.name = "Bootscope";
    bs.boot = bootscope_cmd(fw);
    bs.empty = bootscope_cmd(empty_fw);
    Emulator qm;
    qm.name = "QEMU TCG";
    qm.boot = qemu_cmd(fw);
    qm.empty = qemu_cmd(empty_fw);
    qm.present = !qemu.empty() && access(qemu.c_str(), X_OK) == 0;
    // The same boot while recording its trace (`trace record`): the tracing overhead.
    Emulator tr;
    tr.name = "Bootscope, trace record";
    const std::string trace_out = results_dir + "/.bench_boot.trace";
    mkdir(results_dir.c_str(), 0755);
    tr.boot = {BENCH_BOOTSCOPE, "--log-level", "info", "trace", "record", "-o", trace_out, "--firmware", fw,
               "--kernel", kernel, "--initrd", initrd, "--memory", "128M"};
    tr.empty = bs.empty;
    if (!qm.present) std::printf("bench_boot: qemu-system-x86_64 not found: QEMU skipped, Bootscope only\n");

    // One emulator at a time; which one goes first alternates each round.
    std::printf("bench_boot: %d rounds of {empty, boot} on Bootscope%s ...\n", repeat,
                qm.present ? " and QEMU, alternating" : "");
    std::fflush(stdout);
    const double load_before = load_average();
    unsigned long long insns = 0;
    for (int round = 0; round < repeat; ++round) {
        Emulator* order[2] = {&bs, &qm};
        if (round % 2) std::swap(order[0], order[1]);
        for (Emulator* e : order) {
            if (!e->present) continue;
            if (!measure(*e, true, nullptr) || !measure(*e, false, e == &bs ? &insns : nullptr)) return 1;
        }
        if (!measure(tr, false, nullptr)) return 1;
    }
    unlink(trace_out.c_str());

    const double load_after = load_average();

    // The table: medians, seconds.
    struct Med {
        double start, init, exit, cpu, start_cpu;
    };
    auto med = [](const Emulator& e) {
        return Med{median(e.empty_s.to_exit), median(e.boot_s.to_init), median(e.boot_s.to_exit),
                   median(e.boot_s.cpu), median(e.empty_s.cpu)};
    };
    const Med b = med(bs);
    const Med q = qm.present ? med(qm) : Med{};
    const double mips_wall = insns / b.exit / 1e6;
    const double mips_net = b.exit > b.start ? insns / (b.exit - b.start) / 1e6 : 0;
    const double mips_cpu = b.cpu > 0 ? insns / b.cpu / 1e6 : 0;
    auto row = [&](const char* what, double vb, double vq) {
        if (qm.present) {
            std::printf("%-40s %10.3f %10.3f %10.2f\n", what, vb, vq, vq > 0 ? vb / vq : 0);
        } else {
            std::printf("%-40s %10.3f %10s %10s\n", what, vb, "skipped", "-");
        }
    };
    std::printf("\nBoot of the bundled guest, reset vector to power-off (median of %d, seconds)\n", repeat);
    std::printf("%-40s %10s %10s %10s\n", "", "Bootscope", "QEMU TCG", "BS/QEMU");
    row("start-up, empty workload (wall)", b.start, q.start);
    row("to the first /sbin/init line (wall)", b.init, q.init);
    row("to power-off (wall)", b.exit, q.exit);
    row("to power-off minus start-up (wall)", b.exit - b.start, q.exit - q.start);
    row("whole run, CPU time (user+sys)", b.cpu, q.cpu);
    std::printf("Bootscope: %llu guest instructions; MIPS: %.1f over the whole run (wall), %.1f without start-up "
                "(wall), %.1f per CPU second\n",
                insns, mips_wall, mips_net, mips_cpu);
    if (qm.present) {
        std::printf("(QEMU runs guest time at host speed: its wall time includes the guest's idle waits)\n");
    }
    const double traced_exit = median(tr.boot_s.to_exit), traced_cpu = median(tr.boot_s.cpu);
    std::printf("Tracing: `trace record` boots in %.3f s wall, %.3f s CPU: %.2fx the untraced CPU time "
                "(target: under 1.5x)\n",
                traced_exit, traced_cpu, b.cpu > 0 ? traced_cpu / b.cpu : 0);
    std::printf("host load average (1 min) %.2f before, %.2f after, on %ld CPUs%s\n", load_before, load_after,
                sysconf(_SC_NPROCESSORS_ONLN),
                load_before > 0.5 ? ": other work shares the host; compare CPU times" : "");

    if (!write_json) return 0;
    const std::time_t now = std::time(nullptr);
    char date[32], stamp[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d-%H%M%S", std::gmtime(&now));
    const std::string src = BENCH_SOURCE_DIR;
    std::string rev = shell_line(("git -C '" + src + "' rev-parse --short=12 HEAD 2>/dev/null").c_str());
    if (!shell_line(("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null").c_str()).empty()) {
        rev += "-dirty";
    }
    const std::string qemu_version =
        qm.present ? shell_line(("'" + qemu + "' --version 2>/dev/null").c_str()) : std::string();
    mkdir(results_dir.c_str(), 0755);
    const std::string path = results_dir + "/boot-" + stamp + ".json";
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
        std::fprintf(stderr, "bench_boot: cannot write %s\n", path.c_str());
        return 1;
    }
    auto emulator_json = [&](const Emulator& e, const Med& m, const char* tail) {
        std::fprintf(f,
                     "    {\"name\": %s, \"startup_s\": %.4f, \"to_init_s\": %.4f, \"to_poweroff_s\": %.4f, "
                     "\"cpu_s\": %.4f, \"startup_cpu_s\": %.4f,\n"
                     "     \"samples\": {\"startup_s\": %s, \"to_init_s\": %s, \"to_poweroff_s\": %s, "
                     "\"cpu_s\": %s}}%s\n",
                     json_string(e.name).c_str(), m.start, m.init, m.exit, m.cpu, m.start_cpu,
                     json_array(e.empty_s.to_exit).c_str(), json_array(e.boot_s.to_init).c_str(),
                     json_array(e.boot_s.to_exit).c_str(), json_array(e.boot_s.cpu).c_str(), tail);
    };
    std::fprintf(f, "{\n  \"benchmark\": \"boot\",\n  \"date\": \"%s\",\n  \"git_revision\": %s,\n", date,
                 json_string(rev).c_str());
    std::fprintf(f, "  \"host_cpu\": %s,\n  \"host_cpus_online\": %ld,\n  \"host_load_average\": [%.2f, %.2f],\n"
                    "  \"repetitions\": %d,\n",
                 json_string(cpu_model()).c_str(), sysconf(_SC_NPROCESSORS_ONLN), load_before, load_after, repeat);
    std::fprintf(f, "  \"workload\": \"firmware.bin + bzImage + initramfs.cpio, 128 MiB; empty workload: "
                    "poweroff_fw.bin\",\n");
    std::fprintf(f, "  \"qemu_version\": %s,\n", json_string(qemu_version).c_str());
    std::fprintf(f, "  \"bootscope_guest_instructions\": %llu,\n  \"bootscope_mips_wall\": %.1f,\n"
                    "  \"bootscope_mips_without_startup\": %.1f,\n  \"bootscope_mips_cpu\": %.1f,\n",
                 insns, mips_wall, mips_net, mips_cpu);
    if (qm.present) {
        std::fprintf(f, "  \"ratio_bootscope_over_qemu\": {\"to_init\": %.3f, \"to_poweroff\": %.3f, "
                        "\"to_poweroff_minus_startup\": %.3f, \"cpu\": %.3f},\n",
                     b.init / q.init, b.exit / q.exit, (b.exit - b.start) / (q.exit - q.start), b.cpu / q.cpu);
    }
    std::fprintf(f, "  \"trace_record\": {\"to_poweroff_s\": %.4f, \"cpu_s\": %.4f, \"overhead_cpu\": %.3f},\n",
                 traced_exit, traced_cpu, b.cpu > 0 ? traced_cpu / b.cpu : 0);
    std::fprintf(f, "  \"emulators\": [\n");
    emulator_json(bs, b, qm.present ? "," : "");
    if (qm.present) emulator_json(qm, q, "");
    std::fprintf(f, "  ]\n}\n");
    std::fclose(f);
    std::printf("results: %s\n", path.c_str());
    return 0;
}
