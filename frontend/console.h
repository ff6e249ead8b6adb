// The host terminal as the guest's serial console.
//
// When stdin is a terminal it is put in raw mode (no echo, no line editing,
// Ctrl-C goes to the guest) and Ctrl-A starts an escape, as in QEMU's
// `-nographic`: Ctrl-A x quits, Ctrl-A c opens the monitor prompt, Ctrl-A h
// lists them, Ctrl-A Ctrl-A sends one Ctrl-A. Otherwise (a pipe or a file)
// stdin is passed to the guest as it is, and output is line-buffered so
// `echo ... | bootscope run` and CI logs see whole lines.
#pragma once

#include <string>

namespace bs::frontend {

class Console {
public:
    enum class Event { None, Quit, Monitor, Eof };

    explicit Console(bool use_stdin);
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    bool interactive() const { return raw_; }
    // Reads what is available without waiting: bytes for the guest go to
    // `to_guest`; an escape sequence or the end of input is returned.
    Event poll(std::string& to_guest);
    // Reads one line in cooked mode (the monitor prompt); false at EOF.
    bool read_line(const char* prompt, std::string& line);
    // Puts the terminal back as it was (also on exit and on SIGTERM/SIGHUP).
    void restore();

private:
    bool use_stdin_;
    bool raw_ = false;
    bool eof_ = false;
    bool escape_ = false;
};

}  // namespace bs::frontend
