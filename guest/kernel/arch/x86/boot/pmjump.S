/*
 * pmjump.S - the last instructions of real mode.
 *
 * void protected_mode_jump(u32 entry, u32 boot_params_linear)
 * (regparm(3): entry in %eax, boot_params in %edx)
 *
 * The caller has loaded a GDT whose selector 0x10 is a flat 32-bit code
 * segment and 0x18 a flat data segment (Linux's __BOOT_CS/__BOOT_DS), and has
 * disabled interrupts and NMIs.  Setting CR0.PE must be followed at once by a
 * far jump so CS is reloaded from the GDT; we jump straight to the kernel's
 * 32-bit entry with %esi pointing at boot_params, as the boot protocol says.
 */
	.code16
	.text
	.globl	protected_mode_jump
protected_mode_jump:
	movl	%edx, %esi
	movl	%eax, pm_target
	movw	$0x10, pm_target + 4
	movl	%cr0, %edx
	orb	$1, %dl			/* CR0.PE */
	movl	%edx, %cr0
	ljmpl	*pm_target		/* DS still has its real-mode base here */

	.data
	.balign	4
pm_target:
	.long	0
	.word	0

	.section .note.GNU-stack, "", @progbits
