// modes: reset state -> real mode -> protected mode -> long mode and back
// through compatibility mode.
//
// Checks: the architectural register values at reset (SDM Vol. 3A §9.1.1,
// Table 9-1; EDX holds the CPUID.1:EAX signature); real mode: INT n through
// the IVT (frame contents, SP), #UD and #DE through the IVT with the faulting
// IP, segment:offset arithmetic and 16-bit offset wraparound; protected mode:
// GDT load, far JMP, 32-bit and 16-bit code segments (operand-size probe),
// far CALL/RET; long mode: EFER.LMA, CR0/CR4/CR3, 64-bit operand probe,
// segment limits ignored in 64-bit mode, FS/GS base MSRs and SWAPGS,
// a compatibility-mode round trip (LMA stays set, 32-bit operand probe).
//
// QEMU TCG agrees with KVM on every line.
// Golden file: captured from KVM.
#include "common.inc"

    MODE16
test_main:
    PUTS "== reset\n"
    REPORT "reset.cs", RST_CS
    REPORT "reset.ds", RST_DS
    REPORT "reset.es", RST_ES
    REPORT "reset.ss", RST_SS
    REPORT "reset.fs", RST_FS
    REPORT "reset.gs", RST_GS
    REPORT "reset.eflags", RST_FLAGS
    REPORT "reset.cr0", RST_CR0
    REPORT "reset.cr2", RST_CR2
    REPORT "reset.cr3", RST_CR3
    REPORT "reset.cr4", RST_CR4
    REPORT "reset.dr6", RST_DR6
    REPORT "reset.dr7", RST_DR7
    REPORT "reset.efer", RST_EFER
    REPORT "reset.eax", RST_EAX
    REPORT "reset.ebx", RST_EBX
    REPORT "reset.ecx", RST_ECX
    REPORT "reset.esi", RST_ESI
    REPORT "reset.edi", RST_EDI
    REPORT "reset.ebp", RST_EBP
    REPORT "reset.esp", RST_ESP
    movl $1, %eax
    cpuid
    xorl %ebx, %ebx
    cmpl RST_EDX, %eax
    sete %bl
    REPORT "reset.edx_is_cpuid1_eax", %ebx

    PUTS "== real mode\n"
    // INT 0x40 through the IVT: frame of FLAGS, CS, IP; IF/TF cleared.
    movw $(rm_int40 - rom_start), 0x40 * 4
    movw $0xF000, 0x40 * 4 + 2
    pushw $0x08D7               // OF SF ZF AF PF CF
    popfw
    movw $0x1111, %ax
    movw %sp, TVAR
rm_int_insn:
    int $0x40
rm_int_next:
    pushfw
    popw TVAR + 16
    movzwl %ax, %eax
    REPORT "rm.int.ax_from_handler", %eax
    movzwl TVAR, %eax
    subw TVAR + 2, %ax
    REPORT "rm.int.frame_bytes", %eax
    movzwl TVAR + 6, %eax
    subw $(rm_int_next - rom_start), %ax
    REPORT "rm.int.saved_ip_minus_next", %eax
    movzwl TVAR + 8, %eax
    REPORT "rm.int.saved_cs", %eax
    movzwl TVAR + 10, %eax
    REPORT "rm.int.saved_flags", %eax
    movzwl TVAR + 4, %eax
    andw $0x0300, %ax
    REPORT "rm.int.handler_if_tf", %eax
    movzwl TVAR + 16, %eax
    REPORT "rm.int.flags_after_iret", %eax

    // #UD and #DE (DIV by 0) through the IVT: IP of the faulting instruction.
    // (#UD comes from LOCK on a register operand: KVM runs real mode in its
    // instruction emulator where the hardware cannot, and that emulator
    // fails on UD2 instead of raising #UD.)
    movw $(rm_fault - rom_start), 6 * 4
    movw $0xF000, 6 * 4 + 2
    movw $(rm_fault - rom_start), 0 * 4
    movw $0xF000, 0 * 4 + 2
    movw $(rm_ud_next - rom_start), TVAR + 14
