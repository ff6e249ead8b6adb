// Operand access for instruction handlers: registers by width, the ModRM
// r/m operand (register or memory through the MMU), immediates.
//
// Handlers are width templates over T = uint8_t, uint16_t, uint32_t,
// uint64_t. Writes of 32-bit registers zero the upper half, as in 64-bit
// mode (SDM Vol. 1 §3.4.1.1); 8- and 16-bit writes merge.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cpu.h"

namespace bs::cpu {

template <class T> inline constexpr unsigned kBits = sizeof(T) * 8;
template <class T> inline constexpr T kSignBit = T(T(1) << (kBits<T> - 1));
template <class T> using Signed = std::make_signed_t<T>;

// Index into the handler table of a Form for operand type T.
template <class T> inline constexpr unsigned kWidthIndex = sizeof(T) == 1 ? 0 : sizeof(T) == 2 ? 1 : sizeof(T) == 4 ? 2 : 3;

template <class T> inline T get_reg(const CpuState& s, unsigned r) {
    if constexpr (sizeof(T) == 1) {
        // 0..15: low byte; 16..19: AH, CH, DH, BH (byte 1 of RAX..RBX).
        return reinterpret_cast<const uint8_t*>(&s.gpr[r & 15])[r >> 4];
    } else {
        return static_cast<T>(s.gpr[r]);
    }
}

template <class T> inline void set_reg(CpuState& s, unsigned r, T v) {
    if constexpr (sizeof(T) == 1) {
        reinterpret_cast<uint8_t*>(&s.gpr[r & 15])[r >> 4] = v;
    } else if constexpr (sizeof(T) == 2) {
        std::memcpy(&s.gpr[r], &v, 2);
    } else {
        s.gpr[r] = v;  // 32-bit writes zero-extend
    }
}

// Linear address of the instruction's memory operand.
// `size` bytes from there must lie within the segment's limit (a larger
// access checks the first byte only).
inline uint64_t mem_linear(const Cpu& c, const DecodedInsn& i, unsigned size = 1) {
    return c.linear(i.seg, c.effective_address(i), size);
}

// Which r/m operands a handler instantiation serves: Any decides by
// ModRM.mod at run time; Reg only registers (mod == 3), chosen at decode
// through Form::reg_handler. A Reg instantiation has no memory path, so the
// compiler gives it no stack frame: about half the host instructions of the
// Any one for a register operand.
enum class Rm : uint8_t { Any, Reg };

template <class T, Rm R = Rm::Any> inline T read_rm(Cpu& c, const DecodedInsn& i) {
    if (R == Rm::Reg || i.mod == 3) return get_reg<T>(c.s, i.rm);
    return c.read<T>(mem_linear(c, i, sizeof(T)));
}

template <class T, Rm R = Rm::Any> inline void write_rm(Cpu& c, const DecodedInsn& i, T v) {
    if (R == Rm::Reg || i.mod == 3) {
        set_reg<T>(c.s, i.rm, v);
    } else {
        c.write<T>(mem_linear(c, i, sizeof(T)), v);
    }
}

// Immediate truncated (or sign-extended, as decoded) to the operand width.
template <class T> inline T imm(const DecodedInsn& i) { return static_cast<T>(i.imm); }

// Builds the handler table of a Form from a width template `H<T>`.
#define BS_HANDLERS(H) {&H<uint8_t>, &H<uint16_t>, &H<uint32_t>, &H<uint64_t>}
// The register-operand instantiations of `H<T, Rm>` (Form::reg_handler).
#define BS_REG_HANDLERS(H) {&H<uint8_t, Rm::Reg>, &H<uint16_t, Rm::Reg>, &H<uint32_t, Rm::Reg>, &H<uint64_t, Rm::Reg>}
// A form whose handler does not depend on operand size.
#define BS_HANDLER1(h) {&h, &h, &h, &h}

}  // namespace bs::cpu
