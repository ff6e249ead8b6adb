// The bare-metal runtime of the benchmark kernels: what runs between the
// long-mode switch of multiboot.S and the workload, and the services of
// bench.h and baremetal.h.
//
// bench_baremetal_main reads the Multiboot information (the RAM size and the
// command line), sets COM1 to 115200 8N1, loads an IDT whose every vector
// goes through bench_interrupt, takes the workload size from "n=<decimal>"
// on the command line, calls workload_main, prints "checksum 0x<hex>" and
// exits through QEMU's isa-debug-exit device (port 0xF4): the emulator exits
// with status (0x21 << 1) | 1 = 67 after a run, (0x30 << 1) | 1 = 97 after
// a failure. Without that device the CPU halts.
//
// Memory map (virtual = physical below 1 GiB, 2 MiB pages, multiboot.S):
//   1 MiB              the kernel: text, data, page tables, boot stack
//   _end up to RAM end the heap: bench_alloc and the memory behind
//                      bench_alloc_small_pages, handed out upwards, never freed
//   1 GiB .. 2 GiB     virtual only: bench_alloc_small_pages's 4 KiB pages
#include "baremetal.h"

#define MULTIBOOT_BOOT_MAGIC  0x2badb002
#define MB_INFO_MEMORY        (1u << 0)    // mem_lower/mem_upper are valid
#define MB_INFO_CMDLINE       (1u << 2)    // cmdline is valid
#define EXIT_DONE             0x21
#define EXIT_FAILED           0x30
#define ISA_DEBUG_EXIT        0xf4
#define PAGE_SIZE             4096ull
#define LARGE_PAGE_SIZE       (2ull << 20)
#define IDENTITY_END          (1ull << 30)  // multiboot.S maps this much with 2 MiB pages
#define SMALL_PAGES_BASE      (1ull << 30)
#define SMALL_PAGES_END       (2ull << 30)
#define PTE_PRESENT_WRITABLE  0x3ull

// The part of the Multiboot information structure this runtime reads.
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;  // KiB below 1 MiB
    uint32_t mem_upper;  // KiB from 1 MiB to the first hole
    uint32_t boot_device;
    uint32_t cmdline;    // physical address of a NUL-terminated string
};

// An IDT entry in IA-32e mode: a 64-bit interrupt gate (SDM vol. 3A figure 6-8).
struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attributes;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};

#define KERNEL_CS             0x08
#define GATE_INTERRUPT_64     0x8e  // present, DPL 0, 64-bit interrupt gate

extern char _end[];                       // link.ld: the end of the kernel image
extern uint64_t small_pd[512];            // multiboot.S: the page directory of 1..2 GiB
extern char bench_interrupt_stubs[];      // multiboot.S: 16 bytes per vector

static struct idt_gate idt[256] __attribute__((aligned(16)));
static void (*interrupt_handlers[256])(void);
static uint64_t heap_next, heap_end;
static uint64_t small_pages_next = SMALL_PAGES_BASE;

// ---- COM1 ----

static void serial_init(void) {
    outb(COM1 + 1, 0x00);  // IER: no interrupts
    outb(COM1 + 3, 0x80);  // LCR: DLAB, to reach the divisor
    outb(COM1 + 0, 0x01);  // divisor 1: 115200 baud
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);  // 8 data bits, no parity, 1 stop bit
    outb(COM1 + 2, 0x07);  // FCR: FIFOs on and cleared
}

static void serial_putc(char c) {
    while (!(inb(COM1 + UART_LSR) & LSR_THRE)) {
    }
    outb(COM1 + UART_THR, (uint8_t)c);
}

static void serial_puts(const char* s) {
    while (*s) serial_putc(*s++);
}

static void serial_put_hex(uint64_t value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) serial_putc("0123456789abcdef"[(value >> shift) & 15]);
}