rm_ud_insn:
    .byte 0xF0, 0x01, 0xC3      // LOCK ADD BX, AX: LOCK on a register destination, #UD
rm_ud_next:
    movzwl TVAR + 12, %eax
    subw $(rm_ud_insn - rom_start), %ax
    REPORT "rm.ud.saved_ip_minus_insn", %eax
    xorb %cl, %cl
    movw $0x1234, %ax
    movw $(rm_de_next - rom_start), TVAR + 14
rm_de_insn:
    divb %cl
rm_de_next:
    movzwl TVAR + 12, %eax
    subw $(rm_de_insn - rom_start), %ax
    REPORT "rm.de.saved_ip_minus_insn", %eax

    // Segment arithmetic: 1234:5678 and 179B:0008 are the same byte.
    movw $0x1234, %ax
    movw %ax, %es
    movb $0x5A, %es:0x5678
    movw $0x179B, %ax
    movw %ax, %fs
    movzbl %fs:0x0008, %eax
    REPORT "rm.seg.179b_0008", %eax
    // 16-bit offsets wrap within the segment: FFF0+0020 = 0010, 0000-0010 = FFF0.
    movw $0x2000, %ax
    movw %ax, %es
    movb $0xA5, %es:0x0010
    movb $0x3C, %es:0xFFF0
    movw $0xFFF0, %bx
    movw $0x0020, %si
    movzbl %es:(%bx,%si), %eax
    REPORT "rm.wrap.fff0_plus_20", %eax
    xorw %bx, %bx
    movzbl %es:-0x10(%bx), %eax
    REPORT "rm.wrap.0_minus_10", %eax
    xorw %ax, %ax
    movw %ax, %es
    movw %ax, %fs

    GO_PM32 pm_start

rm_int40:
    movw %sp, TVAR + 2
    pushfw
    popw TVAR + 4
    movw %sp, %bp
    movw (%bp), %bx
    movw %bx, TVAR + 6
    movw 2(%bp), %bx
    movw %bx, TVAR + 8
    movw 4(%bp), %bx
    movw %bx, TVAR + 10
    movw $0x2222, %ax
    iret

// #UD/#DE: record the saved IP and resume at the IP in TVAR+14.
rm_fault:
    pushw %bp
    movw %sp, %bp
    pushw %ax
    movw 2(%bp), %ax
    movw %ax, TVAR + 12
    movw TVAR + 14, %ax
    movw %ax, 2(%bp)
    popw %ax
    popw %bp
    iret

    MODE32
pm_start:
    PUTS "== protected mode\n"
    xorl %eax, %eax
    movw %cs, %ax
    REPORT "pm.cs", %eax
    movw %ss, %ax
    REPORT "pm.ss", %eax
    movl %cr0, %eax
    REPORT "pm.cr0", %eax
    sgdtl TVAR
    movzwl TVAR, %eax
    REPORT "pm.gdtr.limit", %eax
    REPORT "pm.gdtr.base", TVAR + 2
    // Operand-size probe: 32-bit code runs "xor ax,ax; dec eax".
    movl $0x12340000, %eax
    .byte 0x66, 0x31, 0xC0, 0x48
    REPORT "pm.probe32", %eax
    // Far CALL through the GDT pushes CS and EIP; far RET pops them.
    movl %esp, TVAR
    lcall $SEL_CODE32, $pm_far_target
pm_far_ret:
    REPORT "pm.farcall.pushed_cs", TVAR + 4
    movl TVAR + 8, %eax
    subl $pm_far_ret, %eax
    REPORT "pm.farcall.pushed_eip_minus_ret", %eax
    // A 16-bit code segment (base 0xF0000): the same bytes run as
    // "xor eax,eax; dec ax".
    ljmpl $SEL_CODE16, $(pm16 - rom_start)
