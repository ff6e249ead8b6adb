/*
 * vgacon.c - the VGA text console: 80x25 cells of (character, attribute)
 * at physical 0xb8000, with the hardware cursor moved through the CRT
 * controller's index/data ports 0x3d4/0x3d5 (registers 0x0e/0x0f).
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/device.h"

#define VGA_TEXT_PHYS 0xb8000
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x07		/* light grey on black */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5
#define CRTC_CURSOR_HI 0x0e
#define CRTC_CURSOR_LO 0x0f

static volatile u16 *vga_mem;
static int row, col;

static void vga_set_cursor(void)
{
	u16 pos = row * VGA_COLS + col;
	outb(CRTC_CURSOR_HI, CRTC_INDEX);
	outb(pos >> 8, CRTC_DATA);
	outb(CRTC_CURSOR_LO, CRTC_INDEX);
	outb(pos & 0xff, CRTC_DATA);
}

static void vga_putc(char c)
{
	if (c == '\n') {
		col = 0;
		row++;
	} else if (c == '\r') {
		col = 0;
	} else {
		vga_mem[row * VGA_COLS + col] = (VGA_ATTR << 8) | (u8)c;
		if (++col == VGA_COLS) {
			col = 0;
			row++;
		}
	}
	if (row == VGA_ROWS) {		/* scroll up one line */
		for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
			vga_mem[i] = vga_mem[i + VGA_COLS];
		for (int i = 0; i < VGA_COLS; i++)
			vga_mem[(VGA_ROWS - 1) * VGA_COLS + i] = (VGA_ATTR << 8) | ' ';
		row--;
	}
}

static void vga_console_write(struct console *con, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vga_putc(s[i]);
	vga_set_cursor();
}
static struct console vga_console = { .name = "tty0", .write = vga_console_write };

/* console_init: clear the screen and register. */
void __init vga_console_init(void)
{
	vga_mem = __va(VGA_TEXT_PHYS);
	for (int i = 0; i < VGA_COLS * VGA_ROWS; i++)
		vga_mem[i] = (VGA_ATTR << 8) | ' ';
	row = col = 0;
	register_console(&vga_console);
}

/* The platform driver: check the CRTC answers (its cursor register reads back). */
static int vga_probe(struct platform_device *dev)
{
	outb(CRTC_CURSOR_LO, CRTC_INDEX);
	u8 old = inb(CRTC_DATA);
	outb(old ^ 1, CRTC_DATA);
	bool ok = inb(CRTC_DATA) == (u8)(old ^ 1);
	outb(old, CRTC_DATA);
	pr_info("vgacon: %s; %dx%d colour text at 0x%x\n", ok ? "CRT controller found at 0x3d4" : "CRT controller did not answer",
		VGA_COLS, VGA_ROWS, VGA_TEXT_PHYS);
	return 0;
}
static struct platform_driver vga_driver = { .name = "vga", .probe = vga_probe };

static int __init vga_driver_init(void) { return platform_driver_register(&vga_driver); }
subsys_initcall(vga_driver_init);
