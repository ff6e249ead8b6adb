#include "devices/platform.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

namespace {
constexpr uint64_t kPmTimerHz = 3579545;
constexpr uint16_t kSlpEn = 0x2000;
constexpr uint64_t kRefreshNs = 15085;  // port 0x61 bit 4 toggles every 15.085 us
}  // namespace

PlatformPorts::PlatformPorts(emu::Clock& clock, Pit8254& pit) : clock_(clock), pit_(pit) { reset(); }

void PlatformPorts::reset() {
    post_code_ = 0;
    port92_ = 0x02;
    port61_ = 0;
    pit_.set_gate(2, false);
    pm1_sts_ = pm1_en_ = pm1_cnt_ = 0;
    pci_addr_ = 0;
    rst_cnt_ = 0;
}

uint32_t PlatformPorts::pm_timer() const {
    return uint32_t(emu::muldiv64(clock_.now(), kPmTimerHz, emu::kNsPerSec) & 0xffffff);
}

uint32_t PlatformPorts::io_read(uint16_t port, unsigned size) {
    switch (port) {
    case 0x80: return post_code_;
    case 0x92: return port92_;
    case 0x61: {
        uint8_t v = uint8_t(port61_ & 0x0f);
        if ((clock_.now() / kRefreshNs) & 1) v |= 0x10;
        if (pit_.out(2)) v |= 0x20;
        return v;
    }
    case 0xe9: return 0xe9;
    case 0xf4: return 0;
    case 0x600: return size == 1 ? pm1_sts_ & 0xff : pm1_sts_;
    case 0x601: return pm1_sts_ >> 8;
    case 0x602: return size == 1 ? pm1_en_ & 0xff : pm1_en_;
    case 0x603: return pm1_en_ >> 8;
    case 0x604: return size == 1 ? pm1_cnt_ & 0xff : pm1_cnt_;
    case 0x605: return pm1_cnt_ >> 8;
    case 0x608: return pm_timer();
    case 0xcf8: return size == 4 ? pci_addr_ : 0xffffffffu;
    case 0xcf9: return rst_cnt_;
    case 0xcfc: case 0xcfd: case 0xcfe: case 0xcff:
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;  // no device answers
    default:
        spdlog::debug("platform: unimplemented read of port {:#x} (size {})", port, size);
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    }
}

void PlatformPorts::io_write(uint16_t port, unsigned size, uint32_t v) {
    switch (port) {
    case 0x80:
        post_code_ = uint8_t(v);
        spdlog::debug("platform: POST code {:#04x} at {} ns", post_code_, clock_.now());
        if (on_post_code) on_post_code(post_code_, clock_.now());
        break;
    case 0x92: {
        port92_ = uint8_t(v & 0x03);
        if (on_a20) on_a20(v & 0x02);  // shares the A20 line with the i8042: last writer wins
        if (v & 0x01) {
            port92_ &= ~0x01;
            if (on_reset_request) on_reset_request();
        }
        break;
    }
    case 0x61:
        port61_ = uint8_t(v & 0x0f);
        pit_.set_gate(2, v & 0x01);
        break;
    case 0xe9:
        if (debugcon_sink) debugcon_sink(uint8_t(v));
        break;
    case 0xf4: {
        int status = int((v << 1) | 1);
        spdlog::debug("platform: isa-debug-exit value {:#x}: exit status {}", v, status);
        if (on_exit) on_exit(status);
        break;
    }
    case 0x600: case 0x601:  // PM1 status: write 1 to clear
        pm1_sts_ &= uint16_t(~(port == 0x601 ? v << 8 : v));
        break;
    case 0x602: case 0x603: {
        uint16_t nv = port == 0x603 ? uint16_t((pm1_en_ & 0xff) | (v << 8)) : uint16_t(size == 1 ? (pm1_en_ & 0xff00) | (v & 0xff) : v);
        if (nv & ~pm1_en_) spdlog::warn("platform: unimplemented: ACPI PM1 enable bits {:#x} (no SCI is raised)", nv);
        pm1_en_ = nv;
        break;
    }
    case 0x604: case 0x605: {
        uint16_t nv = port == 0x605 ? uint16_t((pm1_cnt_ & 0xff) | (v << 8)) : uint16_t(size == 1 ? (pm1_cnt_ & 0xff00) | (v & 0xff) : v);
        pm1_cnt_ = uint16_t(nv & ~kSlpEn);  // SLP_EN is write-only
        if (nv & kSlpEn) {
            unsigned typ = (nv >> 10) & 7;
            if (typ == 0) {
                spdlog::debug("platform: ACPI S5 requested: power off");
                if (on_poweroff) on_poweroff();
            } else {
                spdlog::warn("platform: unimplemented: ACPI sleep type {} (only S5 = 0 powers off)", typ);
            }
        }
        break;
    }
    case 0x608: break;  // PM timer is read-only
    case 0xcf8:
        if (size == 4)
            pci_addr_ = v & 0x80fffffc;
        else
            spdlog::debug("platform: {}-byte write {:#x} to 0xCF8 ignored", size, v);
        break;
    case 0xcf9:
        rst_cnt_ = uint8_t(v & 0x0e);
        if ((v & 0x04) && on_reset_request) on_reset_request();
        break;
    case 0xcfc: case 0xcfd: case 0xcfe: case 0xcff:
        spdlog::debug("platform: PCI config write {:#x} to {:#x} ignored (no device)", v, pci_addr_);
        break;
    default:
        spdlog::debug("platform: unimplemented write {:#x} to port {:#x}", v, port);
        break;
    }
}

std::string PlatformPorts::dump() const {
    char buf[200];
    std::snprintf(buf, sizeof buf, "platform: post=%02x port92=%02x port61=%02x pm1_sts=%04x pm1_en=%04x pm1_cnt=%04x pmtmr=%06x pci=%08x",
                  post_code_, port92_, port61_, pm1_sts_, pm1_en_, pm1_cnt_, pm_timer(), pci_addr_);
    return buf;
}

void PlatformPorts::save(emu::SnapshotWriter& w) const {
    w.section("platform", 1);
    w.put(post_code_);
    w.put(port92_);
    w.put(port61_);
    w.put(pm1_sts_);
    w.put(pm1_en_);
    w.put(pm1_cnt_);
    w.put(pci_addr_);
    w.put(rst_cnt_);
}

void PlatformPorts::load(emu::SnapshotReader& r) {
    r.section("platform", 1);
    r.get(post_code_);
    r.get(port92_);
    r.get(port61_);
    r.get(pm1_sts_);
    r.get(pm1_en_);
    r.get(pm1_cnt_);
    r.get(pci_addr_);
    r.get(rst_cnt_);
}

}  // namespace bs::devices
