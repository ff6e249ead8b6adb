// National Semiconductor PC16550D UART (COM1 at 0x3F8/IRQ4, COM2 at 0x2F8/IRQ3).
//
// Reference: PC16550D datasheet (register summary Table II, FCR/IIR FIFO
// behaviour, "FIFO interrupt mode operation", loopback in MCR bit 4).
//
// Host side: bytes the guest transmits go to `tx_sink` at once (the line is
// infinitely fast on the transmit side, as QEMU with a ready backend); bytes
// from the host are queued with host_input() and enter the receive FIFO one
// character time apart on the virtual clock, so the same input gives the same
// guest-visible sequence every run. The host queue is flow-controlled (it
// waits while the FIFO is full); a byte looped back into a full FIFO
// overruns.
//
// Not emulated: parity/framing errors and break from the host, the
// transmitter's character timing, OUT2 gating of the IRQ line (QEMU doesn't
// either), DMA mode select (FCR bit 3 is stored).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "emu/clock.h"
#include "emu/irq.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class Uart16550 {
public:
    // LSR bits
    static constexpr uint8_t kLsrDR = 0x01, kLsrOE = 0x02, kLsrPE = 0x04, kLsrFE = 0x08, kLsrBI = 0x10,
                             kLsrTHRE = 0x20, kLsrTEMT = 0x40;
    // IER bits
    static constexpr uint8_t kIerRDI = 0x01, kIerTHRI = 0x02, kIerRLSI = 0x04, kIerMSI = 0x08;
    static constexpr unsigned kFifoSize = 16;
    static constexpr uint64_t kClockHz = 1843200;  // 1.8432 MHz crystal: 115200 baud at divisor 1

    Uart16550(emu::Clock& clock, std::string name);

    void reset();
    uint8_t read(unsigned offset);  // offset 0-7 from the base port
    void write(unsigned offset, uint8_t value);

    // Host -> guest bytes (delivered on the virtual clock).
    void host_input(std::string_view bytes);
    size_t host_input_pending() const { return host_queue_.size(); }
    // Guest -> host bytes.
    std::function<void(uint8_t)> tx_sink;

    // Virtual nanoseconds per character at the current line settings.
    uint64_t char_time_ns() const;

    // Registers as the debugger shows them (no side effects, unlike read()).
    uint16_t divisor() const { return divisor_; }
    uint8_t ier() const { return ier_; }
    uint8_t interrupt_id() const { return iir(); }
    uint8_t fcr() const { return fcr_; }
    uint8_t lcr() const { return lcr_; }
    uint8_t mcr() const { return mcr_; }
    uint8_t lsr() const { return lsr_; }
    uint8_t msr() const { return msr_; }
    uint8_t scr() const { return scr_; }
    size_t rx_fifo_level() const { return rx_fifo_.size(); }

    emu::IrqLine irq;

    std::string dump() const;

    // Save state (emu/snapshot.h): every register, the receive FIFO and the
    // host input still queued. The wiring (callbacks, IRQ sinks) is the
    // machine's and stays; pending events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    uint8_t iir() const;
    void update_irq();
    void push_rx(uint8_t byte);
    void schedule_rx();
    void schedule_timeout();
    void on_rx_event();
    void on_timeout_event();
    void update_msr(uint8_t new_status);
    bool fifo_enabled() const { return fcr_ & 1; }
    unsigned trigger_level() const;

    emu::Clock& clock_;
    std::string name_;
    emu::EventId ev_rx_, ev_timeout_;

    uint16_t divisor_ = 12;
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, lsr_ = 0, msr_ = 0, scr_ = 0, fcr_ = 0;
    bool thr_ipending_ = false;
    bool timeout_ipending_ = false;
    std::deque<uint8_t> rx_fifo_;
    std::deque<uint8_t> host_queue_;
};

}  // namespace bs::devices
