#include "bench/suite/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, int out_fd, int err_fd) {
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
}

}  // namespace

RunResult run_process(const std::vector<std::string>& argv, const RunOptions& options) {
    RunResult r;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC)) return r;
    if (pipe2(err_pipe, O_CLOEXEC)) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return r;
    }
    const Clock::time_point start = Clock::now();
    const pid_t pid = fork();
    if (pid == 0) exec_child(argv, out_pipe[1], err_pipe[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return r;
    }
    r.started = true;

    // Read both pipes until both are closed. Stdout keeps a tail and is
    // searched for the marker as it grows: `pending` holds the part of the
    // current line seen so far.
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    std::string pending;
    char buffer[65536];
    while (open_fds > 0) {
        const double left = options.timeout - seconds_since(start);
        if (left <= 0) {
            kill(pid, SIGKILL);
            r.timed_out = true;
            break;
        }
        if (poll(fds, 2, static_cast<int>(left * 1000) + 1) < 0 && errno != EINTR) break;
        for (pollfd& p : fds) {
            if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = read(p.fd, buffer, sizeof buffer);
            if (n <= 0) {
                close(p.fd);
                p.fd = -1;
                --open_fds;
                continue;
            }
            const std::string_view chunk(buffer, static_cast<size_t>(n));
            if (&p == &fds[1]) {
                if (r.err.size() < options.keep) r.err.append(chunk.substr(0, options.keep - r.err.size()));
                continue;
            }
            if (!options.marker.empty() && r.to_marker < 0) {
                pending.append(chunk);
                if (pending.find(options.marker) != std::string::npos) r.to_marker = seconds_since(start);
                const size_t newline = pending.rfind('\n');
                if (newline != std::string::npos) pending.erase(0, newline + 1);
                // A line longer than this holds the marker in its last bytes or not at all.
                if (pending.size() > 4096) pending.erase(0, pending.size() - options.marker.size());
            }
            r.out_tail.append(chunk);
            if (r.out_tail.size() > 2 * options.keep) r.out_tail.erase(0, r.out_tail.size() - options.keep);
        }
    }
    for (pollfd& p : fds) {
        if (p.fd >= 0) close(p.fd);
    }
    int wstatus = 0;
    rusage usage{};
    while (wait4(pid, &wstatus, 0, &usage) < 0 && errno == EINTR) {
    }
    r.wall = seconds_since(start);
    r.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    if (r.out_tail.size() > options.keep) r.out_tail.erase(0, r.out_tail.size() - options.keep);
    return r;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const std::string& a : argv) {
        if (!line.empty()) line += ' ';
        const bool plain = !a.empty() && a.find_first_of(" \t\"'\\$") == std::string::npos;
        line += plain ? a : "'" + a + "'";
    }
    return line;
}

}  // namespace bench
