/* ulibc.h - the guest's tiny C library: Linux x86-64 system calls and a printf. */
#ifndef ULIBC_H
#define ULIBC_H
typedef unsigned long size_t;
typedef long ssize_t;
typedef int pid_t;
#define NULL ((void *)0)
typedef __builtin_va_list va_list;
#define va_start(ap, l) __builtin_va_start(ap, l)
#define va_arg(ap, t) __builtin_va_arg(ap, t)
#define va_end(ap) __builtin_va_end(ap)

/* Linux x86-64 system call numbers */
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_mmap 9
#define SYS_brk 12
#define SYS_nanosleep 35
#define SYS_getpid 39
#define SYS_fork 57
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_uname 63
#define SYS_getppid 110
#define SYS_reboot 169
#define SYS_getdents64 217
#define SYS_clock_gettime 228
#define SYS_exit_group 231
#define SYS_openat 257

long syscall6(long n, long a, long b, long c, long d, long e, long f);
#define syscall(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

struct utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
struct timespec { long tv_sec, tv_nsec; };
struct linux_dirent64 { unsigned long d_ino; long d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define O_RDONLY 0
#define O_DIRECTORY 0200000
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc

extern char **environ;
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int open(const char *path, int flags);
int close(int fd);
pid_t getpid(void);
pid_t getppid(void);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
void exit(int code) __attribute__((noreturn));
pid_t wait4(pid_t pid, int *status, int options, void *rusage);
pid_t waitpid(pid_t pid, int *status, int options);
void *brk(void *addr);
void *sbrk(long inc);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int uname(struct utsname *u);
int nanosleep(const struct timespec *req, struct timespec *rem);
int clock_gettime(int clk, struct timespec *ts);
int reboot(unsigned cmd);
long getdents64(int fd, void *buf, size_t n);
extern int errno;

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int printf(const char *fmt, ...);
int dprintf(int fd, const char *fmt, ...);
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s) ((s) & 0x7f)
#endif
