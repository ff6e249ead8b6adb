/*
 * traps.c - the IDT, CPU exceptions, and the one C function every
 * interrupt comes through.
 *
 * Vectors:  0-31  CPU exceptions (Intel SDM vol. 3, table 6-1)
 *          32-47  the 8259A pair's IRQ 0-15 (remapped there by init_IRQ)
 *           0xff  local APIC spurious
 * System calls use SYSCALL (MSRs set here), not a vector.
 */
#include "../../../include/kernel.h"
#include "../../../include/asm.h"
#include "../../../include/init.h"
#include "../../../include/sched.h"
#include "irq.h"

struct idt_entry {
	u16 offset_low, selector;
	u8 ist, type_attr;	/* 0x8e: present, DPL 0, 64-bit interrupt gate (IF cleared) */
	u16 offset_mid;
	u32 offset_high, zero;
} __attribute__((packed));
static struct idt_entry idt_table[256] __attribute__((aligned(16)));
extern u64 interrupt_stub_table[256];
extern void entry_SYSCALL_64(void);

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "int3", "overflow", "bounds", "invalid opcode",
	"device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack segment", "general protection fault", "page fault",
	"reserved", "x87 FPU error", "alignment check", "machine check", "SIMD exception",
	"virtualization", "control protection", "reserved", "reserved", "reserved", "reserved",
	"reserved", "reserved", "reserved", "VMM communication", "security", "reserved",
};

static void set_gate(int vec, u64 handler, int dpl)
{
	struct idt_entry *e = &idt_table[vec];
	e->offset_low = handler & 0xffff;
	e->selector = __KERNEL_CS;
	e->ist = 0;
	e->type_attr = 0x8e | (dpl << 5);
	e->offset_mid = (handler >> 16) & 0xffff;
	e->offset_high = handler >> 32;
	e->zero = 0;
}

/* SYSCALL/SYSRET (AMD64 APM vol. 2, 6.1.1) */
#define MSR_STAR   0xc0000081	/* [47:32] kernel CS (SS = +8); [63:48] user base: CS = +16, SS = +8 */
#define MSR_LSTAR  0xc0000082	/* 64-bit SYSCALL entry point */
#define MSR_SYSCALL_MASK 0xc0000084	/* RFLAGS bits cleared on SYSCALL */

void __init trap_init(void)
{
	struct { u16 limit; u64 base; } __attribute__((packed)) idtr;

	for (int v = 0; v < 256; v++)
		set_gate(v, interrupt_stub_table[v], v == 3 ? 3 : 0);	/* int3 allowed from user */
	idtr.limit = sizeof(idt_table) - 1;
	idtr.base = (u64)idt_table;
	asm volatile("lidt %0" : : "m"(idtr));

	cpu_init();	/* the TSS, so ring 3 -> ring 0 finds a kernel stack */

	wrmsr(MSR_STAR, ((u64)(__USER32_CS & ~3) << 48) | ((u64)__KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)entry_SYSCALL_64);
	wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_IF | 0x100 /* TF */ | 0x400 /* DF */ | 0x40000 /* AC */);
	pr_info("trap_init: IDT with 256 gates at %p, SYSCALL entry %p (STAR %lx)\n",
		idt_table, entry_SYSCALL_64, rdmsr(MSR_STAR));
}

void show_regs(struct pt_regs *r)
{
	u64 off;
	const char *sym = kallsyms_lookup(r->rip, &off);
	pr_emerg("CPU: 0 PID: %d Comm: %s\n", current->pid, current->comm);
	pr_emerg("RIP: %04lx:%016lx %s+0x%lx\n", r->cs, r->rip, sym ? sym : "?", off);
	pr_emerg("RSP: %04lx:%016lx EFLAGS: %08lx\n", r->ss, r->rsp, r->rflags);
	pr_emerg("RAX: %016lx RBX: %016lx RCX: %016lx\n", r->rax, r->rbx, r->rcx);
	pr_emerg("RDX: %016lx RSI: %016lx RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
	pr_emerg("RBP: %016lx R08: %016lx R09: %016lx\n", r->rbp, r->r8, r->r9);
	pr_emerg("R10: %016lx R11: %016lx R12: %016lx\n", r->r10, r->r11, r->r12);
	pr_emerg("R13: %016lx R14: %016lx R15: %016lx\n", r->r13, r->r14, r->r15);
	pr_emerg("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void print_backtrace(u64 rbp);

static void do_exception(struct pt_regs *regs)
{
	int v = (int)regs->vector;

	if (user_mode(regs)) {
		/* A user program's fault kills the program, not the kernel (SIGSEGV-like). */
		pr_info("%s[%d]: %s at ip %lx sp %lx error %lx%s%lx\n", current->comm, current->pid,
			exception_names[v], regs->rip, regs->rsp, regs->error_code,
			v == 14 ? " address " : "", v == 14 ? read_cr2() : 0);
		local_irq_enable();
		do_exit(v == 14 || v == 13 ? 11 : 6);	/* wait status: killed by SIGSEGV / SIGABRT */
	}
	/* In the kernel: an oops.  Say what and where, then stop. */
	if (v == 14)
		pr_emerg("BUG: unable to handle page fault for address: %016lx (%s)\n", read_cr2(),
			 read_cr2() < PAGE_SIZE ? "NULL pointer dereference" : "kernel paging request");
	pr_emerg("Oops: %s, error code %04lx [#1]\n", exception_names[v], regs->error_code);
	show_regs(regs);
	pr_emerg("Call Trace:\n");
	print_backtrace(regs->rbp);
	panic("Fatal exception");
}

/* The single C entry point for vectors 0-255 (entry_64.S: common_entry). */
void do_interrupt(struct pt_regs *regs)
{
	if (regs->vector < 32) {
		do_exception(regs);
		return;
	}
	handle_irq_vector((int)regs->vector, regs);

	/*
	 * Preemption: the timer tick may have decided the current task has had
	 * its turn.  Switch now unless the interrupted code said "not now"
	 * (preempt_count).  Interrupts are still off; schedule() copes.
	 */
	if (need_resched && preempt_count == 0)
		preempt_schedule_irq();
}
