/*
 * ivt.S - the interrupt vector table, its default handlers, and the small
 * services INT 11h, 12h and 13h.
 *
 * In real mode vector n is the far pointer at 0000:(4n) (IBM PC TR).  Every
 * one of the 256 vectors gets a handler: the services the firmware offers
 * (table below) or a default that says what happened instead of silently
 * returning, so a guest that calls something missing finds out at once:
 *   00h, 06h, 07h  divide error, invalid opcode, no FPU: these faults
 *                  return to the faulting instruction, so returning would
 *                  loop forever; print CS:IP and halt
 *   01h-05h        debug, NMI, breakpoint, overflow, print screen/BOUND:
 *                  print and return with the flags untouched
 *   08h-0Fh, 70h-77h  IRQ 0-15 (the 8259A bases set in POST) with no driver:
 *                  print, mask the line and send EOI (or, when the PIC has no
 *                  such interrupt in service, treat it as a software INT)
 *   all others     "firmware: unimplemented INT xx AX=yyyy", and CF=1,
 *                  AH=86h ("function not supported", RBIL) for the caller
 */
#include "bios.h"

	.code16
	.text

/*
 * The default stubs: 256 of them, 5 bytes each, so the one for vector n is
 * at default_stubs + 5n.  Each pushes its vector number (PUSH imm8,
 * 6Ah ib) and jumps (E9 rel16) to default_handler.
 */
#define STUB_SIZE 5
	.balign	16
default_stubs:
	.set	vec, 0
	.rept	256
	.byte	0x6a, vec
	.byte	0xe9
	.word	default_handler - (. + 2)
	.set	vec, vec + 1
	.endr

/* The services, as (vector, handler) pairs; the list ends with 0xffff. */
vector_table:
	.word	0x08, int08_handler	/* IRQ0: timer tick (time.S) */
	.word	0x09, int09_handler	/* IRQ1: keyboard (keyboard.S) */
	.word	0x10, int10_handler	/* video (int10.S) */
	.word	0x11, int11_handler	/* equipment list */
	.word	0x12, int12_handler	/* conventional memory size */
	.word	0x13, int13_handler	/* disks: there are none */
	.word	0x15, int15_handler	/* system services, memory map (int15.S) */
	.word	0x16, int16_handler	/* keyboard (keyboard.S) */
	.word	0x1a, int1a_handler	/* time of day, RTC (time.S) */
	.word	0x1c, iret_handler	/* user timer hook, called by IRQ0 */
	.word	0x4a, iret_handler	/* user RTC alarm hook */
	.word	0xffff

/*
 * Vectors that by convention hold pointers to data tables, not code (RBIL):
 * 1Dh video parameters, 1Eh diskette parameters, 1Fh graphics font,
 * 41h/46h hard disk parameters, 43h EGA font.  We have none of those
 * tables, so these are null pointers rather than handlers.
 */
data_vectors:
	.byte	0x1d, 0x1e, 0x1f, 0x41, 0x43, 0x46, 0

/* ivt_init: fills 0000:0000-03FF.  Needs DS = 0. */
	.globl	ivt_init
ivt_init:
	xorw	%bx, %bx
	movw	$default_stubs, %ax
	movw	$256, %cx
1:	movw	%ax, (%bx)
	movw	$BIOS_SEG, 2(%bx)
	addw	$4, %bx
	addw	$STUB_SIZE, %ax
	loop	1b

	movw	$vector_table, %si
2:	movw	%cs:(%si), %bx
	cmpw	$0xffff, %bx
	je	3f
	shlw	$2, %bx
	movw	%cs:2(%si), %ax
	movw	%ax, (%bx)
	movw	$BIOS_SEG, 2(%bx)
	addw	$4, %si
	jmp	2b

3:	movw	$data_vectors, %si
4:	movzbw	%cs:(%si), %bx
	testw	%bx, %bx
	jz	5f
	shlw	$2, %bx
	movl	$0, (%bx)
	incw	%si
	jmp	4b
5:	ret

iret_handler:
	iret

/*
 * report_unimplemented: prints "firmware: unimplemented INT xx AX=yyyy"
 * for vector AL with the caller's AX from the handler frame at BP.
 * Preserves all registers.
 */
	.globl	report_unimplemented
report_unimplemented:
	pushal
	movw	$msg_unimpl, %si
	call	puts
	movw	$2, %cx
	call	puthex
	movw	$msg_ax, %si
	call	puts
	movw	R_AX(%bp), %ax
	movw	$4, %cx
	call	puthex
	movb	$'\n', %al
	call	putc
	popal
	ret

/*
 * default_handler: reached from a stub with the vector number pushed above
 * the interrupt frame, so the saved IP, CS and FLAGS sit 2 bytes further
 * up than R_IP, R_CS and R_FLAGS.
 */
#define D_VEC	36
#define D_IP	38
#define D_CS	40
#define D_FLAGS	42
default_handler:
	HANDLER_ENTRY
	movb	D_VEC(%bp), %al
	cmpb	$0x08, %al
	jb	exception
	cmpb	$0x10, %al
	jb	irq
	cmpb	$0x70, %al
	jb	software
	cmpb	$0x78, %al
	jb	irq
software:
	call	report_unimplemented
	orb	$FLAG_CF, D_FLAGS(%bp)
	movb	$0x86, R_AH(%bp)
default_exit:
	popal
	popw	%es
	popw	%ds
	addw	$2, %sp			/* the vector number */
	iret

