// Kernel image loaders, chosen by the image's own headers as
// `qemu-system-x86_64 -kernel` chooses:
//   1. "HdrS" at 0x202: Linux/x86 boot protocol (Documentation/x86/boot.rst).
//      Like QEMU, nothing is written to RAM: the setup code (with a patched
//      header), the protected-mode kernel, the initrd and the command line are
//      handed to the firmware as fw_cfg items (KERNEL_*, SETUP_*, INITRD_*,
//      CMDLINE_*), and the firmware copies them and jumps to the setup code.
//   2. A Multiboot v1 header in the first 8 KiB: loaded straight into RAM by
//      the header's address fields (flag 16) or else by the ELF32/ELF64
//      program headers (p_paddr), bss zeroed, modules from the comma-separated
//      initrd list (",," escapes a comma), and a Multiboot information
//      structure with memory sizes, boot device, command line (image path, a
//      space, then the appended line, as QEMU), modules, mmap and the loader
//      name. The CPU starts in 32-bit protected mode with EAX=0x2BADB002.
//   3. Plain ELF64: loaded by program headers (p_paddr); the CPU starts in
//      64-bit mode with identity paging of the low 4 GiB (2 MiB pages) at the
//      entry's physical address.
// Images that are none of these, or are malformed, raise LoadError.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bs::emu {

class Machine;

// What is wrong with an image; the CLI maps each to a distinct exit status.
enum class LoadErrorKind {
    Empty,          // zero-length file
    BadMagic,       // no header the loaders know
    Truncated,      // a header or segment extends past the end of the file
    BadHeader,      // header fields are inconsistent (checksum, sizes, flags)
    Unsupported,    // a valid image of a kind or version Bootscope does not load
    OutsideRam,     // a segment, module or table does not fit in guest RAM
    FileError,      // an initrd/module file could not be read
};
const char* to_string(LoadErrorKind kind);

class LoadError : public std::runtime_error {
public:
    LoadError(LoadErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    LoadErrorKind kind() const { return kind_; }

private:
    LoadErrorKind kind_;
};

struct KernelSpec {
    std::vector<uint8_t> image;
    std::string path;     // as given on the command line (part of the Multiboot cmdline)
    std::string append;   // --append
    std::string initrd;   // --initrd: a file (Linux) or comma-separated modules (Multiboot)
    // Reads a file named by `initrd`; defaults to reading the host file.
    std::function<std::vector<uint8_t>(const std::string& path)> read_file;
};

enum class ImageKind { Linux, Multiboot, Elf64 };
const char* to_string(ImageKind kind);

// How the CPU must start.
struct BootState {
    ImageKind kind;
    enum class Mode { ResetVector, Protected32, Long64 } mode;
    // Protected32/Long64: flat code/data segments (selectors 0x08 code32,
    // 0x10 data, 0x18 code64 in the GDT at gdt_base), interrupts disabled.
    uint64_t entry = 0;
    uint32_t eax = 0, ebx = 0;
    uint64_t cr3 = 0;  // Long64: PML4 of the identity map
    uint64_t gdt_base = 0;
    uint16_t gdt_limit = 0;
    // Linux: where the firmware will put things (also in fw_cfg).
    uint32_t setup_addr = 0, kernel_addr = 0, cmdline_addr = 0, initrd_addr = 0, initrd_size = 0;
    uint16_t protocol = 0;
    // Multiboot: the information structure and the end of everything loaded.
    uint32_t mbi_addr = 0;
    uint64_t load_end = 0;
};

// Loads `spec` into `machine` (RAM and/or fw_cfg). Throws LoadError.
BootState load_kernel(Machine& machine, const KernelSpec& spec);

// Individual loaders, for tests and callers that know the format.
BootState load_linux(Machine& machine, const KernelSpec& spec);
BootState load_multiboot(Machine& machine, const KernelSpec& spec, uint32_t header_offset);
BootState load_elf64(Machine& machine, const KernelSpec& spec);
// Offset of a valid-looking Multiboot v1 magic in the first 8 KiB, or -1.
int64_t find_multiboot_header(const std::vector<uint8_t>& image);

}  // namespace bs::emu
