#include <doctest/doctest.h>

#include <cstring>

#include "emu/machine.h"

using namespace bs::emu;

namespace {
uint8_t cmos(Machine& m, uint8_t index) {
    m.io_out(0x70, 1, index);
    return uint8_t(m.io_in(0x71, 1));
}
void init_pic(Machine& m) {
    const uint8_t seq[][2] = {{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01}, {0xa0, 0x11},
                              {0xa1, 0x28}, {0xa1, 0x02}, {0xa1, 0x01}, {0x21, 0x00}, {0xa1, 0x00}};
    for (auto& s : seq) m.io_out(s[0], 1, s[1]);
}
void pit_mode2(Machine& m, uint16_t count) {
    m.io_out(0x43, 1, 0x34);
    m.io_out(0x40, 1, count & 0xff);
    m.io_out(0x40, 1, count >> 8);
}
}  // namespace

TEST_CASE("machine: unclaimed ports and MMIO read all ones and swallow writes") {
    Machine m({});
    CHECK(m.io_in(0x2e8, 1) == 0xff);
    CHECK(m.io_in(0x2e8, 2) == 0xffff);
    CHECK(m.io_in(0x2e8, 4) == 0xffffffffu);
    m.io_out(0x2e8, 1, 0);
    CHECK(m.io().owner(0x2e8) == nullptr);
    CHECK(std::string(m.io().owner(0x3f8)) == "com1");
    CHECK(m.page(0xd0000000).host == nullptr);
    CHECK(m.mmio_read(0xd0000000, 4) == 0xffffffffu);
    CHECK(m.mmio_read(0xd0000000, 8) == ~0ull);
    m.mmio_write(0xd0000000, 4, 0);
    CHECK(m.mmio().unclaimed_accesses() == 3);
    // Memory beyond RAM (128 MiB) is not RAM.
    CHECK(m.page(128 * MiB).host == nullptr);
    CHECK(m.mmio_read(128 * MiB, 2) == 0xffff);
}

TEST_CASE("machine: RAM pages, bounds-checked helpers, slow-path RAM access") {
    Machine m({});
    auto p = m.page(0x1000);
    REQUIRE(p.host != nullptr);
    CHECK(p.writable);
    p.host[4] = 0x5a;
    uint8_t b = 0;
    CHECK(m.read_phys(0x1004, &b, 1));
    CHECK(b == 0x5a);
    const uint32_t v = 0x11223344;
    CHECK(m.write_phys(0x1ffe, &v, 4));  // crosses a page
    CHECK(m.mmio_read(0x1ffe, 4) == 0x11223344);
    m.mmio_write(0x2000, 1, 0x99);
    CHECK(m.page(0x2000).host[0] == 0x99);
    CHECK_FALSE(m.write_phys(128 * MiB - 2, &v, 4));
    CHECK_FALSE(m.fill_phys(~0ull - 1, 0, 4));
    // VGA text memory is host-backed, not RAM.
    auto vga = m.page(0xb8000);
    REQUIRE(vga.host != nullptr);
    vga.host[0] = 'A';
    CHECK(m.vga.char_at(0, 0) == 'A');
}

TEST_CASE("machine: BIOS ROM at 0xF0000 and its alias below 4 GiB, read-only") {
    MachineConfig cfg;
    cfg.firmware.assign(128 * 1024, 0);
    cfg.firmware.back() = 0xea;                   // last byte
    cfg.firmware[128 * 1024 - 16] = 0xe9;         // reset vector at F000:FFF0
    cfg.firmware[0] = 0x42;                       // first byte of a 128 KiB image
    Machine m(cfg);
    auto p = m.page(0xff000);
    REQUIRE(p.host != nullptr);
    CHECK_FALSE(p.writable);
    CHECK(p.host[0xff0] == 0xe9);
    CHECK(m.page(0xfffff000).host[0xfff] == 0xea);
    CHECK(m.page(0xfffe0000).host[0] == 0x42);  // the alias holds the whole image
    CHECK_FALSE(m.page(0xfffe0000).writable);
    m.mmio_write(0xffff0, 1, 0);  // dropped
    CHECK(m.mmio_read(0xffff0, 1) == 0xe9);
    CHECK(m.page(0xe0000).writable);  // below the top 64 KiB: RAM
}

TEST_CASE("machine: A20 masking through port 0x92 and the i8042") {
    Machine m({});
    int map_changes = 0;
    m.on_memory_map_change = [&] { ++map_changes; };
    CHECK(m.a20());
    CHECK(m.page(0x100000).host != m.page(0).host);
    m.io_out(0x92, 1, 0x00);
    CHECK_FALSE(m.a20());
    CHECK(map_changes == 1);
    CHECK(m.page(0x100000).host == m.page(0).host);
    m.io_out(0x64, 1, 0xd1);
    m.io_out(0x60, 1, 0xdf);
    CHECK(m.a20());
    CHECK(m.io_in(0x92, 1) == 0x02);
}