exception:
	cmpb	$0x00, %al
	je	fatal
	cmpb	$0x06, %al
	jae	fatal
	cmpb	$0x02, %al
	jne	software_noflags
	movw	$msg_nmi, %si
	call	puts
	jmp	default_exit
software_noflags:
	call	report_unimplemented
	jmp	default_exit

fatal:
	movw	$msg_exception, %si
	call	puts
	movw	$2, %cx
	call	puthex
	movw	$msg_at, %si
	call	puts
	movw	D_CS(%bp), %ax
	movw	$4, %cx
	call	puthex
	movb	$':', %al
	call	putc
	movw	D_IP(%bp), %ax
	call	puthex
	movw	$msg_halting, %si
	call	puts
	jmp	halt_forever

/*
 * An IRQ with no driver.  Ask the PIC that owns it for its in-service
 * register (OCW3 = 0Bh, then read the command port): if the line's bit is
 * set this is a real interrupt, which we acknowledge (slave first, then the
 * cascade on the master) and mask so it cannot come back; if not, it is
 * either a spurious IRQ 7/15 or a program's INT to this vector.
 */
irq:
	movb	%al, %bl
	andb	$7, %bl			/* line within its PIC */
	movb	$1, %bh
	movb	%bl, %cl
	shlb	%cl, %bh		/* BH = the line's bit */
	movw	$PIC1_CMD, %dx
	cmpb	$0x70, %al
	jb	1f
	movw	$PIC2_CMD, %dx
1:	movb	$0x0b, %al		/* OCW3: read ISR on the next read */
	outb	%al, %dx
	inb	%dx, %al
	testb	%bh, %al
	jnz	2f
	movb	D_VEC(%bp), %al
	jmp	software
2:	incw	%dx			/* the PIC's mask register */
	inb	%dx, %al
	orb	%bh, %al
	outb	%al, %dx
	decw	%dx
	movb	$PIC_EOI, %al
	outb	%al, %dx
	cmpw	$PIC2_CMD, %dx
	jne	3f
	outb	%al, $PIC1_CMD		/* the cascade input on the master */
3:	movw	$msg_irq, %si
	call	puts
	movb	D_VEC(%bp), %al
	cmpb	$0x70, %al
	jb	4f
	subb	$0x70 - 0x08, %al	/* slave vectors 70h-77h are IRQ 8-15 */
4:	subb	$0x08, %al
	movzbl	%al, %eax
	call	putdec
	movw	$msg_masked, %si
	call	puts
	jmp	default_exit

/* halt_forever: interrupts off, HLT in a loop (an NMI would wake us). */
	.globl	halt_forever
halt_forever:
	cli
	POST	POST_HALT
1:	hlt
	jmp	1b

/* ---- INT 11h, INT 12h ---------------------------------------------------- */

/* INT 11h: returns AX = the equipment word (BDA 0x410). */
int11_handler:
	pushw	%ds
	pushw	$0
	popw	%ds
	movw	%ds:BDA_EQUIPMENT, %ax
	popw	%ds
	iret

/* INT 12h: returns AX = KiB of conventional memory below the EBDA. */
int12_handler:
	pushw	%ds
	pushw	$0
	popw	%ds
	movw	%ds:BDA_BASE_KB, %ax
	popw	%ds
	iret

/* ---- INT 13h: disk services, with no disks ---------------------------- */

/*
 * The machine has no disk controller, so every drive is absent.  For the
 * functions a loader uses (RBIL INT 13h): 00h reset, 02h read, 03h write,
 * 04h verify, 08h parameters, 0Ch seek, 10h ready test, 15h type, 42h-44h
 * and 47h-48h extended access, the answer is CF=1 AH=80h ("timeout, drive
 * not ready").  41h (are extensions installed?) answers CF=1 AH=01h, the
 * usual "no".  01h returns the status of the last call (CF=1 if it failed).
 * Any other function is reported unimplemented, CF=1 AH=01h ("invalid
 * function").  The status is kept in the BDA at 0x474.
 */
int13_handler:
	HANDLER_ENTRY
	cmpb	$0x01, %ah
	je	disk_status
	movw	$disk_functions, %si
1:	movb	%cs:(%si), %al
	incw	%si
	cmpb	$0xff, %al
	je	2f
	cmpb	%al, %ah
	jne	1b
	movb	$0x80, %al
	jmp	disk_fail
2:	movb	$0x01, %al
	cmpb	$0x41, %ah
	je	disk_fail
	movb	$0x13, %al
	call	report_unimplemented
	movb	$0x01, %al
disk_fail:
	movb	%al, R_AH(%bp)
	movb	%al, %ds:BDA_DISK_STATUS
	SET_CF
	HANDLER_EXIT
disk_status:
	movb	%ds:BDA_DISK_STATUS, %al
	movb	%al, R_AH(%bp)
	CLEAR_CF
	testb	%al, %al
	jz	3f
	SET_CF
3:	HANDLER_EXIT

disk_functions:
	.byte	0x00, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x10, 0x15
	.byte	0x42, 0x43, 0x44, 0x47, 0x48, 0xff

msg_unimpl:	.asciz	"firmware: unimplemented INT "
msg_ax:		.asciz	" AX="
msg_nmi:	.asciz	"firmware: NMI\n"
msg_exception:	.asciz	"firmware: CPU exception "
msg_at:		.asciz	" at "
msg_halting:	.asciz	", halting\n"
msg_irq:	.asciz	"firmware: unexpected IRQ "
msg_masked:	.asciz	", masked\n"
