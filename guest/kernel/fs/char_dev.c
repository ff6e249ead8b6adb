/*
 * char_dev.c - character devices: a table from major number to driver
 * file_operations.  A device node (S_IFCHR inode with i_rdev) is opened
 * through the driver registered for its major.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/fs.h"

#define MAX_CHRDEV 256
static struct { const char *name; const struct file_operations *fops; } chrdevs[MAX_CHRDEV];

int register_chrdev(u32 major, const char *name, const struct file_operations *fops)
{
	if (major >= MAX_CHRDEV || chrdevs[major].fops)
		return -EEXIST;
	chrdevs[major].name = name;
	chrdevs[major].fops = fops;
	pr_info("chrdev: major %u registered for %s\n", major, name);
	return 0;
}

const struct file_operations *chrdev_fops(u32 dev)
{
	return chrdevs[MAJOR(dev)].fops;
}

int chrdevs_show(char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "Character devices:\n");
	for (int i = 0; i < MAX_CHRDEV; i++)
		if (chrdevs[i].fops)
			n += snprintf(buf + n, size - n, "%3d %s\n", i, chrdevs[i].name);
	return (int)n;
}