TEST_CASE("machine: CMOS memory-size bytes as SeaBIOS reads them") {
    Machine m({});
    CHECK((cmos(m, 0x15) | cmos(m, 0x16) << 8) == 640);
    CHECK((cmos(m, 0x17) | cmos(m, 0x18) << 8) == 0xffff);  // 127 MiB in KiB, capped
    CHECK((cmos(m, 0x30) | cmos(m, 0x31) << 8) == 0xffff);
    CHECK((cmos(m, 0x34) | cmos(m, 0x35) << 8) == (128 - 16) * 16);
    CHECK(cmos(m, 0x5b) == 0);
    MachineConfig small;
    small.ram_size = 32 * MiB;
    Machine m1(small);
    CHECK((cmos(m1, 0x17) | cmos(m1, 0x18) << 8) == 31 * 1024);
    CHECK((cmos(m1, 0x30) | cmos(m1, 0x31) << 8) == 31 * 1024);
    CHECK((cmos(m1, 0x34) | cmos(m1, 0x35) << 8) == 16 * 16);
    MachineConfig big;
    big.ram_size = 3 * GiB + 128 * MiB;
    Machine m2(big);
    CHECK((cmos(m2, 0x17) | cmos(m2, 0x18) << 8) == 0xffff);
    CHECK((cmos(m2, 0x34) | cmos(m2, 0x35) << 8) == (3 * 1024 - 16) * 16);
    CHECK((cmos(m2, 0x5b) | cmos(m2, 0x5c) << 8 | cmos(m2, 0x5d) << 16) == 2048);
    CHECK(m2.page(4 * GiB).host != nullptr);
}

TEST_CASE("machine: fw_cfg through ports 0x510/0x511") {
    Machine m({});
    m.io_out(0x510, 2, 0x0000);
    char sig[5] = {};
    for (int i = 0; i < 4; ++i) sig[i] = char(m.io_in(0x511, 1));
    CHECK(std::string(sig) == "QEMU");
    m.io_out(0x510, 2, 0x0003);
    uint64_t ram = 0;
    for (int i = 0; i < 8; ++i) ram |= uint64_t(m.io_in(0x511, 1)) << (8 * i);
    CHECK(ram == 128 * MiB);
    m.io_out(0x510, 2, 0x0005);
    CHECK((m.io_in(0x511, 1) | m.io_in(0x511, 1) << 8) == 1);
    m.io_out(0x510, 2, 0x000f);
    CHECK((m.io_in(0x511, 1) | m.io_in(0x511, 1) << 8) == 1);
    m.io_out(0x510, 2, 0x0099);  // unknown key
    CHECK(m.io_in(0x511, 1) == 0);
    const auto* e820 = m.fw_cfg.item(0x20);
    REQUIRE(e820 != nullptr);
    CHECK(e820->size() == 20);
    uint64_t len;
    std::memcpy(&len, e820->data() + 8, 8);
    CHECK(len == 128 * MiB);
}

