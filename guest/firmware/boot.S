/*
 * boot.S - loading and starting a Linux kernel handed over in fw_cfg.
 *
 * QEMU's -kernel (and Bootscope's loader, emu/loader.cpp) do the file
 * work: they split a bzImage into its real-mode setup code (with the setup
 * header already filled in: type_of_loader, cmd_line_ptr, ramdisk_image,
 * heap_end_ptr, ...) and its protected-mode kernel, and publish each piece
 * with the address it belongs at:
 *   SETUP_ADDR/SIZE/DATA     the setup code, e.g. at 10000h
 *   KERNEL_ADDR/SIZE/DATA    the protected-mode kernel, at 100000h
 *   INITRD_ADDR/SIZE/DATA    the initrd, near the top of RAM (if any)
 *   CMDLINE_ADDR/SIZE/DATA   the command line, e.g. at 20000h
 * Our part is to copy each to its address and start the setup code the way
 * Documentation/x86/boot.rst, "Running the kernel", says.
 */
#include "bios.h"

/* setup header fields, as offsets in the setup code (boot.rst) */
#define HDR_VERSION	0x206
#define HDR_LOADFLAGS	0x211
#define HDR_HEAP_END	0x224
#define CAN_USE_HEAP	0x80

	.code16
	.text

	.globl	boot_linux
boot_linux:
	POST	POST_BOOT
	call	fw_cfg_present
	jc	no_fw_cfg
	movw	$FW_CFG_KERNEL_SIZE, %ax
	call	fw_cfg_get32
	testl	%eax, %eax
	jz	no_kernel
	movw	$FW_CFG_SETUP_SIZE, %ax
	call	fw_cfg_get32
	testl	%eax, %eax
	jz	not_linux

	/*
	 * The setup code must sit below the EBDA at a paragraph boundary: it
	 * runs in real mode with all segments equal to its address / 16.
	 */
	movw	$FW_CFG_SETUP_ADDR, %ax
	call	fw_cfg_get32
	movl	%eax, %ebp		/* EBP = setup address, kept to the end */
	testb	$0x0f, %al
	jnz	bad_setup_addr
	movw	$FW_CFG_SETUP_SIZE, %ax
	call	fw_cfg_get32
	addl	%ebp, %eax
	cmpl	$EBDA_BASE, %eax
	ja	bad_setup_addr

	movw	$msg_loading, %si
	call	puts
	movw	$FW_CFG_SETUP_ADDR, %bx
	call	copy_item
	POST	POST_SETUP
	movw	$msg_kernel, %si
	call	puts
	movw	$FW_CFG_KERNEL_ADDR, %bx
	call	copy_item
	POST	POST_KERNEL
	movw	$FW_CFG_INITRD_ADDR, %bx
	movw	$msg_initrd, %si
	call	copy_item_if_any
	POST	POST_INITRD
	movw	$FW_CFG_CMDLINE_ADDR, %bx
	movw	$msg_cmdline, %si
	call	copy_item_if_any
	POST	POST_CMDLINE
	movb	$'\n', %al
	call	putc

	/*
	 * "Running the kernel" (boot.rst): interrupts off; DS = ES = FS = GS
	 * = SS = the setup segment; SP = the end of the setup heap; then a
	 * far jump to (setup segment + 20h):0000, just past the boot sector.
	 * The heap ends at heap_end_ptr + 200h when the header says the
	 * loader set it up (protocol 2.01+, CAN_USE_HEAP); QEMU and Bootscope
	 * let it run to the end of the 64 KiB segment, which in 16 bits is
	 * SP = 0: the first push lands at FFFEh.  Without a heap, boot.rst's
	 * example loader gives the stack 9800h.
	 */
	POST	POST_JUMP
	cli
	movl	%ebp, %eax
	shrl	$4, %eax		/* AX = setup segment */
	movw	%ax, %es
	movw	$0x9800, %bx
	cmpw	$0x0201, %es:HDR_VERSION
	jb	1f
	testb	$CAN_USE_HEAP, %es:HDR_LOADFLAGS
	jz	1f
	movw	%es:HDR_HEAP_END, %bx
	addw	$0x200, %bx
1:	movw	%ax, %ds
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movzwl	%bx, %esp
	addw	$0x20, %ax
	pushw	%ax			/* far jump to AX:0000 through RETF */
	pushw	$0
	lretw

/*
 * copy_item: copies the item whose ADDR key is BX (its SIZE key is always
 * BX + 1; for the DATA key see data_key) and prints "<size> bytes at
 * 0x<addr>".  Clobbers EAX, ECX, EDI.
 */
copy_item:
	movw	%bx, %ax
	call	fw_cfg_get32
	movl	%eax, %edi		/* destination */
	leaw	1(%bx), %ax
	call	fw_cfg_get32
	movl	%eax, %ecx		/* size */
	call	putdec
	movw	$msg_bytes_at, %si
	call	puts
	movl	%edi, %eax
	pushw	%cx
	movw	$8, %cx
	call	puthex
	popw	%cx
	call	data_key		/* AX = the DATA key */
	jmp	fw_cfg_copy

/* copy_item_if_any: as copy_item, printing the label at CS:SI first, if SIZE != 0. */
copy_item_if_any:
	leaw	1(%bx), %ax
	call	fw_cfg_get32
	testl	%eax, %eax
	jz	1f
	call	puts
	jmp	copy_item
1:	ret

/* data_key: AX = the DATA key for the ADDR key in BX (fw_cfg.h numbering). */
data_key:
	movw	$FW_CFG_KERNEL_DATA, %ax
	cmpw	$FW_CFG_KERNEL_ADDR, %bx
	je	1f
	movw	$FW_CFG_INITRD_DATA, %ax
	cmpw	$FW_CFG_INITRD_ADDR, %bx
	je	1f
	leaw	2(%bx), %ax		/* SETUP_ and CMDLINE_ keep ADDR, SIZE, DATA together */
1:	ret

no_fw_cfg:
	movw	$msg_no_fw_cfg, %si
	jmp	stop
no_kernel:
	movw	$msg_no_kernel, %si
	jmp	stop
not_linux:
	movw	$msg_not_linux, %si
	jmp	stop
bad_setup_addr:
	movw	$msg_bad_setup, %si
stop:
	call	puts
	jmp	halt_forever

msg_loading:	.asciz	"firmware: Linux setup "
msg_kernel:	.asciz	", kernel "
msg_initrd:	.asciz	", initrd "
msg_cmdline:	.asciz	", cmdline "
msg_bytes_at:	.asciz	" bytes at 0x"
msg_no_fw_cfg:	.asciz	"firmware: no fw_cfg device at port 0x510: nothing to boot\n"
msg_no_kernel:	.asciz	"firmware: no kernel in fw_cfg (use --kernel)\n"
msg_not_linux:	.asciz	"firmware: fw_cfg holds a kernel without Linux setup code (not a bzImage?); only the Linux boot protocol is supported\n"
msg_bad_setup:	.asciz	"firmware: fw_cfg SETUP_ADDR is not a paragraph below the EBDA\n"
