// pagetable: one TLB miss per access. 256 MiB mapped with 4 KiB pages
// (65,536 pages) and n read-modify-writes that visit the pages in the order
// page = (k * 40,503) mod 65,536: the stride is odd, so every page comes once
// in each run of 65,536 accesses, and each access is to a page not touched
// for 65,535 accesses, which no TLB of 256 (or of 65,535) entries still holds.
// The line within the page moves too, so the accesses spread over the caches.
#include "bench.h"

#define PAGE_BYTES 4096u
#define PAGES      65536u   // 256 MiB
#define STRIDE     40503u   // odd: coprime with PAGES

// The word a page's accesses go to: in line (page mod 64) of the page.
static inline uint64_t* word_of(uint8_t* region, uint32_t page) {
    return (uint64_t*)(region + (uint64_t)page * PAGE_BYTES + (page % 64) * 64);
}

uint64_t workload_main(uint64_t n) {
    uint8_t* region = bench_alloc_small_pages((uint64_t)PAGES * PAGE_BYTES);
    for (uint32_t page = 0; page < PAGES; ++page) *word_of(region, page) = page;
    uint64_t sum = 0;
    uint32_t page = 0;
    for (uint64_t k = 0; k < n; ++k) {
        page = (page + STRIDE) % PAGES;
        uint64_t* word = word_of(region, page);
        *word += k;
        sum += *word;
    }
    return sum;
}
