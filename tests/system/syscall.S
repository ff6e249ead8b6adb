// syscall: ring 3 -> SYSCALL -> ring 0 -> SYSRET -> ring 3 (64-bit).
//
// Checks: SYSCALL loads CS from STAR[47:32] and SS from STAR[47:32]+8 (RPL 0),
// saves RIP in RCX and RFLAGS in R11, clears the RFLAGS bits set in FMASK
// (and RF), jumps to LSTAR and leaves RSP alone; SYSRET (64-bit) loads CS
// from STAR[63:48]+16 and SS from STAR[63:48]+8 with RPL 3, RIP from RCX and
// RFLAGS from R11 (RF cleared, bit 1 set); a SYSCALL with
// EFER.SCE clear raises #UD.
//
// Golden file: captured from QEMU TCG, except syscall.rflags: QEMU 7.2
// clears the arithmetic flags on SYSCALL (it applies FMASK to its eflags
// copy that lacks the lazily kept CF/PF/AF/ZF/SF/OF); the SDM keeps them
// (RFLAGS AND NOT FMASK = 0x8d7). golden/syscall.qemu.txt holds QEMU's 0x2. This host's /dev/kvm (PVM, a
// paravirtual hypervisor) does not run SYSCALL from a non-PVM guest's ring 3
// the way hardware does (the kernel entry runs at CPL 3), so the KVM test
// skips there (kvm_pvm_skip.txt); on a VMX/SVM host it judges this file.
#include "common.inc"

#define USER_FLAGS 0x44CD7      // AC NT DF OF SF ZF AF PF CF, bit 1
#define FMASK      0x44500      // AC NT DF TF

    MODE16
test_main:
    GO_PM32 pm
    MODE32
pm:
    GO_LM64 lm

    MODE64
lm:
    movl $0xC0000081, %ecx      // STAR
    xorl %eax, %eax
    movl $(((SEL_UCODE32 | 3) << 16) | SEL_CODE64), %edx
    wrmsr
    movl $0xC0000082, %ecx      // LSTAR
    movl $syscall_entry, %eax
    xorl %edx, %edx
    wrmsr
    movl $0xC0000084, %ecx      // FMASK
    movl $FMASK, %eax
    wrmsr

    movq $user_main, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64

    PUTS "== in ring 0 after SYSCALL\n"
    REPORT "syscall.cs", TVAR + 0x00
    REPORT "syscall.ss", TVAR + 0x08
    REPORT "syscall.rflags", TVAR + 0x10
    movq TVAR + 0x18, %rax
    subq $user_after_syscall, %rax
    REPORT "syscall.rcx_minus_next", %rax
    REPORT "syscall.r11", TVAR + 0x20
    REPORT "syscall.rsp", TVAR + 0x28
    PUTS "== in ring 3 after SYSRET\n"
    REPORT "sysret.cs", TVAR + 0x40
    REPORT "sysret.ss", TVAR + 0x48
    REPORT "sysret.rflags", TVAR + 0x50
    REPORT "sysret.rsp", TVAR + 0x58
    movq TVAR + 0x60, %rax
    subq $user_after_sysret, %rax
    REPORT "sysret.rcx_minus_target", %rax

    // SYSCALL with EFER.SCE clear: #UD.
    movl $0xC0000080, %ecx
    rdmsr
    andl $~1, %eax
    wrmsr
    movq $user_no_sce, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "syscall.sce_clear"
    EXIT 0

user_main:
    pushq $USER_FLAGS
    popfq
    movq $0x1234, %r11
    movq $0x5678, %rcx
    syscall
user_after_syscall:
    // SYSRET comes back to user_after_sysret instead (RIP from RCX).
    USER_RETURN

user_after_sysret:
    pushfq
    popq TVAR + 0x50
    movq %rsp, TVAR + 0x58
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, TVAR + 0x40
    movw %ss, %ax
    movq %rax, TVAR + 0x48
    movq %rcx, TVAR + 0x60
    pushq $2
    popfq
    USER_RETURN

syscall_entry:
    pushfq
    popq TVAR + 0x10
    movq %rsp, TVAR + 0x28
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, TVAR + 0x00
    movw %ss, %ax
    movq %rax, TVAR + 0x08
    movq %rcx, TVAR + 0x18
    movq %r11, TVAR + 0x20
    movq $user_after_sysret, %rcx
    movq $0x10C83, %r11         // RF OF DF SF CF, bit 1: SYSRET drops RF
    subq $0x100, %rsp           // SYSRET restores no RSP
    sysretq

user_no_sce:
    TRY syscall
    USER_RETURN

    ROM_END
