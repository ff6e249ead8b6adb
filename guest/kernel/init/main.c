/*
 * main.c - start_kernel and the path from it to /sbin/init.
 *
 * Read start_kernel top to bottom: it is the table of contents of the
 * boot.  We arrive from head_64.S (via x86_64_start_kernel) on init_task's
 * stack, one CPU, interrupts off, only the early page tables, and no
 * allocator; each line below makes something available that later lines
 * use.  rest_init() finally starts pid 1 (kernel_init) and pid 2
 * (kthreadd) and turns this thread into the idle task.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/mm.h"
#include "../include/sched.h"
#include "../include/fs.h"
#include "../include/device.h"
#include "../arch/x86/kernel/irq.h"

extern const char linux_banner[];
extern char boot_command_line[];
void setup_arch(char **cmdline_p);
void smp_setup_processor_id(void);
void boot_cpu_init(void);
void smp_prepare_cpus(unsigned max);
void smp_init(void);
void calibrate_delay(void);
void timekeeping_init(void);
void serial8250_console_init(void);
void vga_console_init(void);
void signals_init(void);
void init_workqueues(void);

static bool early_boot_irqs_disabled;
static bool initcall_debug;
static char *ramdisk_execute_command = "/init";	/* rdinit= */
static char *execute_command;			/* init= */

#define MAX_INIT_ARGS 16
#define MAX_INIT_ENVS 16
static char *argv_init[MAX_INIT_ARGS + 2] = { "init", NULL };
static char *envp_init[MAX_INIT_ENVS + 2] = { "HOME=/", "TERM=linux", NULL };

/* --- the command line ---------------------------------------------------- */

static int __init init_setup(char *str) { execute_command = str; argv_init[0] = str; return 0; }
__setup("init", init_setup);
static int __init rdinit_setup(char *str) { ramdisk_execute_command = str; argv_init[0] = str; return 0; }
__setup("rdinit", rdinit_setup);
static int __init initcall_debug_setup(char *str) { initcall_debug = true; return 0; }
__setup("initcall_debug", initcall_debug_setup);
static int __init console_setup(char *str)
{
	/* Both consoles are always registered; the option is accepted and recorded. */
	pr_info("console=%s: noted (ttyS0 and tty0 are always the consoles here)\n", str);
	return 0;
}
__setup("console", console_setup);

extern struct obs_kernel_param __setup_start[], __setup_end[];

static struct obs_kernel_param *find_setup(const char *param, bool early)
{
	for (struct obs_kernel_param *p = __setup_start; p < __setup_end; p++)
		if (p->early == early && !strcmp(p->str, param))
			return p;
	return NULL;
}

static int __init do_early_param(char *param, char *val)
{
	struct obs_kernel_param *p = find_setup(param, true);
	if (p)
		p->setup_func(val ? val : "");
	return 0;
}

/* Called from setup_arch(), as early as the E820 map is known. */
void __init parse_early_param(void)
{
	static char tmp[2048] __initdata;
	strlcpy(tmp, boot_command_line, sizeof(tmp));
	parse_args("early options", tmp, do_early_param);
}

/*
 * Everything not for an early_param: __setup handlers take their word;
 * unknown "a=b" goes to init's environment, other unknown words to its argv.
 */
static int __init unknown_bootoption(char *param, char *val)
{
	struct obs_kernel_param *p = find_setup(param, false);
	if (p)
		return p->setup_func(val ? val : "");
	if (find_setup(param, true))
		return 0;		/* early, already handled */
	if (val) {
		int i;
		for (i = 0; envp_init[i]; i++)
			;
		if (i >= MAX_INIT_ENVS)
			panic("Too many boot env vars at `%s'", param);
		val[-1] = '=';		/* parse_args cut "a=b" in two: rejoin */
		envp_init[i] = param;
	} else {
		int i;
		for (i = 0; argv_init[i]; i++)
			;
		if (i >= MAX_INIT_ARGS)
			panic("Too many boot init vars at `%s'", param);
		argv_init[i] = param;
	}
	return 0;
}

/* --- start_kernel ------------------------------------------------------------ */

static void __init mm_init(void)
{
	build_all_zonelists();	/* mem_map: a struct page for every page frame */
	mem_init();		/* memblock -> buddy allocator; prints "Memory: ..." */
	kmem_cache_init();	/* slab caches and kmalloc, on top of the buddy allocator */
}

