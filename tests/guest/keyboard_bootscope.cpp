// keyboard_bootscope FIRMWARE KERNEL INITRD - keys typed on the PS/2
// keyboard reach the guest: boots the bundled guest on Bootscope, waits for
// /sbin/init's greeting on COM1, types "Hi there!" and keypad Enter as set 1
// scancodes into the i8042 (as the debugger's VGA pane does), and checks
// that init reads them from /dev/console ("init: console input: ...").
//
// The path under test: i8042 -> IRQ 1 -> 8259A -> the guest's i8042 driver
// (scancodes to characters, Shift) -> the tty input queue -> read(0).
// Exit status 0 when the line is there, 1 otherwise (the log is printed).
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "emu/system.h"

using namespace bs::emu;

namespace {

std::vector<uint8_t> read_file(const char* path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "keyboard_bootscope: cannot open %s\n", path);
        std::exit(2);
    }
    return {std::istreambuf_iterator<char>(f), {}};
}

// Set 1 make codes of the keys used here (IBM PC AT scancode set 1).
constexpr uint8_t kLeftShift = 0x2a, kBreak = 0x80, kE0 = 0xe0, kKeypadEnter = 0x1c;
constexpr uint8_t kH = 0x23, kI = 0x17, kT = 0x14, kE = 0x12, kR = 0x13, kSpace = 0x39, k1 = 0x02;

void tap(Machine& m, uint8_t make, bool shift = false, bool extended = false) {
    if (shift) m.kbd.key_input(kLeftShift);
    if (extended) m.kbd.key_input(kE0);
    m.kbd.key_input(make);
    if (extended) m.kbd.key_input(kE0);
    m.kbd.key_input(make | kBreak);
    if (shift) m.kbd.key_input(kLeftShift | kBreak);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: keyboard_bootscope FIRMWARE KERNEL INITRD\n");
        return 2;
    }
    MachineConfig cfg;
    cfg.ram_size = 128 * MiB;
    cfg.firmware = read_file(argv[1]);
    System sys(cfg);
    std::string log;
    sys.machine.com1.tx_sink = [&log](uint8_t b) { log.push_back(char(b)); };
    KernelSpec spec;
    spec.image = read_file(argv[2]);
    spec.path = argv[2];
    spec.initrd = argv[3];
    sys.start(load_kernel(sys.machine, spec));

    // Up to init's greeting, in small slices so that the keys come before
    // init reads its console.
    const std::string greeting = "init: Hello from /sbin/init!";
    StopReason r = StopReason::InstructionLimit;
    while (log.find(greeting) == std::string::npos && sys.instructions() < 2'000'000'000 &&
           r == StopReason::InstructionLimit)
        r = sys.run({.max_instructions = 100'000});
    if (log.find(greeting) == std::string::npos) {
        std::printf("%s\nkeyboard_bootscope: FAIL: no greeting from init (stop: %s)\n", log.c_str(), to_string(r));
        return 1;
    }
    Machine& m = sys.machine;
    tap(m, kH, true);
    for (uint8_t k : {kI, kSpace, kT, kH, kE, kR, kE}) tap(m, k);
    tap(m, k1, true);
    tap(m, kKeypadEnter, false, true);
    r = sys.run({.max_instructions = 2'000'000'000});

    const std::string want = "init: console input: \"Hi there!\\n\"";
    const bool ok = r == StopReason::PowerOff && log.find(want) != std::string::npos;
    std::printf("%s\nkeyboard_bootscope: %s (stop: %s; want '%s')\n", log.c_str(), ok ? "ok" : "FAIL", to_string(r),
                want.c_str());
    return ok ? 0 : 1;
}
