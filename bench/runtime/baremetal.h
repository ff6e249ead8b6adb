// What the bare-metal runtime (baremetal.c) offers beyond bench.h, for the
// workloads that exist only on a machine: port I/O and interrupts.
#pragma once

#include "bench.h"

static inline void outb(uint16_t port, uint8_t value) {
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port) {
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static inline void interrupts_off(void) { __asm__ volatile("cli" : : : "memory"); }

// Enables interrupts and halts until one arrives. STI delays interrupts by
// one instruction, so one that is already pending wakes the HLT rather than
// slipping in before it. Returns with interrupts enabled.
static inline void enable_interrupts_and_halt(void) { __asm__ volatile("sti; hlt" : : : "memory"); }

// COM1, the 16550 UART at 0x3F8 the runtime prints on (PC16550D datasheet, table II).
#define COM1        0x3f8
#define UART_THR    0       // transmit holding register (write)
#define UART_LSR    5       // line status register
#define LSR_THRE    0x20    // the holding register is empty

// The 8259A pair and the 8254 timer, for the interrupt workloads.
#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define PIC_EOI     0x20    // OCW2: non-specific end of interrupt
#define PIT_CH0     0x40
#define PIT_CMD     0x43
#define PIT_HZ      1193182 // the 8254's input clock

// Vectors the runtime's remapped PICs deliver IRQ 0-15 on.
#define IRQ_VECTOR_BASE 0x20

// Remaps the PICs to IRQ_VECTOR_BASE (master) and IRQ_VECTOR_BASE + 8
// (slave), every line masked.
void bench_pic_init(void);

// Calls `handler` (interrupts off, on the interrupted stack) for `vector`.
// An interrupt or exception without a handler fails the run.
void bench_set_interrupt_handler(uint8_t vector, void (*handler)(void));
