/*
 * syscall.c - system calls.  The SYSCALL instruction takes the number in
 * %rax and arguments in %rdi %rsi %rdx %r10 %r8 %r9; it clobbers %rcx (the
 * return address) and %r11 (the flags).  A result in [-4095, -1] is -errno.
 */
#include "ulibc.h"

int errno;
char **environ;

long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 asm("r10") = d, r8 asm("r8") = e, r9 asm("r9") = f;
	long ret;
	asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
		     : "rcx", "r11", "memory");
	return ret;
}
static long check(long r) { if (r < 0 && r > -4096) { errno = (int)-r; return -1; } return r; }

ssize_t read(int fd, void *buf, size_t n) { return check(syscall(SYS_read, fd, buf, n)); }
ssize_t write(int fd, const void *buf, size_t n) { return check(syscall(SYS_write, fd, buf, n)); }
int open(const char *path, int flags) { return (int)check(syscall(SYS_openat, -100, path, flags)); }
int close(int fd) { return (int)check(syscall(SYS_close, fd, 0, 0)); }
pid_t getpid(void) { return (pid_t)syscall(SYS_getpid, 0, 0, 0); }
pid_t getppid(void) { return (pid_t)syscall(SYS_getppid, 0, 0, 0); }
pid_t fork(void) { return (pid_t)check(syscall(SYS_fork, 0, 0, 0)); }
int execve(const char *p, char *const argv[], char *const envp[]) { return (int)check(syscall(SYS_execve, p, argv, envp)); }
void exit(int code) { for (;;) syscall(SYS_exit_group, code, 0, 0); }
pid_t wait4(pid_t pid, int *st, int opt, void *ru) { return (pid_t)check(syscall6(SYS_wait4, pid, (long)st, opt, (long)ru, 0, 0)); }
pid_t waitpid(pid_t pid, int *st, int opt) { return wait4(pid, st, opt, NULL); }
void *brk(void *addr) { return (void *)syscall(SYS_brk, addr, 0, 0); }
void *sbrk(long inc)
{
	char *old = brk(0);
	if (inc && brk(old + inc) != old + inc) { errno = 12; return (void *)-1; }
	return old;
}
void *mmap(void *a, size_t l, int p, int fl, int fd, long off) { return (void *)syscall6(SYS_mmap, (long)a, l, p, fl, fd, off); }
int uname(struct utsname *u) { return (int)check(syscall(SYS_uname, u, 0, 0)); }
int nanosleep(const struct timespec *r, struct timespec *rem) { return (int)check(syscall(SYS_nanosleep, r, rem, 0)); }
int clock_gettime(int c, struct timespec *t) { return (int)check(syscall(SYS_clock_gettime, c, t, 0)); }
int reboot(unsigned cmd) { return (int)check(syscall6(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, 0, 0, 0)); }
long getdents64(int fd, void *buf, size_t n) { return check(syscall(SYS_getdents64, fd, buf, n)); }

int main(int argc, char **argv, char **envp);
void __libc_start_main(long argc, char **argv, char **envp)
{
	environ = envp;
	exit(main((int)argc, argv, envp));
}
