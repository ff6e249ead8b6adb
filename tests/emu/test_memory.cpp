#include <doctest/doctest.h>

#include "emu/memory.h"

using namespace bs::emu;

TEST_CASE("memory size: parsed as QEMU's -m") {
    CHECK(parse_memory_size("512") == 512 * MiB);
    CHECK(parse_memory_size("512M") == 512 * MiB);
    CHECK(parse_memory_size("512m") == 512 * MiB);
    CHECK(parse_memory_size("1G") == GiB);
    CHECK(parse_memory_size("1.5G") == GiB + 512 * MiB);
    CHECK(parse_memory_size("4096K") == 4 * MiB);
    CHECK(parse_memory_size("2097152B") == 2 * MiB);
    CHECK(parse_memory_size("1048577B") == MiB + 8192);  // rounded up to 8 KiB
    CHECK(parse_memory_size("0x100") == 256 * MiB);
    CHECK(kDefaultRamSize == 128 * MiB);
}

TEST_CASE("memory size: bad values name the problem") {
    auto message = [](const char* s) {
        try {
            parse_memory_size(s);
        } catch (const MemorySizeError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(message("") == "memory size is empty");
    CHECK(message("abc").find("does not start with a number") != std::string::npos);
    CHECK(message("12X").find("unknown suffix 'X'") != std::string::npos);
    CHECK(message("1M5").find("trailing characters '5'") != std::string::npos);
    CHECK(message("0").find("is zero") != std::string::npos);
    CHECK(message("-5").find("negative") != std::string::npos);
    CHECK(message("512K").find("smaller than the minimum") != std::string::npos);
    CHECK(message("100T").find("larger than the maximum") != std::string::npos);
}

TEST_CASE("guest RAM: layout below and above 4 GiB") {
    GuestRam small(128 * MiB);
    CHECK(small.below_4g() == 128 * MiB);
    CHECK(small.above_4g() == 0);
    CHECK(small.offset_of(0x1000) == 0x1000);
    CHECK(small.offset_of(128 * MiB) == ~0ull);
    CHECK(small.contains(128 * MiB - 16, 16));
    CHECK_FALSE(small.contains(128 * MiB - 16, 17));
    CHECK_FALSE(small.contains(~0ull - 4, 8));  // wrap-around
    GuestRam big(3 * GiB + 128 * MiB);
    CHECK(big.below_4g() == 3 * GiB);
    CHECK(big.above_4g() == 128 * MiB);
    CHECK(big.offset_of(3 * GiB) == ~0ull);
    CHECK(big.offset_of(4 * GiB + 5) == 3 * GiB + 5);
    CHECK_FALSE(big.contains(3 * GiB - 8, 16));
}
