/*
 * initramfs.c - populate_rootfs: unpack the initrd the boot loader gave us
 * (a cpio archive in the "newc" format) into the rootfs.
 *
 * Each member: a 110-byte header of ASCII hex ("070701", ino, mode, uid,
 * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize, check), the name, padding to 4, the data, padding to 4.
 * "TRAILER!!!" ends it.  Compressed archives are NOT SUPPORTED.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/mm.h"
#include "../include/fs.h"

extern u64 initrd_start, initrd_end;

static u64 hex8(const char *p)
{
	u64 v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
	}
	return v;
}

static int __init unpack_to_rootfs(const char *buf, u64 len, int *files, int *dirs)
{
	u64 off = 0;
	char path[256];
	while (off + 110 <= len) {
		const char *h = buf + off;
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6)) {
			if (!memcmp(h, "\037\213", 2))
				pr_err("initramfs: gzip-compressed archives are NOT SUPPORTED\n");
			return -EINVAL;
		}
		u32 mode = hex8(h + 14), filesize = hex8(h + 54), namesize = hex8(h + 94);
		u32 rmaj = hex8(h + 78), rmin = hex8(h + 86);
		const char *name = h + 110;
		u64 data = ALIGN_UP(off + 110 + namesize, 4);
		if (data + filesize > len)
			return -EINVAL;
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		snprintf(path, sizeof(path), "/%s", name[0] == '/' ? name + 1 : name);
		if (S_ISDIR(mode)) {
			if (strcmp(name, ".") && vfs_mkdir(path, mode) == 0)
				(*dirs)++;
		} else if (S_ISCHR(mode)) {
			vfs_mknod(path, mode, MKDEV(rmaj, rmin));
		} else if (S_ISREG(mode)) {
			struct dentry *d = vfs_create(path, mode);
			if (!d || vfs_write_data(d->d_inode, buf + data, filesize, 0))
				pr_err("initramfs: cannot create %s\n", path);
			else
				(*files)++;
		} else {
			pr_info("initramfs: %s: file type 0%o NOT SUPPORTED, skipped\n", path, mode & S_IFMT);
		}
		off = ALIGN_UP(data + filesize, 4);
	}
	return 0;
}

static int __init populate_rootfs(void)
{
	int files = 0, dirs = 0, err;
	if (!initrd_start) {
		pr_info("initramfs: no initrd; the rootfs stays as devtmpfs made it\n");
		return 0;
	}
	err = unpack_to_rootfs((const char *)initrd_start, initrd_end - initrd_start, &files, &dirs);
	if (err)
		pr_err("initramfs: broken archive (%d), unpacked what we could\n", err);
	pr_info("Unpacking initramfs... %lu bytes: %d files, %d directories\n", initrd_end - initrd_start, files, dirs);
	/* The archive's pages are copied out now: give them back. */
	free_reserved_area((void *)ALIGN_DOWN(initrd_start, PAGE_SIZE), (void *)ALIGN_UP(initrd_end, PAGE_SIZE), "initrd");
	return 0;
}
rootfs_initcall(populate_rootfs);
