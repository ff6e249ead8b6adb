/*
 * bios.h - constants shared by the firmware's assembly files.
 *
 * The firmware is 64 KiB of 16-bit code that runs with CS = F000h (the
 * last 64 KiB of the image appear at 0xF0000-0xFFFFF, see firmware.ld).
 * The ROM cannot be written, so everything the firmware remembers lives in
 * RAM at the fixed places below.
 *
 * Register conventions inside the firmware
 *   - Internal routines are near-called (`call`) within segment F000h.
 *   - DS = 0 unless a routine says otherwise: the BIOS data area is then
 *     addressed by its absolute offsets (0x400 + n).
 *   - Strings and tables are in the ROM and read through %cs.
 *   - An interrupt handler saves the caller's registers in a frame (see
 *     HANDLER_ENTRY) and answers by writing into that frame, so every
 *     register the caller does not get back is preserved in all 32 bits.
 *
 * Low memory used by the firmware (physical):
 *   0x00000-0x003FF  interrupt vector table, 256 far pointers (IBM PC TR)
 *   0x00400-0x004FF  BIOS data area (BDA), layout below
 *   0x07000          top of the firmware's own stack during POST and boot
 *   0x9FC00-0x9FFFF  extended BIOS data area (EBDA, 1 KiB): our E820 table
 *   0xB8000          VGA text buffer, 80x25 cells of (character, attribute)
 */
#ifndef BIOS_H
#define BIOS_H

#define BIOS_SEG	0xf000
#define STACK_TOP	0x7000

/* ---- BIOS data area (IBM PC/AT Technical Reference; RBIL MEMORY.LST) ---- */
#define BDA_COM1	0x400	/* word: I/O base of COM1..COM4 at 0x400..0x406 */
#define BDA_EBDA_SEG	0x40e	/* word: segment of the EBDA */
#define BDA_EQUIPMENT	0x410	/* word: what INT 11h returns */
#define BDA_BASE_KB	0x413	/* word: KiB of conventional memory (INT 12h) */
#define BDA_KBD_FLAGS	0x417	/* byte: shift/ctrl/alt/lock state (INT 16h AH=02h) */
#define BDA_KBD_FLAGS2	0x418	/* byte: which shift keys are held */
#define BDA_KBD_HEAD	0x41a	/* word: offset (from 0x400) of the next key to read */
#define BDA_KBD_TAIL	0x41c	/* word: offset of the next free slot */
#define BDA_KBD_BUF	0x41e	/* 16 words: the type-ahead buffer */
#define BDA_VIDEO_MODE	0x449	/* byte: current video mode (3) */
#define BDA_COLUMNS	0x44a	/* word: text columns (80) */
#define BDA_PAGE_SIZE	0x44c	/* word: bytes per page (4096) */
#define BDA_PAGE_START	0x44e	/* word: offset of the active page */
#define BDA_CURSOR_POS	0x450	/* 8 words: per page, low byte column, high byte row */
#define BDA_CURSOR_TYPE	0x460	/* word: start line (high), end line (low) */
#define BDA_ACTIVE_PAGE	0x462	/* byte */
#define BDA_CRTC_BASE	0x463	/* word: 0x3d4 on a colour adapter */
#define BDA_TICKS	0x46c	/* dword: timer ticks since midnight */
#define BDA_MIDNIGHT	0x470	/* byte: nonzero once the tick count wrapped */
#define BDA_DISK_STATUS	0x474	/* byte: status of the last INT 13h call */
#define BDA_KBD_START	0x480	/* word: buffer start offset (0x1e) */
#define BDA_KBD_END	0x482	/* word: buffer end offset (0x3e) */
#define BDA_ROWS	0x484	/* byte: text rows minus one (24) */
#define BDA_CHAR_HEIGHT	0x485	/* word: scan lines per character (16) */

/* 1,573,040 ticks = 24 h at 1193182/65536 Hz: where the count wraps. */
#define TICKS_PER_DAY	0x1800b0

/* ---- EBDA: the last KiB of conventional memory ------------------------ */
#define EBDA_SEG	0x9fc0
#define EBDA_BASE	0x9fc00
#define BASE_MEM_KB	639
#define EBDA_E820_COUNT	0x10	/* word: entries in the table */
#define EBDA_E820	0x20	/* E820_MAX entries of 20 bytes */
#define E820_MAX	32
#define EBDA_SCRATCH	0x300	/* 64 bytes: one fw_cfg directory entry, one e820 record */

