/*
 * fw_services.S - a tiny "kernel" that exercises the firmware's BIOS
 * services and prints what it gets back, for boot_qemu.sh's
 * firmware_services case.
 *
 * It is a Linux boot protocol image with nothing but setup code (the
 * payload is a copy of the same bytes, never run), so the firmware loads
 * it through fw_cfg and enters it exactly as it enters the real kernel:
 * DS = ES = SS = the setup segment S, CS:IP = (S+20h):0000.  Every line
 * it prints goes through INT 10h AH=0Eh, which the firmware mirrors to
 * COM1; the last thing it does is power off through the ACPI PM block.
 */
	.code16
	.text
	.globl	_start
start_of_image:

	/* ---- setup header (Documentation/x86/boot.rst) ---- */
	.org	0x1f1
setup_sects:	.byte 0			/* patched by mkbzimage */
		.word 0
syssize:	.long 0			/* patched by mkbzimage */
		.word 0, 0xffff, 0
boot_flag:	.word 0xaa55
_start:		.byte 0xeb, entry - 1f	/* 0x200: jmp entry */
1:		.ascii "HdrS"
		.word 0x020f
		.long 0
		.word 0x1000, 0
		.byte 0			/* type_of_loader */
		.byte 0x01		/* loadflags: LOADED_HIGH */
		.word 0x8000
		.long 0x100000		/* code32_start (never used) */
		.long 0, 0, 0		/* ramdisk_image, ramdisk_size, bootsect_kludge */
		.word 0			/* heap_end_ptr */
		.byte 0, 0
		.long 0			/* cmd_line_ptr */
		.long 0x37ffffff	/* initrd_addr_max */
		.long 0x200000
		.byte 0, 21
		.word 0
		.long 2047		/* cmdline_size */
		.long 0
		.quad 0
		.long 0, 0
		.quad 0			/* setup_data */
		.quad 0x100000
		.long 0			/* init_size: patched by mkbzimage */
		.long 0, 0

entry:
	/* Run with CS = DS, so that offsets are from the start of the image. */
	movw	%ds, %ax
	pushw	%ax
	pushw	$1f
	lretw
1:	cld

	/* INT 10h: mode, cursor */
	movw	$s_int10_0f, %si
	call	print
	movb	$0x0f, %ah
	int	$0x10
	call	hex_ax
	movb	%bh, %al
	movw	$s_bh, %si
	call	print
	call	hex_al
	call	newline

	movb	$0x02, %ah		/* page 0, row 5, column 10 */
	xorb	%bh, %bh
	movw	$0x050a, %dx
	int	$0x10
	xorw	%dx, %dx
	movb	$0x03, %ah
	int	$0x10
	movw	$s_int10_03, %si
	call	print
	movw	%dx, %ax
	call	hex_ax
	movw	$s_cx, %si
	call	print
	movw	%cx, %ax
	call	hex_ax
	call	newline

	/* INT 11h, INT 12h */
	movw	$s_int11, %si
	call	print
	int	$0x11
	call	hex_ax
	movw	$s_int12, %si
	call	print
	int	$0x12
	call	hex_ax
	call	newline

	/* INT 15h E801h and 88h */
	movw	$0xe801, %ax
	xorw	%bx, %bx
	xorw	%cx, %cx
	xorw	%dx, %dx
	int	$0x15
	setc	cf_store
	movw	$s_e801, %si
	call	print
	call	hex_ax
	movw	$s_bx, %si
	call	print
	movw	%bx, %ax
	call	hex_ax
	movw	$s_cx, %si
	call	print
	movw	%cx, %ax
	call	hex_ax
	movw	$s_dx, %si
	call	print
	movw	%dx, %ax
	call	hex_ax
	call	print_cf
	call	newline

	movb	$0x88, %ah
	int	$0x15
	setc	cf_store
	movw	$s_88, %si
	call	print
	call	hex_ax
	call	print_cf
	call	newline

	/* INT 15h A20: support, status, off, on */
	movw	$s_a20, %si
	call	print
	movw	$0x2403, %ax
	int	$0x15
	movw	%bx, %ax
	call	hex_ax
	movw	$0x2402, %ax
	call	a20_step
	movw	$0x2400, %ax
	call	a20_step
	movw	$0x2401, %ax
	call	a20_step
	call	newline

	/* INT 15h C0h: not supported */
	movw	$0xc000, %ax
	int	$0x15
	call	print_cf_ah
	/* INT 13h: no disks */
	movw	$0x0080, %ax		/* reset, drive 80h */
	movw	$0x0080, %dx
	int	$0x13
	call	print_cf_ah
	movw	$0x4100, %ax		/* extensions? */
	movw	$0x55aa, %bx
	int	$0x13
	call	print_cf_ah
	movw	$0x0100, %ax		/* status of the last call */
	int	$0x13
	call	print_cf_ah
	movw	$0x9900, %ax		/* no such function */
	int	$0x13
	call	print_cf_ah
	/* a vector nobody serves */
	movw	$0x1234, %ax
	int	$0x60
	call	print_cf_ah

	/* INT 1Ah: the RTC (QEMU is started with -rtc base=...) */
	movw	$s_rtc, %si
	call	print
	movb	$0x04, %ah
	int	$0x1a
	movw	%cx, %ax		/* century, year */
	call	hex_ax
	movb	$'-', %al
	call	putc
	movb	%dh, %al
	call	hex_al
	movb	$'-', %al
	call	putc
	movb	%dl, %al
	call	hex_al
	movb	$' ', %al
	call	putc
	movb	$0x02, %ah
	int	$0x1a
	movb	%ch, %al
	call	hex_al
	movb	$':', %al
	call	putc
	movb	%cl, %al
	call	hex_al
	movb	$':', %al
	call	putc
	movb	%dh, %al
	call	hex_al
	call	newline

	/* INT 1Ah AH=00h: the tick count moves (IRQ0 at 18.2 Hz) */
	sti
	xorb	%ah, %ah
	int	$0x1a
	movw	%dx, %di
	movw	$1000, %bx
