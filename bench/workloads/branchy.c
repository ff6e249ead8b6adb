// branchy: quicksort. n rounds of sorting 64 Ki pseudo-random 32-bit keys;
// the comparisons of the partition loops go either way at random, so about
// half of those branches are mispredicted on a real CPU.
#include "bench.h"

#define KEYS (64u << 10)

static void insertion_sort(uint32_t* a, int64_t count) {
    for (int64_t i = 1; i < count; ++i) {
        const uint32_t key = a[i];
        int64_t j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            --j;
        }
        a[j + 1] = key;
    }
}

// Hoare's partition around the median of three; recursion on the smaller
// side, a loop on the larger, so the stack stays O(log n).
static void quicksort(uint32_t* a, int64_t count) {
    while (count > 16) {
        uint32_t x = a[0], y = a[count / 2], z = a[count - 1];
        const uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int64_t i = -1, j = count;
        for (;;) {
            do ++i;
            while (a[i] < pivot);
            do --j;
            while (a[j] > pivot);
            if (i >= j) break;
            const uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        const int64_t left = j + 1;
        if (left < count - left) {
            quicksort(a, left);
            a += left;
            count -= left;
        } else {
            quicksort(a + left, count - left);
            count = left;
        }
    }
    insertion_sort(a, count);
}

uint64_t workload_main(uint64_t n) {
    uint32_t* keys = bench_alloc(KEYS * sizeof(uint32_t));
    uint64_t seed = 0x13198a2e03707344ull, sum = 0;
    for (uint64_t round = 0; round < n; ++round) {
        for (uint32_t k = 0; k < KEYS; ++k) keys[k] = (uint32_t)bench_xorshift(&seed);
        quicksort(keys, KEYS);
        for (uint32_t k = 1; k < KEYS; ++k) {
            if (keys[k - 1] > keys[k]) bench_fail("branchy: the keys are not sorted");
        }
        sum = sum * 31 + keys[round % KEYS] + keys[KEYS / 2];
    }
    return sum;
}
