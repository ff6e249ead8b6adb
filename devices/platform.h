// The small ports of a PC chipset, as QEMU's pc machine offers them:
//   0x80        POST diagnostic code (recorded with its virtual time)
//   0x92        System Control Port A: fast A20 (bit 1), fast reset (bit 0)
//   0x61        System Control Port B: PIT channel 2 gate (bit 0), speaker
//               data (bit 1), refresh toggle (bit 4), channel 2 OUT (bit 5)
//   0xF4        QEMU isa-debug-exit: a write of v exits with (v << 1) | 1
//   0xE9        QEMU/Bochs debugcon: bytes written go to the host; reads 0xE9
//   0x600-0x60B ACPI PM1a event/control blocks and PM timer (ICH9 layout):
//               PM1a_CNT (0x604) with SLP_EN and SLP_TYP 0 (S5) powers off
//   0xCF8-0xCFF PCI configuration mechanism #1 with no devices behind it
//               (data reads all ones) and the reset control register 0xCF9
//
// References: IBM PS/2 Technical Reference (ports 0x61/0x92), ACPI 6.x
// §4.8.3 (PM1 control, PM timer), Intel ICH9 datasheet (RST_CNT at 0xCF9),
// QEMU's hw/misc/debugexit.c and hw/char/debugcon.c for the QEMU devices.
//
// Not emulated: SCI interrupts from the PM block (enabling them is logged),
// sleep states other than S5 (logged), PCI devices.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "devices/pit8254.h"
#include "emu/clock.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class PlatformPorts {
public:
    PlatformPorts(emu::Clock& clock, Pit8254& pit);

    void reset();
    // Byte-, word- or dword-wide accesses; the machine registers the ports above.
    uint32_t io_read(uint16_t port, unsigned size);
    void io_write(uint16_t port, unsigned size, uint32_t value);

    // What the guest asked of the machine.
    std::function<void()> on_reset_request;
    std::function<void(bool)> on_a20;
    std::function<void(int status)> on_exit;  // isa-debug-exit
    std::function<void()> on_poweroff;         // ACPI S5
    std::function<void(uint8_t)> debugcon_sink;
    std::function<void(uint8_t code, uint64_t time)> on_post_code;

    bool a20() const { return port92_ & 0x02; }
    void set_a20(bool on) { port92_ = uint8_t((port92_ & ~0x02) | (on ? 0x02 : 0)); }
    uint8_t last_post_code() const { return post_code_; }
    bool speaker_on() const { return (port61_ & 0x03) == 0x03; }
    uint32_t pm_timer() const;

    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    emu::Clock& clock_;
    Pit8254& pit_;
    uint8_t post_code_ = 0;
    uint8_t port92_ = 0x02;
    uint8_t port61_ = 0;
    uint16_t pm1_sts_ = 0, pm1_en_ = 0, pm1_cnt_ = 0;
    uint32_t pci_addr_ = 0;
    uint8_t rst_cnt_ = 0;
};

}  // namespace bs::devices
