/*
 * post.S - from the reset vector to the boot: the power-on self test.
 *
 * A PC's CPU starts in real mode at F000:FFF0 (CS base FFFF0000h, Intel SDM
 * Vol. 3A 9.1.4), 16 bytes below 4 GiB, where reset.S jumps here.  POST
 * then reads like a table of contents: one stage per line, each announced
 * on port 80h (codes in bios.h), each needing the ones before it.
 */
#include "bios.h"

	.code16
	.text

	.globl	post
post:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$STACK_TOP, %esp	/* all 32 bits: nothing may see a stale top half */
	POST	POST_RESET

	POST	POST_A20		/* memory above 1 MiB must not wrap */
	movb	$1, %al
	call	a20_set
	POST	POST_IVT		/* every vector has a handler before anything can fire */
	call	ivt_init
	POST	POST_BDA		/* the data those handlers keep */
	call	bda_init
	POST	POST_PIC		/* IRQ 0-15 to vectors 08h-0Fh and 70h-77h */
	call	pic_init
	POST	POST_APIC		/* ... and the PIC's INTR through to the CPU */
	call	lapic_virtual_wire
	POST	POST_PIT		/* 18.2 Hz tick on IRQ0 */
	call	pit_init
	POST	POST_SERIAL		/* from here on we can talk */
	call	serial_init
	POST	POST_VGA
	call	vga_init
	POST	POST_KBD
	call	kbd_init
	POST	POST_ACPI		/* so the kernel can power the machine off */
	call	acpi_pm_init
	sti				/* ticks and keys may come now */
	POST	POST_E820		/* reads fw_cfg or the CMOS */
	call	e820_init
	POST	POST_BANNER
	call	banner
	jmp	boot_linux		/* boot.S; does not return */

/*
 * bda_init: clears the BDA and the EBDA, then fills in what does not belong
 * to one device: where the EBDA is, how much conventional memory lies below
 * it, and the equipment word (IBM PC TR, INT 11h): bit 1 = maths
 * coprocessor, bits 4-5 = 10b initial video 80x25 colour, no floppies
 * (bit 0 clear); serial_init adds the serial port count (bits 9-11).
 */
bda_init:
	movw	$0x400, %di
	movw	$0x100 / 2, %cx
	xorw	%ax, %ax
	rep stosw
	pushw	%es
	pushw	$EBDA_SEG
	popw	%es
	xorw	%di, %di
	movw	$0x400 / 2, %cx
	rep stosw
	movb	$1, %es:0		/* EBDA byte 0: its size in KiB */
	popw	%es
	movw	$EBDA_SEG, %ds:BDA_EBDA_SEG
	movw	$BASE_MEM_KB, %ds:BDA_BASE_KB
	movw	$0x0022, %ds:BDA_EQUIPMENT
	ret

/*
 * pic_init: the 8259A pair as a PC BIOS leaves it (Intel 8259A datasheet,
 * initialization command words):
 *   ICW1 11h  edge triggered, cascade mode, ICW4 follows
 *   ICW2      vector base: master 08h (IRQ 0-7 -> INT 08h-0Fh), slave 70h
 *   ICW3      master: a slave on input 2 (04h); slave: its cascade id 2
 *   ICW4 01h  8086 mode, normal EOI
 * Then the masks (OCW1): only the timer (IRQ0), the keyboard (IRQ1) and
 * the cascade (IRQ2) are open; nothing else has a driver here.
 */
pic_init:
	movb	$0x11, %al
	outb	%al, $PIC1_CMD
	outb	%al, $PIC2_CMD
	movb	$0x08, %al
	outb	%al, $PIC1_DATA
	movb	$0x70, %al
	outb	%al, $PIC2_DATA
	movb	$0x04, %al
	outb	%al, $PIC1_DATA
	movb	$0x02, %al
	outb	%al, $PIC2_DATA
	movb	$0x01, %al
	outb	%al, $PIC1_DATA
	outb	%al, $PIC2_DATA
	movb	$0xf8, %al
	outb	%al, $PIC1_DATA
	movb	$0xff, %al
	outb	%al, $PIC2_DATA
	ret

