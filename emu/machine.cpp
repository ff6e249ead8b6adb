#include "emu/machine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <type_traits>

#include "devices/rtc_mc146818.h"

namespace bs::emu {

namespace {
constexpr uint64_t kBiosBase = 0xf0000;
constexpr uint64_t kFourG = 4 * GiB;
constexpr uint64_t kMaxFirmware = 16 * MiB;

int64_t rtc_start(const RtcConfig& rtc) {
    if (rtc.source == RtcConfig::Source::Host) {
        // Host time enters the guest only here, and only on request (--rtc=host).
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    return rtc.start_seconds;
}

unsigned parse_uint(std::string_view s, size_t& i, unsigned digits, const std::string& whole) {
    unsigned v = 0;
    for (unsigned k = 0; k < digits; ++k, ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9')
            throw std::invalid_argument("--rtc date '" + whole + "' is not YYYY-MM-DD[THH:MM:SS]");
        v = v * 10 + unsigned(s[i] - '0');
    }
    return v;
}
}  // namespace

RtcConfig parse_rtc_option(std::string_view text) {
    RtcConfig cfg;
    std::string whole(text);
    if (text == "host") {
        cfg.source = RtcConfig::Source::Host;
        return cfg;
    }
    if (text.substr(0, 6) != "fixed:")
        throw std::invalid_argument("--rtc '" + whole + "' must be 'host' or 'fixed:YYYY-MM-DD[THH:MM:SS]'");
    std::string_view d = text.substr(6);
    size_t i = 0;
    auto expect = [&](char c) {
        if (i >= d.size() || d[i] != c)
            throw std::invalid_argument("--rtc date '" + whole + "' is not YYYY-MM-DD[THH:MM:SS]");
        ++i;
    };
    unsigned y = parse_uint(d, i, 4, whole);
    expect('-');
    unsigned mo = parse_uint(d, i, 2, whole);
    expect('-');
    unsigned day = parse_uint(d, i, 2, whole);
    unsigned h = 0, mi = 0, s = 0;
    if (i < d.size()) {
        if (d[i] != 'T' && d[i] != ' ') throw std::invalid_argument("--rtc date '" + whole + "' is not YYYY-MM-DD[THH:MM:SS]");
        ++i;
        h = parse_uint(d, i, 2, whole);
        expect(':');
        mi = parse_uint(d, i, 2, whole);
        expect(':');
        s = parse_uint(d, i, 2, whole);
        if (i < d.size()) throw std::invalid_argument("--rtc date '" + whole + "' has trailing characters");
    }
    static constexpr unsigned kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2099 || mo < 1 || mo > 12 || day < 1 || day > kDays[mo - 1] || h > 23 || mi > 59 || s > 59)
        throw std::invalid_argument("--rtc date '" + whole + "' is out of range (1970-01-01 .. 2099-12-31)");
    if (mo == 2 && day == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        throw std::invalid_argument("--rtc date '" + whole + "': " + std::to_string(y) + " is not a leap year");
    cfg.start_seconds = devices::civil_to_seconds(int(y), mo, day, h, mi, s);
    return cfg;
}

Machine::Machine(MachineConfig config)
    : config_(std::move(config)),
      clock_(config_.ps_per_insn),
      ram_(config_.ram_size),
      pit(clock_),
      rtc(clock_, rtc_start(config_.rtc)),
      lapic(clock_),
      com1(clock_, "com1"),
      com2(clock_, "com2"),
      vga(clock_),
      platform(clock_, pit) {
    if (config_.firmware.size() > kMaxFirmware)
        throw std::invalid_argument("firmware image is larger than 16 MiB");
    if (!config_.firmware.empty()) {
        // Pad at the front to a multiple of 64 KiB: the image ends at 4 GiB and at 1 MiB.
        uint64_t size = (config_.firmware.size() + 0xffff) & ~uint64_t(0xffff);
        rom_.assign(size - config_.firmware.size(), 0xff);
        rom_.insert(rom_.end(), config_.firmware.begin(), config_.firmware.end());
    }
    wire_devices();
    register_ports();
    register_mmio();
    fill_cmos();
    fill_fw_cfg();
}

Machine::~Machine() = default;

void Machine::wire_devices() {
    pit.irq0.connect([this](bool l) { set_isa_irq(0, l); });
    kbd.irq1.connect([this](bool l) { set_isa_irq(1, l); });
    com2.irq.connect([this](bool l) { set_isa_irq(3, l); });
    com1.irq.connect([this](bool l) { set_isa_irq(4, l); });
    rtc.irq8.connect([this](bool l) { set_isa_irq(8, l); });
    kbd.irq12.connect([this](bool l) { set_isa_irq(12, l); });

    pic.master.int_out.connect([this](bool l) { lapic.set_lint(0, l); });
    lapic.on_change = [this] { interrupt_changed(); };
    lapic.on_level_eoi = [this](uint8_t v) { ioapic.eoi(v); };
    ioapic.deliver = [this](const devices::IoApic::Message& m) {
        bool lowest = m.delivery_mode == 1;
        if (!lowest && !lapic.matches_destination(m.dest, m.logical)) {
            spdlog::debug("ioapic: message vector {:#x} to {} destination {:#x} reaches no CPU", m.vector,
                          m.logical ? "logical" : "physical", m.dest);
            return;
        }
        switch (m.delivery_mode) {
        case 0:
        case 1: lapic.deliver_fixed(m.vector, m.level); break;
        case 4: lapic.deliver_nmi(); break;
        default:
            spdlog::warn("ioapic: unimplemented: ExtINT delivery through the IOAPIC (vector {:#x})", m.vector);
            break;
        }
    };

    auto reset_req = [this] {
        request_ = Request::Reset;
        interrupt_changed();
    };
    kbd.on_reset_request = reset_req;
    platform.on_reset_request = reset_req;
    kbd.on_a20 = [this](bool on) { set_a20(on); };
    platform.on_a20 = [this](bool on) { set_a20(on); };
    platform.on_exit = [this](int status) {
        request_ = Request::Exit;
        exit_status_ = status;
        interrupt_changed();
    };
    platform.on_poweroff = [this] {
        request_ = Request::PowerOff;
        interrupt_changed();
    };
}

namespace {
// PortBus handlers for `dev` from two captureless lambdas taking the device
// by reference: `read(dev, port, size)` and `write(dev, port, size, value)`.
// They become the plain functions the bus calls with the device object.
template <class Dev, class Read, class Write> PortBus::Handlers port_handlers(Dev& dev, Read, Write) {
    static_assert(std::is_empty_v<Read> && std::is_empty_v<Write>, "the lambdas must not capture");
    return {&dev,
            [](void* d, uint16_t p, unsigned size) -> uint32_t { return Read{}(*static_cast<Dev*>(d), p, size); },
            [](void* d, uint16_t p, unsigned size, uint32_t v) { Write{}(*static_cast<Dev*>(d), p, size, v); }};
}
// A byte-wide chip whose registers are `read(offset)` / `write(offset,
// value)` from its first port `Base` (PIT, i8042, RTC, UARTs).
template <uint16_t Base, class Dev> PortBus::Handlers byte_registers(Dev& dev) {
    return port_handlers(
        dev, [](auto& d, uint16_t p, unsigned) -> uint32_t { return d.read(p - Base); },
        [](auto& d, uint16_t p, unsigned, uint32_t v) { d.write(p - Base, uint8_t(v)); });
}
// A byte-wide chip that decodes the port number itself: `io_read(port)` /
// `io_write(port, value)` (the PICs and ELCR, VGA).
template <class Dev> PortBus::Handlers byte_ports(Dev& dev) {
    return port_handlers(
        dev, [](auto& d, uint16_t p, unsigned) -> uint32_t { return d.io_read(p); },
        [](auto& d, uint16_t p, unsigned, uint32_t v) { d.io_write(p, uint8_t(v)); });
}
}  // namespace

void Machine::register_ports() {
    using W = PortBus::Width;
    const PortBus::Handlers pic_h = byte_ports(pic);
    io_.add(0x20, 2, "pic-master", pic_h);
    io_.add(0xa0, 2, "pic-slave", pic_h);
    io_.add(0x4d0, 2, "elcr", pic_h);
    io_.add(0x40, 4, "pit", byte_registers<0x40>(pit));
    const PortBus::Handlers kbd_h = byte_registers<0x60>(kbd);
    io_.add(0x60, 1, "i8042-data", kbd_h);
    io_.add(0x64, 1, "i8042-cmd", kbd_h);
    io_.add(0x70, 2, "rtc", byte_registers<0x70>(rtc));
    io_.add(0x3f8, 8, "com1", byte_registers<0x3f8>(com1));
    io_.add(0x2f8, 8, "com2", byte_registers<0x2f8>(com2));
    const PortBus::Handlers vga_h = byte_ports(vga);
    io_.add(0x3b4, 2, "vga-mono-crtc", vga_h);
    io_.add(0x3ba, 1, "vga-mono-status", vga_h);
    io_.add(0x3c0, 0x10, "vga", vga_h);
    io_.add(0x3d4, 2, "vga-crtc", vga_h);
    io_.add(0x3da, 1, "vga-status", vga_h);
    const PortBus::Handlers plat_h = port_handlers(
        platform, [](auto& d, uint16_t p, unsigned size) -> uint32_t { return d.io_read(p, size); },
        [](auto& d, uint16_t p, unsigned size, uint32_t v) { d.io_write(p, size, v); });
    io_.add(0x61, 1, "port61", plat_h);
    io_.add(0x80, 1, "post", plat_h);
    io_.add(0x92, 1, "port92", plat_h);
    io_.add(0xe9, 1, "debugcon", plat_h);
    io_.add(0xf4, 4, "isa-debug-exit",
            port_handlers(
                platform, [](auto& d, uint16_t p, unsigned size) -> uint32_t { return d.io_read(p, size); },
                [](auto& d, uint16_t p, unsigned size, uint32_t v) {
                    if (p == 0xf4) d.io_write(p, size, v);  // one exit per access, whatever its width
                }),
            W::Any);
    io_.add(0x600, 0x0c, "acpi-pm", plat_h, W::Any);
    io_.add(0xcf8, 8, "pci-conf", plat_h, W::Any);
    io_.add(0x510, 2, "fw_cfg",
            port_handlers(
                fw_cfg, [](auto& d, uint16_t p, unsigned size) -> uint32_t { return d.io_read(p, size); },
                [](auto& d, uint16_t p, unsigned size, uint32_t v) { d.io_write(p, size, v); }),
            W::Any);
}

void Machine::register_mmio() {
    mmio_.add(devices::LocalApic::kDefaultBase, 0x1000, "lapic",
              [this](uint64_t off, unsigned size) -> uint64_t {
                  if (!lapic.hw_enabled()) return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
                  return lapic.mmio_read(uint32_t(off), size);
              },
              [this](uint64_t off, unsigned size, uint64_t v) {
                  if (lapic.hw_enabled()) lapic.mmio_write(uint32_t(off), size, v);
              });
    mmio_.add(devices::IoApic::kBase, 0x1000, "ioapic",
              [this](uint64_t off, unsigned size) { return ioapic.mmio_read(uint32_t(off), size); },
              [this](uint64_t off, unsigned size, uint64_t v) { ioapic.mmio_write(uint32_t(off), size, v); });
}

void Machine::fill_cmos() {
    // As QEMU's pc_cmos_init, which SeaBIOS and old kernels read.
    rtc.set_cmos(0x15, 640 & 0xff);
    rtc.set_cmos(0x16, 640 >> 8);
    uint64_t ext_kb = ram_.below_4g() / KiB;
    ext_kb = ext_kb > 1024 ? ext_kb - 1024 : 0;
    if (ext_kb > 65535) ext_kb = 65535;
    rtc.set_cmos(0x17, uint8_t(ext_kb));
    rtc.set_cmos(0x18, uint8_t(ext_kb >> 8));
    rtc.set_cmos(0x30, uint8_t(ext_kb));
    rtc.set_cmos(0x31, uint8_t(ext_kb >> 8));
    uint64_t above16 = ram_.below_4g() > 16 * MiB ? (ram_.below_4g() - 16 * MiB) / (64 * KiB) : 0;
    if (above16 > 65535) above16 = 65535;
    rtc.set_cmos(0x34, uint8_t(above16));
    rtc.set_cmos(0x35, uint8_t(above16 >> 8));
    uint64_t high = ram_.above_4g() / (64 * KiB);
    rtc.set_cmos(0x5b, uint8_t(high));
    rtc.set_cmos(0x5c, uint8_t(high >> 8));
    rtc.set_cmos(0x5d, uint8_t(high >> 16));
    rtc.set_cmos(0x5f, uint8_t(config_.cpus - 1));
    rtc.set_cmos(0x14, 0x06);  // equipment: math coprocessor, colour 80x25 display... no floppies
    rtc.set_cmos(0x10, 0x00);  // no floppy drives
    rtc.set_cmos(0x12, 0x00);  // no hard disks in the CMOS table
}

void Machine::fill_fw_cfg() {
    using F = devices::FwCfg;
    fw_cfg.set_u64(F::kRamSize, ram_.size());
    fw_cfg.set_u16(F::kNbCpus, uint16_t(config_.cpus));
    fw_cfg.set_u16(F::kMaxCpus, uint16_t(config_.cpus));
    fw_cfg.set_u16(F::kNoGraphic, 1);
    fw_cfg.set_u16(F::kBootMenu, 0);
    fw_cfg.set_bytes(F::kNuma, std::vector<uint8_t>(8 * (1 + config_.cpus), 0));  // no NUMA nodes
    fw_cfg.set_u32(F::kIrq0Override, 1);
    std::vector<uint8_t> e;
    auto put = [&](uint64_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i) e.push_back(uint8_t(v >> (8 * i)));
    };
    // etc/e820 as QEMU fills it: RAM entries only; the firmware adds its own holes.
    put(0, 8);
    put(ram_.below_4g(), 8);
    put(1, 4);
    if (ram_.above_4g()) {
        put(kFourG, 8);
        put(ram_.above_4g(), 8);
        put(1, 4);
    }
    fw_cfg.add_file("etc/e820", std::move(e));
}

std::vector<E820Entry> Machine::e820() const {
    std::vector<E820Entry> m;
    m.push_back({0, 0x9fc00, 1});
    m.push_back({0x9fc00, 0x400, 2});  // extended BIOS data area
    m.push_back({0xf0000, 0x10000, 2});  // BIOS
    if (ram_.below_4g() > MiB) m.push_back({MiB, ram_.below_4g() - MiB, 1});
    m.push_back({devices::IoApic::kBase, 0x1000, 2});
    m.push_back({devices::LocalApic::kDefaultBase, 0x1000, 2});
    if (!rom_.empty()) m.push_back({kFourG - rom_.size(), rom_.size(), 2});
    if (ram_.above_4g()) m.push_back({kFourG, ram_.above_4g(), 1});
    return m;
}

void Machine::set_isa_irq(unsigned irq, bool level) {
    pic.set_irq(irq, level);
    ioapic.set_irq(irq == 0 ? 2 : irq, level);
}

bool Machine::intr_pending() const {
    if (lapic.pending_vector() >= 0) return true;
    return lapic.accepts_pic() && pic.intr();
}

const char* interrupt_source_name(int source) {
    // The devices on each ISA line of this machine (see wire_devices()).
    static const char* const kIsa[16] = {"IRQ0 PIT",  "IRQ1 keyboard", "IRQ2 cascade", "IRQ3 COM2",
                                         "IRQ4 COM1", "IRQ5",          "IRQ6",         "IRQ7",
                                         "IRQ8 RTC",  "IRQ9",          "IRQ10",        "IRQ11",
                                         "IRQ12 mouse", "IRQ13",       "IRQ14",        "IRQ15"};
    if (source >= 0 && source < 16) return kIsa[source];
    if (source == Machine::kSourceApicTimer) return "local APIC timer";
    if (source == Machine::kSourceApic) return "local APIC";
    if (source == Machine::kSourceSpurious) return "spurious";
    return "?";
}

uint8_t Machine::acknowledge() {
    if (lapic.pending_vector() >= 0) {
        const uint8_t v = lapic.acknowledge();
        last_source_ = v == (lapic.read_reg(0x320) & 0xff) ? kSourceApicTimer : kSourceApic;
        return v;
    }
    if (lapic.accepts_pic()) {
        const uint8_t v = pic.acknowledge();
        last_source_ = pic.last_irq();
        return v;
    }
    last_source_ = kSourceSpurious;
    return lapic.acknowledge();  // spurious vector
}

bool Machine::nmi_pending() const { return lapic.nmi_pending(); }

void Machine::acknowledge_nmi() { lapic.clear_nmi(); }

void Machine::raise_nmi() {
    if (rtc.nmi_disabled()) {
        spdlog::debug("machine: NMI masked by port 0x70 bit 7");
        return;
    }
    lapic.set_lint(1, true);
    lapic.set_lint(1, false);
    // With LINT1 masked or not in NMI mode, the APIC drops it (as hardware).
}

void Machine::set_a20(bool on) {
    if (on == a20_) return;
    a20_ = on;
    platform.set_a20(on);
    spdlog::debug("machine: A20 {}", on ? "enabled" : "masked");
    if (on_memory_map_change) on_memory_map_change();
}

void Machine::reset() {
    request_ = Request::None;
    pic.reset();
    pit.reset();
    rtc.reset();
    lapic.reset();
    ioapic.reset();
    com1.reset();
    com2.reset();
    vga.reset();
    kbd.reset();
    platform.reset();
    fw_cfg.reset();
    set_a20(true);
    interrupt_changed();
}

uint8_t* Machine::host_ptr(uint64_t pa, bool* writable) {
    pa = mask_a20(pa);
    *writable = true;
    if (pa >= devices::VgaText::kVramBase && pa < devices::VgaText::kVramBase + devices::VgaText::kVramSize)
        return vga.vram() + (pa - devices::VgaText::kVramBase);
    if (pa >= kBiosBase && pa < MiB && !rom_.empty()) {
        *writable = false;
        return rom_.data() + rom_.size() - (MiB - pa);
    }
    if (!rom_.empty() && pa < kFourG && pa >= kFourG - rom_.size()) {
        *writable = false;
        return rom_.data() + (pa - (kFourG - rom_.size()));
    }
    uint64_t off = ram_.offset_of(pa);
    if (off != ~0ull) return ram_.at(off);
    return nullptr;
}

cpu::PhysPage Machine::page(uint64_t pa) {
    bool w = false;
    uint8_t* p = host_ptr(pa & ~0xfffull, &w);
    if (w && listed(watched_writes_, pa)) w = false;  // writes take the CPU's slow path to mmio_write
    return cpu::PhysPage{p, p ? w : false, p && listed(watched_reads_, pa)};
}

void Machine::set_watched_pages(std::vector<uint64_t> writes, std::vector<uint64_t> reads) {
    for (auto* pages : {&writes, &reads}) {
        for (uint64_t& p : *pages) p &= ~0xfffull;
        std::sort(pages->begin(), pages->end());
        pages->erase(std::unique(pages->begin(), pages->end()), pages->end());
    }
    watched_writes_ = std::move(writes);
    watched_reads_ = std::move(reads);
}

bool Machine::listed(const std::vector<uint64_t>& pages, uint64_t pa) {
    return !pages.empty() && std::binary_search(pages.begin(), pages.end(), pa & ~0xfffull);
}

uint64_t Machine::mmio_read(uint64_t pa, unsigned size) {
    bool w;
    if (host_ptr(pa, &w)) {
        // Backed memory reached through the slow path (e.g. a page-crossing access).
        uint64_t v = 0;
        for (unsigned i = 0; i < size; ++i) {
            uint8_t* b = host_ptr(pa + i, &w);
            v |= uint64_t(b ? *b : 0xff) << (8 * i);
        }
        if (on_watched_read && listed(watched_reads_, pa)) on_watched_read(pa, size, v);
        return v;
    }
    const uint64_t v = mmio_.read(mask_a20(pa), size);
    if (on_io) on_io(IoKind::MmioRead, pa, size, v);
    device_accessed();
    return v;
}

void Machine::mmio_write(uint64_t pa, unsigned size, uint64_t value) {
    bool w;
    if (host_ptr(pa, &w)) {
        if (on_watched_write && listed(watched_writes_, pa)) on_watched_write(pa, size, value);
        for (unsigned i = 0; i < size; ++i) {
            uint8_t* b = host_ptr(pa + i, &w);
            if (b && w) *b = uint8_t(value >> (8 * i));
            else if (b) spdlog::debug("machine: write to ROM at {:#x} dropped", pa + i);
        }
        return;
    }
    if (on_io) on_io(IoKind::MmioWrite, pa, size, value);
    mmio_.write(mask_a20(pa), size, value);
    device_accessed();
}

uint32_t Machine::io_in(uint16_t port, unsigned size) {
    const uint32_t v = io_.read(port, size);
    if (on_io) on_io(IoKind::PortRead, port, size, v);
    device_accessed();
    return v;
}

void Machine::io_out(uint16_t port, unsigned size, uint32_t value) {
    if (on_io) on_io(IoKind::PortWrite, port, size, value);
    io_.write(port, size, value);
    device_accessed();
}

bool Machine::write_phys(uint64_t pa, const void* data, uint64_t len) {
    if (!ram_.contains(pa, len)) return false;
    if (len) std::memcpy(ram_.at(ram_.offset_of(pa)), data, len);
    return true;
}

bool Machine::fill_phys(uint64_t pa, uint8_t value, uint64_t len) {
    if (!ram_.contains(pa, len)) return false;
    if (len) std::memset(ram_.at(ram_.offset_of(pa)), value, len);
    return true;
}

bool Machine::read_phys(uint64_t pa, void* data, uint64_t len) const {
    if (!ram_.contains(pa, len)) return false;
    if (len) std::memcpy(data, ram_.at(ram_.offset_of(pa)), len);
    return true;
}

void Machine::save(SnapshotWriter& w) const {
    w.section("machine", 1);
    w.put(ram_.size());
    w.put(a20_);
    w.put(last_source_);
    w.put(request_);
    w.put(exit_status_);
    clock_.save(w);
    pic.save(w);
    pit.save(w);
    rtc.save(w);
    lapic.save(w);
    ioapic.save(w);
    com1.save(w);
    com2.save(w);
    vga.save(w);
    kbd.save(w);
    platform.save(w);
    fw_cfg.save(w);
}

void Machine::load(SnapshotReader& r) {
    r.section("machine", 1);
    if (r.get<uint64_t>() != ram_.size()) throw SnapshotError("snapshot: taken on a machine with another RAM size");
    r.get(a20_);
    r.get(last_source_);
    r.get(request_);
    r.get(exit_status_);
    clock_.load(r);
    pic.load(r);
    pit.load(r);
    rtc.load(r);
    lapic.load(r);
    ioapic.load(r);
    com1.load(r);
    com2.load(r);
    vga.load(r);
    kbd.load(r);
    platform.load(r);
    fw_cfg.load(r);
}

std::string Machine::dump() const {
    std::string s = "machine: now=" + std::to_string(clock_.now()) + " ns, next event=" +
                    (clock_.next_deadline() == Clock::kNever ? std::string("none")
                                                             : std::to_string(clock_.next_deadline())) +
                    ", a20=" + (a20_ ? "on" : "off") + ", ram=" + std::to_string(ram_.size()) + "\n";
    s += pic.dump() + "\n" + pit.dump() + rtc.dump() + "\n" + lapic.dump() + ioapic.dump() + com1.dump() + "\n" +
         com2.dump() + "\n" + vga.dump() + "\n" + kbd.dump() + "\n" + platform.dump() + "\n" + fw_cfg.dump() + "\n";
    return s;
}

}  // namespace bs::emu
