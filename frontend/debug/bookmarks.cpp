// The timeline's bookmarks file (see bookmarks.h).
#include "bookmarks.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace bs::frontend::debug {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && blank(s[b])) ++b;
    while (e > b && blank(s[e - 1])) --e;
    return s.substr(b, e - b);
}

}  // namespace

bool Bookmarks::parse(const std::string& text, const std::string& path, std::vector<Bookmark>& out,
                      std::string& error) {
    std::istringstream in(text);
    std::string raw;
    unsigned lineno = 0;
    std::vector<Bookmark> list;
    while (std::getline(in, raw)) {
        ++lineno;
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        size_t used = 0;
        uint64_t icount = 0;
        bool ok = line[0] >= '0' && line[0] <= '9';
        if (ok) {
            try {
                icount = std::stoull(line, &used, 0);
            } catch (const std::exception&) {
                ok = false;
            }
        }
        const std::string name = ok ? trim(line.substr(used)) : std::string();
        if (!ok || used == 0 || !blank(line[used]) || name.empty()) {
            error = fmt::format("{}:{}: expected 'INSTRUCTION_COUNT NAME', got '{}'", path, lineno,
                                line.size() > 60 ? line.substr(0, 60) + "..." : line);
            return false;
        }
        list.push_back({icount, name});
    }
    std::stable_sort(list.begin(), list.end(), [](const Bookmark& a, const Bookmark& b) { return a.icount < b.icount; });
    out = std::move(list);
    return true;
}

std::string Bookmarks::format(const std::vector<Bookmark>& list) {
    std::string out = "# bootscope debug: timeline bookmarks, one 'INSTRUCTION_COUNT NAME' a line\n";
    for (const Bookmark& b : list) out += fmt::format("{} {}\n", b.icount, b.name);
    return out;
}

bool Bookmarks::load(const std::string& path, std::string& error) {
    path_ = path;
    writable_ = true;
    list_.clear();
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        if (!std::filesystem::exists(path)) return true;
        error = fmt::format("{}: cannot read the bookmarks file", path);
        writable_ = false;
        return false;
    }
    const std::string text{std::istreambuf_iterator<char>(f), {}};
    if (!parse(text, path, list_, error)) {
        writable_ = false;
        error += " (bookmarks are not saved until the file is fixed or removed)";
        return false;
    }
    return true;
}

bool Bookmarks::save(std::string& error) const {
    if (path_.empty()) {
        error = "no bookmarks file";
        return false;
    }
    if (!writable_) {
        error = fmt::format("{}: not saved over a file that could not be read (fix or remove it)", path_);
        return false;
    }
    const std::string tmp = path_ + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    const std::string text = format(list_);
    const bool written = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const bool closed = f && std::fclose(f) == 0;
    std::error_code ec;
    if (!written || !closed || (std::filesystem::rename(tmp, path_, ec), ec)) {
        std::filesystem::remove(tmp, ec);
        error = fmt::format("{}: cannot write the bookmarks file", path_);
        return false;
    }
    return true;
}

bool Bookmarks::add(uint64_t icount, const std::string& name) {
    const std::string trimmed = trim(name);
    if (trimmed.empty()) return false;
    const auto at = std::upper_bound(list_.begin(), list_.end(), icount,
                                     [](uint64_t i, const Bookmark& b) { return i < b.icount; });
    list_.insert(at, Bookmark{icount, trimmed});
    return true;
}

void Bookmarks::remove(size_t index) {
    if (index < list_.size()) list_.erase(list_.begin() + static_cast<std::ptrdiff_t>(index));
}

}  // namespace bs::frontend::debug
