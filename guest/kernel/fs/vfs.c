/*
 * vfs.c - the file tree: dentries (names) and inodes (the things named).
 * The root file system is a ramfs: file data lives in kmalloc'd buffers,
 * directories are their dentries' child lists.  Paths are always absolute
 * from / (there is no chdir in this kernel).
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/mm.h"
#include "../include/fs.h"
#include "../include/sched.h"

struct kmem_cache *dentry_cache, *inode_cachep, *filp_cachep, *files_cachep, *fs_cachep;
struct dentry *root_dentry;
static u64 next_ino = 1;
extern u64 boot_time_sec;

struct inode *new_inode(u32 mode)
{
	struct inode *i = kmem_cache_alloc(inode_cachep);
	i->i_mode = mode;
	i->i_ino = next_ino++;
	i->i_nlink = 1;
	i->i_mtime = boot_time_sec + jiffies / HZ;
	return i;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *d = kmem_cache_alloc(dentry_cache);
	strlcpy(d->d_name, name, sizeof(d->d_name));
	d->d_inode = inode;
	d->d_parent = parent ? parent : d;
	INIT_LIST_HEAD(&d->d_subdirs);
	INIT_LIST_HEAD(&d->d_child);
	if (parent)
		list_add_tail(&d->d_child, &parent->d_subdirs);
	return d;
}

static struct dentry *d_lookup(struct dentry *dir, const char *name, size_t len)
{
	struct list_head *l;
	if (len == 1 && name[0] == '.')
		return dir;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return dir->d_parent;
	list_for_each(l, &dir->d_subdirs) {
		struct dentry *d = list_entry(l, struct dentry, d_child);
		if (strlen(d->d_name) == len && !strncmp(d->d_name, name, len))
			return d;
	}
	return NULL;
}

/*
 * Resolve path.  If parent_out is given, the last component need not exist:
 * its directory is stored there and its name in *last_out.
 */
struct dentry *lookup_path(const char *path, struct dentry **parent_out, const char **last_out)
{
	struct dentry *d = root_dentry;
	while (*path) {
		const char *s;
		size_t len;
		while (*path == '/')
			path++;
		if (!*path)
			break;
		s = path;
		while (*path && *path != '/')
			path++;
		len = path - s;
		if (!S_ISDIR(d->d_inode->i_mode))
			return NULL;
		while (*path == '/')
			path++;
		if (!*path && parent_out) {
			*parent_out = d;
			*last_out = s;
		}
		d = d_lookup(d, s, len);
		if (!d)
			return NULL;
	}
	return d;
}

static struct dentry *create_at(const char *path, u32 mode, int *err)
{
	struct dentry *parent = NULL;
	const char *last = NULL;
	struct dentry *d = lookup_path(path, &parent, &last);
	if (d) {
		*err = -EEXIST;
		return d;
	}
	if (!parent) {
		*err = -ENOENT;
		return NULL;
	}
	*err = 0;
	char name[60];
	size_t n = 0;
	while (last[n] && last[n] != '/' && n < sizeof(name) - 1) {
		name[n] = last[n];
		n++;
	}
	name[n] = 0;
	return d_alloc(parent, name, new_inode(mode));
}

int vfs_mkdir(const char *path, u32 mode)
{
	int err;
	create_at(path, S_IFDIR | (mode & 07777), &err);
	return err;
}

int vfs_mknod(const char *path, u32 mode, u32 dev)
{
	int err;
	struct dentry *d = create_at(path, mode, &err);
	if (!err)
		d->d_inode->i_rdev = dev;
	return err;
}

struct dentry *vfs_create(const char *path, u32 mode)
{
	int err;
	struct dentry *d = create_at(path, S_IFREG | (mode & 07777), &err);
	if (err == -EEXIST && S_ISREG(d->d_inode->i_mode)) {
		d->d_inode->i_size = 0;		/* O_TRUNC semantics for re-creation */
		return d;
	}
	return err ? NULL : d;
}

int vfs_write_data(struct inode *inode, const void *data, u64 len, u64 pos)
{
	if (pos + len > inode->i_capacity) {
		u64 cap = max(pos + len, inode->i_capacity * 2);
		char *n = kmalloc(cap);
		if (!n)
			return -ENOMEM;
		if (inode->i_data)
			memcpy(n, inode->i_data, inode->i_size);
		kfree(inode->i_data);
		inode->i_data = n;
		inode->i_capacity = cap;
	}
	memcpy(inode->i_data + pos, data, len);
	if (pos + len > inode->i_size)
		inode->i_size = pos + len;
	return 0;
}

/* vfs_caches_init: the dentry, inode and file caches, then mount rootfs at /. */
void __init vfs_caches_init(void)
{
	dentry_cache = kmem_cache_create("dentry", sizeof(struct dentry), 8, NULL);
	inode_cachep = kmem_cache_create("inode_cache", sizeof(struct inode), 8, NULL);
	filp_cachep = kmem_cache_create("filp", sizeof(struct file), 8, NULL);
	root_dentry = d_alloc(NULL, "/", new_inode(S_IFDIR | 0755));
	init_task.fs = kmem_cache_alloc(fs_cachep);
	init_task.fs->users = 1;
	init_task.fs->root = init_task.fs->pwd = root_dentry;
	pr_info("vfs_caches_init: dentry, inode_cache, filp caches; rootfs (ramfs) mounted at /\n");
}
