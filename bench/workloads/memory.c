// memory: n rounds of the sieve of Eratosthenes over a 2 MiB byte array
// (the primes below 2 Mi) and a copy of 8 MiB with 8-byte loads and stores.
// Sequential and strided accesses to a few MiB, most of them stores.
#include "bench.h"

#define SIEVE_BYTES (2u << 20)
#define COPY_WORDS  (1u << 20)  // 8 MiB

static uint64_t sieve(uint8_t* composite) {
    uint64_t* words = (uint64_t*)composite;
    for (uint32_t k = 0; k < SIEVE_BYTES / 8; ++k) words[k] = 0;
    for (uint32_t p = 2; p * p < SIEVE_BYTES; ++p) {
        if (composite[p]) continue;
        for (uint32_t m = p * p; m < SIEVE_BYTES; m += p) composite[m] = 1;
    }
    uint64_t primes = 0, last = 0;
    for (uint32_t k = 2; k < SIEVE_BYTES; ++k) {
        if (!composite[k]) {
            ++primes;
            last = k;
        }
    }
    return primes << 32 | last;
}

static void copy_words(uint64_t* dst, const uint64_t* src, uint32_t count) {
    for (uint32_t k = 0; k < count; ++k) dst[k] = src[k];
}

uint64_t workload_main(uint64_t n) {
    uint8_t* composite = bench_alloc(SIEVE_BYTES);
    uint64_t* a = bench_alloc(COPY_WORDS * 8);
    uint64_t* b = bench_alloc(COPY_WORDS * 8);
    uint64_t seed = 0x243f6a8885a308d3ull;
    for (uint32_t k = 0; k < COPY_WORDS; ++k) a[k] = bench_xorshift(&seed);

    uint64_t sum = 0;
    for (uint64_t round = 0; round < n; ++round) {
        sum = sum * 31 + sieve(composite);
        // Copy back and forth, changing one word each time so no copy is idle.
        a[round % COPY_WORDS] += round;
        copy_words(b, a, COPY_WORDS);
        b[(round * 7919) % COPY_WORDS] ^= sum;
        copy_words(a, b, COPY_WORDS);
        sum ^= a[(round * 104729) % COPY_WORDS];
    }
    return sum;
}
