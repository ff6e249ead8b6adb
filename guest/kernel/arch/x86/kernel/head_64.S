/*
 * head_64.S - from protected mode to start_kernel.
 *
 * startup_32 runs at the physical address 0x100000 although it is linked at
 * 0xffffffff80100000, so every absolute address below is written as
 * "symbol - __START_KERNEL_map" (its physical address).  It:
 *   1. saves the boot_params pointer the setup code left in %esi;
 *   2. turns on PAE and loads CR3 with early_pml4, which maps the first GiB
 *      three times: at 0 (identity, so the next instruction after paging is
 *      turned on still exists), at PAGE_OFFSET (direct map) and at
 *      __START_KERNEL_map (where the kernel is linked);
 *   3. sets EFER.LME (and NXE) and CR0.PG|WP: the CPU is in long mode,
 *      compatibility submode, until we far-jump to a 64-bit code segment.
 * startup_64 then jumps to the higher half, loads the GDT and segments,
 * takes init_task's stack, clears .bss and calls x86_64_start_kernel().
 */
#include "../../../include/layout.h"

#define PHYS(x) ((x) - __START_KERNEL_map)

#define X86_CR0_PE  (1 << 0)
#define X86_CR0_WP  (1 << 16)	/* kernel writes honour read-only pages */
#define X86_CR0_PG  (1 << 31)
#define X86_CR4_PAE (1 << 5)
#define X86_CR4_PGE (1 << 7)
#define MSR_EFER    0xc0000080
#define EFER_SCE    (1 << 0)	/* SYSCALL/SYSRET */
#define EFER_LME    (1 << 8)	/* long mode enable */
#define EFER_NXE    (1 << 11)	/* no-execute bit in page tables */

	.section ".head.text", "ax"
	.code32
	.globl	startup_32
startup_32:
	cli
	movl	$__KERNEL_DS, %eax	/* the setup code's 0x18 is flat data too */
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%esi, PHYS(boot_params_phys)

	movl	%cr4, %eax
	orl	$(X86_CR4_PAE | X86_CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$PHYS(early_pml4), %eax
	movl	%eax, %cr3

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr

	lgdt	PHYS(early_gdt_desc32)
	movl	%cr0, %eax
	orl	$(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP), %eax
	movl	%eax, %cr0
	ljmp	$__KERNEL_CS, $PHYS(startup_64)

	.code64
	.globl	startup_64
startup_64:
	/* Still at the physical (identity) address: go to the higher half. */
	movabsq	$1f, %rax
	jmp	*%rax
1:
	lgdt	early_gdt_desc(%rip)
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs

	/* init_task runs on init_stack; the STACK_END_MAGIC goes at its bottom. */
	leaq	init_stack + THREAD_SIZE(%rip), %rsp
	xorl	%ebp, %ebp		/* terminates backtraces */

	/* Clear .bss: C assumes zeroed statics. */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_stop(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx
	xorl	%eax, %eax
	rep	stosq

	call	x86_64_start_kernel
2:	hlt
	jmp	2b

/*
 * The GDT used for the whole life of the kernel (the TSS descriptor is
 * filled in by cpu_init()).  Index by selector/8.
 */
	.data
	.balign	16
	.globl	gdt_table
gdt_table:
	.quad	0			/* 0x00 null */
	.quad	0x00cf9a000000ffff	/* 0x08 kernel 32-bit code (boot only) */
	.quad	0x00af9a000000ffff	/* 0x10 kernel 64-bit code: L=1 */
	.quad	0x00cf92000000ffff	/* 0x18 kernel data */
	.quad	0x00cffa000000ffff	/* 0x20 user 32-bit code (unused, for STAR) */
	.quad	0x00cff2000000ffff	/* 0x28 user data, DPL 3 */
	.quad	0x00affa000000ffff	/* 0x30 user 64-bit code, DPL 3 */
	.quad	0			/* 0x38 unused */
	.quad	0, 0			/* 0x40 TSS (16 bytes in long mode) */
gdt_end:

early_gdt_desc32:
	.word	gdt_end - gdt_table - 1
	.long	PHYS(gdt_table)
	.globl	early_gdt_desc
	.balign	8
	.word	0, 0, 0
early_gdt_desc:
	.word	gdt_end - gdt_table - 1
	.quad	gdt_table

	.globl	boot_params_phys
	.balign	8
boot_params_phys:
	.quad	0

/*
 * Early page tables: 512 2-MiB pages = the first GiB, reachable from the
 * identity slot (PML4[0]), the direct-map slot (PML4[273] = PAGE_OFFSET)
 * and the kernel slot (PML4[511], PDPT[510] = __START_KERNEL_map).
 * paging_init() replaces all of this with init_mm's tables.
 */
#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080
	.balign	4096
	.globl	early_pml4
early_pml4:
	.quad	PHYS(early_pdpt_low) + PTE_P + PTE_W
	.fill	272, 8, 0
	.quad	PHYS(early_pdpt_low) + PTE_P + PTE_W	/* 273: PAGE_OFFSET */
	.fill	237, 8, 0
	.quad	PHYS(early_pdpt_high) + PTE_P + PTE_W	/* 511 */
early_pdpt_low:
	.quad	PHYS(early_pd) + PTE_P + PTE_W
	.fill	511, 8, 0
early_pdpt_high:
	.fill	510, 8, 0
	.quad	PHYS(early_pd) + PTE_P + PTE_W		/* 510: -2 GiB */
	.quad	0
early_pd:
	i = 0
	.rept	512
	.quad	(i << 21) + PTE_P + PTE_W + PTE_PS
	i = i + 1
	.endr

/* init_task's kernel stack (THREAD_SIZE aligned, like every task's). */
	.section ".bss..init_stack", "aw", @nobits
	.balign	THREAD_SIZE
	.globl	init_stack
init_stack:
	.space	THREAD_SIZE

	.section .note.GNU-stack, "", @progbits
