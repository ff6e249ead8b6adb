/*
 * fs.h - a small VFS: dentries name inodes in one tree (the rootfs, a
 * ramfs), files are open inodes; character devices and procfs plug in
 * through file_operations.
 */
#ifndef FS_H
#define FS_H
#include "kernel.h"
#include "list.h"

#define S_IFMT   0170000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFREG  0100000
#define S_IFLNK  0120000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR   2
#define O_CREAT  0100
#define O_TRUNC  01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define AT_FDCWD (-100)

#define MKDEV(ma, mi) (((ma) << 8) | (mi))
#define MAJOR(d) ((d) >> 8)
#define MINOR(d) ((d) & 0xff)

struct file;
struct pt_regs;
struct inode;
struct file_operations {
	int (*open)(struct inode *, struct file *);
	ssize_t (*read)(struct file *, char *ubuf, size_t, off_t *);
	ssize_t (*write)(struct file *, const char *ubuf, size_t, off_t *);
	int (*release)(struct inode *, struct file *);
};

struct inode {
	u32 i_mode;
	u32 i_rdev;
	u64 i_ino;
	u64 i_size;
	u64 i_mtime;
	u32 i_nlink;
	char *i_data;			/* ramfs: file contents (kmalloc'd) */
	u64 i_capacity;
	const struct file_operations *i_fop;
	int (*proc_show)(char *buf, size_t size);	/* procfs */
};

struct dentry {
	char d_name[60];
	struct inode *d_inode;
	struct dentry *d_parent;
	struct list_head d_subdirs;	/* children */
	struct list_head d_child;	/* in parent's d_subdirs */
};

struct file {
	struct inode *f_inode;
	struct dentry *f_dentry;
	const struct file_operations *f_op;
	off_t f_pos;
	u32 f_flags;
	int f_count;
	char *private_data;		/* procfs: the generated text */
	u64 private_size;
};

#define NR_OPEN 32
struct files_struct { int count; struct file *fd[NR_OPEN]; };
struct fs_struct { int users; struct dentry *root, *pwd; };

extern struct dentry *root_dentry;
extern struct kmem_cache *dentry_cache, *inode_cachep, *filp_cachep, *files_cachep, *fs_cachep;

void vfs_caches_init(void);
void buffer_init(void);
struct inode *new_inode(u32 mode);
struct dentry *d_alloc(struct dentry *parent, const char *name, struct inode *inode);
struct dentry *lookup_path(const char *path, struct dentry **parent_out, const char **last_out);
int vfs_mkdir(const char *path, u32 mode);
int vfs_mknod(const char *path, u32 mode, u32 dev);
struct dentry *vfs_create(const char *path, u32 mode);
int vfs_write_data(struct inode *inode, const void *data, u64 len, u64 pos);
struct file *filp_open(const char *path, int flags, u32 mode);
void fput(struct file *f);
ssize_t kernel_read(struct file *f, void *buf, size_t n, off_t *pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, off_t *pos);
int ksys_open(const char *path, int flags, u32 mode);
int ksys_dup(int fd);
struct files_struct *dup_files(struct files_struct *old);
void put_files(struct files_struct *f);
void init_root_fs(void);

/* character devices (fs/char_dev.c) */
int register_chrdev(u32 major, const char *name, const struct file_operations *fops);
const struct file_operations *chrdev_fops(u32 dev);
void chrdev_init(void);

/* procfs (fs/proc.c) */
void proc_root_init(void);
void proc_create(const char *name, int (*show)(char *buf, size_t size));

/* exec (fs/exec.c) */
int kernel_execve(const char *filename, char *const argv[], char *const envp[]);
long do_execve(const char *filename, char *const *argv, char *const *envp, bool from_user, struct pt_regs *regs);
#endif
