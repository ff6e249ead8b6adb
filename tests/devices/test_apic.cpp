#include <doctest/doctest.h>

#include <vector>

#include "devices/ioapic.h"
#include "devices/lapic.h"

using bs::devices::IoApic;
using bs::devices::LocalApic;
using bs::emu::Clock;

namespace {
void enable(LocalApic& a) { a.write_reg(0xf0, 0x1ff); }  // software enable, spurious 0xFF
}  // namespace

TEST_CASE("lapic: version, ID and reset state") {
    Clock clock;
    LocalApic a(clock);
    CHECK((a.read_reg(0x30) & 0xff) == 0x14);
    CHECK(((a.read_reg(0x30) >> 16) & 0xff) == 6);
    CHECK(a.read_reg(0xf0) == 0xff);
    CHECK(a.read_reg(0x320) == 0x10000);
    CHECK(a.read_reg(0x350) == 0x700);  // LINT0 ExtINT: virtual wire
    CHECK(a.accepts_pic());
    CHECK(a.apic_base() == 0xfee00900);
    a.write_reg(0x20, 0x03000000);
    CHECK(a.id() == 3);
    CHECK(a.mmio_read(0x20, 4) == 0x03000000);
    CHECK(a.mmio_read(0x23, 1) == 0x03);
}

TEST_CASE("lapic: fixed interrupts, priority against TPR and ISR, EOI") {
    Clock clock;
    LocalApic a(clock);
    a.deliver_fixed(0x41, false);
    CHECK(a.pending_vector() == -1);  // software-disabled
    enable(a);
    CHECK(a.pending_vector() == 0x41);
    a.write_reg(0x80, 0x40);  // TPR class 4 blocks class 4
    CHECK(a.pending_vector() == -1);
    a.write_reg(0x80, 0x30);
    a.deliver_fixed(0x62, false);
    CHECK(a.acknowledge() == 0x62);
    CHECK(a.read_reg(0xa0) == 0x60);  // PPR = ISR class
    CHECK(a.pending_vector() == -1);  // 0x41 is below the in-service 0x62
    CHECK((a.read_reg(0x100 + 0x30) & (1u << 2)) != 0);  // ISR bit 0x62
    a.write_reg(0xb0, 0);
    CHECK(a.acknowledge() == 0x41);
    a.write_reg(0xb0, 0);
    CHECK(a.pending_vector() == -1);
    CHECK(a.acknowledge() == 0xff);  // nothing left: spurious vector
}

TEST_CASE("lapic: level-triggered EOI is broadcast") {
    Clock clock;
    LocalApic a(clock);
    enable(a);
    std::vector<uint8_t> eois;
    a.on_level_eoi = [&](uint8_t v) { eois.push_back(v); };
    a.deliver_fixed(0x30, true);
    CHECK((a.read_reg(0x180 + 0x10) & (1u << 16)) != 0);  // TMR bit 0x30
    CHECK(a.acknowledge() == 0x30);
    a.write_reg(0xb0, 0);
    REQUIRE(eois.size() == 1);
    CHECK(eois[0] == 0x30);
}

TEST_CASE("lapic: timer periodic with divide 16 on virtual time") {
    Clock clock;
    LocalApic a(clock);
    enable(a);
    a.write_reg(0x3e0, 0x3);           // divide by 16
    a.write_reg(0x320, 0x20000 | 0xef);  // periodic, vector 0xEF
    a.write_reg(0x380, 1000);          // 16000 ns period
    clock.advance_to(8000);
    CHECK(a.read_reg(0x390) == 500);
    std::vector<uint64_t> fired;
    for (int i = 0; i < 5; ++i) {
        clock.skip_to_next_event();
        if (a.pending_vector() == 0xef) {
            fired.push_back(clock.now());
            a.acknowledge();
            a.write_reg(0xb0, 0);
        }
    }
    REQUIRE(fired.size() == 5);
    for (size_t i = 0; i < fired.size(); ++i) CHECK(fired[i] == 16000 * (i + 1));
}

TEST_CASE("lapic: timer one-shot, masking and stop") {
    Clock clock;
    LocalApic a(clock);
    enable(a);
    a.write_reg(0x3e0, 0xb);  // divide by 1
    a.write_reg(0x320, 0x40);
    a.write_reg(0x380, 5000);
    clock.advance_to(4999);
    CHECK(a.pending_vector() == -1);
    CHECK(a.read_reg(0x390) == 1);
    clock.advance_to(5000);
    CHECK(a.pending_vector() == 0x40);
    CHECK(a.read_reg(0x390) == 0);
    CHECK_FALSE(clock.pending(0));  // one-shot: no further event
    a.acknowledge();
    a.write_reg(0xb0, 0);
    a.write_reg(0x320, 0x10040);  // masked
    a.write_reg(0x380, 100);
    clock.advance_to(6000);
    CHECK(a.pending_vector() == -1);
    a.write_reg(0x380, 0);  // stop
    CHECK(a.read_reg(0x390) == 0);
}

