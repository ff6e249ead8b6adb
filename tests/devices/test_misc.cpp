#include <doctest/doctest.h>

#include <string>

#include "devices/fw_cfg.h"
#include "devices/i8042.h"
#include "devices/platform.h"
#include "devices/vga_text.h"
#include "probe.h"

using namespace bs::devices;
using bs::emu::Clock;

TEST_CASE("vga: text buffer dump and CRTC cursor registers") {
    Clock clock;
    VgaText vga(clock);
    const char* msg = "Linux version";
    for (unsigned i = 0; msg[i]; ++i) {
        vga.vram()[0x18000 + 2 * (80 + i)] = uint8_t(msg[i]);
        vga.vram()[0x18000 + 2 * (80 + i) + 1] = 0x1f;
    }
    std::string dump = vga.text_dump();
    CHECK(dump.substr(0, 15) == "\nLinux version\n");
    CHECK(vga.attr_at(1, 0) == 0x1f);
    vga.io_write(0x3d4, 0x0e);
    vga.io_write(0x3d5, 0x00);
    vga.io_write(0x3d4, 0x0f);
    vga.io_write(0x3d5, 93);
    CHECK(vga.cursor_offset() == 93);
    vga.io_write(0x3d4, 0x0a);
    CHECK(vga.io_read(0x3d5) == 0x0d);  // cursor start of mode 3
    CHECK(vga.io_read(0x3cc) == 0x67);
    // The attribute flip-flop is reset by reading input status 1.
    vga.io_write(0x3c0, 0x10);
    (void)vga.io_read(0x3da);
    vga.io_write(0x3c0, 0x30);
    CHECK(vga.io_read(0x3c0) == 0x30);
    // Vertical retrace toggles with virtual time.
    bool seen_retrace = false, seen_active = false;
    for (uint64_t t = 0; t < 17'000'000; t += 20'000) {
        clock.advance_to(t);
        (vga.io_read(0x3da) & 0x08 ? seen_retrace : seen_active) = true;
    }
    CHECK(seen_retrace);
    CHECK(seen_active);
}

TEST_CASE("i8042: self-test, command byte, keyboard reset and scancodes") {
    I8042 k;
    bs::test::IrqProbe irq1;
    irq1.attach(k.irq1);
    k.write(4, 0xaa);
    CHECK((k.read(4) & I8042::kStatOBF) != 0);
    CHECK(k.read(0) == 0x55);
    CHECK(((k.read(4) & I8042::kStatOBF) == 0));
    k.write(4, 0x20);
    CHECK(k.read(0) == 0x45);
    k.write(0, 0xff);  // keyboard reset
    CHECK(k.read(0) == 0xfa);
    CHECK(k.read(0) == 0xaa);
    size_t before = irq1.rises.size();
    k.key_input(0x1e);  // 'a' make
    k.key_input(0x9e);  // 'a' break
    CHECK(irq1.level);
    CHECK(k.read(0) == 0x1e);
    CHECK(irq1.level);  // the next byte raised it again: a fresh edge
    CHECK(irq1.rises.size() == before + 2);
    CHECK(k.read(0) == 0x9e);
    CHECK_FALSE(irq1.level);
    // Disabling the keyboard interrupt in the command byte.
    k.write(4, 0x60);
    k.write(0, 0x44);
    k.key_input(0x1e);
    CHECK_FALSE(irq1.level);
    CHECK(((k.read(4) & I8042::kStatOBF) != 0));
}

TEST_CASE("i8042: A20 through the output port and the 0xFE reset pulse") {
    I8042 k;
    bool a20 = true;
    int resets = 0;
    k.on_a20 = [&](bool on) { a20 = on; };
    k.on_reset_request = [&] { ++resets; };
    k.write(4, 0xd1);
    k.write(0, 0xdd);  // A20 off, reset line high
    CHECK_FALSE(a20);
    k.write(4, 0xd1);
    k.write(0, 0xdf);
    CHECK(a20);
    k.write(4, 0xd0);
    CHECK((k.read(0) & 0x03) == 0x03);
    CHECK(resets == 0);
    k.write(4, 0xfe);
    CHECK(resets == 1);
    k.write(4, 0xd3);  // AUX loopback
    k.write(0, 0x42);
    CHECK(((k.read(4) & I8042::kStatAuxOBF) != 0));
    CHECK(k.read(0) == 0x42);
}

