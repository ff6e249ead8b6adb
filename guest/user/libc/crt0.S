/*
 * crt0.S - where every user program starts.  execve() left the stack as the
 * System V ABI says:  argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs.
 */
	.text
	.globl	_start
_start:
	xorl	%ebp, %ebp
	movq	(%rsp), %rdi		/* argc */
	leaq	8(%rsp), %rsi		/* argv */
	leaq	8(%rsi,%rdi,8), %rdx	/* envp = argv + argc + 1 */
	andq	$-16, %rsp
	call	__libc_start_main
	hlt				/* not reached: exit() does not return */

	.section .note.GNU-stack, "", @progbits
