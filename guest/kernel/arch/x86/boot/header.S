/*
 * header.S - the first 512+ bytes of bzImage: a boot sector stub, the setup
 * header that boot loaders read and fill in ("HdrS", protocol 2.15), and the
 * real-mode entry point.
 *
 * A boot loader (QEMU's -kernel through SeaBIOS, or Bootscope's firmware)
 * loads the setup sectors at some segment S, sets DS=ES=SS=S and jumps to
 * (S+0x20):0000, which is offset 0x200 here: the jump instruction at _start.
 */
	.code16
	.section ".bstext", "ax"
	.globl bootsect_start
bootsect_start:
	/* Booted from a floppy/disk directly: we cannot do that, say so. */
	ljmp	$0x07c0, $1f - bootsect_start
1:	movw	%cs, %ax
	movw	%ax, %ds
	movw	$bugger_off_msg - bootsect_start, %si
2:	lodsb
	andb	%al, %al
	jz	3f
	movb	$0x0e, %ah
	movw	$7, %bx
	int	$0x10
	jmp	2b
3:	hlt
	jmp	3b
bugger_off_msg:
	.asciz	"Bootscope guest: use a Linux boot loader (-kernel), not a boot sector.\r\n"

	.section ".header", "a"
	.globl	hdr
hdr:
setup_sects:	.byte 0			/* patched by tools/mkbzimage */
root_flags:	.word 0
syssize:	.long 0			/* patched by tools/mkbzimage */
ram_size:	.word 0
vid_mode:	.word 0xffff		/* NORMAL_VGA: leave the video mode alone */
root_dev:	.word 0
boot_flag:	.word 0xAA55

	.globl	_start
_start:
	.byte	0xeb			/* short jmp start_of_setup */
	.byte	start_of_setup - 1f
1:	.ascii	"HdrS"
	.word	0x020f			/* boot protocol 2.15 */
realmode_swtch:	.long 0
start_sys_seg:	.word 0x1000
		.word kernel_version - 0x200
type_of_loader:	.byte 0
loadflags:	.byte 0x01		/* LOADED_HIGH: protected-mode code at 0x100000 */
setup_move_size: .word 0x8000
code32_start:	.long 0x100000		/* the 32-bit entry, startup_32 */
ramdisk_image:	.long 0			/* filled in by the boot loader */
ramdisk_size:	.long 0
bootsect_kludge: .long 0
heap_end_ptr:	.word 0
ext_loader_ver:	.byte 0
ext_loader_type: .byte 0
cmd_line_ptr:	.long 0			/* filled in by the boot loader */
initrd_addr_max: .long 0x37ffffff	/* keep the initrd inside our early 1 GiB map */
kernel_alignment: .long 0x200000
relocatable_kernel: .byte 0
min_alignment:	.byte 21
xloadflags:	.word 0
cmdline_size:	.long 2047
hardware_subarch: .long 0
hardware_subarch_data: .quad 0
payload_offset:	.long 0
payload_length:	.long 0
setup_data:	.quad 0
pref_address:	.quad 0x100000
init_size:	.long 0			/* patched by tools/mkbzimage */
handover_offset: .long 0
kernel_info_offset: .long 0

kernel_version:	.asciz "Bootscope guest 0.1"

	.section ".entrytext", "ax"
start_of_setup:
	/*
	 * We arrive with CS = S+0x20 and IP = 0 while our offsets are relative
	 * to S, so first make CS equal DS; then give ourselves our own stack
	 * (in our .bss) and clear .bss, and go to C.
	 */
	cli
	cld
	movw	%ds, %ax
	movw	%ax, %es
	movw	%ax, %ss
	movl	$setup_stack_end, %esp
	pushw	%ax
	pushw	$1f
	lretw
1:
	movw	$__bss_start, %di
	movw	$_end + 3, %cx
	xorl	%eax, %eax
	subw	%di, %cx
	shrw	$2, %cx
	rep	stosl
	calll	main
	/* main() never returns; if it does, stop here. */
2:	hlt
	jmp	2b

	.section ".bss"
	.balign	16
setup_stack:
	.space	4096
setup_stack_end:

	.section .note.GNU-stack, "", @progbits
