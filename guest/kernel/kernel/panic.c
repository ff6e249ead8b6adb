/*
 * panic.c - the end of the line: say why, show the call chain with symbol
 * names, then halt (or, with panic=N, reboot after N seconds; panic=-1
 * reboots at once, which QEMU's -no-reboot turns into a clean exit).
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/sched.h"
#include "../arch/x86/kernel/irq.h"

int panic_timeout;
enum system_states system_state;
void emergency_flush_log(void);

/* Walk the frame-pointer chain: [rbp] = caller's rbp, [rbp+8] = return address. */
void print_backtrace(u64 rbp)
{
	u64 lo = (u64)current->stack, hi = lo + THREAD_SIZE;
	for (int depth = 0; depth < 32 && rbp >= lo && rbp + 16 <= hi; depth++) {
		u64 ret = ((u64 *)rbp)[1], off;
		const char *name = kallsyms_lookup(ret, &off);
		pr_emerg(" [<%016lx>] %s+0x%lx\n", ret, name ? name : "?", off);
		rbp = ((u64 *)rbp)[0];
	}
}

void dump_stack(void)
{
	pr_emerg("CPU: 0 PID: %d Comm: %s\nCall Trace:\n", current->pid, current->comm);
	print_backtrace((u64)__builtin_frame_address(0));
}

void panic(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	local_irq_disable();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_emerg("Kernel panic - not syncing: %s\n", buf);
	dump_stack();
	emergency_flush_log();	/* if we died before any console existed */
	if (panic_timeout) {
		if (panic_timeout > 0) {
			pr_emerg("Rebooting in %d seconds..\n", panic_timeout);
			for (u64 end = ktime_get_ns() + (u64)panic_timeout * 1000000000; ktime_get_ns() < end;)
				cpu_relax();
		}
		pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", buf);
		machine_restart();
	}
	pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", buf);
	for (;;)
		asm volatile("cli; hlt");
}

static int __init panic_setup(char *val) { panic_timeout = (int)simple_strtol(val, NULL, 0); return 0; }
early_param("panic", panic_setup);