2:	hlt
	xorb	%ah, %ah
	int	$0x1a
	cmpw	%dx, %di
	jne	3f
	decw	%bx
	jnz	2b
3:	movw	$s_ticks, %si
	call	print
	movb	$'0', %al
	cmpw	%dx, %di
	je	4f
	movb	$'1', %al
4:	call	putc
	call	newline

	/*
	 * INT 09h + INT 16h: the 8042's command D2h puts a byte in its output
	 * buffer as if the keyboard had sent it, and raises IRQ1.  Feed set-1
	 * codes for "a", then Shift+"b", with releases.
	 */
	movw	$keys, %si
5:	movb	(%si), %bl
	testb	%bl, %bl
	jz	6f
	call	kbd_wait
	movb	$0xd2, %al
	outb	%al, $0x64
	call	kbd_wait
	movb	%bl, %al
	outb	%al, $0x60
	hlt				/* IRQ1 comes; INT 09h reads port 60h */
	incw	%si
	jmp	5b
6:	movw	$s_int16, %si
	call	print
	movb	$0x01, %ah		/* peek */
	int	$0x16
	call	hex_ax
	movb	$0x00, %ah		/* read */
	int	$0x16
	movw	$s_space, %si
	call	print
	call	hex_ax
	movb	$0x00, %ah
	int	$0x16
	movw	$s_space, %si
	call	print
	call	hex_ax
	movb	$0x01, %ah		/* now empty: ZF=1 */
	int	$0x16
	setz	%bl
	movw	$s_zf, %si
	call	print
	movb	%bl, %al
	call	hex_al
	movb	$0x02, %ah
	int	$0x16
	movw	$s_flags, %si
	call	print
	call	hex_al
	call	newline

	movw	$s_done, %si
	call	print
	movw	$0x604, %dx		/* ACPI PM1a_CNT: SLP_EN, S5 */
	movw	$0x2000, %ax
	outw	%ax, %dx
7:	hlt
	jmp	7b

/* the CF and AH of the last call, as " cf=C ah=HH" on a line of its own */
print_cf_ah:
	pushw	%ax
	setc	%bl
	movw	$s_cfah, %si
	call	print
	movb	%bl, %al
	call	hex_al
	movw	$s_ah, %si
	call	print
	popw	%ax
	movb	%ah, %al
	call	hex_al
	jmp	newline

/* " cf=N" from cf_store */
print_cf:
	pushw	%ax
	movw	$s_cf, %si
	call	print
	movb	cf_store, %al
	call	hex_al
	popw	%ax
	ret

/* a20_step: INT 15h with AX, then prints " " and the 2402h status */
a20_step:
	int	$0x15
	movw	$0x2402, %ax
	int	$0x15
	movw	$s_space, %si
	call	print
	jmp	hex_al

kbd_wait:
	inb	$0x64, %al
	testb	$0x02, %al
	jnz	kbd_wait
	ret

print:					/* the NUL-terminated string at DS:SI */
	pushw	%ax
	pushw	%si
1:	lodsb
	testb	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	popw	%si
	popw	%ax
	ret
newline:
	pushw	%ax
	movb	$13, %al
	call	putc
	movb	$10, %al
	call	putc
	popw	%ax
	ret
putc:					/* AL through the BIOS teletype */
	pushw	%ax
	pushw	%bx
	movb	$0x0e, %ah
	xorw	%bx, %bx
	int	$0x10
	popw	%bx
	popw	%ax
	ret
hex_ax:
	xchgb	%al, %ah
	call	hex_al
	xchgb	%al, %ah
hex_al:
	pushw	%ax
	shrb	$4, %al
	call	1f
	popw	%ax
	pushw	%ax
	call	1f
	popw	%ax
	ret
1:	andb	$0x0f, %al
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	putc
	addb	$'a' - '9' - 1, %al
	jmp	putc

cf_store:	.byte	0		/* the image is in RAM: a variable is fine */
s_int10_0f:	.asciz	"fwtest: int10/0f ax="
s_bh:		.asciz	" bh="
s_int10_03:	.asciz	"fwtest: int10/03 dx="
s_cx:		.asciz	" cx="
s_bx:		.asciz	" bx="
s_dx:		.asciz	" dx="
s_int11:	.asciz	"fwtest: int11 ax="
s_int12:	.asciz	" int12 ax="
s_e801:		.asciz	"fwtest: e801 ax="
s_88:		.asciz	"fwtest: 88 ax="
s_cf:		.asciz	" cf="
s_a20:		.asciz	"fwtest: a20 support="
s_cfah:		.asciz	"fwtest: cf="
s_ah:		.asciz	" ah="
s_rtc:		.asciz	"fwtest: rtc "
s_ticks:	.asciz	"fwtest: ticks advance="
s_int16:	.asciz	"fwtest: int16 "
s_space:	.asciz	" "
s_zf:		.asciz	" zf="
s_flags:	.asciz	" flags="
s_done:		.asciz	"fwtest: done\r\n"
keys:		.byte	0x1e, 0x9e, 0x2a, 0x30, 0xb0, 0xaa, 0
