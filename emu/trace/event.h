// Boot trace events and the trace file format.
//
// The recorder (recorder.h) turns the CPU's hook calls (cpu/trace.h), the
// console and the port I/O into a stream of raw events: fixed-size records
// with instruction counts, virtual timestamps and addresses. Symbols, tasks,
// phases and the call tree are derived later from the stream and the guest's
// ELF files, so recording stays cheap and the file stays the single source.
//
// File layout (all integers little-endian):
//   magic   "BSTRACE\0"                      8 bytes
//   version u32 (kFormatVersion), header length u32
//   header  text, one "key: value" per line (Bootscope version, images with
//           size and FNV-1a 64 hash, options)
//   records Record[...]: events as they happen; a Console or Exec record
//           is followed by ceil(a / sizeof(Record)) records holding the text
//   end     a Record of kind End whose `a` is the number of records before it
// A file without its End record was cut short (the recorder died): readers
// report it as a broken trace rather than guessing.
#pragma once

#include <cstdint>
#include <string>

namespace bs::emu::trace {

inline constexpr char kMagic[8] = {'B', 'S', 'T', 'R', 'A', 'C', 'E', '\0'};
inline constexpr uint32_t kFormatVersion = 1;

enum class Kind : uint8_t {
    Call = 1,      // a = from, b = target
    Return,        // a = from, b = target
    Interrupt,     // external interrupt: aux = vector, a = interrupted RIP, b = handler,
                   // c = Machine::last_interrupt_source() + 1 (0: unknown)
    Exception,     // aux = vector, a = faulting RIP, b = handler, c = error code | 1 << 32 when pushed
    SoftInt,       // INT n, INT3, INTO, INT1: as Exception
    Nmi,           // as Interrupt
    Iret,          // a = from, b = target
    Syscall,       // aux = number (RAX), a = from
    Sysret,        // b = target
    ControlWrite,  // aux = register (0, 3, 4; 0x80 EFER), a = old value, b = new value
    ModeChange,    // aux = old mode << 8 | new mode (cpu::CpuMode)
    Halt,          // a = RIP after HLT
    Console,       // a COM1 output line: a = its length in bytes (text follows)
    PortSummary,   // at the end: aux = port, a = reads, b = writes
    Stop,          // the machine stopped: aux = StopReason
    Exec,          // the kernel's exec function was called: a = path length (the path follows, as Console)
    End,           // the last record: a = number of records before it
};
const char* to_string(Kind k);

// One record: 56 bytes, seven little-endian u64.
struct Record {
    uint64_t icount = 0;   // instructions retired before the event
    uint64_t time_ns = 0;  // virtual time of the event
    uint64_t a = 0, b = 0, c = 0;
    uint64_t rsp = 0;      // the stack pointer when the event happened (tasks are told apart by it)
    uint64_t packed = 0;   // aux, kind, CPL and CR3: see pack()
};
static_assert(sizeof(Record) == 56);

// The packed word: bits 0-15 aux, 16-23 kind, 24-25 CPL, 32-63 CR3 >> 12
// (the address space: page tables below 16 TiB).
struct Fields {
    uint16_t aux;
    Kind kind;
    uint8_t cpl;
    uint64_t cr3;
};
inline uint64_t pack(const Fields& f) {
    return uint64_t(f.aux) | uint64_t(uint8_t(f.kind)) << 16 | uint64_t(f.cpl & 3) << 24 | (f.cr3 >> 12) << 32;
}
inline Fields unpack(uint64_t p) {
    return Fields{uint16_t(p), Kind(uint8_t(p >> 16)), uint8_t((p >> 24) & 3), (p >> 32) << 12};
}

// FNV-1a, 64-bit: the image hashes in the header (identity, not security).
uint64_t fnv1a64(const void* data, size_t n);

}  // namespace bs::emu::trace
