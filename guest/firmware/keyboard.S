/*
 * keyboard.S - the i8042 keyboard controller, IRQ1 (INT 09h) and INT 16h.
 *
 * The PC way (IBM PC/AT TR, "Keyboard"): each key press or release makes
 * the controller raise IRQ1 with a scan code in port 60h; INT 09h turns
 * make codes into (scan code, ASCII) words in a 16-entry ring in the BDA
 * (0x41E-0x43D, head/tail offsets at 0x41A/0x41C, relative to 0x400), and
 * INT 16h hands them to programs.  Scan codes are set 1: the controller
 * translates the keyboard's set 2 when command byte bit 6 is set.
 *
 * Not done: E0-prefixed keys are read as their set-1 twins (the grey
 * arrows arrive as the keypad ones), no Num/Scroll Lock, no LEDs, no
 * typematic rate, no Alt+keypad codes, no Ctrl+Alt+Del.
 */
#include "bios.h"

/* BDA 0x417 shift flag bits */
#define KF_RSHIFT	0x01
#define KF_LSHIFT	0x02
#define KF_CTRL		0x04
#define KF_ALT		0x08
#define KF_CAPS		0x40

#define KBD_BUF_START	(BDA_KBD_BUF - 0x400)		/* 1Eh */
#define KBD_BUF_END	(BDA_KBD_BUF - 0x400 + 32)	/* 3Eh */

	.code16
	.text

/* kbd_wait_input: waits (bounded) until the controller can take a byte. */
kbd_wait_input:
	pushw	%cx
	pushw	%ax
	movw	$0xffff, %cx
1:	inb	$KBD_STATUS, %al
	testb	$0x02, %al		/* input buffer full */
	loopnz	1b
	popw	%ax
	popw	%cx
	ret

/*
 * kbd_init: empty the controller's output buffer, then write its command
 * byte (command 60h): 65h = translate to set 1 (bit 6), mouse clock off
 * (bit 5), system flag (bit 2, "POST passed"), keyboard interrupt on
 * (bit 0).  The keyboard itself scans from power-on, so it needs no
 * command of its own.  Then the BDA ring starts empty.  Needs DS = 0.
 */
	.globl	kbd_init
kbd_init:
	movw	$16, %cx
1:	inb	$KBD_STATUS, %al
	testb	$0x01, %al		/* output buffer full */
	jz	2f
	inb	$KBD_DATA, %al
	loop	1b
2:	call	kbd_wait_input
	movb	$0x60, %al
	outb	%al, $KBD_STATUS
	call	kbd_wait_input
	movb	$0x65, %al
	outb	%al, $KBD_DATA

	movw	$KBD_BUF_START, %ax
	movw	%ax, %ds:BDA_KBD_HEAD
	movw	%ax, %ds:BDA_KBD_TAIL
	movw	%ax, %ds:BDA_KBD_START
	movw	$KBD_BUF_END, %ds:BDA_KBD_END
	movw	$0, %ds:BDA_KBD_FLAGS
	ret

/*
 * INT 09h, IRQ1: one scan code.  Shift, Ctrl and Alt update the BDA flags
 * on make and break; Caps Lock toggles on make; other releases (bit 7 set)
 * are ignored.  A make code becomes scan << 8 | ASCII: the ASCII from the
 * tables below (shifted or not; Caps Lock flips letters), Ctrl+letter
 * gives 01h-1Ah, Alt+key gives ASCII 0.  A full ring drops the key.
 */
	.globl	int09_handler
int09_handler:
	pushw	%ds
	pushal
	pushw	$0
	popw	%ds
	inb	$KBD_DATA, %al
	cmpb	$0xe0, %al		/* extended-key prefix: see above */
	je	kbd_eoi
	movb	%al, %ah
	andb	$0x7f, %ah		/* AH = scan code, AL bit 7 = release */
	movb	$KF_LSHIFT, %bl
	cmpb	$0x2a, %ah
	je	modifier
	movb	$KF_RSHIFT, %bl
	cmpb	$0x36, %ah
	je	modifier
	movb	$KF_CTRL, %bl
	cmpb	$0x1d, %ah
	je	modifier
	movb	$KF_ALT, %bl
	cmpb	$0x38, %ah
	je	modifier
	testb	$0x80, %al
	jnz	kbd_eoi			/* a release */
	cmpb	$0x3a, %ah
	jne	1f
	xorb	$KF_CAPS, %ds:BDA_KBD_FLAGS
	jmp	kbd_eoi

1:	/* AL = ASCII for scan code AH */
	xorb	%al, %al
	cmpb	$scan_lower_end - scan_lower, %ah
	jae	have_ascii		/* F-keys, keypad: scan code only */
	movzbw	%ah, %si
	movb	%ds:BDA_KBD_FLAGS, %bl
	testb	$KF_LSHIFT | KF_RSHIFT, %bl
	jz	2f
	movb	%cs:scan_upper(%si), %al
	jmp	3f
