/*
 * console.S - the firmware's output: COM1 and the VGA text screen.
 *
 * Everything the firmware says goes to both, one character at a time, so a
 * headless run (-serial stdio -display none) and a screen show the same
 * text.  INT 10h AH=0Eh (int10.S) uses the same two routines.
 *
 * The screen is the colour text mode the VGA powers up in (mode 3, 80x25,
 * 2 bytes per cell at B800:0000: character, then attribute); the hardware
 * cursor is CRTC registers 0Eh/0Fh (IBM VGA Technical Reference, CRT
 * controller).  Only display page 0 is drawn on.
 */
#include "bios.h"

#define COLS	80
#define ROWS	25

	.code16
	.text

/*
 * serial_putc: AL -> COM1, raw.  Waits for LSR bit 5 (transmit holding
 * register empty, 16550A datasheet) with a bound, so a missing or stuck
 * UART slows us down instead of hanging us.  Skipped when POST found no
 * UART (BDA word 0x400 is 0).  Preserves all registers.
 */
	.globl	serial_putc
serial_putc:
	pushw	%cx
	pushw	%dx
	pushw	%ax
	movw	%ds:BDA_COM1, %dx
	testw	%dx, %dx
	jz	2f
	addw	$5, %dx			/* line status register */
	movw	$0xffff, %cx
1:	inb	%dx, %al
	testb	$0x20, %al
	loopz	1b
	subw	$5, %dx
	popw	%ax
	pushw	%ax
	outb	%al, %dx
2:	popw	%ax
	popw	%dx
	popw	%cx
	ret

/*
 * vga_set_cursor: moves the hardware cursor to row DH, column DL.
 * Preserves all registers.
 */
	.globl	vga_set_cursor
vga_set_cursor:
	pushw	%ax
	pushw	%bx
	pushw	%dx
	movb	%dh, %al
	movb	$COLS, %bl
	mulb	%bl			/* AX = row * 80 */
	xorb	%dh, %dh
	addw	%ax, %dx		/* DX = cell index */
	movw	%dx, %bx
	movw	$CRTC_INDEX, %dx
	movb	$0x0e, %al		/* cursor location high */
	outb	%al, %dx
	incw	%dx
	movb	%bh, %al
	outb	%al, %dx
	decw	%dx
	movb	$0x0f, %al		/* cursor location low */
	outb	%al, %dx
	incw	%dx
	movb	%bl, %al
	outb	%al, %dx
	popw	%dx
	popw	%bx
	popw	%ax
	ret

/*
 * vga_putc: teletype AL onto page 0 at the BDA cursor, as INT 10h AH=0Eh:
 * BEL is ignored, BS moves left (not past column 0), CR goes to column 0,
 * LF goes down a row, anything else is drawn in light grey and advances;
 * past the last column we wrap, past the last row the screen scrolls up.
 * Preserves all registers.
 */
	.globl	vga_putc
vga_putc:
	pushal
	pushw	%es
	pushw	$VGA_TEXT_SEG
	popw	%es
	movw	%ds:BDA_CURSOR_POS, %dx	/* DL = column, DH = row */
	cmpb	$7, %al
	je	.Ldone
	cmpb	$8, %al
	jne	1f
	testb	%dl, %dl
	jz	.Lmoved
	decb	%dl
	jmp	.Lmoved
1:	cmpb	$13, %al
	jne	2f
	xorb	%dl, %dl
	jmp	.Lmoved
2:	cmpb	$10, %al
	je	.Lnewline
	/* a printable character: cell (row * 80 + column) * 2 */
	movw	%ax, %cx
	movb	%dh, %al
	movb	$COLS, %bl
	mulb	%bl
	movzbw	%dl, %di
	addw	%ax, %di
	shlw	$1, %di
	movb	%cl, %al
	movb	$VGA_ATTR, %ah
	movw	%ax, %es:(%di)
	incb	%dl
	cmpb	$COLS, %dl
	jb	.Lmoved
	xorb	%dl, %dl
.Lnewline:
	incb	%dh
	cmpb	$ROWS, %dh
	jb	.Lmoved
	/* Scroll: rows 1..24 move up one, the last row becomes blank. */
	decb	%dh
	pushw	%ds
	pushw	%es
	popw	%ds
	movw	$COLS * 2, %si
	xorw	%di, %di
	movw	$COLS * (ROWS - 1), %cx
	rep movsw
	movw	$(VGA_ATTR << 8) | ' ', %ax
	movw	$COLS, %cx
	rep stosw
	popw	%ds
.Lmoved:
	movw	%dx, %ds:BDA_CURSOR_POS
	call	vga_set_cursor
.Ldone:
	popw	%es
	popal
	ret

/* putc: AL to COM1 and the screen; LF becomes CR LF.  Preserves all. */
	.globl	putc
putc:
	cmpb	$10, %al
	jne	1f
	pushw	%ax
	movb	$13, %al
	call	putc
	popw	%ax
1:	call	serial_putc
	jmp	vga_putc

/* puts: prints the NUL-terminated string at CS:SI.  Preserves all. */
	.globl	puts
puts:
	pushw	%si
	pushw	%ax
1:	movb	%cs:(%si), %al
	incw	%si
	testb	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	popw	%ax
	popw	%si
	ret

/* puthex: prints the low CX hex digits of EAX (CX = 1..8).  Preserves all. */
	.globl	puthex
puthex:
	pushal
	movw	%cx, %dx
	movl	%eax, %ebx
	/* rotate the first digit wanted into the top nibble */
	movw	$8, %cx
	subw	%dx, %cx
	shlw	$2, %cx
	roll	%cl, %ebx
	movw	%dx, %cx
1:	roll	$4, %ebx
	movb	%bl, %al
	andb	$0x0f, %al
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	2f
	addb	$'a' - '9' - 1, %al
2:	call	putc
	loop	1b
	popal
	ret

/* putdec: prints EAX as an unsigned decimal number.  Preserves all. */
	.globl	putdec
putdec:
	pushal
	movl	$10, %ebx
	xorw	%cx, %cx
1:	xorl	%edx, %edx
	divl	%ebx
	pushw	%dx			/* digits come out last first */
	incw	%cx
	testl	%eax, %eax
	jnz	1b
2:	popw	%ax
	addb	$'0', %al
	call	putc
	loop	2b
	popal
	ret
