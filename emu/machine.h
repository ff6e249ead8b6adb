// The PC machine: RAM, firmware ROM, buses, interrupt routing, the virtual
// clock and every device, behind the CPU's Bus interface.
//
// Physical memory map (guest-physical):
//   0x00000000-0x0009FFFF  RAM (conventional memory)
//   0x000A0000-0x000BFFFF  VGA video memory (host memory owned by VgaText)
//   0x000C0000-0x000EFFFF  RAM (option-ROM area, writable as QEMU's shadow RAM)
//   0x000F0000-0x000FFFFF  BIOS ROM: the top 64 KiB of the firmware (read-only);
//                          RAM when no firmware is loaded
//   0x00100000-low end     RAM up to min(size, 3 GiB)
//   0xFEC00000             IOAPIC (MMIO)     0xFEE00000  local APIC (MMIO)
//   4 GiB - fw size .. 4G  the whole firmware image again (read-only alias)
//   0x100000000-...        RAM above 3 GiB, if any
// With A20 masked (port 0x92 / i8042 output port), bit 20 of every physical
// address is cleared, as on a PC.
//
// Interrupt routing: ISA IRQ n drives PIC input n and IOAPIC pin n (IRQ0 on
// pin 2, as QEMU's pc machine and its MADT override); the PIC's INT output
// drives LINT0 of the local APIC; the IOAPIC sends messages to the local APIC.
// The CPU sees only intr_pending()/acknowledge() and nmi_pending()/
// acknowledge_nmi() — see "CPU interface" below.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cpu/bus.h"
#include "devices/fw_cfg.h"
#include "devices/i8042.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/platform.h"
#include "devices/rtc_mc146818.h"
#include "devices/uart16550.h"
#include "devices/vga_text.h"
#include "emu/clock.h"
#include "emu/io_bus.h"
#include "emu/memory.h"

namespace bs::emu {

// --rtc: where the RTC's date comes from.
struct RtcConfig {
    enum class Source { Fixed, Host } source = Source::Fixed;
    int64_t start_seconds = 1704067200;  // 2024-01-01T00:00:00Z
};
// Reads "fixed:YYYY-MM-DD", "fixed:YYYY-MM-DDTHH:MM:SS" (a space also
// separates date and time) or "host". Throws std::invalid_argument.
RtcConfig parse_rtc_option(std::string_view text);

// "IRQ4 COM1", "local APIC timer", ... for Machine::last_interrupt_source().
const char* interrupt_source_name(int source);

// One entry of the PC memory map (BIOS INT 15h E820 types).
struct E820Entry {
    uint64_t base, length;
    uint32_t type;  // 1 RAM, 2 reserved
};

struct MachineConfig {
    uint64_t ram_size = kDefaultRamSize;
    uint64_t ps_per_insn = 1000;  // virtual picoseconds per retired instruction
    RtcConfig rtc;
    std::vector<uint8_t> firmware;  // BIOS image, mapped below 4 GiB; empty = none
    unsigned cpus = 1;
};

class Machine final : public cpu::Bus {
    // Declared first: the devices below register their events on clock_.
    MachineConfig config_;
    Clock clock_;
    GuestRam ram_;

public:
    explicit Machine(MachineConfig config);
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;
    ~Machine() override;

    // ---- cpu::Bus ----
    cpu::PhysPage page(uint64_t pa) override;
    uint64_t mmio_read(uint64_t pa, unsigned size) override;
    void mmio_write(uint64_t pa, unsigned size, uint64_t value) override;
    uint32_t io_in(uint16_t port, unsigned size) override;
    void io_out(uint16_t port, unsigned size, uint32_t value) override;
    uint64_t tsc() override { return clock_.tsc(); }
    void sync_time(uint64_t icount) override {
        if (on_sync_time) on_sync_time(icount);
    }
    uint8_t intr_acknowledge() override {
        const uint8_t v = acknowledge();
        interrupt_changed();
        return v;
    }
    void nmi_acknowledge() override {
        acknowledge_nmi();
        interrupt_changed();
    }
    bool set_apic_base(uint64_t value) override {
        lapic.set_apic_base(value);
        interrupt_changed();
        return true;
    }
    uint64_t apic_base() override { return lapic.apic_base(); }
    // CR8 holds TPR bits 7:4 (SDM Vol. 3A §10.8.6.1).
    void set_tpr(uint8_t priority_class) override {
        lapic.write_reg(0x80, uint32_t(priority_class) << 4);
        interrupt_changed();
    }
    uint8_t tpr() override { return uint8_t(lapic.read_reg(0x80) >> 4); }

