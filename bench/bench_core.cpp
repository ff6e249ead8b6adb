// bench_core: the CPU core alone, running flat 64-bit workloads from RAM,
// reporting millions of guest instructions per second of host CPU time.
//
//   bench_core [--repeat N] [--quick]
//
// --quick divides the work by 50 for `valgrind --tool=callgrind`, which
// counts host instructions per guest instruction reproducibly.
// Each workload runs N times (default 3); the median is reported. Guest
// instruction counts are exact (retired instructions), so MIPS compare
// across builds; use `valgrind --tool=callgrind` for host instruction counts.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "cpu/cpu.h"

extern const unsigned char bench_int_loop[];
extern const std::size_t bench_int_loop_size;
extern const unsigned char bench_memcpy_loop[];
extern const std::size_t bench_memcpy_loop_size;

namespace {

using namespace bs::cpu;

class RamBus final : public Bus {
public:
    explicit RamBus(size_t bytes) : ram(bytes) {}
    PhysPage page(uint64_t pa) override {
        if (pa + 0x1000 <= ram.size()) return {ram.data() + pa, true};
        return {};
    }
    uint64_t mmio_read(uint64_t, unsigned) override { return ~0ull; }
    void mmio_write(uint64_t, unsigned, uint64_t) override {}
    uint32_t io_in(uint16_t, unsigned) override { return ~0u; }
    void io_out(uint16_t, unsigned, uint32_t) override {}
    uint64_t tsc() override { return 0; }
    std::vector<uint8_t> ram;
};

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Workload {
    const char* name;
    const unsigned char* code;
    size_t size;
    void (*setup)(CpuState&);
};

constexpr uint64_t kLoad = 0x100000;

}  // namespace

int main(int argc, char** argv) {
    int repeat = 3;
    static uint64_t scale = 1;  // divisor of the work, 50 with --quick
    for (int k = 1; k < argc; ++k) {
        if (!std::strcmp(argv[k], "--repeat") && k + 1 < argc) {
            repeat = std::max(1, std::atoi(argv[++k]));
        } else if (!std::strcmp(argv[k], "--quick")) {
            scale = 50;
        } else {
            std::fprintf(stderr, "usage: bench_core [--repeat N] [--quick]\n");
            return 2;
        }
    }
    const Workload workloads[] = {
        {"int_loop (ALU chain, 50M iterations)", bench_int_loop, bench_int_loop_size,
         [](CpuState& s) { s.gpr[RCX] = 50'000'000 / scale; }},
        {"memcpy_loop (4 MiB x 16, 8-byte moves)", bench_memcpy_loop, bench_memcpy_loop_size,
         [](CpuState& s) {
             s.gpr[RSI] = 0x400000;
             s.gpr[RDI] = 0x800000;
             s.gpr[RCX] = 4u << 20;
             s.gpr[R8] = 16 / (scale > 1 ? 8 : 1);
         }},
    };
    std::printf("%-42s %14s %10s %10s\n", "workload", "instructions", "seconds", "MIPS");
    for (const Workload& w : workloads) {
        std::vector<double> times;
        uint64_t insns = 0;
        for (int r = 0; r < repeat; ++r) {
            RamBus bus(16u << 20);
            std::memcpy(bus.ram.data() + kLoad, w.code, w.size);
            Cpu cpu(bus);
            cpu.set_flat64_user_mode();
            cpu.s.rip = kLoad;
            cpu.s.gpr[RSP] = 0x300000;
            w.setup(cpu.s);
            const double t0 = cpu_seconds();
            const RunResult res = cpu.run(~0ull);
            times.push_back(cpu_seconds() - t0);
            if (res.exit != Exit::Exception || res.fault.vector != kUD) {
                std::fprintf(stderr, "%s: did not end at its ud2 (exit %d)\n", w.name, static_cast<int>(res.exit));
                return 1;
            }
            insns = cpu.instructions_retired();
        }
        std::sort(times.begin(), times.end());
        const double t = times[times.size() / 2];
        std::printf("%-42s %14llu %10.3f %10.1f\n", w.name, static_cast<unsigned long long>(insns), t,
                    static_cast<double>(insns) / t / 1e6);
    }
    return 0;
}