2:	movb	%cs:scan_lower(%si), %al
3:	/* Caps Lock: flip the case of letters only */
	movb	%al, %cl
	orb	$0x20, %cl
	cmpb	$'a', %cl
	jb	4f
	cmpb	$'z', %cl
	ja	4f
	testb	$KF_CAPS, %bl
	jz	5f
	xorb	$0x20, %al
5:	testb	$KF_CTRL, %bl
	jz	4f
	andb	$0x1f, %al		/* Ctrl+A = 01h ... Ctrl+Z = 1Ah */
4:	testb	$KF_ALT, %bl
	jz	have_ascii
	xorb	%al, %al

have_ascii:
	/* append AX at the tail unless the ring is full */
	movw	%ds:BDA_KBD_TAIL, %si
	leaw	2(%si), %di
	cmpw	%ds:BDA_KBD_END, %di
	jb	6f
	movw	%ds:BDA_KBD_START, %di
6:	cmpw	%ds:BDA_KBD_HEAD, %di
	je	kbd_eoi
	movw	%ax, 0x400(%si)
	movw	%di, %ds:BDA_KBD_TAIL
	jmp	kbd_eoi

modifier:				/* BL = the flag for this key */
	testb	$0x80, %al
	jnz	7f
	orb	%bl, %ds:BDA_KBD_FLAGS
	jmp	kbd_eoi
7:	notb	%bl
	andb	%bl, %ds:BDA_KBD_FLAGS

kbd_eoi:
	movb	$PIC_EOI, %al
	outb	%al, $PIC1_CMD
	popal
	popw	%ds
	iret

/*
 * INT 16h, keyboard services:
 *   AH=00h/10h  wait for a key and remove it: AH = scan code, AL = ASCII
 *   AH=01h/11h  is there a key?  ZF=1 if none; else ZF=0 and AX = the
 *               key, which stays in the buffer
 *   AH=02h      AL = shift flags (BDA 0x417)
 *   AH=12h      AL = shift flags, AH = BDA 0x418
 * Anything else: unimplemented, CF=1 AH=86h.
 */
	.globl	int16_handler
int16_handler:
	HANDLER_ENTRY
	movb	%ah, %al
	andb	$0xef, %al		/* 10h-12h: the "enhanced" twins */
	cmpb	$0x00, %al
	je	read_key
	cmpb	$0x01, %al
	je	peek_key
	cmpb	$0x02, %al
	je	shift_flags
	movb	$0x16, %al
	call	report_unimplemented
	movb	$0x86, R_AH(%bp)
	SET_CF
	HANDLER_EXIT

/*
 * Waiting: STI;HLT sleeps until the next interrupt, and because STI only
 * takes effect after the following instruction, a key arriving between
 * the empty check and HLT still wakes us.  INT cleared IF on entry, so the
 * check itself cannot race with INT 09h.
 */
read_key:
	movw	%ds:BDA_KBD_HEAD, %si
	cmpw	%ds:BDA_KBD_TAIL, %si
	jne	1f
	sti
	hlt
	cli
	jmp	read_key
1:	movw	0x400(%si), %ax
	movw	%ax, R_AX(%bp)
	addw	$2, %si
	cmpw	%ds:BDA_KBD_END, %si
	jb	2f
	movw	%ds:BDA_KBD_START, %si
2:	movw	%si, %ds:BDA_KBD_HEAD
	HANDLER_EXIT

peek_key:
	movw	%ds:BDA_KBD_HEAD, %si
	cmpw	%ds:BDA_KBD_TAIL, %si
	jne	3f
	orb	$FLAG_ZF, R_FLAGS(%bp)
	HANDLER_EXIT
3:	movw	0x400(%si), %ax
	movw	%ax, R_AX(%bp)
	andb	$~FLAG_ZF, R_FLAGS(%bp)
	HANDLER_EXIT

shift_flags:
	movw	%ds:BDA_KBD_FLAGS, %ax	/* AL = 0x417, AH = 0x418 */
	cmpb	$0x12, R_AH(%bp)
	jne	4f
	movb	%ah, R_AH(%bp)
4:	movb	%al, R_AL(%bp)
	HANDLER_EXIT

/*
 * Scan code set 1, make codes 00h-39h, to ASCII (IBM PC/AT TR, keyboard
 * scan codes; US layout).  0 = no ASCII (Ctrl, Shift, Alt).
 */
scan_lower:
	.byte	0, 033
	.ascii	"1234567890-="
	.byte	010, 011
	.ascii	"qwertyuiop[]"
	.byte	015, 0
	.ascii	"asdfghjkl;'`"
	.byte	0
	.ascii	"\\zxcvbnm,./"
	.byte	0, '*', 0, ' '
scan_lower_end:
scan_upper:
	.byte	0, 033
	.ascii	"!@#$%^&*()_+"
	.byte	010, 011
	.ascii	"QWERTYUIOP{}"
	.byte	015, 0
	.ascii	"ASDFGHJKL:\"~"
	.byte	0
	.ascii	"|ZXCVBNM<>?"
	.byte	0, '*', 0, ' '
