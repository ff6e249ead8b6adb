// Test helpers: an IRQ line recorder.
#pragma once

#include <cstdint>
#include <vector>

#include "emu/clock.h"
#include "emu/irq.h"

namespace bs::test {

// Records the level of a line and the virtual times of its rising edges.
struct IrqProbe {
    bool level = false;
    std::vector<uint64_t> rises;
    unsigned falls = 0;
    void attach(emu::IrqLine& line, const emu::Clock* clock = nullptr) {
        line.connect([this, clock](bool l) {
            level = l;
            if (l)
                rises.push_back(clock ? clock->now() : 0);
            else
                ++falls;
        });
    }
};

}  // namespace bs::test
