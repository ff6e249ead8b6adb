#include "bench/suite/host.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace bench {

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "unknown";
}

long cpus_online() { return sysconf(_SC_NPROCESSORS_ONLN); }

double load_average() {
    double load = 0;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1) load = 0;
        std::fclose(f);
    }
    return load;
}

std::string utc_now(const char* format) {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    return std::strftime(text, sizeof text, format, &utc) ? text : "";
}

std::string first_line_of(const std::string& shell_command) {
    std::string out;
    if (std::FILE* f = popen(shell_command.c_str(), "r")) {
        char line[512];
        if (std::fgets(line, sizeof line, f)) out = line;
        pclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string git_revision(const std::string& source_dir) {
    const std::string git = "git -C '" + source_dir + "' ";
    std::string revision = first_line_of(git + "rev-parse --short=12 HEAD 2>/dev/null");
    if (!revision.empty() && !first_line_of(git + "status --porcelain --untracked-files=no 2>/dev/null").empty()) {
        revision += "-dirty";
    }
    return revision;
}

std::string find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    const std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        const size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string candidate = dirs.substr(start, end - start) + "/" + name;
        if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return "";
}

bool readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::optional<uint64_t> hash_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    uint64_t hash = 0xcbf29ce484222325ull;
    char buffer[65536];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        for (std::streamsize k = 0; k < file.gcount(); ++k) {
            hash = (hash ^ static_cast<unsigned char>(buffer[k])) * 0x100000001b3ull;
        }
    }
    return hash;
}

}  // namespace bench
