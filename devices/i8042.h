// Intel 8042 keyboard controller with a PS/2 keyboard (ports 0x60/0x64).
//
// Reference: IBM PS/2 Technical Reference (8042 commands 0x20-0xFF, status
// register, output port), and the keyboard command set (0xED, 0xEE, 0xF0,
// 0xF2-0xF6, 0xFF). Scancodes from the host are set 1 (what the guest sees
// with translation on, the PC default).
//
// The output port's A20 bit (command 0xD1) and the reset pulse (command 0xFE
// or output port bit 0 cleared) reach the machine through callbacks. IRQ1 is
// raised while the output buffer holds keyboard data and the command byte's
// INT bit is set; every data read lowers it first so that the next byte makes
// a fresh edge.
//
// Not emulated: a PS/2 mouse (bytes sent with 0xD4 are logged and dropped;
// the AUX loopback 0xD3 works), scancode sets 2/3 (the set is stored), the
// controller's processing delay (commands complete at once).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "emu/irq.h"
#include "emu/snapshot_io.h"

namespace bs::devices {

class I8042 {
public:
    static constexpr uint8_t kStatOBF = 0x01, kStatIBF = 0x02, kStatSYS = 0x04, kStatCMD = 0x08,
                             kStatUnlocked = 0x10, kStatAuxOBF = 0x20;

    I8042();
    void reset();
    uint8_t read(unsigned offset);  // 0 = data (0x60), 4 = status (0x64)
    void write(unsigned offset, uint8_t value);

    // Host key input: set 1 scancode bytes (make/break, 0xE0 prefixes).
    void key_input(uint8_t scancode);

    std::function<void()> on_reset_request;
    std::function<void(bool)> on_a20;

    emu::IrqLine irq1, irq12;

    uint8_t command_byte() const { return config_; }
    uint8_t output_port() const { return outport_; }
    uint8_t status() const { return status_; }
    size_t queued() const { return queue_.size(); }
    std::string dump() const;

    // Save state (emu/snapshot.h): every register and internal latch. The
    // wiring (callbacks, IRQ sinks) is the machine's and stays; pending
    // events are in the clock's own state.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    struct Byte {
        uint8_t value;
        bool aux;
    };
    void queue(uint8_t value, bool aux = false);
    void refill();
    void update_irq();
    void keyboard_command(uint8_t value);
    void set_outport(uint8_t value);

    uint8_t config_ = 0x45;
    uint8_t status_ = kStatUnlocked;
    uint8_t outport_ = 0xcf;
    uint8_t out_ = 0;        // output buffer
    bool out_full_ = false;
    bool out_aux_ = false;
    uint8_t pending_cmd_ = 0;  // controller command waiting for its data byte
    uint8_t kbd_pending_ = 0;  // keyboard command waiting for its parameter
    bool kbd_scanning_ = true;
    uint8_t scancode_set_ = 2;
    std::deque<Byte> queue_;  // controller replies and keyboard bytes, in order
};

}  // namespace bs::devices