/*
 * serial_init: COM1 at 3F8h, 115200 baud 8N1 (16550A datasheet):
 * divisor 1 through the DLAB (LCR bit 7), LCR 03h = 8 data bits, no
 * parity, 1 stop bit, FIFOs on and cleared, DTR and RTS up, no interrupts
 * (we poll).  The port is probed first through its scratch register; if
 * there is none, BDA word 0x400 stays 0 and output goes to the screen only.
 */
serial_init:
	movw	$COM1_BASE + 7, %dx	/* scratch register */
	movb	$0x5a, %al
	outb	%al, %dx
	inb	%dx, %al
	cmpb	$0x5a, %al
	jne	1f
	movw	$COM1_BASE + 1, %dx
	xorb	%al, %al
	outb	%al, %dx		/* IER: no interrupts */
	movw	$COM1_BASE + 3, %dx
	movb	$0x80, %al
	outb	%al, %dx		/* LCR: DLAB on */
	movw	$COM1_BASE + 0, %dx
	movb	$0x01, %al
	outb	%al, %dx		/* divisor low: 115200 / 1 */
	incw	%dx
	xorb	%al, %al
	outb	%al, %dx		/* divisor high */
	movw	$COM1_BASE + 3, %dx
	movb	$0x03, %al
	outb	%al, %dx		/* LCR: 8N1, DLAB off */
	movw	$COM1_BASE + 2, %dx
	movb	$0x07, %al
	outb	%al, %dx		/* FCR: enable and clear both FIFOs */
	movw	$COM1_BASE + 4, %dx
	movb	$0x03, %al
	outb	%al, %dx		/* MCR: DTR, RTS */
	movw	$COM1_BASE, %ds:BDA_COM1
	orw	$1 << 9, %ds:BDA_EQUIPMENT	/* one serial port */
1:	ret

/*
 * lapic_virtual_wire: with a local APIC in the CPU, the 8259A's INTR
 * reaches the core only through the APIC's LINT0 pin, and after reset
 * every LVT entry is masked (Intel SDM Vol. 3A 10.4.7.1).  A PC BIOS sets
 * up "virtual wire mode" (Intel MP Spec 1.4, 3.6.2.2): APIC software-
 * enabled (SVR bit 8), LINT0 = ExtINT (the PIC supplies the vector), LINT1
 * = NMI.  QEMU 7.2 leaves LINT0 masked, so without this no IRQ reaches the
 * firmware's handlers (Bootscope, like newer QEMU, presets LINT0).  The
 * version register (offset 30h) reads 1xh on an integrated APIC (SDM
 * 10.4.8); anything else means no APIC at FEE00000h, and INTR goes to the
 * CPU directly.  The registers are above 1 MiB: see flat.S.
 */
#define LAPIC_BASE	0xfee00000
#define LAPIC_VERSION	0x030
#define LAPIC_SVR	0x0f0
#define LAPIC_LINT0	0x350
#define LAPIC_LINT1	0x360
lapic_virtual_wire:
	pushw	%es
	call	pm_enter
	movl	$LAPIC_BASE + LAPIC_VERSION, %edi
	movl	%es:(%edi), %eax	/* only aligned 32-bit accesses (SDM 10.4.1) */
	andb	$0xf0, %al
	cmpb	$0x10, %al
	jne	1f
	movl	$LAPIC_BASE + LAPIC_SVR, %edi
	movl	%es:(%edi), %eax
	orw	$0x100, %ax		/* APIC software enable */
	movl	%eax, %es:(%edi)
	movl	$LAPIC_BASE + LAPIC_LINT0, %edi
	movl	$0x700, %es:(%edi)	/* delivery mode 111b: ExtINT, unmasked */
	movl	$LAPIC_BASE + LAPIC_LINT1, %edi
	movl	$0x400, %es:(%edi)	/* delivery mode 100b: NMI, unmasked */
1:	call	pm_leave
	popw	%es
	ret

/*
 * acpi_pm_init: QEMU's pc machine (i440FX + PIIX4) answers the ACPI
 * power-management registers, among them PM1a_CNT at 604h (writing
 * SLP_EN = 2000h there powers off), only once firmware has placed and
 * enabled them in the PIIX4 power-management function, PCI 00:01.3
 * (Intel 82371AB datasheet, PCI function 3): PMBA (config 40h) = 600h
 * and PMREGMISC (config 80h) bit 0 = I/O space on.  SeaBIOS does the same.
 * PCI configuration mechanism #1: the dword at CF8h selects
 * 80000000h | bus << 16 | device << 11 | function << 8 | register, and
 * CFCh-CFFh is the data.  Any other chipset (Bootscope has no PCI bus; its
 * ACPI PM block is always at 600h) is left alone.
 */