TEST_CASE("machine: PIT IRQ0 reaches the CPU through the PIC and virtual wire") {
    Machine m({});
    int changes = 0;
    m.on_interrupt_change = [&] { ++changes; };
    init_pic(m);
    pit_mode2(m, 1193);  // ~1 kHz
    CHECK_FALSE(m.intr_pending());
    CHECK(m.insn_budget() <= 1'000'000);
    // The run loop: run the CPU to the next deadline, retire, check INTR.
    for (int i = 0; i < 4 && !m.intr_pending(); ++i) m.retire(m.insn_budget());
    CHECK(m.intr_pending());
    CHECK(m.clock().now() == (1193ull * 1'000'000'000ull + 1193181) / 1193182);
    CHECK(changes > 0);
    CHECK(m.acknowledge() == 0x20);
    CHECK_FALSE(m.intr_pending());
    m.io_out(0x20, 1, 0x20);
    // With the APIC hardware-disabled the PIC still reaches INTR.
    m.lapic.set_apic_base(0);
    CHECK(m.halt_skip());
    while (!m.intr_pending()) CHECK(m.halt_skip());
    CHECK(m.acknowledge() == 0x20);
}

TEST_CASE("machine: IRQ routing through the IOAPIC to the local APIC") {
    Machine m({});
    init_pic(m);
    m.io_out(0x21, 1, 0xff);  // PIC fully masked, as Linux does with an IOAPIC
    m.io_out(0xa1, 1, 0xff);
    m.mmio_write(0xfee000f0, 4, 0x1ff);  // APIC software enable
    m.mmio_write(0xfee00350, 4, 0x10700);  // LINT0 masked
    m.mmio_write(0xfec00000, 4, 0x10 + 2 * 2);  // pin 2 = ISA IRQ0
    m.mmio_write(0xfec00010, 4, 0x30);
    m.mmio_write(0xfec00000, 4, 0x10 + 2 * 4);  // pin 4 = COM1
    m.mmio_write(0xfec00010, 4, 0x34);
    pit_mode2(m, 1193);
    while (!m.intr_pending()) REQUIRE(m.halt_skip());
    CHECK(m.acknowledge() == 0x30);
    CHECK_FALSE(m.intr_pending());
    // COM1 THRE interrupt, meanwhile, while IRQ0's vector is in service (lower class).
    m.io_out(0x3f9, 1, 0x02);
    CHECK_FALSE(m.intr_pending());
    m.mmio_write(0xfee000b0, 4, 0);
    CHECK(m.intr_pending());
    CHECK(m.acknowledge() == 0x34);
    m.mmio_write(0xfee000b0, 4, 0);
    CHECK((m.mmio_read(0xfee00030, 4) & 0xff) == 0x14);
}

TEST_CASE("machine: NMI through LINT1 and the port 0x70 mask") {
    Machine m({});
    m.raise_nmi();
    CHECK_FALSE(m.nmi_pending());  // LINT1 masked at reset
    m.mmio_write(0xfee00360, 4, 0x400);
    m.mmio_write(0xfee000f0, 4, 0x1ff);
    m.mmio_write(0xfee00360, 4, 0x400);
    m.raise_nmi();
    CHECK(m.nmi_pending());
    m.acknowledge_nmi();
    CHECK_FALSE(m.nmi_pending());
    m.io_out(0x70, 1, 0x80);
    m.raise_nmi();
    CHECK_FALSE(m.nmi_pending());
}

TEST_CASE("machine: exit, power-off and reset requests") {
    Machine m({});
    std::string con;
    m.platform.debugcon_sink = [&](uint8_t b) { con += char(b); };
    m.io_out(0xe9, 1, 'o');
    m.io_out(0xe9, 1, 'k');
    CHECK(con == "ok");
    m.io_out(0xf4, 4, 0x31);
    CHECK(m.request() == Machine::Request::Exit);
    CHECK(m.exit_status() == 0x63);
    m.clear_request();
    m.io_out(0x604, 2, 0x2000);
    CHECK(m.request() == Machine::Request::PowerOff);
    m.clear_request();
    m.io_out(0x64, 1, 0xfe);
    CHECK(m.request() == Machine::Request::Reset);
    m.io_out(0x92, 1, 0x00);
    m.reset();
    CHECK(m.request() == Machine::Request::None);
    CHECK(m.a20());
    CHECK(m.io_in(0xcfc, 4) == 0xffffffffu);
    // The debugger's state dump names every device.
    std::string d = m.dump();
    for (const char* name : {"pic-master", "pit ch0", "rtc:", "lapic:", "ioapic:", "com1:", "vga:", "i8042:", "platform:", "fw_cfg:"})
        CHECK(d.find(name) != std::string::npos);
}

TEST_CASE("machine: RTC option and the fixed start date") {
    CHECK(parse_rtc_option("fixed:2024-01-01").start_seconds == 1704067200);
    CHECK(parse_rtc_option("fixed:2024-02-29T12:30:05").start_seconds == 1704067200 + (31 + 28) * 86400 + 45005);
    CHECK(parse_rtc_option("host").source == RtcConfig::Source::Host);
    CHECK_THROWS_AS(parse_rtc_option("fixed:2023-02-29"), std::invalid_argument);
    CHECK_THROWS_AS(parse_rtc_option("fixed:2024-13-01"), std::invalid_argument);
    CHECK_THROWS_AS(parse_rtc_option("fixed:yesterday"), std::invalid_argument);
    CHECK_THROWS_AS(parse_rtc_option("utc"), std::invalid_argument);
    MachineConfig cfg;
    cfg.rtc = parse_rtc_option("fixed:1999-12-31T23:59:58");
    Machine m(cfg);
    CHECK(cmos(m, 0x09) == 0x99);
    CHECK(cmos(m, 0x32) == 0x19);
    m.clock().advance_to(2'000'000'000);
    CHECK(cmos(m, 0x09) == 0x00);
    CHECK(cmos(m, 0x32) == 0x20);
    CHECK(cmos(m, 0x08) == 0x01);
}
