/*
 * entry_64.S - every way into the kernel and back out.
 *
 *  - 256 interrupt/exception stubs: each pushes a dummy error code if the
 *    CPU did not push one, then its vector number, and joins common_entry,
 *    which saves the general registers as a struct pt_regs and calls
 *    do_interrupt(regs) (traps.c).  Returning pops them and IRETQs.
 *  - entry_SYSCALL_64: SYSCALL does not switch stacks, so we switch to the
 *    task's kernel stack by hand, build the same pt_regs the CPU would have
 *    built for an interrupt, and call do_syscall_64(regs).  We return with
 *    IRETQ too: one exit path for all entries (SYSRET would be faster).
 *  - __switch_to_asm: the context switch.  Only callee-saved registers need
 *    saving: everything else was saved by the C caller (schedule()).
 *  - ret_from_fork: where a new task's first switch "returns" to.
 */
#include "../../../include/layout.h"
	.altmacro

	.text
	.globl	common_entry
common_entry:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	do_interrupt
	.globl	ret_to_regs
ret_to_regs:
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

/* Stubs.  Vectors 8, 10-14, 17, 21, 29, 30 get an error code from the CPU. */
.macro STUB n
	.balign	16
stub_\n:
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	common_entry
.endm
	.balign	16
	.globl	interrupt_stubs
interrupt_stubs:
	vec = 0
	.rept	256
	STUB	%vec
	vec = vec + 1
	.endr

	.section .rodata
	.balign	8
	.globl	interrupt_stub_table
interrupt_stub_table:
	vec = 0
	.rept	256
	.quad	interrupt_stubs + vec * 16
	vec = vec + 1
	.endr
	.text

/*
 * SYSCALL: %rcx = user rip, %r11 = user rflags, IF cleared by MSR_SYSCALL_MASK.
 * One CPU, interrupts off: a plain global can hold the user %rsp for a moment.
 */
	.globl	entry_SYSCALL_64
entry_SYSCALL_64:
	movq	%rsp, rsp_scratch(%rip)
	movq	cpu_current_top_of_stack(%rip), %rsp
	pushq	$__USER_DS		/* ss */
	pushq	rsp_scratch(%rip)	/* rsp */
	pushq	%r11			/* rflags */
	pushq	$__USER_CS		/* cs */
	pushq	%rcx			/* rip */
	pushq	%rax			/* error_code slot: the syscall number (orig_ax) */
	pushq	$-1			/* vector: -1 means "system call" */
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	call	do_syscall_64
	jmp	ret_to_regs

/* void __switch_to_asm(u64 *prev_sp, u64 next_sp) */
	.globl	__switch_to_asm
__switch_to_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/*
 * A new task's first run.  copy_thread() left %rbx = the kernel thread
 * function (or 0 for a forked user process, whose pt_regs sit right above
 * us on the stack) and %r12 = its argument.
 */
	.globl	ret_from_fork
ret_from_fork:
	call	schedule_tail
	testq	%rbx, %rbx
	jz	1f
	sti
	movq	%r12, %rdi
	call	*%rbx
	movl	%eax, %edi
	call	do_exit
1:	jmp	ret_to_regs

/* noreturn void start_thread_user(struct pt_regs *regs): iretq into user mode */
	.globl	start_thread_user
start_thread_user:
	cli
	movq	%rdi, %rsp
	jmp	ret_to_regs

	.data
	.balign	8
rsp_scratch:
	.quad	0
	.globl	cpu_current_top_of_stack
cpu_current_top_of_stack:
	.quad	0

	.section .note.GNU-stack, "", @progbits