#define PCI_PIIX4_PM	0x80000b00	/* bus 0, device 1, function 3 */
acpi_pm_init:
	movw	$0xcf8, %dx
	movl	$PCI_PIIX4_PM + 0x00, %eax	/* vendor and device id */
	outl	%eax, %dx
	movb	$0xfc, %dl
	inl	%dx, %eax
	cmpl	$0x71138086, %eax	/* Intel 82371AB/EB PIIX4 ACPI */
	jne	1f
	movb	$0xf8, %dl
	movl	$PCI_PIIX4_PM + 0x40, %eax	/* PMBA */
	outl	%eax, %dx
	movb	$0xfc, %dl
	movl	$0x601, %eax		/* base 600h; bit 0 reads as 1 (I/O space) */
	outl	%eax, %dx
	movb	$0xf8, %dl
	movl	$PCI_PIIX4_PM + 0x80, %eax	/* PMREGMISC */
	outl	%eax, %dx
	movb	$0xfc, %dl
	movb	$0x01, %al		/* PMIOSE: PM I/O space enable */
	outb	%al, %dx
1:	ret

/*
 * vga_init: the BDA's picture of the text mode the card powers up in
 * (mode 3: 80x25, 16-line characters, 4 KiB pages, CRTC at 3D4h), a
 * cursor on scan lines 13-14 (CRTC registers 0Ah/0Bh), a blank screen.
 * The card itself is not programmed: on Bootscope it starts in mode 3;
 * on QEMU its own option ROM would have to run first (see README).
 */
vga_init:
	movb	$3, %ds:BDA_VIDEO_MODE
	movw	$80, %ds:BDA_COLUMNS
	movw	$0x1000, %ds:BDA_PAGE_SIZE
	movw	$0, %ds:BDA_PAGE_START
	movw	$0x0d0e, %ds:BDA_CURSOR_TYPE
	movb	$0, %ds:BDA_ACTIVE_PAGE
	movw	$CRTC_INDEX, %ds:BDA_CRTC_BASE
	movb	$24, %ds:BDA_ROWS
	movw	$16, %ds:BDA_CHAR_HEIGHT
	movw	$CRTC_INDEX, %dx
	movw	$0x0d0a, %ax		/* cursor start line 13 */
	outw	%ax, %dx
	movw	$0x0e0b, %ax		/* cursor end line 14 */
	outw	%ax, %dx
	jmp	vga_clear

/*
 * banner: "Bootscope firmware 0.1: 128 MiB RAM (E820 from fw_cfg)".
 * AL from e820_init says where the RAM came from.  The MiB are the usable
 * E820 ranges rounded to the nearest MiB, so the 385 KiB of holes below
 * 1 MiB do not make a 128 MiB machine look like 127.
 */
banner:
	pushw	%ax
	movw	$msg_banner, %si
	call	puts
	pushw	%es
	pushw	$EBDA_SEG
	popw	%es
	movw	%es:EBDA_E820_COUNT, %cx
	movw	$EBDA_E820, %si
	xorl	%eax, %eax		/* KiB of RAM */
1:	jcxz	3f
	cmpl	$1, %es:16(%si)
	jne	2f
	movl	%es:8(%si), %edx	/* length: low dword >> 10 ... */
	shrl	$10, %edx
	addl	%edx, %eax
	movl	%es:12(%si), %edx	/* ... high dword << 22 */
	shll	$22, %edx
	addl	%edx, %eax
2:	addw	$20, %si
	decw	%cx
	jmp	1b
3:	popw	%es
	addl	$512, %eax
	shrl	$10, %eax
	call	putdec
	popw	%ax
	movw	$msg_from_fw_cfg, %si
	testb	%al, %al
	jnz	4f
	movw	$msg_from_cmos, %si
4:	call	puts
	ret

msg_banner:
	.asciz	"Bootscope firmware 0.1: "
msg_from_fw_cfg:
	.asciz	" MiB RAM (E820 from fw_cfg)\n"
msg_from_cmos:
	.asciz	" MiB RAM (E820 from CMOS)\n"
