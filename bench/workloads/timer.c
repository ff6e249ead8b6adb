// timer: timer-interrupt heavy. The 8254's channel 0 runs as a rate
// generator at 10 kHz (divisor 119: 10,026.7 Hz) on IRQ0 through the 8259;
// the CPU halts between ticks and each tick's handler folds the tick into
// the checksum and sends the 8259 its end of interrupt. n ticks.
// Bare metal only. On Bootscope, HLT skips to the next tick on the virtual
// clock, so the run costs only the interrupt path: delivery through the IDT,
// the handler, IRET, and the timer's events; the runner runs QEMU with
// -icount shift=0,sleep=off so that its clock does the same.
#include "baremetal.h"

#define PIT_DIVISOR    119
#define PIT_CH0_MODE2  0x34  // channel 0, low then high byte, mode 2 (rate generator), binary

static volatile uint64_t ticks, folded, limit;

static void on_tick(void) {
    // Only the first `limit` ticks count: one more may come before the
    // main loop masks the line, and the checksum must not depend on it.
    if (++ticks <= limit) folded = folded * 31 + ticks;
    outb(PIC1_CMD, PIC_EOI);
}

uint64_t workload_main(uint64_t n) {
    limit = n;
    bench_pic_init();
    bench_set_interrupt_handler(IRQ_VECTOR_BASE + 0, on_tick);
    outb(PIT_CMD, PIT_CH0_MODE2);
    outb(PIT_CH0, PIT_DIVISOR & 0xff);
    outb(PIT_CH0, PIT_DIVISOR >> 8);
    outb(PIC1_DATA, 0xfe);  // unmask IRQ0
    // Checked with interrupts off, so no tick slips in between the check
    // and the HLT (which would then wait a whole period more).
    for (;;) {
        interrupts_off();
        if (ticks >= n) break;
        enable_interrupts_and_halt();
    }
    outb(PIC1_DATA, 0xff);
    return folded ^ (n << 48);
}
