#include <doctest/doctest.h>

#include "devices/pic8259.h"
#include "probe.h"

using bs::devices::PicPair;

namespace {
// The initialisation Linux and SeaBIOS do: vectors 0x20/0x28, cascade on 2, 8086 mode.
void init_pair(PicPair& p, uint8_t icw4 = 0x01) {
    p.io_write(0x20, 0x11);
    p.io_write(0x21, 0x20);
    p.io_write(0x21, 0x04);
    p.io_write(0x21, icw4);
    p.io_write(0xa0, 0x11);
    p.io_write(0xa1, 0x28);
    p.io_write(0xa1, 0x02);
    p.io_write(0xa1, icw4);
    p.io_write(0x21, 0x00);
    p.io_write(0xa1, 0x00);
}
}  // namespace

TEST_CASE("pic: ICW sequence sets vector bases and IMR") {
    PicPair p;
    init_pair(p);
    CHECK(p.master.irq_base() == 0x20);
    CHECK(p.slave.irq_base() == 0x28);
    p.io_write(0x21, 0xfb);
    CHECK(p.io_read(0x21) == 0xfb);
    CHECK(p.io_read(0xa1) == 0x00);
}

TEST_CASE("pic: priority order, ISR and non-specific EOI") {
    PicPair p;
    bs::test::IrqProbe intr;
    init_pair(p);
    intr.attach(p.master.int_out);
    p.set_irq(3, true);
    p.set_irq(1, true);
    CHECK(intr.level);
    CHECK(p.acknowledge() == 0x21);  // IRQ1 beats IRQ3
    CHECK(p.master.isr() == 0x02);
    // IRQ3 is lower priority than the in-service IRQ1: INTR drops.
    CHECK_FALSE(p.intr());
    p.io_write(0x20, 0x20);  // EOI
    CHECK(p.master.isr() == 0);
    CHECK(p.intr());
    CHECK(p.acknowledge() == 0x23);
    p.io_write(0x20, 0x20);
    CHECK_FALSE(p.intr());
}

TEST_CASE("pic: a higher priority IRQ nests over a lower one in service") {
    PicPair p;
    init_pair(p);
    p.set_irq(5, true);
    CHECK(p.acknowledge() == 0x25);
    p.set_irq(0, true);
    CHECK(p.intr());
    CHECK(p.acknowledge() == 0x20);
    CHECK(p.master.isr() == 0x21);
    p.io_write(0x20, 0x20);  // EOI clears the highest (IRQ0)
    CHECK(p.master.isr() == 0x20);
    p.io_write(0x20, 0x65);  // specific EOI IRQ5
    CHECK(p.master.isr() == 0);
}

TEST_CASE("pic: masking holds a request until unmasked") {
    PicPair p;
    init_pair(p);
    p.io_write(0x21, 0x01);
    p.set_irq(0, true);
    CHECK_FALSE(p.intr());
    CHECK(p.master.irr() == 0x01);
    p.io_write(0x21, 0x00);
    CHECK(p.intr());
    CHECK(p.acknowledge() == 0x20);
}

TEST_CASE("pic: edge triggering needs a new rising edge, level follows the line") {
    PicPair p;
    init_pair(p);
    p.set_irq(4, true);
    CHECK(p.acknowledge() == 0x24);
    p.io_write(0x20, 0x20);
    CHECK_FALSE(p.intr());  // line still high, no new edge
    p.set_irq(4, false);
    p.set_irq(4, true);
    CHECK(p.intr());

    PicPair q;
    init_pair(q);
    q.io_write(0x4d0, 0x20);  // IRQ5 level
    CHECK(q.io_read(0x4d0) == 0x20);
    q.set_irq(5, true);
    CHECK(q.acknowledge() == 0x25);
    q.io_write(0x20, 0x20);
    CHECK(q.intr());  // still asserted: requested again
    q.set_irq(5, false);
    CHECK_FALSE(q.intr());
    // On the slave, the master's cascade input is edge triggered: a level
    // source that drops after its EOI leaves a spurious IRQ15, as on hardware.
    q.io_write(0x4d1, 0x02);  // IRQ9 level
    q.set_irq(9, true);
    CHECK(q.acknowledge() == 0x29);
    q.io_write(0xa0, 0x20);
    q.io_write(0x20, 0x20);
    q.set_irq(9, false);
    CHECK(q.acknowledge() == 0x2f);
}

