/*
 * time.S - the timer tick (PIT channel 0 on IRQ0, INT 08h) and the time
 * services of INT 1Ah (RBIL INT 1A), which read the MC146818 CMOS clock.
 *
 * The tick is the PC's 18.2 Hz: the 8254 input clock of 1.193182 MHz
 * divided by 65536 (Intel 8254 datasheet; IBM PC TR, "System Timer").
 */
#include "bios.h"

	.code16
	.text

/*
 * pit_init: counter 0, mode 3 (square wave), binary, reload value 0
 * (= 65536).  Control word 36h = counter 0 | LSB then MSB | mode 3.
 */
	.globl	pit_init
pit_init:
	movb	$0x36, %al
	outb	%al, $PIT_MODE
	xorb	%al, %al
	outb	%al, $PIT_CH0		/* reload value, low byte */
	outb	%al, $PIT_CH0		/* high byte */
	ret

/*
 * INT 08h, IRQ0: counts ticks since midnight in the BDA (dword 0x46C),
 * wrapping after 24 hours with the midnight flag (0x470) set, then calls
 * the user hook INT 1Ch.  As the IBM AT BIOS, the hook runs before EOI,
 * so a slow hook cannot be re-entered by the next tick.
 */
	.globl	int08_handler
int08_handler:
	pushw	%ds
	pushw	%ax
	pushw	$0
	popw	%ds
	incl	%ds:BDA_TICKS
	cmpl	$TICKS_PER_DAY, %ds:BDA_TICKS
	jb	1f
	movl	$0, %ds:BDA_TICKS
	movb	$1, %ds:BDA_MIDNIGHT
1:	int	$0x1c
	movb	$PIC_EOI, %al
	outb	%al, $PIC1_CMD
	popw	%ax
	popw	%ds
	iret

/*
 * INT 1Ah, time of day:
 *   AH=00h  read ticks: CX:DX = ticks since midnight, AL = midnight flag
 *           (nonzero if the count wrapped since the last read; cleared)
 *   AH=01h  set ticks: CX:DX = ticks since midnight; clears the flag
 *   AH=02h  read RTC time: CH = hours, CL = minutes, DH = seconds (BCD),
 *           DL = 1 if daylight saving is on; CF=0, or CF=1 if the clock
 *           never leaves its update cycle
 *   AH=04h  read RTC date: CH = century, CL = year, DH = month, DL = day
 *           (BCD); CF as for 02h
 * Anything else: unimplemented, CF=1 AH=86h.
 * The RTC is assumed in 24-hour mode (status B bit 1, its power-on setting
 * on QEMU and Bootscope); a clock in binary mode is converted to BCD.
 */
	.globl	int1a_handler
int1a_handler:
	HANDLER_ENTRY
	cmpb	$0x00, %ah
	je	get_ticks
	cmpb	$0x01, %ah
	je	set_ticks
	cmpb	$0x02, %ah
	je	get_time
	cmpb	$0x04, %ah
	je	get_date
	movb	$0x1a, %al
	call	report_unimplemented
	movb	$0x86, R_AH(%bp)
	SET_CF
	HANDLER_EXIT

/* INT cleared IF, so the tick handler cannot split these accesses. */
get_ticks:
	movl	%ds:BDA_TICKS, %eax
	movb	%ds:BDA_MIDNIGHT, %bl
	movb	$0, %ds:BDA_MIDNIGHT
	movw	%ax, R_DX(%bp)
	shrl	$16, %eax
	movw	%ax, R_CX(%bp)
	movb	%bl, R_AL(%bp)
	CLEAR_CF
	HANDLER_EXIT

set_ticks:
	movw	%cx, %ax
	shll	$16, %eax
	movw	%dx, %ax
	movl	%eax, %ds:BDA_TICKS
	movb	$0, %ds:BDA_MIDNIGHT
	movb	$0, R_AH(%bp)
	CLEAR_CF
	HANDLER_EXIT

get_time:
	call	rtc_wait
	jc	rtc_dead
	movb	$0x04, %al		/* hours */
	call	rtc_read_bcd
	movb	%al, R_CH(%bp)
	movb	$0x02, %al		/* minutes */
	call	rtc_read_bcd
	movb	%al, R_CL(%bp)
	movb	$0x00, %al		/* seconds */
	call	rtc_read_bcd
	movb	%al, R_DH(%bp)
	movb	$0x0b, %al		/* status B, bit 0: daylight saving */
	call	cmos_read
	andb	$1, %al
	movb	%al, R_DL(%bp)
	movb	$0, R_AH(%bp)
	CLEAR_CF
	HANDLER_EXIT

get_date:
	call	rtc_wait
	jc	rtc_dead
	movb	$0x32, %al		/* century (IBM AT CMOS layout) */
	call	rtc_read_bcd
	movb	%al, R_CH(%bp)
	movb	$0x09, %al		/* year */
	call	rtc_read_bcd
	movb	%al, R_CL(%bp)
	movb	$0x08, %al		/* month */
	call	rtc_read_bcd
	movb	%al, R_DH(%bp)
	movb	$0x07, %al		/* day of month */
	call	rtc_read_bcd
	movb	%al, R_DL(%bp)
	movb	$0, R_AH(%bp)
	CLEAR_CF
	HANDLER_EXIT

rtc_dead:
	SET_CF
	HANDLER_EXIT

/*
 * rtc_wait: waits until the RTC is not about to update (status A bit 7,
 * UIP, clear: the time registers are then stable for at least 244 us,
 * MC146818 datasheet).  CF=1 if it never clears.  Clobbers AX, CX.
 */
rtc_wait:
	movw	$0xffff, %cx
1:	movb	$0x0a, %al
	call	cmos_read
	testb	$0x80, %al
	jz	2f
	loop	1b
	stc
	ret
2:	clc
	ret

/* cmos_read: AL = CMOS register AL.  NMI stays enabled (index bit 7 clear). */
	.globl	cmos_read
cmos_read:
	outb	%al, $CMOS_INDEX
	inb	$CMOS_DATA, %al
	ret

/* rtc_read_bcd: AL = RTC register AL in BCD, whatever the clock's mode. */
rtc_read_bcd:
	pushw	%bx
	movb	%al, %bl
	movb	$0x0b, %al
	call	cmos_read
	xchgb	%al, %bl		/* BL = status B */
	call	cmos_read
	testb	$0x04, %bl		/* DM: binary mode */
	jz	1f
	pushw	%cx
	xorb	%ah, %ah
	movb	$10, %ch
	divb	%ch			/* AL = tens, AH = units */
	shlb	$4, %al
	orb	%ah, %al
	popw	%cx
1:	popw	%bx
	ret