    // ---- CPU interface: interrupts ----
    // True when a maskable interrupt waits for the CPU (check with RFLAGS.IF).
    bool intr_pending() const;
    // The CPU's interrupt-acknowledge cycle: returns the vector to deliver
    // (local APIC first, then the PIC through LINT0/ExtINT; a spurious vector
    // if the request vanished). Call only when intr_pending() and IF=1.
    uint8_t acknowledge();
    bool nmi_pending() const;
    void acknowledge_nmi();
    // Who raised the interrupt the last acknowledge() answered: an ISA IRQ
    // (0-15, through the PIC), kSourceApicTimer, kSourceApic (an IOAPIC or
    // IPI message), kSourceSpurious; -1 before any.
    static constexpr int kSourceApicTimer = 16, kSourceApic = 17, kSourceSpurious = 18;
    int last_interrupt_source() const { return last_source_; }
    // External NMI source (debugger, watchdog): LINT1 as wired on a PC,
    // unless port 0x70 bit 7 masks NMIs.
    void raise_nmi();
    // Called when the interrupt inputs may have changed (the run loop sets
    // Cpu::attention here) and when the physical memory map changed (A20:
    // the CPU must drop its TLB and decoded blocks).
    std::function<void()> on_interrupt_change;
    std::function<void()> on_memory_map_change;
    // The CPU is about to access a port or a device's MMIO, or to read the
    // TSC: `icount` instructions are retired before it (System catches the
    // clock up to it).
    std::function<void(uint64_t icount)> on_sync_time;
    // After every port access and device MMIO access: the device may have
    // scheduled an event sooner than the running slice was planned to end.
    std::function<void()> on_device_accessed;
    // Every port access and every device MMIO access (--record-io).
    enum class IoKind { PortRead, PortWrite, MmioRead, MmioWrite };
    std::function<void(IoKind kind, uint64_t address, unsigned size, uint64_t value)> on_io;

    // ---- CPU interface: time ----
    // Instructions the CPU may run before the next device event (>= 1, or
    // Clock::kNever when nothing is scheduled).
    uint64_t insn_budget() const { return clock_.insns_until(clock_.next_deadline()); }
    uint64_t next_deadline() const { return clock_.next_deadline(); }
    // Accounts retired instructions and runs the events that became due.
    void retire(uint64_t insns) { clock_.retire(insns); }
    // HLT with interrupts enabled: jump to the next event. False when no
    // event is pending (the guest is halted for good).
    bool halt_skip() { return clock_.skip_to_next_event(); }

    // ---- requests the guest made of the machine (polled by the run loop) ----
    enum class Request { None, Reset, PowerOff, Exit };
    Request request() const { return request_; }
    int exit_status() const { return exit_status_; }
    void clear_request() { request_ = Request::None; }
    // Machine reset (after Request::Reset): devices to power-on state, RAM
    // kept, A20 on. The caller resets the CPU.
    void reset();

    // ---- debugger watchpoints ----
    // Writes to the physical pages `writes` (page addresses) leave the CPU's
    // fast path: page() reports them read-only, the CPU hands writes to
    // read-only pages to mmio_write, and there on_watched_write sees each
    // write before it is stored. Data reads of the pages `reads` do the same
    // through PhysPage::watch_reads and mmio_read, where on_watched_read sees
    // each with the value read (instruction fetches are not data reads). The
    // caller flushes the CPU's TLB after a change.
    void set_watched_pages(std::vector<uint64_t> writes, std::vector<uint64_t> reads = {});
    std::function<void(uint64_t pa, unsigned size, uint64_t value)> on_watched_write;
    std::function<void(uint64_t pa, unsigned size, uint64_t value)> on_watched_read;

    // ---- memory helpers (loaders, debugger): bounds-checked, RAM only ----
    bool write_phys(uint64_t pa, const void* data, uint64_t len);
    bool fill_phys(uint64_t pa, uint8_t value, uint64_t len);
    bool read_phys(uint64_t pa, void* data, uint64_t len) const;
    bool a20() const { return a20_; }
    void set_a20(bool on);
    // The map the firmware reports through INT 15h E820 (also the Multiboot mmap).
    std::vector<E820Entry> e820() const;

    // ---- parts ----
    const MachineConfig& config() const { return config_; }
    Clock& clock() { return clock_; }
    const Clock& clock() const { return clock_; }
    GuestRam& ram() { return ram_; }
    const GuestRam& ram() const { return ram_; }
    PortBus& io() { return io_; }
    MmioBus& mmio() { return mmio_; }

    devices::PicPair pic;
    devices::Pit8254 pit;
    devices::RtcMc146818 rtc;
    devices::LocalApic lapic;
    devices::IoApic ioapic;
    devices::Uart16550 com1, com2;
    devices::VgaText vga;
    devices::I8042 kbd;
    devices::PlatformPorts platform;
    devices::FwCfg fw_cfg;

    // One line per device, for the debugger and for failure reports.
    std::string dump() const;

    // ---- save states (emu/snapshot.h) ----
    // The clock with its pending events, every device, and the machine's
    // own latches (A20, the guest's request and exit status, the last
    // interrupt source). RAM and video memory are kept page by page by the
    // snapshot itself; the ROM and fw_cfg's items are configuration. load()
    // calls no callbacks: whoever restores re-derives the CPU's inputs.
    void save(SnapshotWriter& w) const;
    void load(SnapshotReader& r);

private:
    void set_isa_irq(unsigned irq, bool level);
    void interrupt_changed() {
        if (on_interrupt_change) on_interrupt_change();
    }
    void device_accessed() {
        if (on_device_accessed) on_device_accessed();
    }
    void wire_devices();
    void register_ports();
    void register_mmio();
    void fill_cmos();
    void fill_fw_cfg();
    uint64_t mask_a20(uint64_t pa) const { return a20_ ? pa : pa & ~(1ull << 20); }
    uint8_t* host_ptr(uint64_t pa, bool* writable);

    static bool listed(const std::vector<uint64_t>& pages, uint64_t pa);
    std::vector<uint8_t> rom_;  // firmware, size a multiple of 64 KiB
    std::vector<uint64_t> watched_writes_, watched_reads_;  // sorted page addresses
    PortBus io_;
    MmioBus mmio_;
    bool a20_ = true;
    int last_source_ = -1;
    Request request_ = Request::None;
    int exit_status_ = 0;
};

}  // namespace bs::emu
