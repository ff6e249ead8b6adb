/*
 * int15.S - memory size and the A20 gate: INT 15h (RBIL INT 15) and the
 * E820 memory map behind it.
 *
 * The map is built once at POST (e820_init) and kept in the EBDA:
 *   - RAM ranges come from the fw_cfg file "etc/e820" (QEMU writes its RAM
 *     there, 20-byte little-endian records of base, length, type; so does
 *     Bootscope's machine), or when there is none from the CMOS bytes QEMU
 *     and Bootscope fill for SeaBIOS: 30h/31h KiB above 1 MiB, 34h/35h
 *     64 KiB blocks above 16 MiB, 5Bh-5Dh 64 KiB blocks above 4 GiB;
 *   - the firmware cuts the PC's holes out of the first RAM range (the
 *     EBDA, video memory and the BIOS area between 9FC00h and 1 MiB) and
 *     adds reserved ranges for what it knows is not RAM;
 *   - the table is sorted by address, as callers expect.
 * This gives the same map as Bootscope's Machine::e820().
 */
#include "bios.h"

#define SMAP	0x534d4150	/* "SMAP", the E820 signature */
#define E820_RAM	1
#define E820_RESERVED	2
#define E820_TABLE_END	(EBDA_E820 + 20 * E820_MAX)

	.code16
	.text

/* ---- building the map ---------------------------------------------------- */

/*
 * e820_init: builds the table.  Needs DS = 0.  Returns AL = 1 if the RAM
 * came from fw_cfg, 0 if from the CMOS.
 */
	.globl	e820_init
e820_init:
	pushw	%es
	pushal
	pushw	$EBDA_SEG
	popw	%es
	movw	$EBDA_E820, %di
	call	fw_cfg_present
	jc	from_cmos
	movw	$name_e820, %si
	call	fw_cfg_find_file	/* AX = key, ECX = size */
	jc	from_cmos
	call	fw_cfg_select
	movl	%ecx, %eax
	xorl	%edx, %edx
	movl	$20, %ebx
	divl	%ebx
	movw	%ax, %cx		/* records */
1:	jcxz	2f
	pushw	%cx
	pushw	%di
	movw	$EBDA_SCRATCH, %di
	movw	$20, %cx
	call	fw_cfg_read
	popw	%di
	movl	%es:EBDA_SCRATCH + 0, %eax
	movl	%es:EBDA_SCRATCH + 4, %edx
	movl	%es:EBDA_SCRATCH + 8, %ebx
	movl	%es:EBDA_SCRATCH + 12, %ecx
	movl	%es:EBDA_SCRATCH + 16, %esi
	call	e820_add_range
	popw	%cx
	loop	1b
2:	movb	$1, %bl
	jmp	reserved

from_cmos:
	/* RAM below 4 GiB ends at 16 MiB + 64 KiB * [34h] or 1 MiB + 1 KiB * [30h] */
	movb	$0x35, %al
	call	cmos_read_word
	testl	%eax, %eax
	jz	3f
	shll	$16, %eax
	addl	$0x1000000, %eax
	jmp	4f
3:	movb	$0x31, %al
	call	cmos_read_word
	shll	$10, %eax
	addl	$0x100000, %eax
4:	movl	%eax, %ebx
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	movl	$E820_RAM, %esi
	call	e820_add_range
	/* RAM above 4 GiB: 64 KiB * the 24-bit count in 5Bh-5Dh */
	movb	$0x5d, %al
	call	cmos_read
	movzbl	%al, %ecx
	shll	$16, %ecx
	movb	$0x5c, %al
	call	cmos_read_word		/* AX = [5Ch] << 8 | [5Bh] */
	orl	%eax, %ecx		/* ECX = blocks */
	movl	%ecx, %ebx
	shll	$16, %ebx		/* length, low dword */
	shrl	$16, %ecx		/* length, high dword */
	xorl	%eax, %eax
	movl	$1, %edx		/* base 4 GiB */
	movl	$E820_RAM, %esi
	call	e820_add_range
	movb	$0, %bl

reserved:
	pushw	%bx
	movw	$reserved_ranges, %bp
5:	movl	%cs:(%bp), %eax
	movl	%cs:4(%bp), %ebx
	testl	%ebx, %ebx
	jz	6f
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	movl	$E820_RESERVED, %esi
	call	e820_add_range
	addw	$8, %bp
	jmp	5b
6:	movw	%di, %ax
	subw	$EBDA_E820, %ax
	movb	$20, %cl
	divb	%cl
	xorb	%ah, %ah
	movw	%ax, %es:EBDA_E820_COUNT
	call	e820_sort
	popw	%bx
	movw	%sp, %bp
	movb	%bl, 28(%bp)		/* the AL that POPAL restores */
	popal
	popw	%es
	ret

/*
 * Ranges that are never RAM, as (base, length) below 4 GiB: the EBDA, the
 * BIOS ROM at F0000h, the IOAPIC and local APIC registers, and the top 64
 * KiB where the CPU fetches the reset vector (this ROM again).
 */
