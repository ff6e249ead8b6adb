// exception_stacks: the stacks of exceptions delivered through 64-bit gates.
//
// Checks: an exception in ring 0 through IST2 (frame at IST2 top - 40, the
// interrupted SS:RSP saved), the 16-byte alignment of RSP before the frame is
// pushed without a stack switch, an exception from ring 3 onto TSS.RSP0 (saved
// SS:RSP and CS of ring 3, SS null in the handler), IRETQ back to ring 3 with
// its CS, SS and RSP, IST taking precedence over RSP0 for a ring-3 exception.
// (The same through INT n: interrupts.)
//
// Golden file: captured from KVM. QEMU TCG differs on one line (see
// golden/exception_stacks.qemu.txt): after an exception through an IST gate
// in ring 0 it loads SS with a null selector, where the processor changes SS
// only on a privilege change (SDM Vol. 3A §6.14.4).
#include "common.inc"

    MODE16
test_main:
    GO_PM32 pm
    MODE32
pm:
    GO_LM64 lm

    MODE64
lm:
    PUTS "== ring 0\n"
    SET_GATE64 6, ist=2
    TRY ud2
    SET_GATE64 6, ist=0
    REPORT_EXC "ud.ist2"
    REPORT "ud.ist2.frame", EXC_FRAME
    REPORT "ud.ist2.saved_ss", EXC_SS
    REPORT "ud.ist2.saved_rsp", EXC_RSP
    REPORT "ud.ist2.handler_ss", EXC_HSS
    movq %rsp, %rbx
    movq $0x8FF8, %rsp          // not 16-byte aligned
    TRY ud2
    movq %rbx, %rsp
    REPORT_EXC "ud.no_stack_switch"
    REPORT "ud.no_stack_switch.frame", EXC_FRAME
    REPORT "ud.no_stack_switch.saved_rsp", EXC_RSP
    REPORT "ud.no_stack_switch.handler_ss", EXC_HSS

    PUTS "== from ring 3\n"
    movq $user_ud, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "user.ud.rsp0"
    REPORT "user.ud.frame", EXC_FRAME
    REPORT "user.ud.saved_ss", EXC_SS
    REPORT "user.ud.saved_rsp", EXC_RSP
    REPORT "user.ud.handler_ss", EXC_HSS
    REPORT "user.after_iretq.cs", TVAR
    REPORT "user.after_iretq.ss", TVAR + 8
    REPORT "user.after_iretq.rsp", TVAR + 16

    SET_GATE64 6, ist=1
    movq $user_ud_ist, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    SET_GATE64 6, ist=0
    REPORT_EXC "user.ud.ist1"
    REPORT "user.ud.ist1.frame", EXC_FRAME
    EXIT 0

user_ud:
    subq $0x18, %rsp
    TRY ud2
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, TVAR
    movw %ss, %ax
    movq %rax, TVAR + 8
    movq %rsp, TVAR + 16
    USER_RETURN
user_ud_ist:
    TRY ud2
    USER_RETURN

    ROM_END
