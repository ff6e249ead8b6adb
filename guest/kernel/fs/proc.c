/*
 * proc.c - a small procfs: files whose contents are generated when opened.
 * /proc/self (a directory naming the current pid), meminfo, uptime,
 * interrupts, cmdline, slabinfo, devices.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/sched.h"
#include "../include/fs.h"
#include "../arch/x86/kernel/irq.h"

#define PROC_BUF 2048
static struct dentry *proc_root;

static int proc_open(struct inode *inode, struct file *f)
{
	f->private_data = kmalloc(PROC_BUF);
	if (!f->private_data)
		return -ENOMEM;
	f->private_size = inode->proc_show(f->private_data, PROC_BUF);
	if (f->private_size >= PROC_BUF)
		f->private_size = PROC_BUF - 1;
	return 0;
}
static ssize_t proc_read(struct file *f, char *buf, size_t n, off_t *pos)
{
	if ((u64)*pos >= f->private_size)
		return 0;
	n = min(n, f->private_size - *pos);
	memcpy(buf, f->private_data + *pos, n);
	*pos += n;
	return n;
}
static int proc_release(struct inode *inode, struct file *f) { kfree(f->private_data); return 0; }
static const struct file_operations proc_file_ops = { .open = proc_open, .read = proc_read, .release = proc_release };

void proc_create(const char *name, int (*show)(char *, size_t))
{
	struct inode *i = new_inode(S_IFREG | 0444);
	i->i_fop = &proc_file_ops;
	i->proc_show = show;
	d_alloc(proc_root, name, i);
}

static int meminfo_show(char *b, size_t s)
{
	return snprintf(b, s, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n",
			totalram_pages << 2, nr_free_pages() << 2);
}
static int uptime_show(char *b, size_t s)
{
	u64 ns = ktime_get_ns();
	return snprintf(b, s, "%lu.%02lu 0.00\n", ns / 1000000000, ns / 10000000 % 100);
}
extern char boot_command_line[];
static int cmdline_show(char *b, size_t s) { return snprintf(b, s, "%s\n", boot_command_line); }
static int self_show(char *b, size_t s) { return snprintf(b, s, "%d\n", current->pid); }
int chrdevs_show(char *buf, size_t size);

void __init proc_root_init(void)
{
	proc_root = d_alloc(root_dentry, "proc", new_inode(S_IFDIR | 0555));
	proc_create("meminfo", meminfo_show);
	proc_create("uptime", uptime_show);
	proc_create("interrupts", show_interrupts);
	proc_create("cmdline", cmdline_show);
	proc_create("slabinfo", slabinfo_show);
	proc_create("devices", chrdevs_show);
	/* /proc/self is a symlink in Linux; here a file holding the reader's pid. */
	proc_create("self", self_show);
	pr_info("proc_root_init: /proc with meminfo, uptime, interrupts, cmdline, slabinfo, devices, self\n");
}