static void serial_put_decimal(uint64_t value) {
    char text[21];
    int at = 20;
    text[at] = 0;
    do {
        text[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    serial_puts(text + at);
}

// ---- the end of a run ----

static __attribute__((noreturn)) void exit_machine(uint8_t value) {
    outb(ISA_DEBUG_EXIT, value);
    for (;;) __asm__ volatile("cli; hlt");
}

void bench_fail(const char* message) {
    serial_puts("bench: FAILED: ");
    serial_puts(message);
    serial_putc('\n');
    exit_machine(EXIT_FAILED);
}

// ---- memory ----

static uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

static uint64_t heap_take(uint64_t bytes) {
    const uint64_t start = align_up(heap_next, PAGE_SIZE);
    if (bytes > heap_end - start) {
        serial_puts("bench: FAILED: out of guest memory: ");
        serial_put_decimal(bytes >> 20);
        serial_puts(" MiB asked, ");
        serial_put_decimal((heap_end - start) >> 20);
        serial_puts(" MiB left; give the machine more RAM\n");
        exit_machine(EXIT_FAILED);
    }
    heap_next = start + bytes;
    return start;
}

void* bench_alloc(uint64_t bytes) { return (void*)heap_take(bytes); }

// Maps fresh heap memory page by page at the next free addresses of the
// 1..2 GiB window. Page tables come from the heap too.
void* bench_alloc_small_pages(uint64_t bytes) {
    bytes = align_up(bytes, PAGE_SIZE);
    if (bytes > SMALL_PAGES_END - small_pages_next) bench_fail("bench_alloc_small_pages: the 1 GiB window is full");
    const uint64_t virt = small_pages_next, phys = heap_take(bytes);
    small_pages_next += bytes;
    for (uint64_t offset = 0; offset < bytes; offset += PAGE_SIZE) {
        const uint64_t va = virt + offset;
        uint64_t* pde = &small_pd[(va - SMALL_PAGES_BASE) / LARGE_PAGE_SIZE];
        if (!*pde) {
            uint64_t* table = (uint64_t*)heap_take(PAGE_SIZE);
            for (int k = 0; k < 512; ++k) table[k] = 0;
            *pde = (uint64_t)table | PTE_PRESENT_WRITABLE;
        }
        uint64_t* table = (uint64_t*)(*pde & ~(PAGE_SIZE - 1));
        table[(va / PAGE_SIZE) % 512] = (phys + offset) | PTE_PRESENT_WRITABLE;
    }
    // New entries replace not-present ones, which no TLB holds; reloading
    // CR3 also drops any cached directory entries.
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
    return (void*)virt;
}

// ---- interrupts ----

static void idt_init(void) {
    for (int v = 0; v < 256; ++v) {
        const uint64_t stub = (uint64_t)(bench_interrupt_stubs + 16 * v);
        idt[v] = (struct idt_gate){
            .offset_low = (uint16_t)stub,
            .selector = KERNEL_CS,
            .type_attributes = GATE_INTERRUPT_64,
            .offset_middle = (uint16_t)(stub >> 16),
            .offset_high = (uint32_t)(stub >> 32),
        };
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void bench_set_interrupt_handler(uint8_t vector, void (*handler)(void)) { interrupt_handlers[vector] = handler; }

// Called by multiboot.S's interrupt stubs. frame: vector, error code, RIP,
// CS, RFLAGS, RSP, SS.
void bench_interrupt(uint64_t vector, const uint64_t* frame) {
    if (interrupt_handlers[vector]) {
        interrupt_handlers[vector]();
        return;
    }
    serial_puts("bench: FAILED: unexpected ");
    serial_puts(vector < 32 ? "exception" : "interrupt");
    serial_puts(" vector 0x");
    serial_put_hex(vector, 2);
    serial_puts(", error code 0x");
    serial_put_hex(frame[1], 4);
    serial_puts(", rip 0x");
    serial_put_hex(frame[2], 16);
    serial_putc('\n');
    exit_machine(EXIT_FAILED);
}

void bench_pic_init(void) {
    outb(PIC1_CMD, 0x11);                 // ICW1: edge triggered, cascade, ICW4 follows
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, IRQ_VECTOR_BASE);     // ICW2: vector base
    outb(PIC2_DATA, IRQ_VECTOR_BASE + 8);
    outb(PIC1_DATA, 0x04);                // ICW3: the slave on IRQ2
    outb(PIC2_DATA, 0x02);                //       and its cascade identity
    outb(PIC1_DATA, 0x01);                // ICW4: 8086 mode, normal EOI
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff);                // OCW1: all masked
    outb(PIC2_DATA, 0xff);
}

// ---- the run ----

// The value of "n=<decimal>" in the command line, or -1 if there is none.
static int64_t size_from_cmdline(const char* cmdline) {
    for (const char* p = cmdline; *p; ++p) {
        if (p[0] != 'n' || p[1] != '=' || (p != cmdline && p[-1] != ' ')) continue;
        uint64_t n = 0;
        const char* digit = p + 2;
        for (; *digit >= '0' && *digit <= '9'; ++digit) {
            if (n > (UINT64_MAX - 9) / 10) return -1;
            n = n * 10 + (uint64_t)(*digit - '0');
        }
        if (digit == p + 2 || (*digit && *digit != ' ')) return -1;
        return (int64_t)n;
    }
    return -1;
}

void bench_baremetal_main(uint32_t magic, uint32_t info_address) {
    serial_init();
    if (magic != MULTIBOOT_BOOT_MAGIC) bench_fail("not started by a Multiboot loader (EAX is not 0x2BADB002)");
    const struct multiboot_info* info = (const struct multiboot_info*)(uint64_t)info_address;
    if (!(info->flags & MB_INFO_MEMORY)) bench_fail("the Multiboot information gives no memory size");
    const char* cmdline = (info->flags & MB_INFO_CMDLINE) ? (const char*)(uint64_t)info->cmdline : "";

    heap_next = (uint64_t)_end;
    heap_end = (1ull << 20) + (uint64_t)info->mem_upper * 1024;
    if (heap_end > IDENTITY_END) heap_end = IDENTITY_END;
    idt_init();

    const int64_t n = size_from_cmdline(cmdline);
    if (n < 0) bench_fail("no size on the command line: boot with the argument n=<decimal>");
    const uint64_t checksum = workload_main((uint64_t)n);

    serial_puts("checksum 0x");
    serial_put_hex(checksum, 16);
    serial_putc('\n');
    exit_machine(EXIT_DONE);
}
