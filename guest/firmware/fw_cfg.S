/*
 * fw_cfg.S - reading QEMU's firmware configuration device.
 *
 * The legacy port interface (QEMU docs/specs/fw_cfg.rst): write a 16-bit
 * key to port 510h to select an item and rewind it, then each byte read
 * from port 511h returns the item's next byte.  Numbers in the fixed items
 * are little-endian; the file directory (key 19h) is big-endian.  The DMA
 * interface is deliberately not used: Bootscope does not emulate it, and
 * byte reads with REP INSB are quick enough for a kernel and an initrd.
 */
#include "bios.h"

/* selectors in pm_gdt below */
#define PM_FLAT_DATA	0x08
#define PM_CODE16	0x10
#define PM_DATA16	0x18

	.code16
	.text

/* fw_cfg_select: selects item AX.  Preserves all registers. */
	.globl	fw_cfg_select
fw_cfg_select:
	pushw	%dx
	movw	$FW_CFG_SEL, %dx
	outw	%ax, %dx
	popw	%dx
	ret

/* fw_cfg_read: CX bytes of the selected item to ES:DI (DI advances). */
	.globl	fw_cfg_read
fw_cfg_read:
	pushw	%dx
	pushw	%cx
	movw	$FW_CFG_DATA, %dx
	rep insb
	popw	%cx
	popw	%dx
	ret

/* fw_cfg_read_le32: EAX = the next 4 bytes of the selected item, little-endian. */
	.globl	fw_cfg_read_le32
fw_cfg_read_le32:
	pushw	%dx
	pushw	%cx
	movw	$FW_CFG_DATA, %dx
	movw	$4, %cx
1:	inb	%dx, %al
	rorl	$8, %eax		/* each byte enters at the top and moves down */
	loop	1b
	popw	%cx
	popw	%dx
	ret

/* fw_cfg_read_be: EAX = the next CX (1..4) bytes, big-endian. */
fw_cfg_read_be:
	pushw	%dx
	pushw	%bx
	movw	$FW_CFG_DATA, %dx
	xorl	%ebx, %ebx
1:	shll	$8, %ebx
	inb	%dx, %al
	movb	%al, %bl
	loop	1b
	movl	%ebx, %eax
	popw	%bx
	popw	%dx
	ret

/* fw_cfg_get32: EAX = the first 4 bytes of item AX, little-endian (0 if absent). */
	.globl	fw_cfg_get32
fw_cfg_get32:
	call	fw_cfg_select
	jmp	fw_cfg_read_le32

/*
 * fw_cfg_present: CF=0 if the device answers the signature "QEMU" at
 * key 0, CF=1 otherwise (an unclaimed port reads as FFh).
 */
	.globl	fw_cfg_present
fw_cfg_present:
	pushl	%eax
	movw	$FW_CFG_SIGNATURE, %ax
	call	fw_cfg_get32
	cmpl	$0x554d4551, %eax	/* "QEMU" */
	popl	%eax
	je	1f
	stc
	ret
1:	clc
	ret

/*
 * fw_cfg_find_file: looks up the file named by the NUL-terminated string
 * at CS:SI in the directory (key 19h: a BE32 count, then 64-byte entries
 * of BE32 size, BE16 key, 2 reserved bytes and a 56-byte name).
 * Found: CF=0, AX = its key, ECX = its size.  Not found: CF=1.
 * Needs DS = 0; uses the EBDA scratch area.  Clobbers EAX, ECX.
 */
	.globl	fw_cfg_find_file
fw_cfg_find_file:
	pushw	%es
	pushw	%di
	pushw	%bx
	pushl	%edx
	pushw	$EBDA_SEG
	popw	%es
	movw	$FW_CFG_FILE_DIR, %ax
	call	fw_cfg_select
	movw	$4, %cx
	call	fw_cfg_read_be
	movl	%eax, %ebx		/* EBX = entries left */
next_entry:
	testl	%ebx, %ebx
	jz	not_found
	decl	%ebx
	movw	$4, %cx
	call	fw_cfg_read_be
	movl	%eax, %edx		/* EDX = size */
	movw	$2, %cx
	call	fw_cfg_read_be
	pushw	%ax			/* key */
	movw	$EBDA_SCRATCH, %di
	movw	$2 + 56, %cx		/* reserved, then the name */
	call	fw_cfg_read
	/* compare the name with CS:SI, up to and including the NUL */
	pushw	%si
	movw	$EBDA_SCRATCH + 2, %di
1:	movb	%cs:(%si), %al
	cmpb	%es:(%di), %al
	jne	2f
	incw	%si
	incw	%di
	testb	%al, %al
	jnz	1b
2:	popw	%si
	popw	%ax			/* key */
	jne	next_entry		/* flags from the CMP: names differ */
	movl	%edx, %ecx
	clc
	jmp	3f
not_found:
	stc
3:	popl	%edx
	popw	%bx
	popw	%di
	popw	%es
	ret

/*
 * fw_cfg_copy: copies ECX bytes of item AX to linear address EDI, anywhere
 * in the 4 GiB space.  Clobbers EAX, ECX, EDI.
 *
 * Real-mode addresses end at 1 MiB + 64 KiB, and the kernel goes to 1 MiB
 * and the initrd near the top of RAM, so the copy takes a short trip
 * through 16-bit protected mode, following the Intel SDM Vol. 3A sections
 * 9.9.1 (switching to protected mode: set CR0.PE, then at once a far jump)
 * and 9.9.2 (back: load segment registers with 64 KiB real-mode-like
 * descriptors, clear PE, far jump to a real-mode segment).  In between, ES
 * is a flat 4 GiB data segment and REP INSB with 32-bit addressing stores
 * at ES:EDI.
 *
 * We do not stay in "unreal mode" (returning to real mode with ES still
 * holding the 4 GiB limit, which most x86 CPUs allow): that relies on the
 * descriptor cache surviving real-mode segment loads, an undocumented
 * behaviour an emulator may not share, and it would leak a big segment
 * into the kernel's setup code.  Here every segment is back to its
 * real-mode value on return.
 *
 * Interrupts are off for the trip: the IVT means nothing to protected
 * mode and there is no IDT.  (An NMI in between would triple-fault; no
 * NMI source is armed during boot on QEMU or Bootscope.)
 */
	.globl	fw_cfg_copy
fw_cfg_copy:
	pushfw
	cli
	pushw	%es
	pushw	%dx
	call	fw_cfg_select
	movw	$FW_CFG_DATA, %dx
	cld
	lgdtl	%cs:pm_gdt_desc
	movl	%cr0, %eax
	orb	$1, %al			/* CR0.PE */
	movl	%eax, %cr0
	ljmpw	$PM_CODE16, $1f		/* same offsets: the segment's base is F0000h */
1:	movw	$PM_FLAT_DATA, %ax
	movw	%ax, %es
	rep insb (%dx), %es:(%edi)	/* 32-bit address size: EDI and ECX */
	movw	$PM_DATA16, %ax
	movw	%ax, %es
	movl	%cr0, %eax
	andb	$~1, %al
	movl	%eax, %cr0
	ljmpw	$BIOS_SEG, $2f
2:	popw	%dx
	popw	%es			/* a real-mode load: base = selector << 4 */
	popfw
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
