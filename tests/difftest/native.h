// Runs generated cases on the host CPU.
//
// A forked child maps the fixed layout of layout.h, writes each case's
// instruction into the code page between a prologue (load every register
// from a state block) and landing pads (record RIP, jump to the epilogue
// that stores every register), and runs a whole batch. Faults raise a
// signal whose handler records the vector (the kernel's trap number), the
// register state from the ucontext, and siglongjmps back to the loop, so a
// batch costs microseconds per case. Results and final data buffers go to a
// MAP_SHARED area; the parent survives a crashing child and marks the case.
#pragma once

#include <cstddef>
#include <cstdint>

#include "layout.h"

namespace bs::difftest {

struct NativeResult {
    enum Kind : uint8_t {
        Completed,     // ran to a landing pad; out.rip is where it went
        Fault,         // signal at the instruction; `vector` is the trap number
        FetchFault,    // a branch completed to a target that faults on fetch (out.rip = target)
        Timeout,       // did not finish within the watchdog period
        Crash,         // the child died on this case (harness bug)
        HarnessFault,  // fault outside the instruction (harness bug)
    };
    ArchState out;
    Kind kind = Crash;
    uint8_t vector = 0;
    int32_t signo = 0;
    int32_t si_code = 0;
    uint64_t err = 0;
    uint64_t addr = 0;
};

class NativeRunner {
public:
    static constexpr size_t kBatch = 2048;

    NativeRunner();
    ~NativeRunner();
    NativeRunner(const NativeRunner&) = delete;
    NativeRunner& operator=(const NativeRunner&) = delete;

    // Runs cases[0..n), n <= kBatch. Returns the number of child crashes.
    unsigned run(const Case* cases, size_t n);
    const NativeResult& result(size_t i) const { return results_[i]; }
    const uint8_t* memory(size_t i) const { return memory_ + i * kDataSize; }

private:
    NativeResult* results_ = nullptr;
    uint8_t* memory_ = nullptr;
    size_t* progress_ = nullptr;
    size_t shared_size_ = 0;
    void* shared_ = nullptr;
};

}  // namespace bs::difftest
