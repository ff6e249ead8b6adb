// crc32: table-driven CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320),
// one byte and one 1 KiB-table lookup per step. n passes over 64 KiB of
// pseudo-random bytes.
#include "bench.h"

#define BUFFER_BYTES (64u << 10)

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
        uint32_t r = byte;
        for (int bit = 0; bit < 8; ++bit) r = (r >> 1) ^ (0xedb88320u & (0u - (r & 1)));
        table[byte] = r;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t* p, uint32_t count) {
    crc = ~crc;
    for (uint32_t k = 0; k < count; ++k) crc = table[(crc ^ p[k]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint64_t workload_main(uint64_t n) {
    make_table();
    // The check value of the CRC-32 catalogue: crc32("123456789") = 0xCBF43926.
    if (crc32(0, (const uint8_t*)"123456789", 9) != 0xcbf43926u) bench_fail("crc32: wrong check value");
    uint64_t* words = bench_alloc(BUFFER_BYTES);
    uint64_t seed = 0xa4093822299f31d0ull;
    for (uint32_t k = 0; k < BUFFER_BYTES / 8; ++k) words[k] = bench_xorshift(&seed);

    uint32_t crc = 0;
    for (uint64_t pass = 0; pass < n; ++pass) crc = crc32(crc, (const uint8_t*)words, BUFFER_BYTES);
    return (uint64_t)n << 32 | crc;
}
