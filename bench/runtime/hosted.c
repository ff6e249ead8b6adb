// The Linux runtime of the benchmark workloads: `bench-native-<name> N`
// runs workload_main(N) and prints "checksum 0x<16 hex digits>", the line
// the bare-metal runtime prints on COM1. Exit status 0, 1 when the workload
// fails (bench_fail) or memory runs out, 2 on a bad command line.
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

static void* map_anonymous(uint64_t bytes) {
    void* p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "bench: cannot map %" PRIu64 " bytes: %s\n", bytes, strerror(errno));
        exit(1);
    }
    return p;
}

void* bench_alloc(uint64_t bytes) { return map_anonymous(bytes); }

void* bench_alloc_small_pages(uint64_t bytes) {
    void* p = map_anonymous(bytes);
    // Without transparent huge pages, the host walks 4 KiB pages as the
    // guest does (a hint: the run is still valid if the kernel ignores it).
    madvise(p, bytes, MADV_NOHUGEPAGE);
    return p;
}

void bench_fail(const char* message) {
    fprintf(stderr, "bench: FAILED: %s\n", message);
    exit(1);
}

int main(int argc, char** argv) {
    char* end = NULL;
    errno = 0;
    const unsigned long long n = argc == 2 ? strtoull(argv[1], &end, 10) : 0;
    if (argc != 2 || !*argv[1] || *end || errno || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s N   (N: the workload's size, a decimal number)\n", argv[0]);
        return 2;
    }
    printf("checksum 0x%016" PRIx64 "\n", workload_main(n));
    return 0;
}