TEST_CASE("pic: cascade through IRQ2 and slave EOI order") {
    PicPair p;
    init_pair(p);
    p.set_irq(8, true);  // RTC
    CHECK(p.intr());
    CHECK(p.acknowledge() == 0x28);
    CHECK(p.slave.isr() == 0x01);
    CHECK(p.master.isr() == 0x04);
    p.io_write(0xa0, 0x20);
    p.io_write(0x20, 0x20);
    CHECK(p.slave.isr() == 0);
    CHECK(p.master.isr() == 0);
    // A slave IRQ is blocked by master IRQ1 in service, and beats master IRQ3.
    p.set_irq(1, true);
    CHECK(p.acknowledge() == 0x21);
    p.set_irq(12, true);
    CHECK_FALSE(p.intr());
    p.io_write(0x20, 0x20);
    p.set_irq(3, true);
    CHECK(p.acknowledge() == 0x2c);
}

TEST_CASE("pic: spurious IRQ7 and IRQ15") {
    PicPair p;
    init_pair(p);
    CHECK(p.acknowledge() == 0x27);
    CHECK(p.master.isr() == 0);  // a spurious IRQ7 sets no ISR bit
    // The slave's request vanishes between INTR and INTA: IRQ15 spurious.
    p.io_write(0x4d1, 0x10);  // IRQ12 level
    p.set_irq(12, true);
    CHECK(p.intr());
    p.io_write(0xa1, 0x10);  // masked on the slave after the master saw IRQ2
    CHECK(p.master.irr() == 0x04);
    // The master's edge-latched IRQ2 request stays; the slave has nothing.
    CHECK(p.acknowledge() == 0x2f);
    CHECK(p.slave.isr() == 0);
    CHECK(p.master.isr() == 0x04);  // the master still needs its EOI
}

TEST_CASE("pic: auto-EOI and rotation") {
    PicPair p;
    init_pair(p, 0x03);  // ICW4: 8086, auto-EOI
    p.set_irq(6, true);
    CHECK(p.acknowledge() == 0x26);
    CHECK(p.master.isr() == 0);

    PicPair q;
    init_pair(q);
    q.io_write(0x20, 0xc4);  // set priority: IRQ4 lowest, IRQ5 highest
    q.set_irq(0, true);
    q.set_irq(6, true);
    CHECK(q.acknowledge() == 0x26);
    q.io_write(0x20, 0xa0);  // rotate on non-specific EOI: IRQ6 becomes lowest
    CHECK(q.acknowledge() == 0x20);
}

TEST_CASE("pic: OCW3 reads ISR, poll mode and special mask mode") {
    PicPair p;
    init_pair(p);
    p.set_irq(2 + 1, true);
    CHECK(p.io_read(0x20) == 0x08);  // IRR by default
    p.acknowledge();
    p.io_write(0x20, 0x0b);  // read ISR
    CHECK(p.io_read(0x20) == 0x08);
    p.io_write(0x20, 0x0a);
    CHECK(p.io_read(0x20) == 0x00);
    p.io_write(0x20, 0x20);
    // Poll: the read acknowledges the highest request.
    p.set_irq(5, true);
    p.io_write(0x20, 0x0c);
    CHECK(p.io_read(0x20) == 0x85);
    CHECK(p.master.isr() == 0x20);
    // Special mask mode: masking the in-service IRQ5 lets IRQ6 through.
    p.set_irq(6, true);
    CHECK_FALSE(p.intr());
    p.io_write(0x21, 0x20);
    p.io_write(0x20, 0x68);  // OCW3: set special mask
    CHECK(p.intr());
    CHECK(p.acknowledge() == 0x26);
}
