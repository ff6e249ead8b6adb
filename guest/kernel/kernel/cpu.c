/*
 * cpu.c - which CPUs exist and run.  Four bitmaps, as in Linux: possible
 * (could ever be plugged in), present (are there), online (run the
 * scheduler), active (may take tasks).  Uniprocessor here: bit 0 only, but
 * the bits are real and smp_init checks them.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"

struct cpumask { u64 bits; };
struct cpumask cpu_possible_mask, cpu_present_mask, cpu_online_mask, cpu_active_mask;
int boot_cpu_id;
static u32 boot_cpu_apic_id;

static void set_cpu(struct cpumask *m, int cpu, bool on)
{
	if (on)
		m->bits |= 1UL << cpu;
	else
		m->bits &= ~(1UL << cpu);
}
static int num_cpus(const struct cpumask *m)
{
	int n = 0;
	for (u64 b = m->bits; b; b &= b - 1)
		n++;
	return n;
}

/* Which CPU are we?  The initial APIC ID from CPUID leaf 1, EBX[31:24]. */
void __init smp_setup_processor_id(void)
{
	u32 a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	boot_cpu_apic_id = b >> 24;
	boot_cpu_id = 0;
}

void __init boot_cpu_init(void)
{
	set_cpu(&cpu_online_mask, boot_cpu_id, true);
	set_cpu(&cpu_active_mask, boot_cpu_id, true);
	set_cpu(&cpu_present_mask, boot_cpu_id, true);
	set_cpu(&cpu_possible_mask, boot_cpu_id, true);
}

void __init smp_prepare_cpus(unsigned max)
{
	pr_info("smp: uniprocessor kernel: CPU%d (APIC id %u) is the boot CPU, %d possible, %d present\n",
		boot_cpu_id, boot_cpu_apic_id, num_cpus(&cpu_possible_mask), num_cpus(&cpu_present_mask));
}

/* Bring up every present CPU that is not online yet: none, on one CPU. */
void __init smp_init(void)
{
	int brought_up = 0;
	for (int cpu = 0; cpu < 64; cpu++)
		if ((cpu_present_mask.bits >> cpu & 1) && !(cpu_online_mask.bits >> cpu & 1))
			pr_warn("smp: CPU%d present but secondary CPU bring-up is NOT IMPLEMENTED\n", cpu);
	brought_up = num_cpus(&cpu_online_mask);
	pr_info("smp: Brought up 1 node, %d CPU\n", brought_up);
}
