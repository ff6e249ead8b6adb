/*
 * file.c - open files and the system calls on them.  A file descriptor is
 * an index into current->files->fd[].  Regular ramfs files and directories
 * are handled here; device and procfs files bring their own
 * file_operations.
 */
#include "../include/kernel.h"
#include "../include/sched.h"
#include "../include/fs.h"

static ssize_t ramfs_read(struct file *f, char *buf, size_t n, off_t *pos)
{
	struct inode *i = f->f_inode;
	if ((u64)*pos >= i->i_size)
		return 0;
	n = min(n, i->i_size - *pos);
	memcpy(buf, i->i_data + *pos, n);
	*pos += n;
	return n;
}
static ssize_t ramfs_write(struct file *f, const char *buf, size_t n, off_t *pos)
{
	int err = vfs_write_data(f->f_inode, buf, n, *pos);
	if (err)
		return err;
	*pos += n;
	return n;
}
static const struct file_operations ramfs_file_ops = { .read = ramfs_read, .write = ramfs_write };

struct file *filp_open(const char *path, int flags, u32 mode)
{
	struct dentry *d = lookup_path(path, NULL, NULL);
	struct file *f;
	if (!d && (flags & O_CREAT))
		d = vfs_create(path, mode);
	if (!d)
		return (struct file *)(long)-ENOENT;
	if ((flags & O_DIRECTORY) && !S_ISDIR(d->d_inode->i_mode))
		return (struct file *)(long)-ENOTDIR;
	f = kmem_cache_alloc(filp_cachep);
	f->f_inode = d->d_inode;
	f->f_dentry = d;
	f->f_flags = flags;
	f->f_count = 1;
	if (S_ISCHR(d->d_inode->i_mode)) {
		f->f_op = chrdev_fops(d->d_inode->i_rdev);
		if (!f->f_op) {
			kmem_cache_free(filp_cachep, f);
			return (struct file *)(long)-6 /* ENXIO */;
		}
	} else if (d->d_inode->i_fop)
		f->f_op = d->d_inode->i_fop;
	else
		f->f_op = &ramfs_file_ops;
	if ((flags & O_TRUNC) && S_ISREG(d->d_inode->i_mode))
		d->d_inode->i_size = 0;
	if (f->f_op->open) {
		int err = f->f_op->open(d->d_inode, f);
		if (err) {
			kmem_cache_free(filp_cachep, f);
			return (struct file *)(long)err;
		}
	}
	return f;
}

void fput(struct file *f)
{
	if (--f->f_count)
		return;
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->f_inode, f);
	kmem_cache_free(filp_cachep, f);
}

ssize_t kernel_read(struct file *f, void *buf, size_t n, off_t *pos)
{
	return f->f_op->read ? f->f_op->read(f, buf, n, pos) : -EINVAL;
}
ssize_t kernel_write(struct file *f, const void *buf, size_t n, off_t *pos)
{
	return f->f_op->write ? f->f_op->write(f, buf, n, pos) : -EINVAL;
}

static int alloc_fd(struct file *f)
{
	for (int fd = 0; fd < NR_OPEN; fd++)
		if (!current->files->fd[fd]) {
			current->files->fd[fd] = f;
			return fd;
		}
	return -EMFILE;
}

int ksys_open(const char *path, int flags, u32 mode)
{
	struct file *f = filp_open(path, flags, mode);
	int fd;
	if ((long)f < 0 && (long)f > -4096)
		return (int)(long)f;
	fd = alloc_fd(f);
	if (fd < 0)
		fput(f);
	return fd;
}

int ksys_dup(int fd)
{
	struct file *f = (fd >= 0 && fd < NR_OPEN) ? current->files->fd[fd] : NULL;
	int nfd;
	if (!f)
		return -EBADF;
	nfd = alloc_fd(f);
	if (nfd >= 0)
		f->f_count++;
	return nfd;
}

struct files_struct *dup_files(struct files_struct *old)
{
	struct files_struct *n = kmem_cache_alloc(files_cachep);
	n->count = 1;
	for (int i = 0; i < NR_OPEN; i++)
		if ((n->fd[i] = old->fd[i]))
			n->fd[i]->f_count++;
	return n;
}

void put_files(struct files_struct *fs)
{
	if (--fs->count)
		return;
	for (int i = 0; i < NR_OPEN; i++)
		if (fs->fd[i])
			fput(fs->fd[i]);
	kmem_cache_free(files_cachep, fs);
}

/* --- system calls: user pointers are checked and copied --- */
static struct file *fget(int fd) { return (fd >= 0 && fd < NR_OPEN) ? current->files->fd[fd] : NULL; }

long sys_read(int fd, char *ubuf, size_t n)
{
	struct file *f = fget(fd);
	char kbuf[512];
	ssize_t r;
	if (!f)
		return -EBADF;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	r = kernel_read(f, kbuf, min(n, sizeof(kbuf)), &f->f_pos);
	if (r > 0 && copy_to_user(ubuf, kbuf, r))
		return -EFAULT;
	return r;
}

long sys_write(int fd, const char *ubuf, size_t n)
{
	struct file *f = fget(fd);
	char kbuf[512];
	size_t done = 0;
	if (!f)
		return -EBADF;
	while (done < n) {
		size_t c = min(n - done, sizeof(kbuf));
		ssize_t r;
		if (copy_from_user(kbuf, ubuf + done, c))
			return done ? (long)done : -EFAULT;
		r = kernel_write(f, kbuf, c, &f->f_pos);
		if (r < 0)
			return done ? (long)done : r;
		done += r;
	}
	return done;
}

long sys_openat(int dirfd, const char *upath, int flags, u32 mode)
{
	char path[256];
	long n = strncpy_from_user(path, upath, sizeof(path));
	if (n < 0)
		return n;
	if (path[0] != '/' && dirfd != AT_FDCWD)
		return -EINVAL;	/* relative to a directory fd: not implemented */
	return ksys_open(path, flags, mode);
}
long sys_open(const char *upath, int flags, u32 mode) { return sys_openat(AT_FDCWD, upath, flags, mode); }

long sys_close(int fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	current->files->fd[fd] = NULL;
	fput(f);
	return 0;
}

/* getdents64: f_pos counts directory entries already returned. */
struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; } __attribute__((packed));
long sys_getdents64(int fd, char *ubuf, size_t size)
{
	struct file *f = fget(fd);
	struct list_head *l;
	char kbuf[1024];
	size_t n = 0;
	off_t idx = 0;
	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->f_inode->i_mode))
		return -ENOTDIR;
	size = min(size, sizeof(kbuf));
	list_for_each(l, &f->f_dentry->d_subdirs) {
		struct dentry *d = list_entry(l, struct dentry, d_child);
		struct linux_dirent64 *de = (struct linux_dirent64 *)(kbuf + n);
		size_t reclen = ALIGN_UP(sizeof(*de) + strlen(d->d_name) + 1, 8);
		if (idx++ < f->f_pos)
			continue;
		if (n + reclen > size)
			break;
		de->d_ino = d->d_inode->i_ino;
		de->d_off = idx;
		de->d_reclen = reclen;
		de->d_type = S_ISDIR(d->d_inode->i_mode) ? 4 : S_ISCHR(d->d_inode->i_mode) ? 2 : 8;
		strcpy(de->d_name, d->d_name);
		n += reclen;
		f->f_pos = idx;
	}
	if (n && copy_to_user(ubuf, kbuf, n))
		return -EFAULT;
	return n;
}
