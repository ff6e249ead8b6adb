/*
 * sys.c - the system call table (Linux x86-64 numbers) and the small
 * calls that fit nowhere else: pids, uname, time, sleeping, reboot.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/sched.h"
#include "../include/fs.h"
#include "../arch/x86/kernel/irq.h"

long sys_read(int fd, char *buf, size_t n);
long sys_write(int fd, const char *buf, size_t n);
long sys_open(const char *path, int flags, u32 mode);
long sys_openat(int dirfd, const char *path, int flags, u32 mode);
long sys_close(int fd);
long sys_getdents64(int fd, char *buf, size_t n);
long sys_brk(u64 addr);
long sys_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off);

struct new_utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
struct new_utsname init_uts_ns;
extern const char linux_banner[];

/* pure_initcall: fill in the names uname(2) reports. */
static int __init init_uts_ns_setup(void)
{
	strlcpy(init_uts_ns.sysname, "Linux", 65);	/* what programs expect to see */
	strlcpy(init_uts_ns.nodename, "bootscope", 65);
	strlcpy(init_uts_ns.release, "0.1.0-bootscope", 65);
	strlcpy(init_uts_ns.version, "#1 SMP-less miniature", 65);
	strlcpy(init_uts_ns.machine, "x86_64", 65);
	strlcpy(init_uts_ns.domainname, "(none)", 65);
	return 0;
}
pure_initcall(init_uts_ns_setup);

static long sys_uname(struct new_utsname *u) { return copy_to_user(u, &init_uts_ns, sizeof(*u)); }
static long sys_getpid(void) { return current->pid; }
static long sys_getppid(void) { return current->parent ? current->parent->pid : 0; }

struct timespec64 { s64 tv_sec, tv_nsec; };
static long sys_clock_gettime(int clk, struct timespec64 *uts)
{
	u64 ns = ktime_get_ns();
	struct timespec64 ts = { (s64)(ns / 1000000000), (s64)(ns % 1000000000) };
	if (clk == 0)		/* CLOCK_REALTIME: the RTC at boot + time since */
		ts.tv_sec += boot_time_sec;
	else if (clk != 1 && clk != 4)	/* CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW */
		return -EINVAL;
	return copy_to_user(uts, &ts, sizeof(ts));
}

static long sys_nanosleep(const struct timespec64 *ureq, struct timespec64 *urem)
{
	struct timespec64 req;
	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	u64 ticks = (u64)req.tv_sec * HZ + ((u64)req.tv_nsec * HZ + 999999999) / 1000000000;
	schedule_timeout((long)ticks);
	return 0;
}

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT 0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
static long sys_reboot(u32 magic1, u32 magic2, u32 cmd)
{
	if (magic1 != LINUX_REBOOT_MAGIC1 || magic2 != LINUX_REBOOT_MAGIC2)
		return -EINVAL;
	/* No capabilities in this kernel: any process may power off. */
	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
		system_state = SYSTEM_POWER_OFF;
		pr_notice("reboot: Power down\n");
		machine_power_off();
	case LINUX_REBOOT_CMD_RESTART:
		pr_notice("reboot: Restarting system\n");
		machine_restart();
	case LINUX_REBOOT_CMD_HALT:
		system_state = SYSTEM_HALT;
		pr_notice("reboot: System halted\n");
		local_irq_disable();
		for (;;)
			asm volatile("hlt");
	}
	return -EINVAL;
}

static long sys_execve(const char *ufile, char *const *argv, char *const *envp, struct pt_regs *regs)
{
	char path[256];
	long n = strncpy_from_user(path, ufile, sizeof(path));
	if (n < 0)
		return n;
	return do_execve(path, argv, envp, true, regs);
}

/*
 * Entered from entry_SYSCALL_64 with interrupts off.  Run the call with
 * interrupts on (it may sleep, and the tick may preempt it), then give up
 * the CPU if the tick asked for that, and return to user space.
 */
void do_syscall_64(struct pt_regs *r)
{
	long ret;
	local_irq_enable();
	switch (r->rax) {
	case 0: ret = sys_read((int)r->rdi, (char *)r->rsi, r->rdx); break;
	case 1: ret = sys_write((int)r->rdi, (const char *)r->rsi, r->rdx); break;
	case 2: ret = sys_open((const char *)r->rdi, (int)r->rsi, (u32)r->rdx); break;
	case 3: ret = sys_close((int)r->rdi); break;
	case 9: ret = sys_mmap(r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9); break;
	case 12: ret = sys_brk(r->rdi); break;
	case 35: ret = sys_nanosleep((void *)r->rdi, (void *)r->rsi); break;
	case 39: ret = sys_getpid(); break;
	case 57: ret = do_fork(r); break;			/* fork */
	case 59: ret = sys_execve((const char *)r->rdi, (char *const *)r->rsi, (char *const *)r->rdx, r); break;
	case 60: case 231: do_exit((int)(r->rdi & 0xff) << 8);	/* exit, exit_group */
	case 61: ret = do_wait4((int)r->rdi, (int *)r->rsi, (int)r->rdx); break;
	case 63: ret = sys_uname((void *)r->rdi); break;
	case 110: ret = sys_getppid(); break;
	case 169: ret = sys_reboot((u32)r->rdi, (u32)r->rsi, (u32)r->rdx); break;
	case 217: ret = sys_getdents64((int)r->rdi, (char *)r->rsi, r->rdx); break;
	case 228: ret = sys_clock_gettime((int)r->rdi, (void *)r->rsi); break;
	case 257: ret = sys_openat((int)r->rdi, (const char *)r->rsi, (int)r->rdx, (u32)r->r10); break;
	default:
		pr_info("%s[%d]: system call %lu is NOT IMPLEMENTED, returning -ENOSYS\n", current->comm, current->pid, r->rax);
		ret = -ENOSYS;
	}
	if (r->rax != 59 || ret != 0)	/* a successful execve already set up every register */
		r->rax = ret;
	if (need_resched)
		schedule();
	local_irq_disable();
}
