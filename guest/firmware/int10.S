/*
 * int10.S - INT 10h, video services, for the colour text mode only.
 *
 * Function numbers and registers as in Ralf Brown's Interrupt List (RBIL),
 * INT 10h.  What a boot loader or a kernel's setup code uses is here; every
 * other function says "unimplemented" on the console and returns with the
 * registers unchanged (INT 10h has no error flag).
 */
#include "bios.h"

	.code16
	.text

	.globl	int10_handler
int10_handler:
	HANDLER_ENTRY
	cmpb	$0x0e, %ah
	je	teletype
	cmpb	$0x02, %ah
	je	set_cursor
	cmpb	$0x03, %ah
	je	get_cursor
	cmpb	$0x0f, %ah
	je	get_mode
	cmpb	$0x00, %ah
	je	set_mode
	movb	$0x10, %al
	call	report_unimplemented
	HANDLER_EXIT

/*
 * AH=0Eh teletype output: AL = character (BH = page and BL = colour are
 * ignored: text mode, page 0).  Drawn at the cursor, which advances; the
 * screen scrolls at the bottom.  The character is also sent to COM1 as is,
 * so whatever a loader prints through the BIOS reaches a serial log.
 */
teletype:
	call	serial_putc
	call	vga_putc
	HANDLER_EXIT

/*
 * AH=02h set cursor position: BH = page (0-7), DH = row, DL = column.
 * Remembered in the BDA per page; the hardware cursor moves when BH is the
 * active page.
 */
set_cursor:
	movzbw	%bh, %bx
	cmpw	$7, %bx
	ja	1f
	shlw	$1, %bx
	movw	%dx, BDA_CURSOR_POS(%bx)
	shrw	$1, %bx
	cmpb	%ds:BDA_ACTIVE_PAGE, %bl
	jne	1f
	call	vga_set_cursor
1:	HANDLER_EXIT

/*
 * AH=03h get cursor position and shape: BH = page.
 * Returns AX = 0, CH/CL = start/end scan line of the cursor shape,
 * DH = row, DL = column.
 */
get_cursor:
	movzbw	%bh, %bx
	andb	$7, %bl
	shlw	$1, %bx
	movw	BDA_CURSOR_POS(%bx), %dx
	movw	%dx, R_DX(%bp)
	movw	%ds:BDA_CURSOR_TYPE, %cx
	movw	%cx, R_CX(%bp)
	movw	$0, R_AX(%bp)
	HANDLER_EXIT

/*
 * AH=0Fh get current video mode.
 * Returns AL = mode (3), AH = columns (80), BH = active page.
 */
get_mode:
	movb	%ds:BDA_VIDEO_MODE, %al
	movb	%ds:BDA_COLUMNS, %ah
	movw	%ax, R_AX(%bp)
	movb	%ds:BDA_ACTIVE_PAGE, %al
	movb	%al, R_BH(%bp)
	HANDLER_EXIT

/*
 * AH=00h set video mode: AL = mode (bit 7 set = keep the screen contents).
 * Only the 80x25 colour text modes 2 and 3 exist here; setting one clears
 * the screen (unless bit 7) and homes the cursor.  Other modes are reported
 * unimplemented and nothing changes.
 */
set_mode:
	movb	%al, %bl
	andb	$0x7f, %bl
	cmpb	$2, %bl
	je	1f
	cmpb	$3, %bl
	je	1f
	movb	$0x10, %al
	call	report_unimplemented
	HANDLER_EXIT
1:	movb	%bl, %ds:BDA_VIDEO_MODE
	testb	$0x80, %al
	jnz	2f
	call	vga_clear
2:	HANDLER_EXIT

/*
 * vga_clear: blanks page 0 (spaces in light grey) and puts the cursor at
 * the top left.  Preserves all registers.
 */
	.globl	vga_clear
vga_clear:
	pushw	%es
	pushw	%di
	pushw	%cx
	pushw	%ax
	pushw	%dx
	pushw	$VGA_TEXT_SEG
	popw	%es
	xorw	%di, %di
	movw	$(VGA_ATTR << 8) | ' ', %ax
	movw	$80 * 25, %cx
	rep stosw
	xorw	%dx, %dx
	movw	%dx, %ds:BDA_CURSOR_POS
	call	vga_set_cursor
	popw	%dx
	popw	%ax
	popw	%cx
	popw	%di
	popw	%es
	ret