static void __init console_init(void)
{
	/* Each registration replays log_buf: everything printed so far appears now. */
	serial8250_console_init();
	vga_console_init();
}

static void rest_init(void);

void __init start_kernel(void)
{
	char *command_line;
	static char after_dashes[2048];	/* init= and env strings point into it: not __initdata */

	set_task_stack_end_magic(&init_task);	/* canary at the bottom of init_stack */
	smp_setup_processor_id();		/* which CPU is this? (APIC id) */
	boot_cpu_init();			/* mark it possible/present/online/active */

	local_irq_disable();			/* no IDT yet: interrupts must stay off */
	early_boot_irqs_disabled = true;

	pr_notice("%s", linux_banner);		/* into log_buf only: no console yet */
	setup_arch(&command_line);		/* E820 -> memblock, page tables, APIC mapping */
	pr_notice("Kernel command line: %s\n", boot_command_line);
	strlcpy(after_dashes, command_line, sizeof(after_dashes));
	parse_args("Booting kernel", after_dashes, unknown_bootoption);

	trap_init();				/* IDT: exceptions, interrupt stubs; TSS; SYSCALL MSRs */
	mm_init();				/* buddy allocator, slab */
	sched_init();				/* runqueue; init_task becomes the idle task */
	preempt_disable();			/* (init_task starts with preempt_count 1) */
	init_IRQ();				/* 8259A remapped, local APIC virtual wire, IOAPIC */
	time_init();				/* PIT at HZ on IRQ 0, TSC calibrated */
	console_init();				/* serial + VGA consoles; the log so far is replayed */

	early_boot_irqs_disabled = false;
	local_irq_enable();			/* the tick starts */

	calibrate_delay();			/* BogoMIPS: needs the tick */
	timekeeping_init();			/* wall clock from the CMOS RTC */
	fork_init();				/* task_struct cache, max_threads, RLIMIT_NPROC */
	proc_caches_init();			/* sighand, signal, files, fs, mm, vma caches */
	buffer_init();				/* buffer_head cache */
	vfs_caches_init();			/* dentry/inode/file caches, rootfs mounted */
	signals_init();				/* sigqueue cache */
	proc_root_init();			/* /proc */

	rest_init();				/* pid 1 and 2, then this thread idles */
}

/* --- rest_init: from one thread to three --------------------------------------- */

static DECLARE_COMPLETION(kthreadd_done);
static int kernel_init(void *unused);
static int kthreadd(void *unused);

static void __attribute__((noinline)) rest_init(void)
{
	int pid;

	system_state = SYSTEM_SCHEDULING;
	/*
	 * kernel_init must be pid 1 so that it becomes /sbin/init's process,
	 * but it must not run its initcalls before kthreadd (pid 2) exists:
	 * it waits on kthreadd_done first thing.
	 */
	pid = kernel_thread(kernel_init, NULL, "kernel_init");
	pid = kernel_thread(kthreadd, NULL, "kthreadd");
	pr_info("rest_init: kernel_init is pid 1, kthreadd is pid %d\n", pid);
	complete(&kthreadd_done);

	/* Let the new threads run; from here on this is the idle task. */
	schedule_preempt_disabled();
	cpu_startup_entry();
}

/*
 * kthreadd: the parent of later kernel threads in Linux.  Here it just
 * sleeps on its wait queue until asked, proving a blocked thread costs
 * nothing; other kernel threads are started with kernel_thread() directly.
 */
static struct wait_queue_head kthreadd_wait;
static int kthreadd(void *unused)
{
	init_waitqueue_head(&kthreadd_wait);
	pr_info("kthreadd: pid %d running, waiting for work\n", current->pid);
	for (;;)
		wait_event(kthreadd_wait, false);
	return 0;
}

/* --- initcalls ----------------------------------------------------------------- */

extern initcall_t __initcall_start[], __initcall0_start[], __initcall1_start[], __initcall2_start[],
	__initcall3_start[], __initcall4_start[], __initcall5_start[], __initcallrootfs_start[],
	__initcall6_start[], __initcall7_start[], __initcall_end[];

static initcall_t *initcall_levels[] __initdata = {
	__initcall0_start, __initcall1_start, __initcall2_start, __initcall3_start, __initcall4_start,
	__initcall5_start, __initcallrootfs_start, __initcall6_start, __initcall7_start, __initcall_end,
};
static const char *initcall_level_names[] __initdata = {
	"pure", "core", "postcore", "arch", "subsys", "fs", "rootfs", "device", "late",
};

