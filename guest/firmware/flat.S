/*
 * flat.S - a short trip through protected mode to reach all 4 GiB.
 *
 * Real-mode addresses end at 1 MiB + 64 KiB, but the firmware has to
 * write the kernel to 1 MiB, the initrd near the top of RAM and the local
 * APIC's registers at FEE00000h.  pm_enter switches to 16-bit protected
 * mode with ES a flat 4 GiB data segment, so code between pm_enter and
 * pm_leave can use ES:[32-bit register] for any address; pm_leave returns
 * to real mode.  The steps are those of the Intel SDM Vol. 3A: 9.9.1
 * (set CR0.PE, then at once a far jump) and 9.9.2 (load segment registers
 * with 64 KiB real-mode-like descriptors, clear PE, far jump to a
 * real-mode segment).  CS keeps base F0000h, so near calls and returns
 * work across both.  DS and SS are never reloaded in protected mode and
 * keep their real-mode values.
 *
 * We do not stay in "unreal mode" (returning to real mode with ES still
 * holding the 4 GiB limit, which most x86 CPUs allow): that relies on the
 * descriptor cache surviving real-mode segment loads, an undocumented
 * behaviour an emulator may not share, and it would leak a big segment
 * into the kernel's setup code.  Here every segment is back to its
 * real-mode self on return.
 *
 * Callers keep interrupts off in between: the IVT means nothing to
 * protected mode and there is no IDT.  (An NMI in between would
 * triple-fault; nothing arms one during boot on QEMU or Bootscope.)
 */
#include "bios.h"

#define PM_FLAT_DATA	0x08	/* selectors in pm_gdt */
#define PM_CODE16	0x10
#define PM_DATA16	0x18

	.code16
	.text

/* pm_enter: interrupts must be off.  ES = flat 4 GiB.  Clobbers EAX. */
	.globl	pm_enter
pm_enter:
	lgdtl	%cs:pm_gdt_desc
	movl	%cr0, %eax
	orb	$1, %al			/* CR0.PE */
	movl	%eax, %cr0
	ljmpw	$PM_CODE16, $1f		/* same offsets: the segment's base is F0000h */
1:	movw	$PM_FLAT_DATA, %ax
	movw	%ax, %es
	ret

/* pm_leave: back to real mode with ES = 0.  Clobbers EAX. */
	.globl	pm_leave
pm_leave:
	movw	$PM_DATA16, %ax		/* limit 64 KiB again before PE goes */
	movw	%ax, %es
	movl	%cr0, %eax
	andb	$~1, %al
	movl	%eax, %cr0
	ljmpw	$BIOS_SEG, $1f
1:	xorw	%ax, %ax		/* a real-mode load: base = selector << 4 */
	movw	%ax, %es
	ret

/*
 * The trip's GDT, in the ROM.  Each descriptor (SDM Vol. 3A 3.4.5) has its
 * accessed bit already set so that loading it needs no write to the ROM.
 */
	.balign	8
pm_gdt:
	.quad	0
	.quad	0x00cf93000000ffff	/* 08h: data, base 0, limit 4 GiB (G=1), 32-bit */
	.quad	0x00009b0f0000ffff	/* 10h: code, base F0000h, limit 64 KiB, 16-bit */
	.quad	0x000093000000ffff	/* 18h: data, base 0, limit 64 KiB, 16-bit */
pm_gdt_end:
pm_gdt_desc:
	.word	pm_gdt_end - pm_gdt - 1
	.long	0xf0000 + pm_gdt	/* linear address of the table */
