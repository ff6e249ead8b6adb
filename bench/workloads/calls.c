// calls: recursive calls. n rounds of the Takeuchi function tak(18, 12, 6)
// (63,609 calls, three-argument frames) and the naive Fibonacci fib(20)
// (21,891 calls). noipa keeps the compiler from proving them pure and
// computing each result only once.
#include "bench.h"

__attribute__((noipa)) static uint64_t tak(uint64_t x, uint64_t y, uint64_t z) {
    if (y >= x) return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

__attribute__((noipa)) static uint64_t fib(uint64_t k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }

uint64_t workload_main(uint64_t n) {
    uint64_t sum = 0;
    for (uint64_t round = 0; round < n; ++round) sum = sum * 31 + tak(18 + (round & 1), 12, 6) + fib(20);
    return sum;
}