static void __init do_one_initcall(initcall_t fn)
{
	u64 t0 = 0, off;
	const char *name = kallsyms_lookup((u64)fn, &off);
	int ret;
	if (initcall_debug) {
		pr_info("calling  %s+0x0/0x0 @ %d\n", name ? name : "?", current->pid);
		t0 = ktime_get_ns();
	}
	ret = fn();
	if (initcall_debug)
		pr_info("initcall %s+0x0/0x0 returned %d after %lu usecs\n", name ? name : "?", ret,
			(ktime_get_ns() - t0) / 1000);
	if (irqs_disabled())
		panic("initcall %s returned with interrupts disabled", name);
}

static void __init do_initcalls(void)
{
	for (u64 level = 0; level < ARRAY_SIZE(initcall_levels) - 1; level++) {
		pr_info("initcall level %lu: %s (%ld calls)\n", level, initcall_level_names[level],
			(long)(initcall_levels[level + 1] - initcall_levels[level]));
		for (initcall_t *fn = initcall_levels[level]; fn < initcall_levels[level + 1]; fn++)
			do_one_initcall(*fn);
	}
}

static void __init do_basic_setup(void)
{
	driver_init();		/* the driver core, before any driver registers */
	init_workqueues();	/* kworker thread, for deferred work */
	do_initcalls();		/* every built-in subsystem and driver, level by level */
}

/* fds 0, 1, 2 for init: /dev/console, opened once and dup'ed twice. */
static void __init console_on_rootfs(void)
{
	int fd = ksys_open("/dev/console", O_RDWR, 0);
	if (fd < 0) {
		pr_err("Warning: unable to open an initial console (%d).\n", fd);
		return;
	}
	ksys_dup(fd);
	ksys_dup(fd);
}

static void __init kernel_init_freeable(void)
{
	wait_for_completion(&kthreadd_done);	/* kthreadd must exist first */
	smp_prepare_cpus(1);
	smp_init();
	do_basic_setup();
	console_on_rootfs();
	if (lookup_path(ramdisk_execute_command, NULL, NULL) == NULL) {
		pr_info("rdinit: %s not found in the initramfs\n", ramdisk_execute_command);
		ramdisk_execute_command = NULL;
	}
}

static int run_init_process(const char *init_filename)
{
	argv_init[0] = (char *)init_filename;
	pr_info("Run %s as init process\n", init_filename);
	for (int i = 0; argv_init[i]; i++)
		pr_debug("  with arguments: %s\n", argv_init[i]);
	for (int i = 0; envp_init[i]; i++)
		pr_debug("  with environment: %s\n", envp_init[i]);
	return kernel_execve(init_filename, argv_init, envp_init);
}

static bool try_to_run_init_process(const char *init_filename)
{
	int ret = run_init_process(init_filename);
	if (ret && ret != -ENOENT)
		pr_err("Starting init: %s exists but couldn't execute it (error %d)\n", init_filename, ret);
	return ret == 0;
}

void free_initmem(void);
void mark_rodata_ro(void);

/*
 * pid 1.  After the __init work, its own memory goes (free_initmem), the
 * read-only data becomes read-only, and it becomes /sbin/init by execve.
 * (This function itself is not __init: it must outlive free_initmem.)
 */
static int kernel_init(void *unused)
{
	kernel_init_freeable();

	free_initmem();
	mark_rodata_ro();
	system_state = SYSTEM_RUNNING;

	if (ramdisk_execute_command) {
		if (!run_init_process(ramdisk_execute_command))
			return 0;
		pr_err("Failed to execute %s\n", ramdisk_execute_command);
	}
	if (execute_command) {
		if (!run_init_process(execute_command))
			return 0;
		pr_err("Failed to execute %s.  Attempting defaults...\n", execute_command);
	}
	if (try_to_run_init_process("/sbin/init") || try_to_run_init_process("/etc/init") ||
	    try_to_run_init_process("/bin/init") || try_to_run_init_process("/bin/sh"))
		return 0;

	panic("No working init found.  Try passing init= option to kernel. "
	      "See Linux Documentation/admin-guide/init.rst for guidance.");
}
