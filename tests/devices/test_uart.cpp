#include <doctest/doctest.h>

#include <string>

#include "devices/uart16550.h"
#include "probe.h"

using bs::devices::Uart16550;
using bs::emu::Clock;

namespace {
// 115200 8N1 with FIFOs, as Linux's 8250 driver sets it up.
void setup(Uart16550& u, uint8_t fcr = 0xc7) {
    u.write(3, 0x80);
    u.write(0, 0x01);
    u.write(1, 0x00);
    u.write(3, 0x03);
    u.write(2, fcr);
    u.write(4, 0x0b);  // DTR, RTS, OUT2
}
}  // namespace

TEST_CASE("uart: divisor latch, scratch and line control") {
    Clock clock;
    Uart16550 u(clock, "com1");
    u.write(3, 0x80);
    u.write(0, 0x0c);
    u.write(1, 0x00);
    CHECK(u.read(0) == 0x0c);
    u.write(3, 0x03);
    CHECK(u.read(3) == 0x03);
    u.write(7, 0xa5);
    CHECK(u.read(7) == 0xa5);
    // 9600 baud, 10 bits per character: 1.0417 ms.
    CHECK(u.char_time_ns() == doctest::Approx(1041667).epsilon(0.0001));
    CHECK((u.read(5) & 0x60) == 0x60);  // THRE and TEMT
}

TEST_CASE("uart: transmit goes to the host sink and raises THRE interrupts") {
    Clock clock;
    Uart16550 u(clock, "com1");
    bs::test::IrqProbe irq;
    irq.attach(u.irq);
    std::string out;
    u.tx_sink = [&](uint8_t b) { out += char(b); };
    setup(u);
    CHECK(u.read(2) == 0xc1);  // FIFOs on, no interrupt
    u.write(1, 0x02);          // ETBEI with THR empty: interrupt at once
    CHECK(irq.level);
    CHECK((u.read(2) & 0x0f) == 0x02);
    CHECK_FALSE(irq.level);  // reading IIR acknowledged THRE
    for (char c : std::string("hi\n")) u.write(0, uint8_t(c));
    CHECK(out == "hi\n");
    CHECK(irq.level);
    CHECK((u.read(2) & 0x0f) == 0x02);
    CHECK_FALSE(irq.level);
}

TEST_CASE("uart: host input arrives one character time apart with RX interrupts") {
    Clock clock;
    Uart16550 u(clock, "com1");
    bs::test::IrqProbe irq;
    irq.attach(u.irq, &clock);
    setup(u, 0x07);  // FIFO, trigger level 1
    u.write(1, 0x01);  // ERBFI
    u.host_input("ab");
    CHECK_FALSE(irq.level);
    CHECK((u.read(5) & 0x01) == 0);
    uint64_t ct = u.char_time_ns();
    clock.advance_to(ct);
    CHECK(irq.level);
    CHECK(irq.rises.at(0) == ct);
    CHECK((u.read(2) & 0x0f) == 0x04);
    CHECK(((u.read(5) & 0x01) != 0));
    CHECK(u.read(0) == 'a');
    CHECK_FALSE(irq.level);
    clock.advance_to(2 * ct);
    CHECK(u.read(0) == 'b');
    CHECK((u.read(5) & 0x01) == 0);
    CHECK(u.host_input_pending() == 0);
}

TEST_CASE("uart: FIFO trigger level and character timeout") {
    Clock clock;
    Uart16550 u(clock, "com1");
    setup(u, 0x47);  // trigger level 4
    u.write(1, 0x01);
    u.host_input("xyz");
    uint64_t ct = u.char_time_ns();
    clock.advance_to(3 * ct);
    CHECK((u.read(2) & 0x0f) == 0x01);  // 3 < 4: no interrupt yet
    clock.advance_to(7 * ct);
    CHECK((u.read(2) & 0x0f) == 0x0c);  // timeout after 4 character times
    CHECK(u.read(0) == 'x');
    CHECK((u.read(2) & 0x0f) == 0x01);
    CHECK(u.read(0) == 'y');
    CHECK(u.read(0) == 'z');
    u.host_input("1234");
    clock.advance_to(clock.now() + 4 * ct);
    CHECK((u.read(2) & 0x0f) == 0x04);
}

TEST_CASE("uart: loopback echoes TX into RX and maps MCR to MSR") {
    Clock clock;
    Uart16550 u(clock, "com1");
    std::string out;
    u.tx_sink = [&](uint8_t b) { out += char(b); };
    setup(u);
    u.write(4, 0x10 | 0x0f);  // loop, all outputs
    CHECK((u.read(6) & 0xf0) == 0xf0);
    u.write(4, 0x10 | 0x02);  // only RTS
    CHECK((u.read(6) & 0xf0) == 0x10);
    u.write(0, 0x5a);
    CHECK(out.empty());
    CHECK(((u.read(5) & 0x01) != 0));
    CHECK(u.read(0) == 0x5a);
    // Overrun: 17 bytes into a 16-byte FIFO.
    for (int i = 0; i < 17; ++i) u.write(0, uint8_t(i));
    CHECK(((u.read(5) & 0x02) != 0));
    CHECK((u.read(5) & 0x02) == 0);  // OE clears on read
    u.write(4, 0x0b);
    CHECK((u.read(6) & 0xf0) == 0xb0);
}

TEST_CASE("uart: line status and modem status interrupts") {
    Clock clock;
    Uart16550 u(clock, "com1");
    setup(u);
    u.write(1, 0x0c);  // ELSI, EDSSI
    u.write(4, 0x10);  // loop, outputs low: CTS/DSR/DCD drop -> deltas
    CHECK((u.read(2) & 0x0f) == 0x00);  // modem status
    u.read(6);
    CHECK((u.read(2) & 0x0f) == 0x01);
    for (int i = 0; i < 17; ++i) u.write(0, uint8_t(i));
    CHECK((u.read(2) & 0x0f) == 0x06);  // receiver line status (overrun)
    u.read(5);
    CHECK((u.read(2) & 0x0f) == 0x01);
}
