// Facts about the host a benchmark ran on, and small file helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bench {

std::string cpu_model();                 // /proc/cpuinfo's first "model name"
long cpus_online();
double load_average();                   // the 1-minute load average, 0 if unknown
std::string utc_now(const char* format); // strftime of the current UTC time

// The first line a shell command prints, without its newline ("" if none).
std::string first_line_of(const std::string& shell_command);

// The git revision of the source tree, "-dirty" appended when tracked
// files have changes, or "" outside a git checkout.
std::string git_revision(const std::string& source_dir);

// The path of the first executable NAME on $PATH, or "".
std::string find_in_path(const std::string& name);

bool readable(const std::string& path);

// The FNV-1a 64-bit hash of a file's bytes, or nothing if it cannot be read.
std::optional<uint64_t> hash_file(const std::string& path);

}  // namespace bench