TEST_CASE("platform: debug exit, debugcon, POST, port 0x92, ACPI power-off, PCI absent") {
    Clock clock;
    Pit8254 pit(clock);
    PlatformPorts p(clock, pit);
    int status = -1;
    bool off = false;
    int resets = 0;
    std::string con;
    std::vector<uint8_t> posts;
    p.on_exit = [&](int s) { status = s; };
    p.on_poweroff = [&] { off = true; };
    p.on_reset_request = [&] { ++resets; };
    p.debugcon_sink = [&](uint8_t b) { con += char(b); };
    p.on_post_code = [&](uint8_t c, uint64_t) { posts.push_back(c); };
    p.io_write(0xf4, 1, 0x10);
    CHECK(status == 0x21);
    p.io_write(0xe9, 1, 'k');
    CHECK(con == "k");
    CHECK(p.io_read(0xe9, 1) == 0xe9);
    p.io_write(0x80, 1, 0x55);
    CHECK(posts == std::vector<uint8_t>{0x55});
    CHECK(p.io_read(0x92, 1) == 0x02);
    p.io_write(0x92, 1, 0x00);
    CHECK_FALSE(p.a20());
    p.io_write(0x92, 1, 0x03);
    CHECK(resets == 1);
    CHECK(p.io_read(0x92, 1) == 0x02);
    p.io_write(0x604, 2, 0x1400 | 0x2000);  // S5? no: SLP_TYP 5 is not S5 here
    CHECK_FALSE(off);
    p.io_write(0x604, 2, 0x2000);
    CHECK(off);
    p.io_write(0xcf8, 4, 0x80000000);
    CHECK(p.io_read(0xcf8, 4) == 0x80000000);
    CHECK(p.io_read(0xcfc, 4) == 0xffffffff);
    CHECK(p.io_read(0xcfc, 2) == 0xffff);
    // PM timer: 3.579545 MHz from virtual time.
    clock.advance_to(1'000'000'000);
    CHECK(p.pm_timer() == (3579545u & 0xffffff));
}

TEST_CASE("platform: port 0x61 gates PIT channel 2 and reads its OUT") {
    Clock clock;
    Pit8254 pit(clock);
    PlatformPorts p(clock, pit);
    p.io_write(0x61, 1, 0x00);
    pit.write(3, 0xb0);  // ch2, lo/hi, mode 0
    pit.write(2, 100);
    pit.write(2, 0);
    CHECK((p.io_read(0x61, 1) & 0x20) == 0);
    clock.advance_to(200'000);
    CHECK((p.io_read(0x61, 1) & 0x20) == 0);  // gate low: not counting
    p.io_write(0x61, 1, 0x01);
    clock.advance_to(200'000 + 84'000);
    CHECK((p.io_read(0x61, 1) & 0x20) == 0x20);
    CHECK((p.io_read(0x61, 1) & 0x01) == 0x01);
    // Refresh toggle flips every 15.085 us.
    uint8_t a = p.io_read(0x61, 1) & 0x10;
    clock.advance_to(clock.now() + 15'085);
    CHECK((p.io_read(0x61, 1) & 0x10) != a);
}

TEST_CASE("fw_cfg: signature, numeric items, unknown keys and the file directory") {
    FwCfg f;
    f.io_write(0x510, 2, FwCfg::kSignature);
    std::string sig;
    for (int i = 0; i < 4; ++i) sig += char(f.io_read(0x511, 1));
    CHECK(sig == "QEMU");
    CHECK(f.io_read(0x511, 1) == 0);  // past the end
    f.set_u64(FwCfg::kRamSize, 128ull << 20);
    f.io_write(0x510, 2, FwCfg::kRamSize);
    uint64_t ram = 0;
    for (int i = 0; i < 8; ++i) ram |= uint64_t(f.io_read(0x511, 1)) << (8 * i);
    CHECK(ram == 128ull << 20);
    f.io_write(0x510, 2, 0x1234);
    CHECK(f.io_read(0x511, 4) == 0);
    f.add_file("etc/zeta", {1, 2, 3});
    uint16_t key = f.add_file("etc/alpha", {9});
    CHECK(key == 0x20);  // sorted by name
    f.io_write(0x510, 2, FwCfg::kFileDir);
    auto rd = [&] { return uint8_t(f.io_read(0x511, 1)); };
    uint32_t count = uint32_t(rd()) << 24 | uint32_t(rd()) << 16 | uint32_t(rd()) << 8 | rd();
    CHECK(count == 2);
    uint32_t size = uint32_t(rd()) << 24 | uint32_t(rd()) << 16 | uint32_t(rd()) << 8 | rd();
    uint16_t sel = uint16_t(rd() << 8 | rd());
    rd();
    rd();
    std::string name;
    for (int i = 0; i < 56; ++i) {
        char c = char(rd());
        if (c) name += c;
    }
    CHECK(size == 1);
    CHECK(sel == 0x20);
    CHECK(name == "etc/alpha");
    f.io_write(0x510, 2, 0x21);
    CHECK(f.io_read(0x511, 1) == 1);
}
