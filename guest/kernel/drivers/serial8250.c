/*
 * serial8250.c - the PC's COM1, a 16550A UART (NS16550A datasheet).
 * Two faces: the console (set up early by console_init, written by
 * polling), and the platform driver (device_initcall) that probes the chip
 * properly, identifies it, and provides /dev/ttyS0 (major 4, minor 64).
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/device.h"
#include "../include/fs.h"

#define COM1 0x3f8
#define UART_RX  0	/* receive buffer (read) */
#define UART_TX  0	/* transmit holding (write) */
#define UART_DLL 0	/* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2	/* FIFO control (write) */
#define UART_IIR 2	/* interrupt identification (read): bits 7:6 = 11 -> FIFOs work */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5	/* bit 0: data ready; bit 5: THR empty */
#define UART_SCR 7	/* scratch: absent on the 8250 */
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1  0x03
#define BASE_BAUD 115200

static void serial_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		;
	outb(c, COM1 + UART_TX);
}

static void serial_console_write(struct console *con, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
static struct console serial_console = { .name = "ttyS0", .write = serial_console_write };

static void serial_set_baud(unsigned baud)
{
	unsigned div = BASE_BAUD / baud;
	outb(0, COM1 + UART_IER);
	outb(LCR_DLAB, COM1 + UART_LCR);
	outb(div & 0xff, COM1 + UART_DLL);
	outb(div >> 8, COM1 + UART_DLM);
	outb(LCR_8N1, COM1 + UART_LCR);
	outb(0x03, COM1 + UART_MCR);	/* DTR, RTS */
}

/* console_init: the serial console, 115200 8N1. */
void __init serial8250_console_init(void)
{
	serial_set_baud(115200);
	register_console(&serial_console);
}

/* /dev/ttyS0: writes go out, reads take whatever bytes have arrived (no blocking). */
static ssize_t tty_read(struct file *f, char *buf, size_t n, off_t *pos)
{
	size_t got = 0;
	while (got < n && (inb(COM1 + UART_LSR) & LSR_DR))
		buf[got++] = inb(COM1 + UART_RX);
	return got;
}
static ssize_t tty_write(struct file *f, const char *buf, size_t n, off_t *pos)
{
	serial_console_write(NULL, buf, n);
	return n;
}
static const struct file_operations ttyS_fops = { .read = tty_read, .write = tty_write };

static int serial8250_probe(struct platform_device *dev)
{
	u16 port = dev->io_base;
	const char *type;

	/* The scratch register tells a 16450+ from an 8250; the FIFO bits a 16550A. */
	outb(0xa5, port + UART_SCR);
	if (inb(port + UART_SCR) != 0xa5) {
		type = "8250";
	} else {
		outb(0x07, port + UART_FCR);	/* enable and clear FIFOs */
		u8 iir = inb(port + UART_IIR);
		type = (iir & 0xc0) == 0xc0 ? "16550A" : (iir & 0xc0) ? "16550" : "16450";
	}
	if (inb(port + UART_LSR) == 0xff) {
		pr_info("serial8250: no UART at 0x%x\n", port);
		return -19;
	}
	pr_info("serial8250: ttyS0 at I/O 0x%x (irq = %d, base_baud = %d) is a %s\n", port, dev->irq, BASE_BAUD, type);
	return register_chrdev(4, "ttyS", &ttyS_fops);
}
static struct platform_driver serial8250_driver = { .name = "serial8250", .probe = serial8250_probe };

static int __init serial8250_init(void)
{
	pr_info("Serial: 8250/16550 driver, 1 port\n");
	return platform_driver_register(&serial8250_driver);
}
device_initcall(serial8250_init);