pm32_back:
    REPORT "pm16.probe", TVAR + 12
    REPORT "pm16.cs", TVAR + 16
    GO_LM64 lm_start

pm_far_target:
    movl (%esp), %eax
    movl %eax, TVAR + 8
    movl 4(%esp), %eax
    movl %eax, TVAR + 4
    lret

    MODE16
pm16:
    movl $0x12340000, %eax
    .byte 0x66, 0x31, 0xC0, 0x48
    movl %eax, TVAR + 12
    xorl %eax, %eax
    movw %cs, %ax
    movl %eax, TVAR + 16
    ljmpl $SEL_CODE32, $pm32_back

    MODE64
lm_start:
    PUTS "== long mode\n"
    xorl %eax, %eax
    movw %cs, %ax
    REPORT "lm.cs", %rax
    movl $0xC0000080, %ecx
    rdmsr
    REPORT "lm.efer", %rax
    movq %cr0, %rax
    REPORT "lm.cr0", %rax
    movq %cr3, %rax
    REPORT "lm.cr3", %rax
    movq %cr4, %rax
    REPORT "lm.cr4", %rax
    // 64-bit code runs "inc rax" (REX.W FF C0).
    movl $0xFFFFFFFF, %eax
    .byte 0x48, 0xFF, 0xC0
    REPORT "lm.probe64", %rax
    movabsq $0x0123456789ABCDEF, %r15
    rolq $8, %r15
    REPORT "lm.r15_rol8", %r15
    // Segment limits are not checked in 64-bit mode (SEL_SMALL: limit 0xFFF).
    movw $SEL_SMALL, %ax
    movw %ax, %ds
    movq $0x55AA, TVAR
    TRY movq 0x5000, %rbx
    REPORT_EXC "lm.ds_limit_ignored"
    movl $0x9000, %ebx
    TRY movq (%rbx), %rcx
    REPORT_EXC "lm.ds_limit_ignored_0x9000"
    movw $SEL_DATA, %ax
    movw %ax, %ds
    // FS/GS bases from MSRs, SWAPGS exchanges GS base and KERNEL_GS_BASE.
    movq $0x1111, TVAR + 0x10
    movq $0x2222, TVAR + 0x20
    movq $0x3333, TVAR + 0x30
    movl $0xC0000100, %ecx      // FS_BASE
    movl $(TVAR + 0x10), %eax
    xorl %edx, %edx
    wrmsr
    movl $0xC0000101, %ecx      // GS_BASE
    movl $(TVAR + 0x20), %eax
    wrmsr
    movl $0xC0000102, %ecx      // KERNEL_GS_BASE
    movl $(TVAR + 0x30), %eax
    wrmsr
    REPORT "lm.fs_read", %fs:0
    REPORT "lm.gs_read", %gs:0
    swapgs
    REPORT "lm.gs_read_after_swapgs", %gs:0
    movl $0xC0000102, %ecx
    rdmsr
    subl $TVAR, %eax
    REPORT "lm.kernel_gs_base_minus_tvar", %rax
    swapgs

    // Compatibility mode: a far return to the 32-bit code segment.
    pushq $SEL_CODE32
    pushq $compat_start
    lretq

    MODE32
compat_start:
    PUTS "== compatibility mode\n"
    xorl %eax, %eax
    movw %cs, %ax
    REPORT "compat.cs", %eax
    movl $0xC0000080, %ecx
    rdmsr
    REPORT "compat.efer", %eax
    movl $0xFFFFFFFF, %eax
    .byte 0x48, 0xFF, 0xC0      // dec eax; inc eax
    REPORT "compat.probe", %eax
    ljmp $SEL_CODE64, $lm_back

    MODE64
lm_back:
    PUTS "== back in 64-bit mode\n"
    xorl %eax, %eax
    movw %cs, %ax
    REPORT "lm.cs_again", %rax
    movl $0xFFFFFFFF, %eax
    .byte 0x48, 0xFF, 0xC0
    REPORT "lm.probe64_again", %rax
    EXIT 0

    ROM_END