reserved_ranges:
	.long	EBDA_BASE, 0x400
	.long	0xf0000, 0x10000
	.long	0xfec00000, 0x1000
	.long	0xfee00000, 0x1000
	.long	0xffff0000, 0x10000
	.long	0, 0

name_e820:
	.asciz	"etc/e820"

/* cmos_read_word: EAX = CMOS[AL] << 8 | CMOS[AL - 1]. */
cmos_read_word:
	pushw	%cx
	movb	%al, %cl
	call	cmos_read
	movb	%al, %ch
	movb	%cl, %al
	decb	%al
	call	cmos_read
	movb	%ch, %ah
	movzwl	%ax, %eax
	popw	%cx
	ret

/*
 * e820_add_range: adds base EDX:EAX, length ECX:EBX, type ESI at ES:DI.
 * A RAM range that starts below 1 MiB keeps only what lies below the EBDA
 * and above 1 MiB.  Clobbers EAX-ESI; DI advances.
 */
e820_add_range:
	cmpl	$E820_RAM, %esi
	jne	e820_append
	testl	%edx, %edx
	jnz	e820_append
	cmpl	$0x100000, %eax
	jae	e820_append
	addl	%eax, %ebx		/* ECX:EBX = end */
	adcl	$0, %ecx
	pushl	%ecx
	pushl	%ebx
	cmpl	$EBDA_BASE, %eax
	jae	2f
	testl	%ecx, %ecx
	jnz	1f
	cmpl	$EBDA_BASE, %ebx
	jb	3f
1:	movl	$EBDA_BASE, %ebx
3:	subl	%eax, %ebx		/* length of the part below the EBDA */
	xorl	%ecx, %ecx
	call	e820_append
2:	popl	%ebx
	popl	%ecx
	testl	%ecx, %ecx
	jnz	4f
	cmpl	$0x100000, %ebx
	jbe	5f
4:	subl	$0x100000, %ebx		/* the part above 1 MiB */
	sbbl	$0, %ecx
	movl	$0x100000, %eax
	xorl	%edx, %edx
	movl	$E820_RAM, %esi
	jmp	e820_append
5:	ret

/*
 * e820_append: stores the record (EDX:EAX, ECX:EBX, ESI) at ES:DI and
 * advances DI, unless it is empty or the table is full (then it is
 * dropped with a message).  Preserves the other registers.
 */
e820_append:
	pushl	%ebp
	movl	%ebx, %ebp
	orl	%ecx, %ebp
	jz	1f
	cmpw	$E820_TABLE_END, %di
	jae	2f
	movl	%eax, %es:0(%di)
	movl	%edx, %es:4(%di)
	movl	%ebx, %es:8(%di)
	movl	%ecx, %es:12(%di)
	movl	%esi, %es:16(%di)
	addw	$20, %di
1:	popl	%ebp
	ret
2:	pushw	%si
	movw	$msg_full, %si
	call	puts
	popw	%si
	jmp	1b

/*
 * e820_sort: insertion sort of the table by base address (a dozen entries
 * at most, so the simplest sort is the right one).  Needs ES = EBDA.
 */
e820_sort:
	pushw	%ds
	pushw	%es
	popw	%ds
	movw	$1, %bx			/* BX = i: entries 0..i-1 are sorted */
1:	cmpw	EBDA_E820_COUNT, %bx
	jae	5f
	movw	%bx, %dx		/* DX = j: sink entry j while its left neighbour is bigger */
2:	testw	%dx, %dx
	jz	4f
	imulw	$20, %dx, %si
	addw	$EBDA_E820 - 20, %si	/* SI = entry j-1, DI = entry j */
	leaw	20(%si), %di
	movl	4(%si), %eax		/* compare the 64-bit bases, high dwords first */
	cmpl	4(%di), %eax
	jb	4f
	ja	3f
	movl	(%si), %eax
	cmpl	(%di), %eax
	jbe	4f
3:	movw	$5, %cx			/* swap the 20-byte entries, a dword at a time */
6:	movl	(%si), %eax
	xchgl	(%di), %eax
	movl	%eax, (%si)
	addw	$4, %si
	addw	$4, %di
	loop	6b
	decw	%dx
	jmp	2b
4:	incw	%bx
	jmp	1b
5:	popw	%ds
	ret

msg_full:
	.asciz	"firmware: E820 table full, range dropped\n"

/* ---- INT 15h ---------------------------------------------------------- */

