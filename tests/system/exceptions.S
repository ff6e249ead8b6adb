// exceptions: faults and traps in 64-bit mode, most of them in ring 3.
//
// Checks, each with vector, error code and saved RIP (fault: the instruction,
// trap: the next one): #GP(0) for privileged instructions in ring 3 (HLT,
// MOV to CR3, MOV from CR0, WRMSR, RDMSR, LGDT, INVLPG, CLI and IN/OUT with
// IOPL 0); #GP(0) for a non-canonical data address in ring 0 and 3, #SS(0)
// for a non-canonical stack-segment address; #UD for UD2, UD0 (0F FF), UD1
// (0F B9), INTO and the 32-bit-only opcodes 06 (PUSH ES) and D6 in 64-bit
// mode, and for LOCK on a register operand; #DE for a divide by zero and an
// IDIV overflow; #BP from INT3 as a trap; #AC(0) for a misaligned access in
// ring 3 with CR0.AM and RFLAGS.AC; #NP(selector) and #GP(selector) from
// loading DS in ring 0.
//
// Golden file: captured from KVM. QEMU TCG differs on two lines (see
// golden/exceptions.qemu.txt): it does not implement alignment checking
// (no #AC), and it raises #GP instead of #SS for a non-canonical address
// through RBP/RSP (SDM Vol. 3A §6.15, interrupt 12).
#include "common.inc"

.macro USER_CASE name, insn:vararg
    movq $8001f, %rdi
    movq $USTACK_TOP, %rsi
    call enter_user64
    REPORT_EXC "\name"
    jmp 8002f
8001:
    TRY \insn
    USER_RETURN
8002:
.endm

    MODE16
test_main:
    GO_PM32 pm
    MODE32
pm:
    GO_LM64 lm

    MODE64
lm:
    PUTS "== ring 3, privileged instructions\n"
    USER_CASE "user.hlt", hlt
    USER_CASE "user.mov_to_cr3", movq %rax, %cr3
    USER_CASE "user.mov_from_cr0", movq %cr0, %rax
    USER_CASE "user.wrmsr", wrmsr
    USER_CASE "user.rdmsr", rdmsr
    USER_CASE "user.lgdt", lgdt 0x800
    USER_CASE "user.invlpg", invlpg 0x800
    USER_CASE "user.cli_iopl0", cli
    USER_CASE "user.out_iopl0", outb %al, $0x80
    USER_CASE "user.in_iopl0", inb $0x80, %al

    PUTS "== ring 3, undefined opcodes\n"
    USER_CASE "user.ud2", ud2
    USER_CASE "user.ud0", .byte 0x0F, 0xFF, 0xC0
    USER_CASE "user.ud1", .byte 0x0F, 0xB9, 0xC0
    USER_CASE "user.into_64bit", .byte 0xCE
    USER_CASE "user.push_es_64bit", .byte 0x06
    USER_CASE "user.d6_64bit", .byte 0xD6
    USER_CASE "user.lock_register", .byte 0xF0, 0x01, 0xC3

    PUTS "== ring 3, arithmetic and traps\n"
    movl $0, 0x800
    USER_CASE "user.div_by_zero", divl 0x800
    movl $-1, 0x810
    movl $0x80000000, %eax      // -2^31 / -1 does not fit
    movl $-1, %edx
    USER_CASE "user.idiv_overflow", idivl 0x810
    USER_CASE "user.int3", int3
    movq %cr0, %rax
    btsq $18, %rax              // CR0.AM
    movq %rax, %cr0
    movq $0x40002, USER_RFLAGS  // RFLAGS.AC
    USER_CASE "user.alignment_check", movl 0x801, %eax
    USER_CASE "user.aligned_with_ac", movl 0x804, %eax
    movq $0, USER_RFLAGS

    PUTS "== non-canonical addresses\n"
    movabsq $0x0000800000000000, %rbx
    TRY movq (%rbx), %rax
    REPORT_EXC "noncanonical.read"
    movabsq $0xFFFF7FFFFFFFFFF8, %rbx
    TRY movq %rax, (%rbx)
    REPORT_EXC "noncanonical.write"
    movabsq $0x0000800000000000, %rbp
    TRY movq (%rbp), %rax
    REPORT_EXC "noncanonical.stack_segment"
    movabsq $0x1234567800000000, %rbx
    USER_CASE "user.noncanonical.read", movq (%rbx), %rax

    PUTS "== segment loads in ring 0\n"
    movw $SEL_NP, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.not_present"
    movw $0x80, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.beyond_gdt_limit"
    movw $SEL_XONLY, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.execute_only_code"
    movw $SEL_DATA, %ax
    movw %ax, %ds
    EXIT 0

    ROM_END
