// Exit statuses of the bootscope command, documented in the README.
// Bootscope's own statuses are even; odd statuses come from the guest through
// QEMU's isa-debug-exit device (port 0xF4: status = (value << 1) | 1).
#pragma once

namespace bs::frontend {

enum ExitStatus : int {
    kExitPowerOff = 0,        // the guest powered the machine off
    kExitUsage = 2,           // bad command line
    kExitBadImage = 4,        // missing, empty or malformed image
    kExitGuestPanic = 6,      // the guest kernel panicked
    kExitShutdown = 8,        // triple fault / shutdown
    kExitLimit = 10,          // --max-instructions or --max-time reached
    kExitUnhandledFault = 12, // a CPU exception with nowhere to go (CPU demo)
};

}  // namespace bs::frontend