TEST_CASE("lapic: self-IPI through ICR, illegal vector sets ESR") {
    Clock clock;
    LocalApic a(clock);
    enable(a);
    a.write_reg(0x300, 0x40000 | 0x55);  // shorthand self, fixed
    CHECK(a.pending_vector() == 0x55);
    a.write_reg(0x310, 0);               // destination ID 0 = us
    a.write_reg(0x300, 0x66);
    CHECK(a.pending_vector() == 0x66);
    a.write_reg(0x300, 0x40000 | 0x05);  // illegal vector
    a.write_reg(0x280, 0);
    CHECK((a.read_reg(0x280) & 0x20) == 0x20);
    a.write_reg(0x300, 0x40000 | 0x400);  // NMI to self
    CHECK(a.nmi_pending());
}

TEST_CASE("lapic: LINT0/LINT1 and software disable masks LVTs") {
    Clock clock;
    LocalApic a(clock);
    enable(a);
    a.write_reg(0x360, 0x400);  // LINT1 NMI
    a.set_lint(1, true);
    CHECK(a.nmi_pending());
    a.clear_nmi();
    a.write_reg(0x350, 0x10700);  // LINT0 masked: the PIC is cut off
    CHECK_FALSE(a.accepts_pic());
    a.write_reg(0x350, 0x700);
    CHECK(a.accepts_pic());
    a.write_reg(0xf0, 0xff);  // software disable
    CHECK((a.read_reg(0x350) & 0x10000) != 0);
    a.set_apic_base(0xfee00000);  // hardware disable: the PIC goes straight through
    CHECK_FALSE(a.hw_enabled());
    CHECK(a.accepts_pic());
}

TEST_CASE("ioapic: ID, version and redirection table access") {
    IoApic io;
    io.mmio_write(0x00, 4, 0x01);
    CHECK(io.mmio_read(0x10, 4) == 0x00170020);
    io.mmio_write(0x00, 4, 0x10 + 2 * 4);
    CHECK(io.mmio_read(0x10, 4) == 0x10000);  // masked at reset
    io.mmio_write(0x10, 4, 0x00000031);
    io.mmio_write(0x00, 4, 0x11 + 2 * 4);
    io.mmio_write(0x10, 4, 0x05000000);
    CHECK(io.redirection(4) == 0x0500000000000031ull);
}

TEST_CASE("ioapic: edge routing, masking latches, level with remote IRR") {
    IoApic io;
    std::vector<IoApic::Message> sent;
    io.deliver = [&](const IoApic::Message& m) { sent.push_back(m); };
    auto set_entry = [&](unsigned pin, uint64_t v) {
        io.mmio_write(0, 4, 0x10 + 2 * pin);
        io.mmio_write(0x10, 4, uint32_t(v));
        io.mmio_write(0, 4, 0x11 + 2 * pin);
        io.mmio_write(0x10, 4, uint32_t(v >> 32));
    };
    set_entry(2, 0x30);  // edge, fixed, vector 0x30, dest 0
    io.set_irq(2, true);
    io.set_irq(2, true);
    io.set_irq(2, false);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].vector == 0x30);
    CHECK_FALSE(sent[0].level);
    // A masked edge is held and delivered on unmask (as QEMU).
    set_entry(2, 0x10030);
    io.set_irq(2, true);
    io.set_irq(2, false);
    CHECK(sent.size() == 1);
    set_entry(2, 0x30);
    CHECK(sent.size() == 2);
    // Level: one delivery until EOI, then again while asserted.
    set_entry(9, 0x8000 | 0x39);
    io.set_irq(9, true);
    CHECK(sent.size() == 3);
    CHECK(sent.back().level);
    io.mmio_write(0, 4, 0x10 + 18);
    CHECK((io.mmio_read(0x10, 4) & 0x4000) == 0x4000);  // remote IRR
    io.set_irq(9, true);
    CHECK(sent.size() == 3);
    io.eoi(0x39);
    CHECK(sent.size() == 4);  // still asserted: delivered again
    io.set_irq(9, false);
    io.mmio_write(0x40, 4, 0x39);  // EOI register
    CHECK(sent.size() == 4);
    CHECK((io.redirection(9) & 0x4000) == 0);
}
