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
 * in the 4 GiB space (the kernel goes to 1 MiB, the initrd near the top of
 * RAM, both out of real mode's reach): REP INSB with 32-bit addressing,
 * ES:EDI, during a trip through protected mode (flat.S).  Interrupts are
 * off meanwhile.  Clobbers EAX, ECX, EDI.
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
	call	pm_enter		/* ES = flat 4 GiB */
	rep insb (%dx), %es:(%edi)	/* 32-bit address size: EDI and ECX */
	call	pm_leave
	popw	%dx
	popw	%es
	popfw
	ret
