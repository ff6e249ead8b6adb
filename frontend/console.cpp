#include "console.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace bs::frontend {

namespace {

termios g_saved;
bool g_saved_valid = false;

void restore_terminal() {
    if (g_saved_valid) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
        g_saved_valid = false;
    }
}

void on_fatal_signal(int sig) {
    restore_terminal();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

constexpr char kCtrlA = 0x01;

}  // namespace

Console::Console(bool use_stdin) : use_stdin_(use_stdin) {
    if (!use_stdin_) {
        eof_ = true;
        return;
    }
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &g_saved) == 0) {
        termios raw = g_saved;
        // Keep output processing (\n -> \r\n): only input becomes raw.
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
        raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL | INLCR | IGNCR);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0) {
            g_saved_valid = true;
            raw_ = true;
            std::atexit(restore_terminal);
            std::signal(SIGTERM, on_fatal_signal);
            std::signal(SIGHUP, on_fatal_signal);
        }
    } else {
        setvbuf(stdout, nullptr, _IOLBF, 0);
    }
}

Console::~Console() { restore(); }

void Console::restore() {
    if (raw_) restore_terminal();
}

Console::Event Console::poll(std::string& to_guest) {
    if (eof_) return Event::None;
    for (;;) {
        pollfd p{STDIN_FILENO, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP))) return Event::None;
        char buf[256];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
            eof_ = true;
            return Event::Eof;
        }
        for (ssize_t k = 0; k < n; ++k) {
            const char c = buf[k];
            if (!raw_) {
                to_guest.push_back(c);
                continue;
            }
            if (escape_) {
                escape_ = false;
                if (c == 'x' || c == 'X') return Event::Quit;
                if (c == 'c' || c == 'C') return Event::Monitor;
                if (c == kCtrlA) {
                    to_guest.push_back(c);
                } else if (c == 'h' || c == 'H' || c == '?') {
                    std::fputs("\r\nC-a x    quit\r\nC-a c    monitor prompt\r\nC-a C-a  send C-a\r\n", stderr);
                }
                continue;
            }
            if (c == kCtrlA) {
                escape_ = true;
                continue;
            }
            to_guest.push_back(c);
        }
    }
}

bool Console::read_line(const char* prompt, std::string& line) {
    const bool was_raw = raw_ && g_saved_valid;
    termios raw{};
    if (was_raw) {
        tcgetattr(STDIN_FILENO, &raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
    }
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    const bool ok = static_cast<bool>(std::getline(std::cin, line));
    if (was_raw) tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    return ok;
}

}  // namespace bs::frontend
