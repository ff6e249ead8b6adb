// portio: port-I/O heavy, as a polled serial console is. n lines of 80
// characters written to COM1 one byte at a time, each after reading the
// line status register until the transmit holding register is empty (two
// port accesses per byte at least). The checksum is the FNV-1a hash of
// the text, which the emulator passes on to its stdout.
// Bare metal only.
#include "baremetal.h"

#define LINE_BYTES 80

static uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis

static void put_byte(uint8_t byte) {
    while (!(inb(COM1 + UART_LSR) & LSR_THRE)) {
    }
    outb(COM1 + UART_THR, byte);
    hash = (hash ^ byte) * 0x100000001b3ull;  // FNV-1a 64 prime
}

uint64_t workload_main(uint64_t n) {
    static const char prefix[] = "portio: line ";
    uint64_t seed = 0x082efa98ec4e6c89ull;
    for (uint64_t line = 0; line < n; ++line) {
        uint32_t at = 0;
        for (const char* p = prefix; *p; ++p, ++at) put_byte((uint8_t)*p);
        for (int shift = 28; shift >= 0; shift -= 4, ++at) put_byte((uint8_t)"0123456789abcdef"[(line >> shift) & 15]);
        put_byte(' ');
        for (++at; at < LINE_BYTES - 1; ++at) put_byte((uint8_t)('a' + bench_xorshift(&seed) % 26));
        put_byte('\n');
    }
    return hash;
}
