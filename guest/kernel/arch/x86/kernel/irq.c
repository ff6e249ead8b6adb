/*
 * irq.c - the interrupt controllers: the 8259A pair, the local APIC and the
 * IOAPIC, and the table of IRQ handlers.
 *
 * Routing, on both QEMU and Bootscope: ISA devices raise IRQ lines on the
 * 8259A pair, remapped to vectors 0x20-0x2f.  When the CPU has a local APIC
 * we enable it in "virtual wire" mode: LINT0 is set to ExtINT, so the 8259A's
 * INTR output passes through the APIC to the CPU unchanged.  The IOAPIC is
 * found and initialised with every pin masked (a full kernel would route the
 * ISA IRQs through it; we keep one path for clarity and say so at boot).
 */
#include "../../../include/kernel.h"
#include "../../../include/asm.h"
#include "../../../include/init.h"
#include "../../../include/mm.h"
#include "irq.h"

/* 8259A programmable interrupt controller (Intel 8259A datasheet) */
#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1
#define ICW1_INIT_ICW4  0x11	/* edge triggered, cascade, ICW4 follows */
#define ICW4_8086       0x01
#define PIC_EOI         0x20	/* non-specific end of interrupt */
#define PIC_CASCADE_IR  2	/* the slave hangs off master IR2 */

static u16 cached_irq_mask = 0xffff & ~(1 << PIC_CASCADE_IR);

static void pic_write_mask(void)
{
	outb(cached_irq_mask & 0xff, PIC_MASTER_DATA);
	outb(cached_irq_mask >> 8, PIC_SLAVE_DATA);
}

static void __init init_8259A(void)
{
	outb(0xff, PIC_MASTER_DATA);	/* mask everything while we reprogram */
	outb(0xff, PIC_SLAVE_DATA);

	outb(ICW1_INIT_ICW4, PIC_MASTER_CMD);
	io_delay();
	outb(FIRST_EXTERNAL_VECTOR, PIC_MASTER_DATA);		/* ICW2: IR0-7 -> 0x20-0x27 */
	io_delay();
	outb(1 << PIC_CASCADE_IR, PIC_MASTER_DATA);		/* ICW3: slave on IR2 */
	io_delay();
	outb(ICW4_8086, PIC_MASTER_DATA);
	io_delay();

	outb(ICW1_INIT_ICW4, PIC_SLAVE_CMD);
	io_delay();
	outb(FIRST_EXTERNAL_VECTOR + 8, PIC_SLAVE_DATA);	/* IR0-7 -> 0x28-0x2f */
	io_delay();
	outb(PIC_CASCADE_IR, PIC_SLAVE_DATA);			/* ICW3: my cascade identity */
	io_delay();
	outb(ICW4_8086, PIC_SLAVE_DATA);
	io_delay();

	pic_write_mask();
	pr_info("i8259A: remapped IRQ 0-15 to vectors 0x%x-0x%x, all lines masked but the cascade\n",
		FIRST_EXTERNAL_VECTOR, FIRST_EXTERNAL_VECTOR + 15);
}

static void pic_unmask(int irq) { cached_irq_mask &= ~(1 << irq); pic_write_mask(); }

static void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC_EOI, PIC_SLAVE_CMD);
	outb(PIC_EOI, PIC_MASTER_CMD);
}

/* Local APIC (Intel SDM vol. 3, chapter 10) */
#define MSR_IA32_APICBASE 0x1b
#define APICBASE_ENABLE   (1 << 11)
#define APIC_ID     0x20
#define APIC_LVR    0x30	/* version */
#define APIC_TASKPRI 0x80
#define APIC_EOI    0xb0
#define APIC_SPIV   0xf0	/* spurious vector; bit 8 = software enable */
#define APIC_LVTT   0x320	/* timer */
#define APIC_LVT0   0x350	/* LINT0 */
#define APIC_LVT1   0x360	/* LINT1 */
#define APIC_LVTERR 0x370
#define APIC_DM_EXTINT 0x700
#define APIC_DM_NMI    0x400
#define APIC_LVT_MASKED 0x10000

/* IOAPIC (82093AA datasheet): an index register and a window register */
#define IO_APIC_DEFAULT_PHYS_BASE 0xfec00000
#define IOREGSEL 0x00
#define IOWIN    0x10
#define IOAPIC_REG_ID  0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

static volatile u32 *lapic;
static volatile u32 *ioapic;
static u64 lapic_phys;

static u32 apic_read(u32 reg) { return lapic[reg / 4]; }
static void apic_write(u32 reg, u32 v) { lapic[reg / 4] = v; }
static u32 io_apic_read(u32 reg) { ioapic[IOREGSEL / 4] = reg; return ioapic[IOWIN / 4]; }
static void io_apic_write(u32 reg, u32 v) { ioapic[IOREGSEL / 4] = reg; ioapic[IOWIN / 4] = v; }

