// Exit statuses of the bootscope command, documented in the README.
// Bootscope's own statuses are even; odd statuses come from the guest through
// QEMU's isa-debug-exit device (port 0xF4: status = (value << 1) | 1).
#pragma once

namespace bs::frontend {

enum ExitStatus : int {
    kExitPowerOff = 0,   // the guest powered the machine off (ACPI S5)
    kExitUsage = 2,      // bad command line
    kExitBadImage = 4,   // missing, unreadable or malformed firmware/kernel/initrd
    kExitGuestPanic = 6, // the guest halted for good (HLT with interrupts off: its panic path)
    kExitShutdown = 8,   // triple fault: the CPU shut down
    kExitLimit = 10,     // --max-instructions or --max-time reached
    kExitReset = 12,     // the guest reset the machine and --no-reboot was given
    kExitQuit = 14,      // the user quit (Ctrl-A x, or quit in the monitor)
    kExitBadTrace = 16,  // a trace file is missing, cut short or malformed
    kExitTraceDiff = 18, // trace diff: the traces differ beyond the thresholds
    kExitDebugScript = 20, // debug --script: a command or an expectation failed
    kExitNoDisplay = 22, // debug: SDL could not open a window
};

}  // namespace bs::frontend
