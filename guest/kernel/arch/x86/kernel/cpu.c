/*
 * cpu.c - per-CPU state: the TSS (where ring 3 -> ring 0 transitions find
 * the kernel stack, in rsp0) and its GDT descriptor; and how the machine
 * powers off or restarts.
 */
#include "../../../include/kernel.h"
#include "../../../include/asm.h"
#include "../../../include/init.h"
#include "../../../include/sched.h"
#include "irq.h"

struct tss_struct {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 io_bitmap_base;	/* beyond the limit: no I/O bitmap, user I/O faults */
} __attribute__((packed));
static struct tss_struct cpu_tss __attribute__((aligned(64)));
extern u64 gdt_table[];

void update_tss_rsp0(u64 rsp0)
{
	cpu_tss.rsp0 = rsp0;
	cpu_current_top_of_stack = rsp0;	/* the SYSCALL entry's stack */
}

void __init cpu_init(void)
{
	u64 base = (u64)&cpu_tss, limit = sizeof(cpu_tss) - 1;

	cpu_tss.io_bitmap_base = sizeof(cpu_tss);
	/* A 16-byte system descriptor: type 9 = available 64-bit TSS, present. */
	gdt_table[GDT_ENTRY_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
				   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt_table[GDT_ENTRY_TSS + 1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(__TSS_SEL));
	update_tss_rsp0((u64)current->stack + THREAD_SIZE);
}

/*
 * Power off: QEMU's pc machine (PIIX4 PM, I/O base 0x600 as SeaBIOS sets
 * it) and Bootscope both turn off when SLP_TYPa = 0 (S5) with SLP_EN (bit
 * 13) = 0x2000 is written to PM1a_CNT at 0x604.  Older QEMU/Bochs used 0xb004.
 */
#define ACPI_PM1A_CNT 0x604
#define BOCHS_PM1A_CNT 0xb004
#define SLP_EN_S5 0x2000
void machine_power_off(void)
{
	local_irq_disable();
	outw(SLP_EN_S5, ACPI_PM1A_CNT);
	outw(SLP_EN_S5, BOCHS_PM1A_CNT);
	pr_emerg("reboot: power-off did not happen (no ACPI PM at 0x604); System halted\n");
	for (;;)
		asm volatile("cli; hlt");
}

/* Restart: pulse the CPU reset line through the 8042, then triple-fault. */
void machine_restart(void)
{
	struct { u16 limit; u64 base; } __attribute__((packed)) null_idt = { 0, 0 };
	local_irq_disable();
	for (int i = 0; i < 10000 && (inb(0x64) & 2); i++)
		io_delay();
	outb(0xfe, 0x64);
	asm volatile("lidt %0; int3" : : "m"(null_idt));
	for (;;)
		asm volatile("hlt");
}