static bool cpu_has_apic(void)
{
	u32 a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	return d & (1 << 9);
}

/* Called from setup_arch(): map the APIC registers (uncached) so init_IRQ can program them. */
void __init init_apic_mappings(void)
{
	if (!cpu_has_apic()) {
		pr_info("No local APIC present (CPUID.1:EDX.APIC = 0)\n");
		return;
	}
	lapic_phys = rdmsr(MSR_IA32_APICBASE) & ~0xfffUL & 0xffffffffffUL;
	lapic = ioremap(lapic_phys, PAGE_SIZE);
	ioapic = ioremap(IO_APIC_DEFAULT_PHYS_BASE, PAGE_SIZE);
	pr_info("mapped APIC to %p (%lx), IOAPIC to %p (%x)\n", lapic, lapic_phys,
		ioapic, IO_APIC_DEFAULT_PHYS_BASE);
}

static void __init setup_local_APIC(void)
{
	wrmsr(MSR_IA32_APICBASE, rdmsr(MSR_IA32_APICBASE) | APICBASE_ENABLE);
	apic_write(APIC_TASKPRI, 0);			/* accept every priority */
	apic_write(APIC_SPIV, 0x100 | SPURIOUS_APIC_VECTOR);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);		/* the PIT is our tick */
	apic_write(APIC_LVT0, APIC_DM_EXTINT);		/* virtual wire: 8259A INTR -> CPU */
	apic_write(APIC_LVT1, APIC_DM_NMI);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	pr_info("APIC: local APIC id %u version 0x%x enabled, LINT0 = ExtINT (virtual wire with the 8259A)\n",
		apic_read(APIC_ID) >> 24, apic_read(APIC_LVR) & 0xff);
}

static void __init setup_IO_APIC(void)
{
	u32 ver = io_apic_read(IOAPIC_REG_VER), pins;
	if (ver == 0xffffffff) {
		pr_info("IOAPIC: none at %x\n", IO_APIC_DEFAULT_PHYS_BASE);
		return;
	}
	pins = ((ver >> 16) & 0xff) + 1;
	for (u32 i = 0; i < pins; i++) {
		io_apic_write(IOAPIC_REDTBL(i) + 1, 0);		/* destination: APIC 0 */
		io_apic_write(IOAPIC_REDTBL(i), APIC_LVT_MASKED | (FIRST_EXTERNAL_VECTOR + i));
	}
	pr_info("IOAPIC[0]: apic_id %u, version 0x%x, address 0x%x, GSI 0-%u, all pins masked (ISA IRQs use the 8259A)\n",
		(io_apic_read(IOAPIC_REG_ID) >> 24) & 0xf, ver & 0xff, IO_APIC_DEFAULT_PHYS_BASE, pins - 1);
}

struct irq_desc { irq_handler_t handler; const char *name; void *dev; };
static struct irq_desc irq_desc[NR_IRQS];
u64 irq_count[NR_IRQS];
static u64 spurious_count;

void __init init_IRQ(void)
{
	init_8259A();
	if (lapic) {
		setup_local_APIC();
		setup_IO_APIC();
	}
}

int request_irq(int irq, irq_handler_t handler, const char *name, void *dev)
{
	if (irq < 0 || irq >= NR_IRQS || irq_desc[irq].handler)
		return -EINVAL;
	irq_desc[irq] = (struct irq_desc){ handler, name, dev };
	pic_unmask(irq);
	return 0;
}

void handle_irq_vector(int vector, struct pt_regs *regs)
{
	int irq = vector - FIRST_EXTERNAL_VECTOR;

	if (vector == SPURIOUS_APIC_VECTOR) {
		spurious_count++;	/* no EOI for a spurious APIC interrupt */
		return;
	}
	if (irq < 0 || irq >= NR_IRQS) {
		pr_warn("unexpected interrupt vector 0x%x\n", vector);
		return;
	}
	/* IR7/IR15 with nothing in service is the 8259A's spurious interrupt */
	if ((irq == 7 || irq == 15) && !irq_desc[irq].handler) {
		spurious_count++;
		if (irq == 15)
			pic_eoi(0);	/* the master did see the cascade */
		return;
	}
	irq_count[irq]++;
	/* EOI first: the handler may reschedule and not come back for a while. */
	pic_eoi(irq);
	if (irq_desc[irq].handler)
		irq_desc[irq].handler(irq, irq_desc[irq].dev);
}

int show_interrupts(char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "            CPU0\n");
	for (int i = 0; i < NR_IRQS; i++)
		if (irq_desc[i].handler)
			n += snprintf(buf + n, size - n, "%3d: %10lu   XT-PIC  %s\n", i, irq_count[i], irq_desc[i].name);
	n += snprintf(buf + n, size - n, "SPU: %10lu   Spurious interrupts\n", spurious_count);
	return (int)n;
}
