// Disassembly for the debugger's listing: Capstone (Intel syntax) in the
// code size of the moment (16, 32 or 64 bits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bs::frontend::debug {

struct DisasmLine {
    uint64_t address = 0;  // as given (IP/EIP/RIP-relative to the caller's base)
    unsigned size = 0;     // 0: could not decode (shown as a .byte)
    uint8_t bytes[16] = {};
    std::string text;      // "mov eax, dword ptr [rbx + 8]"
    bool is_call = false;
};

class Disassembler {
public:
    Disassembler();
    ~Disassembler();
    Disassembler(const Disassembler&) = delete;
    Disassembler& operator=(const Disassembler&) = delete;

    // Decodes instructions from `code` (which starts at `address`) until
    // `max_lines` or the bytes run out; `code_size` is 2, 4 or 8.
    std::vector<DisasmLine> decode(const uint8_t* code, size_t len, uint64_t address, unsigned code_size,
                                   size_t max_lines) const;

private:
    size_t handle16_ = 0, handle32_ = 0, handle64_ = 0;  // csh
};

}  // namespace bs::frontend::debug
