/*
 * main.c - the kernel's real-mode setup, arch/x86/boot in miniature.
 *
 * Built with gcc -m16: 32-bit code with operand-size prefixes that runs in
 * real mode with CS=DS=ES=SS = the segment the boot loader loaded us at.
 * Its job, in order:
 *   1. copy the setup header the boot loader filled in into boot_params;
 *   2. ask the BIOS for the memory map (INT 15h E820, with E801/88h as
 *      fallbacks for old BIOSes);
 *   3. open the A20 gate so odd megabytes are reachable;
 *   4. mask interrupts, load a GDT and enter protected mode, jumping to the
 *      32-bit entry (startup_32 at hdr.code32_start) with %esi = &boot_params.
 */
#include "../../../include/bootparam.h"

typedef bp_u8 u8;
typedef bp_u16 u16;
typedef bp_u32 u32;

extern struct setup_header hdr;
struct boot_params boot_params __attribute__((aligned(16)));

void protected_mode_jump(u32 entry, u32 boot_params_linear) __attribute__((noreturn));

static inline void outb(u8 v, u16 port) { asm volatile("outb %0, %1" : : "a"(v), "dN"(port)); }
static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "dN"(port)); return v; }
static inline void io_delay(void) { outb(0, 0x80); }	/* port 0x80: POST code, harmless */

static u16 ds(void) { u16 s; asm volatile("movw %%ds, %0" : "=rm"(s)); return s; }
static u32 linear(const void *p) { return ((u32)ds() << 4) + (u32)p; }

/*
 * Early messages go straight to COM1 (I/O 0x3f8), like Linux's
 * boot/early_serial_console.c: the kernel's own console comes much later.
 * We poll LSR bit 5 (THR empty) before each byte.
 */
#define COM1 0x3f8
static void serial_init(void)
{
	outb(0x00, COM1 + 1);	/* IER: no interrupts */
	outb(0x80, COM1 + 3);	/* LCR: DLAB on to set the divisor */
	outb(0x01, COM1 + 0);	/* divisor 1 = 115200 baud */
	outb(0x00, COM1 + 1);
	outb(0x03, COM1 + 3);	/* LCR: 8 data bits, no parity, 1 stop bit */
	outb(0x03, COM1 + 4);	/* MCR: DTR, RTS */
}
static void putchar(char c)
{
	int timeout = 0xffff;
	if (c == '\n')
		putchar('\r');
	while (!(inb(COM1 + 5) & 0x20) && --timeout)
		;
	outb(c, COM1);
}
static void puts(const char *s) { while (*s) putchar(*s++); }
static void puthex(u32 v, int digits)
{
	while (digits--)
		putchar("0123456789abcdef"[(v >> (digits * 4)) & 15]);
}

/* --- memory detection: INT 15h ---------------------------------------- */

#define SMAP 0x534d4150	/* "SMAP", the E820 signature */

static int detect_memory_e820(void)
{
	static struct boot_e820_entry buf;	/* DS-relative, BIOS writes ES:DI */
	u32 next = 0;
	int count = 0;

	do {
		u32 eax = 0xe820, ecx = sizeof(buf), edx = SMAP;
		u8 cf;
		asm volatile("int $0x15"
			     : "+a"(eax), "+b"(next), "+c"(ecx), "+d"(edx), "=@ccc"(cf)
			     : "D"(&buf)
			     : "esi", "memory");
		/* Carry or a missing signature means "no (more) E820". */
		if (cf || eax != SMAP)
			break;
		boot_params.e820_table[count++] = buf;
	} while (next && count < E820_MAX_ENTRIES_ZEROPAGE);

	boot_params.e820_entries = count;
	return count;
}

static void detect_memory_e801(void)
{
	u32 ax = 0xe801, bx = 0, cx = 0, dx = 0;
	u8 cf;
	asm volatile("int $0x15" : "+a"(ax), "+b"(bx), "+c"(cx), "+d"(dx), "=@ccc"(cf) : : "esi", "memory");
	if (cf)
		return;
	if (!cx && !dx) {	/* some BIOSes report in AX/BX only */
		cx = ax;
		dx = bx;
	}
	/* CX: KiB between 1 MiB and 16 MiB; DX: 64 KiB blocks above 16 MiB */
	boot_params.alt_mem_k = (cx & 0xffff) + ((dx & 0xffff) << 6);
}

static void detect_memory_88(void)
{
	u32 ax = 0x8800;
	u8 cf;
	asm volatile("int $0x15" : "+a"(ax), "=@ccc"(cf) : : "ebx", "ecx", "edx", "esi", "memory");
	if (!cf && !boot_params.alt_mem_k)
		boot_params.alt_mem_k = ax & 0xffff;	/* KiB above 1 MiB, max 64 MiB */
}

