// traps32: INT3, INTO and BOUND in 32-bit protected mode (ring 0).
//
// Checks: INT3 is a trap (saved EIP after it); INTO traps with #OF when OF is
// set and does nothing when it is clear; BOUND raises #BR (a fault) for an
// index above the upper bound and nothing within the bounds.
//
// Golden file: captured from QEMU TCG. This host's /dev/kvm (PVM) runs
// protected-mode kernel code in KVM's instruction emulator, which does not
// implement INT3/INT n there, so the KVM test skips; on a VMX/SVM host it
// judges this file.
#include "common.inc"

    MODE16
test_main:
    GO_PM32 pm

    MODE32
pm:
    TRY int3
    REPORT_EXC "int3"
    movl $0x7FFFFFFF, %eax
    addl $1, %eax               // OF=1
    TRY into
    REPORT_EXC "into.of_set"
    xorl %eax, %eax             // OF=0
    TRY into
    REPORT_EXC "into.of_clear"
    movl $10, TVAR
    movl $20, TVAR + 4
    movl $15, %eax
    TRY boundl %eax, TVAR
    REPORT_EXC "bound.within"
    movl $21, %eax
    TRY boundl %eax, TVAR
    REPORT_EXC "bound.above"
    EXIT 0

    ROM_END