/* ---- I/O ports ---------------------------------------------------------- */
#define PIC1_CMD	0x20	/* 8259A master: command (ICW1, OCW2/3) */
#define PIC1_DATA	0x21	/*               data (ICW2-4, OCW1 = mask) */
#define PIC2_CMD	0xa0	/* 8259A slave */
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20	/* OCW2: non-specific end of interrupt */
#define PIT_CH0		0x40	/* 8254 counter 0 (IRQ0) */
#define PIT_MODE	0x43	/* 8254 mode/command register */
#define KBD_DATA	0x60	/* i8042 data port */
#define KBD_STATUS	0x64	/* i8042 status (read) / command (write) */
#define CMOS_INDEX	0x70	/* MC146818 index; bit 7 = NMI disable */
#define CMOS_DATA	0x71
#define POST_PORT	0x80	/* POST code display */
#define PORT_A		0x92	/* system control port A: bit 1 = A20, bit 0 = reset */
#define COM1_BASE	0x3f8	/* 16550A UART */
#define CRTC_INDEX	0x3d4	/* VGA CRT controller, colour addressing */
#define CRTC_DATA	0x3d5
#define FW_CFG_SEL	0x510	/* QEMU fw_cfg: 16-bit item selector */
#define FW_CFG_DATA	0x511	/*              8-bit data, auto-incrementing */

#define VGA_TEXT_SEG	0xb800
#define VGA_ATTR	0x07	/* light grey on black */

/* ---- fw_cfg keys (QEMU docs/specs/fw_cfg.rst; devices/fw_cfg.h) -------- */
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_KERNEL_ADDR	0x07
#define FW_CFG_KERNEL_SIZE	0x08
#define FW_CFG_INITRD_ADDR	0x0a
#define FW_CFG_INITRD_SIZE	0x0b
#define FW_CFG_KERNEL_DATA	0x11
#define FW_CFG_INITRD_DATA	0x12
#define FW_CFG_CMDLINE_ADDR	0x13
#define FW_CFG_CMDLINE_SIZE	0x14
#define FW_CFG_CMDLINE_DATA	0x15
#define FW_CFG_SETUP_ADDR	0x16
#define FW_CFG_SETUP_SIZE	0x17
#define FW_CFG_SETUP_DATA	0x18
#define FW_CFG_FILE_DIR		0x19

/*
 * ---- POST codes, written to port 0x80 as each stage begins -----------
 * (QEMU ignores port 0x80; Bootscope's tracer records it.)
 */
#define POST_RESET	0x01	/* reset vector reached, stack set up */
#define POST_A20	0x02
#define POST_IVT	0x03
#define POST_BDA	0x04
#define POST_PIC	0x05
#define POST_APIC	0x06	/* local APIC in virtual wire mode */
#define POST_PIT	0x07
#define POST_SERIAL	0x08
#define POST_VGA	0x09
#define POST_KBD	0x0a
#define POST_ACPI	0x0b	/* ACPI power-management I/O enabled */
#define POST_E820	0x0c
#define POST_BANNER	0x0d
#define POST_BOOT	0x10	/* reading the kernel from fw_cfg */
#define POST_SETUP	0x11	/* setup code copied */
#define POST_KERNEL	0x12	/* protected-mode kernel copied */
#define POST_INITRD	0x13
#define POST_CMDLINE	0x14
#define POST_JUMP	0x1f	/* entering the kernel's setup code */
#define POST_HALT	0xee	/* nothing to boot: halted */

/*
 * ---- interrupt handler frame ---------------------------------------------
 * HANDLER_ENTRY pushes DS, ES and all eight 32-bit registers (PUSHAD), so
 * with BP = SP the caller's registers are at these offsets from BP (the
 * stack segment is the caller's; BP-relative accesses use SS).  IRET pops
 * IP, CS and FLAGS, so flags a service returns (CF, ZF) are set or cleared
 * in the saved FLAGS word.
 */
#define R_EDI	0
#define R_DI	0
#define R_ESI	4
#define R_EBX	16
#define R_BX	16
#define R_BL	16
#define R_BH	17
#define R_EDX	20
#define R_DX	20
#define R_DL	20
#define R_DH	21
#define R_ECX	24
#define R_CX	24
#define R_CL	24
#define R_CH	25
#define R_EAX	28
#define R_AX	28
#define R_AL	28
#define R_AH	29
#define R_ES	32
#define R_DS	34
#define R_IP	36
#define R_CS	38
#define R_FLAGS	40

#define FLAG_CF	0x01
#define FLAG_ZF	0x40

#ifdef __ASSEMBLER__
	.macro	HANDLER_ENTRY
	pushw	%ds
	pushw	%es
	pushal
	movw	%sp, %bp
	pushw	$0		/* DS = 0 without touching AX: handlers */
	popw	%ds		/* dispatch on the caller's AH */
	cld
	.endm

	.macro	HANDLER_EXIT
	popal
	popw	%es
	popw	%ds
	iret
	.endm

	/* Report success or failure to the caller through the saved CF. */
	.macro	SET_CF
	orb	$FLAG_CF, R_FLAGS(%bp)
	.endm
	.macro	CLEAR_CF
	andb	$~FLAG_CF, R_FLAGS(%bp)
	.endm

	/* Writes a POST code to port 80h.  Preserves all registers. */
	.macro	POST code
	pushw	%ax
	movb	$\code, %al
	outb	%al, $POST_PORT
	popw	%ax
	.endm
#endif

#endif
