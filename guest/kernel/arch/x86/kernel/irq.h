/* irq.h - interrupt controllers and handlers (arch/x86/kernel). */
#ifndef X86_IRQ_H
#define X86_IRQ_H
#include "../../../include/sched.h"
#define FIRST_EXTERNAL_VECTOR 0x20	/* IRQ n of the 8259A pair -> vector 0x20 + n */
#define SPURIOUS_APIC_VECTOR  0xff
#define NR_IRQS 16
typedef void (*irq_handler_t)(int irq, void *dev);
int request_irq(int irq, irq_handler_t handler, const char *name, void *dev);
void handle_irq_vector(int vector, struct pt_regs *regs);
void init_IRQ(void);
void init_apic_mappings(void);
void cpu_init(void);
void trap_init(void);
void time_init(void);
void tsc_init(void);
int show_interrupts(char *buf, size_t size);
extern u64 irq_count[NR_IRQS];
void machine_power_off(void) noreturn;
void machine_restart(void) noreturn;
#endif
