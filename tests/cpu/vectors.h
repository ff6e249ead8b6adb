// Register-form test vectors recorded on the reference host, shared by the
// per-family CPU tests (test_bit.cpp, test_shift.cpp, test_muldiv.cpp).
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace bs::test {

using namespace bs::cpu;

// A register-form test vector recorded by executing the instruction on the
// reference host (an Intel core): RAX, RCX, RDX, RBX and RFLAGS before and
// after, or the exception raised (-1: none). The six arithmetic flags are
// compared exactly, undefined ones included.
struct Vec {
    const char* code;
    uint64_t rax, rcx, rdx, rbx, flags;
    uint64_t rax_out, rcx_out, rdx_out, rbx_out, flags_out;
    int fault;
};

inline std::vector<uint8_t> hex_bytes(const char* s) {
    std::vector<uint8_t> v;
    for (; s[0] && s[1]; s += 2) v.push_back(static_cast<uint8_t>(std::stoi(std::string(s, 2), nullptr, 16)));
    return v;
}

// Runs the vectors in 64-bit mode (code_size 8) or 32-bit protected mode (4).
inline void check_vectors(std::span<const Vec> vs, unsigned code_size = 8) {
    Machine m;
    if (code_size == 4) m.set_flat32_user_mode();
    for (const Vec& v : vs) {
        const std::vector<uint8_t> code = hex_bytes(v.code);
        std::memcpy(m.bus.ram.data() + Machine::kCode, code.data(), code.size());
        m.cpu.flush_code_cache();
        m.cpu.s.rip = Machine::kCode;
        m.r(RAX) = v.rax;
        m.r(RCX) = v.rcx;
        m.r(RDX) = v.rdx;
        m.r(RBX) = v.rbx;
        set_rflags(m.cpu.s, v.flags);
        const RunResult res = m.run(1);
        const bool faulted = res.exit == Exit::Exception;
        const bool want_fault = v.fault >= 0;
        bool ok = faulted == want_fault && (!faulted || res.fault.vector == v.fault);
        const uint64_t rip_out = want_fault ? Machine::kCode : Machine::kCode + code.size();
        ok = ok && m.cpu.s.rip == rip_out && m.r(RAX) == v.rax_out && m.r(RCX) == v.rcx_out && m.r(RDX) == v.rdx_out &&
             m.r(RBX) == v.rbx_out && (m.flags() & fl::Arith) == (v.flags_out & fl::Arith);
        std::ostringstream msg;
        if (!ok) {
            msg << v.code << std::hex << " in: rax=" << v.rax << " rcx=" << v.rcx << " rdx=" << v.rdx << " rbx=" << v.rbx
                << " fl=" << v.flags << " | want rax=" << v.rax_out << " rcx=" << v.rcx_out << " rdx=" << v.rdx_out
                << " rbx=" << v.rbx_out << " fl=" << (v.flags_out & fl::Arith) << " fault=" << std::dec << v.fault
                << std::hex << " | got rax=" << m.r(RAX) << " rcx=" << m.r(RCX) << " rdx=" << m.r(RDX)
                << " rbx=" << m.r(RBX) << " fl=" << (m.flags() & fl::Arith) << std::dec
                << " fault=" << (faulted ? int(res.fault.vector) : -1);
        }
        CHECK_MESSAGE(ok, msg.str());
    }
}

}  // namespace bs::test
