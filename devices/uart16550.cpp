#include "devices/uart16550.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

Uart16550::Uart16550(emu::Clock& clock, std::string name) : clock_(clock), name_(std::move(name)) {
    ev_rx_ = clock_.add_event(name_ + ".rx", [this](uint64_t, uint64_t) { on_rx_event(); });
    ev_timeout_ = clock_.add_event(name_ + ".timeout", [this](uint64_t, uint64_t) { on_timeout_event(); });
    reset();
}

void Uart16550::reset() {
    divisor_ = 12;  // 9600 baud, what a BIOS leaves
    ier_ = lcr_ = mcr_ = scr_ = fcr_ = 0;
    lsr_ = kLsrTHRE | kLsrTEMT;
    msr_ = 0xb0;  // host side: DCD, DSR, CTS asserted
    thr_ipending_ = false;
    timeout_ipending_ = false;
    rx_fifo_.clear();
    clock_.cancel(ev_timeout_);
    schedule_rx();
    update_irq();
}

uint64_t Uart16550::char_time_ns() const {
    unsigned data = 5 + (lcr_ & 3);
    unsigned parity = (lcr_ & 0x08) ? 1 : 0;
    // Stop bits in half bits: 1, or 1.5 with 5 data bits, or 2.
    unsigned stop2 = (lcr_ & 0x04) ? (data == 5 ? 3 : 4) : 2;
    unsigned half_bits = 2 * (1 + data + parity) + stop2;
    uint64_t div = divisor_ ? divisor_ : 0x10000;
    // One bit lasts 16 * divisor crystal periods.
    return emu::muldiv64_ceil(uint64_t(half_bits) * 16 * div, emu::kNsPerSec, 2 * kClockHz);
}

unsigned Uart16550::trigger_level() const {
    static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
    return kLevels[fcr_ >> 6];
}

uint8_t Uart16550::iir() const {
    uint8_t fifo_bits = fifo_enabled() ? 0xc0 : 0;
    if ((ier_ & kIerRLSI) && (lsr_ & (kLsrOE | kLsrPE | kLsrFE | kLsrBI))) return fifo_bits | 0x06;
    if (ier_ & kIerRDI) {
        if (timeout_ipending_) return fifo_bits | 0x0c;
        if (fifo_enabled() ? rx_fifo_.size() >= trigger_level() : !rx_fifo_.empty()) return fifo_bits | 0x04;
    }
    if ((ier_ & kIerTHRI) && thr_ipending_) return fifo_bits | 0x02;
    if ((ier_ & kIerMSI) && (msr_ & 0x0f)) return fifo_bits | 0x00;
    return fifo_bits | 0x01;
}

void Uart16550::update_irq() {
    if (rx_fifo_.empty())
        lsr_ &= ~kLsrDR;
    else
        lsr_ |= kLsrDR;
    irq.set((iir() & 1) == 0);
}

void Uart16550::push_rx(uint8_t byte) {
    unsigned cap = fifo_enabled() ? kFifoSize : 1;
    if (rx_fifo_.size() >= cap) {
        lsr_ |= kLsrOE;  // the byte in the shift register is lost
        if (!fifo_enabled()) rx_fifo_.back() = byte;  // 16450: RBR is overwritten
    } else {
        rx_fifo_.push_back(byte);
    }
    timeout_ipending_ = false;
    schedule_timeout();
    update_irq();
}

void Uart16550::schedule_timeout() {
    if (fifo_enabled() && !rx_fifo_.empty())
        clock_.schedule(ev_timeout_, 4 * char_time_ns());
    else
        clock_.cancel(ev_timeout_);
}

void Uart16550::on_timeout_event() {
    if (fifo_enabled() && !rx_fifo_.empty()) {
        timeout_ipending_ = true;
        update_irq();
    }
}

void Uart16550::schedule_rx() {
    if (host_queue_.empty() || (mcr_ & 0x10)) {
        clock_.cancel(ev_rx_);
        return;
    }
    if (!clock_.pending(ev_rx_)) clock_.schedule(ev_rx_, char_time_ns());
}

void Uart16550::on_rx_event() {
    if (host_queue_.empty() || (mcr_ & 0x10)) return;
    unsigned cap = fifo_enabled() ? kFifoSize : 1;
    if (rx_fifo_.size() < cap) {
        push_rx(host_queue_.front());
        host_queue_.pop_front();
    }
    // A full FIFO holds the host back (flow control): retry next character time.
    if (!host_queue_.empty()) clock_.schedule(ev_rx_, char_time_ns());
}

void Uart16550::host_input(std::string_view bytes) {
    for (char c : bytes) host_queue_.push_back(uint8_t(c));
    schedule_rx();
}

void Uart16550::update_msr(uint8_t status) {
    uint8_t old = msr_ & 0xf0;
    uint8_t delta = 0;
    if ((old ^ status) & 0x10) delta |= 0x01;               // DCTS
    if ((old ^ status) & 0x20) delta |= 0x02;               // DDSR
    if ((old & 0x40) && !(status & 0x40)) delta |= 0x04;    // TERI: trailing edge of RI
    if ((old ^ status) & 0x80) delta |= 0x08;               // DDCD
    msr_ = uint8_t(status | (msr_ & 0x0f) | delta);
}

