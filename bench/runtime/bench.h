// The interface between a benchmark workload and the runtime it runs on.
//
// A workload is one C file compiled once, freestanding, into an object file
// (bench/CMakeLists.txt: -ffreestanding -fno-pic -mno-red-zone
// -mgeneral-regs-only -O2, no library calls). That same object is linked
//   - into a Multiboot kernel with runtime/multiboot.S and runtime/baremetal.c,
//     run by Bootscope and by QEMU, and
//   - into a Linux program with runtime/hosted.c, run natively (the physical
//     limit) and under `valgrind --tool=callgrind` (its instruction count),
// so every runtime executes the very same workload instructions. Both
// runtimes call workload_main(n) with the size n from their command line and
// print the result as the line "checksum 0x<16 hex digits>".
#pragma once

#include <stddef.h>
#include <stdint.h>

// The workload: does work proportional to n and returns a checksum of it,
// the same on every runtime for the same n.
uint64_t workload_main(uint64_t n);

// Provided by both runtimes. Workloads call nothing else.

// `bytes` of memory, 4 KiB aligned, contents unspecified. Never fails: a
// runtime that cannot provide it reports the fact and exits.
void* bench_alloc(uint64_t bytes);

// Like bench_alloc, but mapped with 4 KiB pages (no 2 MiB or larger pages),
// so that touching it page by page misses the TLB.
void* bench_alloc_small_pages(uint64_t bytes);

// Ends the run as a failure with a message (a workload's self-check failed).
__attribute__((noreturn)) void bench_fail(const char* message);

// A 64-bit xorshift generator: the workloads' deterministic input data.
static inline uint64_t bench_xorshift(uint64_t* state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}
