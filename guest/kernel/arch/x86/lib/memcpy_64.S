/*
 * memcpy_64.S - memcpy() as x86_64 Linux runs it on CPUs with fast short
 * REP MOVSB (X86_FEATURE_FSRM: arch/x86/lib/memcpy_64.S takes this path):
 * one REP MOVSB of the whole length.
 *
 * void *memcpy(void *d [rdi], const void *s [rsi], size_t n [rdx]); returns d.
 * The SysV ABI guarantees DF = 0 on entry.
 */
	.text
	.globl	memcpy
	.type	memcpy, @function
memcpy:
	movq	%rdi, %rax
	movq	%rdx, %rcx
	rep movsb
	ret
	.size	memcpy, . - memcpy
