// triple_fault: an exception with an IDT of limit 0 in 64-bit mode.
//
// Checks: #UD cannot be delivered (the gate is past the IDT limit: #GP),
// neither can #GP nor the resulting #DF, so the processor shuts down; the
// run ends with "shutdown" and nothing after the marker line is printed.
//
// Golden file: captured from KVM. QEMU TCG agrees.
#include "common.inc"

    MODE16
test_main:
    GO_PM32 pm
    MODE32
pm:
    GO_LM64 lm

    MODE64
lm:
    PUTS "loading an IDT with limit 0, then UD2\n"
    movw $0, TVAR
    movq $IDT64, TVAR + 2
    lidtq TVAR
    ud2
    PUTS "still running after the triple fault\n"
    EXIT 1

    ROM_END
