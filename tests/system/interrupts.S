// interrupts: INT n and exceptions through 64-bit IDT gates.
//
// Checks: INT n in ring 0 through an IST stack (frame at IST1 top - 40, SS
// and RSP of the interrupted code saved), the 16-byte alignment of RSP before
// the frame is pushed without a stack switch, an exception through IST2;
// a privilege-changing INT n from ring 3 onto TSS.RSP0 (saved SS:RSP and CS of
// ring 3, SS null with RPL 0 in the handler) and IRETQ back to ring 3 with
// its CS, SS and RSP; IST taking precedence over RSP0; a ring-3 exception
// (#UD) onto RSP0; INT n through a DPL-0 gate from ring 3 (#GP(vector*8+2))
// and through a not-present gate (#NP(vector*8+2)).
//
// Golden file: captured from QEMU TCG, corrected on three lines where QEMU
// 7.2 is known to differ from the processor (golden/interrupts.qemu.txt keeps
// QEMU's output): int40.handler_ss, where QEMU loads a null SS when an IST
// gate is taken in ring 0 but the processor changes SS only on a privilege
// change (KVM shows 0x18 in exception_stacks); and the #GP/#NP error codes
// of gates, which QEMU computes as vector*16+2 in long mode where the
// error code holds the IDT index, vector*8+2 (SDM Vol. 3A §6.13).
// This host's /dev/kvm (PVM) cannot
// run INT n in a non-PVM guest's kernel mode (KVM's instruction emulator
// handles INT n only in real mode), so the KVM test skips there; on a
// VMX/SVM host it judges this file.
#include "common.inc"

    MODE16
test_main:
    GO_PM32 pm
    MODE32
pm:
    GO_LM64 lm

    MODE64
lm:
    SET_GATE64 0x40, ist=1
    SET_GATE64 0x41, dpl=3
    SET_GATE64 0x42, ist=2, dpl=3
    SET_GATE64 0x44, dpl=3, present=0

    PUTS "== ring 0\n"
    TRY int $0x40
    REPORT_EXC "int40.ist1"
    REPORT "int40.frame", EXC_FRAME
    REPORT "int40.saved_ss", EXC_SS
    REPORT "int40.saved_rsp", EXC_RSP
    REPORT "int40.handler_ss", EXC_HSS
    movq %rsp, %rbx
    movq $0x8FF8, %rsp          // not 16-byte aligned
    TRY int $0x41
    movq %rbx, %rsp
    REPORT_EXC "int41.no_stack_switch"
    REPORT "int41.frame", EXC_FRAME
    REPORT "int41.saved_rsp", EXC_RSP
    SET_GATE64 6, ist=2
    TRY ud2
    SET_GATE64 6, ist=0
    REPORT_EXC "ud.ist2"
    REPORT "ud.ist2.frame", EXC_FRAME

    PUTS "== from ring 3\n"
    movq $user_int41, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "user.int41.rsp0"
    REPORT "user.int41.frame", EXC_FRAME
    REPORT "user.int41.saved_ss", EXC_SS
    REPORT "user.int41.saved_rsp", EXC_RSP
    REPORT "user.int41.handler_ss", EXC_HSS
    REPORT "user.after_iretq.cs", TVAR
    REPORT "user.after_iretq.ss", TVAR + 8
    REPORT "user.after_iretq.rsp", TVAR + 16

    movq $user_int42, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "user.int42.ist2"
    REPORT "user.int42.frame", EXC_FRAME

    movq $user_ud, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "user.ud.rsp0"
    REPORT "user.ud.frame", EXC_FRAME

    movq $user_int43, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "user.int43.dpl0_gate"

    movq $user_int44, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "user.int44.not_present_gate"
    EXIT 0

user_int41:
    subq $0x18, %rsp
    TRY int $0x41
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, TVAR
    movw %ss, %ax
    movq %rax, TVAR + 8
    movq %rsp, TVAR + 16
    USER_RETURN
user_int42:
    TRY int $0x42
    USER_RETURN
user_ud:
    TRY ud2
    USER_RETURN
user_int43:
    TRY int $0x43
    USER_RETURN
user_int44:
    TRY int $0x44
    USER_RETURN

    ROM_END
