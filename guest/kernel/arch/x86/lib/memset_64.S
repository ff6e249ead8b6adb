/*
 * memset_64.S - memset() as x86_64 Linux runs it on CPUs with fast short
 * REP STOSB (X86_FEATURE_FSRS: arch/x86/lib/memset_64.S takes this path
 * and patches out its fallback): one REP STOSB of the whole length.
 *
 * void *memset(void *s [rdi], int c [esi], size_t n [rdx]); returns s.
 * The SysV ABI guarantees DF = 0 on entry.
 */
	.text
	.globl	memset
	.type	memset, @function
memset:
	movq	%rdi, %r9		/* STOSB advances RDI: keep s to return */
	movl	%esi, %eax		/* the byte, in AL */
	movq	%rdx, %rcx
	rep stosb
	movq	%r9, %rax
	ret
	.size	memset, . - memset