uint8_t Uart16550::read(unsigned offset) {
    bool dlab = lcr_ & 0x80;
    switch (offset) {
    case 0:
        if (dlab) return uint8_t(divisor_);
        {
            uint8_t v = 0;
            if (!rx_fifo_.empty()) {
                v = rx_fifo_.front();
                rx_fifo_.pop_front();
            }
            timeout_ipending_ = false;
            schedule_timeout();
            update_irq();
            schedule_rx();
            return v;
        }
    case 1: return dlab ? uint8_t(divisor_ >> 8) : ier_;
    case 2: {
        uint8_t v = iir();
        if ((v & 0x0f) == 0x02) {
            thr_ipending_ = false;  // reading IIR acknowledges THRE
            update_irq();
        }
        return v;
    }
    case 3: return lcr_;
    case 4: return mcr_;
    case 5: {
        uint8_t v = lsr_;
        lsr_ &= ~uint8_t(kLsrOE | kLsrPE | kLsrFE | kLsrBI);
        update_irq();
        return v;
    }
    case 6: {
        uint8_t v = msr_;
        msr_ &= 0xf0;
        update_irq();
        return v;
    }
    default: return scr_;
    }
}

void Uart16550::write(unsigned offset, uint8_t v) {
    bool dlab = lcr_ & 0x80;
    switch (offset) {
    case 0:
        if (dlab) {
            divisor_ = uint16_t((divisor_ & 0xff00) | v);
            break;
        }
        if (mcr_ & 0x10)
            push_rx(v);  // loopback: TSR feeds RSR, nothing leaves the chip
        else if (tx_sink)
            tx_sink(v);
        // The byte left at once: the holding register is empty again.
        lsr_ |= kLsrTHRE | kLsrTEMT;
        thr_ipending_ = true;
        update_irq();
        break;
    case 1:
        if (dlab) {
            divisor_ = uint16_t((divisor_ & 0x00ff) | (v << 8));
            break;
        }
        {
            bool thri_was = ier_ & kIerTHRI;
            ier_ = v & 0x0f;
            if (v & 0xf0) spdlog::debug("{}: IER reserved bits {:#x} ignored", name_, v & 0xf0);
            // Enabling THRE interrupts with an empty holding register raises one.
            if (!thri_was && (ier_ & kIerTHRI) && (lsr_ & kLsrTHRE)) thr_ipending_ = true;
            update_irq();
        }
        break;
    case 2: {
        bool was = fifo_enabled();
        if ((v & 1) != was) {
            rx_fifo_.clear();  // changing the FIFO enable clears both FIFOs
        }
        if (v & 0x02) rx_fifo_.clear();
        // bit 2 clears the transmit FIFO, which is always empty here.
        fcr_ = v & 0xc9;
        if (!(v & 1)) fcr_ = 0;
        if (v & 0x08) spdlog::debug("{}: FCR DMA mode select stored only", name_);
        timeout_ipending_ = false;
        schedule_timeout();
        schedule_rx();
        update_irq();
        break;
    }
    case 3: lcr_ = v; break;
    case 4: {
        bool loop_was = mcr_ & 0x10;
        mcr_ = v & 0x1f;
        if (mcr_ & 0x10) {
            // Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
            uint8_t st = uint8_t(((mcr_ & 0x02) ? 0x10 : 0) | ((mcr_ & 0x01) ? 0x20 : 0) | ((mcr_ & 0x04) ? 0x40 : 0) |
                                 ((mcr_ & 0x08) ? 0x80 : 0));
            update_msr(st);
        } else if (loop_was) {
            update_msr(0xb0);
        }
        schedule_rx();
        update_irq();
        break;
    }
    case 5: spdlog::debug("{}: write {:#x} to LSR (factory test) ignored", name_, v); break;
    case 6: spdlog::debug("{}: write {:#x} to MSR ignored", name_, v); break;
    default: scr_ = v; break;
    }
}

std::string Uart16550::dump() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s: div=%u lcr=%02x ier=%02x iir=%02x fcr=%02x mcr=%02x lsr=%02x msr=%02x scr=%02x rx=%zu host=%zu irq=%d",
                  name_.c_str(), divisor_, lcr_, ier_, iir(), fcr_, mcr_, lsr_, msr_, scr_, rx_fifo_.size(),
                  host_queue_.size(), irq.level());
    return buf;
}

void Uart16550::save(emu::SnapshotWriter& w) const {
    w.section("uart", 1);
    w.put(divisor_);
    w.put(ier_);
    w.put(lcr_);
    w.put(mcr_);
    w.put(lsr_);
    w.put(msr_);
    w.put(scr_);
    w.put(fcr_);
    w.put(thr_ipending_);
    w.put(timeout_ipending_);
    w.put_seq(rx_fifo_);
    w.put_seq(host_queue_);
    w.put(irq.level());
}

void Uart16550::load(emu::SnapshotReader& r) {
    r.section("uart", 1);
    r.get(divisor_);
    r.get(ier_);
    r.get(lcr_);
    r.get(mcr_);
    r.get(lsr_);
    r.get(msr_);
    r.get(scr_);
    r.get(fcr_);
    r.get(thr_ipending_);
    r.get(timeout_ipending_);
    r.get_seq(rx_fifo_, kFifoSize);
    r.get_seq(host_queue_, ~0ull);
    irq.restore(r.get<bool>());
}

}  // namespace bs::devices
