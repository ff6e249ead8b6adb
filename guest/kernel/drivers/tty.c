/*
 * tty.c - /dev/console (major 5, minor 1): writes go to every registered
 * console, reads take what has arrived: first the keyboard's characters
 * (queued by its interrupt handler, drivers/i8042.c), then the serial
 * port's (no line discipline, no echo, no blocking).  postcore_initcall
 * registers the major; fs_initcall creates the /dev nodes, before the
 * initramfs is unpacked.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/fs.h"

/* Typed characters waiting for a reader: a ring filled from interrupt context. */
#define INPUT_SIZE 256
static char input_buf[INPUT_SIZE];
static unsigned input_head, input_tail;	/* head - tail characters wait */

void tty_queue_input(const char *s, size_t n)
{
	u64 flags = local_irq_save();
	for (size_t i = 0; i < n && input_head - input_tail < INPUT_SIZE; i++)
		input_buf[input_head++ % INPUT_SIZE] = s[i];
	local_irq_restore(flags);
}

static ssize_t console_read(struct file *f, char *buf, size_t n, off_t *pos)
{
	size_t got = 0;
	u64 flags = local_irq_save();
	while (got < n && input_tail != input_head)
		buf[got++] = input_buf[input_tail++ % INPUT_SIZE];
	local_irq_restore(flags);
	while (got < n && (inb(0x3f8 + 5) & 1))
		buf[got++] = inb(0x3f8);
	return got;
}
static ssize_t console_write(struct file *f, const char *buf, size_t n, off_t *pos)
{
	/* \n -> \r\n is the serial console's business */
	console_write_all(buf, n);
	return n;
}
static const struct file_operations console_fops = { .read = console_read, .write = console_write };

static ssize_t null_read(struct file *f, char *b, size_t n, off_t *p) { return 0; }
static ssize_t null_write(struct file *f, const char *b, size_t n, off_t *p) { return n; }
static const struct file_operations mem_fops = { .read = null_read, .write = null_write };

static int __init tty_chrdev_init(void)
{
	register_chrdev(1, "mem", &mem_fops);
	return register_chrdev(5, "/dev/console", &console_fops);
}
postcore_initcall(tty_chrdev_init);

static int __init devtmpfs_init(void)
{
	vfs_mkdir("/dev", 0755);
	vfs_mknod("/dev/console", S_IFCHR | 0600, MKDEV(5, 1));
	vfs_mknod("/dev/null", S_IFCHR | 0666, MKDEV(1, 3));
	vfs_mknod("/dev/ttyS0", S_IFCHR | 0660, MKDEV(4, 64));
	pr_info("devtmpfs: /dev/console (5:1), /dev/null (1:3), /dev/ttyS0 (4:64) created\n");
	return 0;
}
fs_initcall(devtmpfs_init);
