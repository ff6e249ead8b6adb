// empty: no work. The runner times it to learn each runtime's start-up
// (process, machine, image loading, the runtime's own set-up and exit) and
// subtracts that from the other workloads' times.
#include "bench.h"

uint64_t workload_main(uint64_t n) { return n; }