/*
 * INT 15h, system services:
 *   AX=E820h  memory map, one range per call: EDX = "SMAP", EBX = 0 for
 *             the first range or the value the last call returned, ES:DI =
 *             buffer, ECX = its size (>= 20).  Returns CF=0, EAX = "SMAP",
 *             ECX = 20, the 20-byte range (base, length, type) at ES:DI, and
 *             EBX = the next value to pass, 0 after the last range.  A bad
 *             signature, buffer or EBX gives CF=1 AH=86h.
 *   AX=E801h  AX = CX = KiB between 1 and 16 MiB, BX = DX = 64 KiB blocks
 *             above 16 MiB (below 4 GiB); CF=0
 *   AH=88h    AX = KiB above 1 MiB (at most 65535); CF=0
 *   AX=2400h  disable A20, AX=2401h enable A20: AH=0, CF=0
 *   AX=2402h  AL = 1 if A20 is enabled, else 0; AH=0, CF=0
 *   AX=2403h  BX = 2: A20 is switched through port 92h only; AH=0, CF=0
 *   AH=C0h    (system configuration table) and everything else: reported,
 *             CF=1 AH=86h ("function not supported")
 * E801h and 88h read the CMOS sizes, as SeaBIOS does.
 */
	.globl	int15_handler
int15_handler:
	HANDLER_ENTRY
	cmpw	$0xe820, %ax
	je	e820
	cmpw	$0xe801, %ax
	je	e801
	cmpb	$0x88, %ah
	je	ext_memory
	cmpw	$0x2400, %ax
	jb	unsupported
	cmpw	$0x2403, %ax
	jbe	a20_services
unsupported:
	movb	$0x15, %al
	call	report_unimplemented
fail:
	movb	$0x86, R_AH(%bp)
	SET_CF
	HANDLER_EXIT

e820:
	cmpl	$SMAP, %edx
	jne	fail
	cmpl	$20, %ecx
	jb	fail
	pushw	$EBDA_SEG
	popw	%ds
	movzwl	EBDA_E820_COUNT, %eax
	cmpl	%eax, %ebx
	jae	fail
	imulw	$20, %bx, %si
	addw	$EBDA_E820, %si
	movw	$10, %cx
	rep movsw			/* to the caller's ES:DI */
	incl	%ebx
	cmpl	%eax, %ebx
	jb	1f
	xorl	%ebx, %ebx		/* that was the last one */
1:	movl	%ebx, R_EBX(%bp)
	movl	$SMAP, R_EAX(%bp)
	movl	$20, R_ECX(%bp)
	CLEAR_CF
	HANDLER_EXIT

e801:
	movb	$0x31, %al
	call	cmos_read_word
	cmpw	$0x3c00, %ax		/* 15 MiB: the most there is below 16 MiB */
	jbe	2f
	movw	$0x3c00, %ax
2:	movw	%ax, R_AX(%bp)
	movw	%ax, R_CX(%bp)
	movb	$0x35, %al
	call	cmos_read_word
	movw	%ax, R_BX(%bp)
	movw	%ax, R_DX(%bp)
	CLEAR_CF
	HANDLER_EXIT

ext_memory:
	movb	$0x31, %al
	call	cmos_read_word
	movw	%ax, R_AX(%bp)
	CLEAR_CF
	HANDLER_EXIT

a20_services:
	movb	$0, R_AH(%bp)
	CLEAR_CF
	cmpb	$0x02, %al
	je	a20_status
	cmpb	$0x03, %al
	je	a20_support
	call	a20_set			/* AL = 0 off, 1 on */
	HANDLER_EXIT
a20_status:
	call	a20_test
	movb	%al, R_AL(%bp)
	HANDLER_EXIT
a20_support:
	movw	$0x0002, R_BX(%bp)
	HANDLER_EXIT

/* ---- the A20 gate -------------------------------------------------------- */

/*
 * a20_set: A20 on if AL = 1, off if AL = 0, through system control port A
 * (92h) bit 1 ("fast A20"), which QEMU's and Bootscope's chipsets have.
 * Bit 0 of that port resets the machine, so it is always written as 0.
 * Preserves all registers but AL.
 */
	.globl	a20_set
a20_set:
	pushw	%bx
	movb	%al, %bl
	shlb	$1, %bl			/* the bit 1 we want */
	inb	$PORT_A, %al
	andb	$~3, %al
	orb	%bl, %al
	outb	%al, $PORT_A
	popw	%bx
	ret

/*
 * a20_test: AL = 1 if A20 is enabled, else 0.  With the gate closed,
 * FFFF:0500 (linear 1004F0h) is 0000:04F0, a spare word of the BDA's
 * inter-application area: change the low word and see whether the high
 * one follows, twice with different values so a coincidence cannot fool
 * us.  The high word is only read.  Preserves all registers but AL.
 */
	.globl	a20_test
a20_test:
	pushw	%ds
	pushw	%es
	pushw	%cx
	pushw	%dx
	pushw	$0
	popw	%ds
	pushw	$0xffff
	popw	%es
	movw	0x4f0, %cx		/* saved */
	movw	%cx, %dx
	movb	$2, %al
1:	incw	%dx
	movw	%dx, 0x4f0
	cmpw	%es:0x500, %dx
	jne	2f			/* they differ: no wrap, A20 on */
	decb	%al
	jnz	1b
	jmp	3f			/* equal twice: it wraps, A20 off */
2:	movb	$1, %al
3:	movw	%cx, 0x4f0
	popw	%dx
	popw	%cx
	popw	%es
	popw	%ds
	ret
