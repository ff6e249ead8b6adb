// alu: the integer ALU loop. n iterations of a dependent chain of adds,
// xors, shifts, rotates and a multiply over three registers; no memory
// access, one well-predicted branch per iteration.
#include "bench.h"

uint64_t workload_main(uint64_t n) {
    uint64_t a = 1, b = 0x9e3779b97f4a7c15ull, c = 7;
    for (uint64_t i = 0; i < n; ++i) {
        a += b ^ i;
        b = ((b << 7) | (b >> 57)) - a;
        c ^= a * 5 + (b >> 3);
        a = (a >> 1) + (c & 0xffff);
    }
    return a ^ b ^ c;
}