/* --- A20 ------------------------------------------------------------- */

/*
 * With A20 closed, address 1 MiB + x aliases x.  Compare the word at
 * 0000:0200 (an IVT slot) with FFFF:0210 (linear 0x100200) after changing
 * the low one: if the high one changed too, the gate is closed.
 */
static int a20_test(void)
{
	int ok = 0;
	u16 saved;
	asm volatile(
		"pushw %%fs\n\tpushw %%gs\n\t"
		"xorw %%ax, %%ax\n\tmovw %%ax, %%fs\n\t"
		"movw $0xffff, %%ax\n\tmovw %%ax, %%gs\n\t"
		"movw %%fs:0x200, %%cx\n\tmovw %%cx, %1\n\t"
		"incw %%cx\n\tmovw %%cx, %%fs:0x200\n\t"
		"outb %%al, $0x80\n\t"
		"movw %%gs:0x210, %%ax\n\t"
		"cmpw %%cx, %%ax\n\t"
		"setne %b0\n\t"
		"movw %1, %%cx\n\tmovw %%cx, %%fs:0x200\n\t"
		"popw %%gs\n\tpopw %%fs"
		: "=&q"(ok), "=m"(saved) : "0"(0) : "eax", "ecx", "memory");
	return ok;
}

static void enable_a20(void)
{
	int i;

	if (a20_test())
		return;		/* QEMU and Bootscope boot with A20 already open */
	/* 1. the BIOS service */
	{ u32 ax = 0x2401; asm volatile("int $0x15" : "+a"(ax) : : "ebx", "ecx", "edx", "esi", "memory"); }
	if (a20_test())
		return;
	/* 2. the 8042 keyboard controller's output port, bit 1 */
	for (i = 0; i < 1000 && (inb(0x64) & 2); i++) io_delay();
	outb(0xd1, 0x64);		/* command: write output port */
	for (i = 0; i < 1000 && (inb(0x64) & 2); i++) io_delay();
	outb(0xdf, 0x60);		/* A20 on, CPU not in reset */
	if (a20_test())
		return;
	/* 3. "fast A20": system control port A (0x92), bit 1 */
	outb((inb(0x92) | 2) & ~1, 0x92);
	if (!a20_test())
		puts("setup: A20 gate will not open; memory above 1 MiB may alias\n");
}

/* --- protected mode ---------------------------------------------------- */

/*
 * Boot GDT: selector 0x10 = flat 4 GiB 32-bit code (__BOOT_CS),
 * 0x18 = flat 4 GiB data (__BOOT_DS).  Entries 0 and 1 are unused.
 */
static const unsigned long long boot_gdt[] __attribute__((aligned(16))) = {
	0, 0,
	0x00cf9a000000ffffULL,	/* P, DPL0, code, exec/read, G, D=32-bit */
	0x00cf92000000ffffULL,	/* P, DPL0, data, read/write, G, B=32-bit */
};
static struct { u16 limit; u32 base; } __attribute__((packed)) gdt_ptr;

static void go_to_protected_mode(void)
{
	/* No BIOS interrupts from here on: mask both 8259As and NMI. */
	asm volatile("cli");
	outb(0x80, 0x70);		/* CMOS index port bit 7: NMI off */
	io_delay();
	outb(0xff, 0xa1);		/* slave PIC: all masked */
	io_delay();
	outb(0xfb, 0x21);		/* master: all but the cascade line */
	io_delay();

	gdt_ptr.limit = sizeof(boot_gdt) - 1;
	gdt_ptr.base = linear(boot_gdt);
	asm volatile("lgdtl %0" : : "m"(gdt_ptr));
	{ static const struct { u16 limit; u32 base; } __attribute__((packed)) null_idt = {0, 0};
	  asm volatile("lidtl %0" : : "m"(null_idt)); }

	protected_mode_jump(boot_params.hdr.code32_start, linear(&boot_params));
}

void main(void)
{
	u32 i;
	const u8 *src = (const u8 *)&hdr;
	u8 *dst = (u8 *)&boot_params.hdr;

	serial_init();
	puts("Bootscope setup: boot protocol 2.15, loader type 0x");
	puthex(hdr.type_of_loader, 2);
	puts("\n");

	for (i = 0; i < sizeof(hdr); i++)
		dst[i] = src[i];

	if (!detect_memory_e820()) {
		puts("setup: no E820 map, falling back to E801/88h\n");
		detect_memory_e801();
		detect_memory_88();
	}
	puts("setup: ");
	puthex(boot_params.e820_entries, 2);
	puts(" E820 entries; enabling A20, entering protected mode\n");
	enable_a20();
	go_to_protected_mode();
}
