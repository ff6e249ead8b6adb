// The JSON writer of the trace exports (emu/trace/json.h): escapes, bytes
// that are not UTF-8, fixed-point microseconds.
#include <doctest/doctest.h>

#include "emu/trace/json.h"

namespace json = bs::emu::trace::json;

namespace {
std::string str(std::string_view s) {
    std::string out;
    json::string(out, s);
    return out;
}
}  // namespace

TEST_CASE("json: strings are escaped per RFC 8259") {
    CHECK(str("plain") == "\"plain\"");
    CHECK(str("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(str("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
    CHECK(str(std::string_view("\x01\x1b\x7f", 3)) == "\"\\u0001\\u001b\\u007f\"");
    CHECK(str(std::string_view("\0", 1)) == "\"\\u0000\"");
}

TEST_CASE("json: valid UTF-8 passes through, other bytes become \\u00XX") {
    CHECK(str("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
    CHECK(str("\xe2\x82\xac \xf0\x9f\x98\x80") == "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");
    CHECK(str("\xff") == "\"\\u00ff\"");
    CHECK(str("\xc3") == "\"\\u00c3\"");                   // cut short
    CHECK(str("\xc0\xaf") == "\"\\u00c0\\u00af\"");         // overlong
    CHECK(str("\xed\xa0\x80") == "\"\\u00ed\\u00a0\\u0080\"");  // a surrogate
}

TEST_CASE("json: nanoseconds as microseconds with three decimals") {
    std::string out;
    json::thousandths(out, 0);
    out += ' ';
    json::thousandths(out, 17);
    out += ' ';
    json::thousandths(out, 450055836);
    CHECK(out == "0.000 0.017 450055.836");
}
