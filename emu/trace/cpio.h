// Reading an initramfs: the "new ASCII" (newc) cpio format that Linux unpacks
// (Documentation/driver-api/early-userspace/buffer-format.rst; cpio(5)), so
// the tracer can symbolise the user programs given with --initrd.
//
// Each entry is a 110-byte header ("070701", or "070702" whose checksum is
// not verified, then 13 eight-digit hex fields), the NUL-terminated path
// padded to 4 bytes, and the contents padded to 4 bytes; "TRAILER!!!" ends an
// archive. As Linux does, several archives may follow one another, with NUL
// padding between them; a later entry of the same path replaces an earlier
// one, and a hard-linked file's contents (stored with its last link) are
// given to all its links. Paths are returned absolute and normalised
// ("sbin/init" and "./sbin/init" become "/sbin/init").
//
// Only regular files are returned (directories, symlinks and device nodes are
// skipped). Compressed archives are refused with a CpioError naming the
// compression, as is anything truncated or malformed; nothing is read out of
// bounds.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bs::emu::trace {

class CpioError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CpioFile {
    std::string path;  // "/sbin/init"
    uint32_t mode = 0; // st_mode: type and permission bits
    std::vector<uint8_t> data;
};

// The regular files in archive order (first appearance of each path).
std::vector<CpioFile> read_cpio(std::span<const uint8_t> archive);

// The file at `path` ("/sbin/init"; "sbin/init" also matches), or nullptr.
const CpioFile* find_file(const std::vector<CpioFile>& files, std::string_view path);

}  // namespace bs::emu::trace
