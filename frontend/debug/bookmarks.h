// Named points of a boot, by instruction count: the timeline's bookmarks.
//
// The file is text, one bookmark a line: the instruction count (decimal,
// or 0x hex), blanks, then the name (the rest of the line, which may hold
// blanks). Blank lines and lines starting with '#' are skipped. The
// default file is bootscope-bookmarks.txt beside the kernel image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bs::frontend::debug {

struct Bookmark {
    uint64_t icount = 0;
    std::string name;
    bool operator==(const Bookmark&) const = default;
};

class Bookmarks {
public:
    // Reads `path`. A missing file is an empty list (true). A malformed one
    // is refused with `error` naming the file and line; the list stays
    // empty and save() will not overwrite that file.
    bool load(const std::string& path, std::string& error);
    // Writes every bookmark to the file load() named (through a temporary
    // file renamed over it). False with `error`.
    bool save(std::string& error) const;

    // Sorted by instruction count, then in the order added.
    const std::vector<Bookmark>& list() const { return list_; }
    // Adds a bookmark; its name is trimmed, and a blank one is refused (false).
    bool add(uint64_t icount, const std::string& name);
    void remove(size_t index);
    const std::string& path() const { return path_; }

    // The file's text for the list (and the parser, for tests).
    static std::string format(const std::vector<Bookmark>& list);
    static bool parse(const std::string& text, const std::string& path, std::vector<Bookmark>& out, std::string& error);

private:
    std::string path_;
    bool writable_ = true;  // false after a malformed file was refused
    std::vector<Bookmark> list_;
};

}  // namespace bs::frontend::debug
