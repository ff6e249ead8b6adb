#include "devices/pic8259.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bs::devices {

Pic8259::Pic8259(const char* name, bool is_master, uint8_t elcr_mask)
    : name_(name), is_master_(is_master), elcr_mask_(elcr_mask) {
    reset();
}

void Pic8259::reset() {
    init_reset();
    elcr_ = 0;
}

void Pic8259::init_reset() {
    last_irr_ = 0;
    irr_ &= elcr_;  // level inputs still asserted stay requested
    isr_ = 0;
    imr_ = 0;
    priority_add_ = 0;
    irq_base_ = 0;
    read_isr_ = false;
    poll_ = false;
    special_mask_ = false;
    init_state_ = 0;
    init4_ = single_ = false;
    auto_eoi_ = rotate_on_auto_eoi_ = false;
    special_fully_nested_ = false;
    update_irq();
}

int Pic8259::priority_of(uint8_t mask) const {
    if (mask == 0) return 8;
    int p = 0;
    while (!(mask & (1u << ((p + priority_add_) & 7)))) ++p;
    return p;
}

int Pic8259::get_irq() const {
    int req = priority_of(irr_ & ~imr_);
    if (req == 8) return -1;
    uint8_t in_service = isr_;
    // Special mask mode: masked in-service levels don't block lower ones.
    if (special_mask_) in_service &= ~imr_;
    // Special fully nested: the cascade input may interrupt its own service.
    if (special_fully_nested_ && is_master_) in_service &= ~(1u << 2);
    int cur = priority_of(in_service);
    if (req < cur) return (req + priority_add_) & 7;
    return -1;
}

void Pic8259::update_irq() { int_out.set(get_irq() >= 0); }

void Pic8259::set_irq(unsigned irq, bool level) {
    uint8_t mask = uint8_t(1u << irq);
    if (elcr_ & mask) {
        if (level) {
            irr_ |= mask;
            last_irr_ |= mask;
        } else {
            irr_ &= ~mask;
            last_irr_ &= ~mask;
        }
    } else {
        if (level) {
            if (!(last_irr_ & mask)) irr_ |= mask;
            last_irr_ |= mask;
        } else {
            last_irr_ &= ~mask;
        }
    }
    update_irq();
}

void Pic8259::intack(unsigned irq) {
    uint8_t mask = uint8_t(1u << irq);
    if (auto_eoi_) {
        if (rotate_on_auto_eoi_) priority_add_ = (irq + 1) & 7;
    } else {
        isr_ |= mask;
    }
    if (!(elcr_ & mask)) irr_ &= ~mask;  // an edge request is consumed
    update_irq();
}

uint8_t Pic8259::poll_read() {
    int irq = get_irq();
    if (irq < 0) return 0;
    intack(unsigned(irq));
    return uint8_t(0x80 | irq);
}

uint8_t Pic8259::read(unsigned offset) {
    if (poll_) {
        poll_ = false;
        return poll_read();
    }
    if (offset == 0) return read_isr_ ? isr_ : irr_;
    return imr_;
}

void Pic8259::write(unsigned offset, uint8_t val) {
    if (offset == 0) {
        if (val & 0x10) {  // ICW1
            init_reset();
            init_state_ = 1;
            init4_ = val & 0x01;
            single_ = val & 0x02;
            if (val & 0x04) spdlog::debug("{}: ICW1 call address interval 4 ignored (8080 mode)", name_);
            if (val & 0x08)
                spdlog::warn("{}: unimplemented: ICW1 LTIM level-triggered mode (value {:#04x}); use ELCR", name_, val);
        } else if (val & 0x08) {  // OCW3
            if (val & 0x04) poll_ = true;
            if (val & 0x02) read_isr_ = val & 0x01;
            if (val & 0x40) special_mask_ = (val >> 5) & 1;
            update_irq();
        } else {  // OCW2
            unsigned cmd = val >> 5;
            switch (cmd) {
            case 0:  // rotate in auto-EOI mode: clear
            case 4:  // set
                rotate_on_auto_eoi_ = cmd >> 2;
                break;
            case 1:  // non-specific EOI
            case 5: {  // rotate on non-specific EOI
                int p = priority_of(isr_);
                if (p != 8) {
                    unsigned irq = (p + priority_add_) & 7;
                    isr_ &= ~(1u << irq);
                    if (cmd == 5) priority_add_ = (irq + 1) & 7;
                    update_irq();
                }
                break;
            }
            case 3:  // specific EOI
                isr_ &= ~(1u << (val & 7));
                update_irq();
                break;
            case 6:  // set priority: IRQ val&7 becomes lowest
                priority_add_ = (val + 1) & 7;
                update_irq();
                break;
            case 7: {  // rotate on specific EOI
                unsigned irq = val & 7;
                isr_ &= ~(1u << irq);
                priority_add_ = (irq + 1) & 7;
                update_irq();
                break;
            }
            default:  // 2: no operation
                break;
            }
        }
        return;
    }
    switch (init_state_) {
    case 0:  // OCW1
        imr_ = val;
        update_irq();
        break;
    case 1:  // ICW2
        irq_base_ = val & 0xf8;
        init_state_ = single_ ? (init4_ ? 3 : 0) : 2;
        break;
    case 2:  // ICW3 (cascade wiring is fixed on a PC)
        if (is_master_ ? val != 0x04 : (val & 7) != 2)
            spdlog::debug("{}: ICW3 {:#04x} differs from PC wiring; ignored", name_, val);
        init_state_ = init4_ ? 3 : 0;
        break;
    case 3:  // ICW4
        special_fully_nested_ = (val >> 4) & 1;
        auto_eoi_ = (val >> 1) & 1;
        if (!(val & 1)) spdlog::warn("{}: unimplemented: ICW4 MCS-80/85 mode (value {:#04x})", name_, val);
        init_state_ = 0;
        update_irq();
        break;
    }
}

std::string Pic8259::dump() const {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%s: irr=%02x isr=%02x imr=%02x elcr=%02x base=%02x prio_add=%u aeoi=%d sfnm=%d smm=%d init=%d out=%d",
                  name_, irr_, isr_, imr_, elcr_, irq_base_, priority_add_, auto_eoi_, special_fully_nested_,
                  special_mask_, init_state_, int_out.level());
    return buf;
}

PicPair::PicPair() : master("pic-master", true, 0xf8), slave("pic-slave", false, 0xde) {
    slave.int_out.connect([this](bool level) { master.set_irq(2, level); });
}

void PicPair::reset() {
    slave.reset();
    master.reset();
}

void PicPair::set_irq(unsigned irq, bool level) {
    if (irq < 8)
        master.set_irq(irq, level);
    else if (irq < 16)
        slave.set_irq(irq - 8, level);
}

uint8_t PicPair::acknowledge() {
    int irq = master.get_irq();
    uint8_t vec;
    if (irq >= 0) {
        if (irq == 2) {
            int irq2 = slave.get_irq();
            if (irq2 >= 0) {
                slave.intack(unsigned(irq2));
            } else {
                irq2 = 7;  // spurious IRQ15: the slave's request went away
            }
            vec = uint8_t(slave.irq_base() + irq2);
            last_irq_ = 8 + irq2;
        } else {
            vec = uint8_t(master.irq_base() + irq);
            last_irq_ = irq;
        }
        master.intack(unsigned(irq));
    } else {
        vec = uint8_t(master.irq_base() + 7);  // spurious IRQ7
        last_irq_ = 7;
    }
    return vec;
}

uint8_t PicPair::io_read(uint16_t port) {
    switch (port) {
    case 0x20: case 0x21: return master.read(port & 1);
    case 0xa0: case 0xa1: return slave.read(port & 1);
    case 0x4d0: return master.read_elcr();
    case 0x4d1: return slave.read_elcr();
    }
    return 0xff;
}

void PicPair::io_write(uint16_t port, uint8_t value) {
    switch (port) {
    case 0x20: case 0x21: master.write(port & 1, value); break;
    case 0xa0: case 0xa1: slave.write(port & 1, value); break;
    case 0x4d0: master.write_elcr(value); break;
    case 0x4d1: slave.write_elcr(value); break;
    }
}

std::string PicPair::dump() const { return master.dump() + "\n" + slave.dump(); }

void Pic8259::save(emu::SnapshotWriter& w) const {
    w.section(is_master_ ? "pic.master" : "pic.slave", 1);
    w.put(last_irr_);
    w.put(irr_);
    w.put(isr_);
    w.put(imr_);
    w.put(elcr_);
    w.put(priority_add_);
    w.put(irq_base_);
    w.put(read_isr_);
    w.put(poll_);
    w.put(special_mask_);
    w.put(init_state_);
    w.put(init4_);
    w.put(single_);
    w.put(auto_eoi_);
    w.put(rotate_on_auto_eoi_);
    w.put(special_fully_nested_);
    w.put(int_out.level());
}

void Pic8259::load(emu::SnapshotReader& r) {
    r.section(is_master_ ? "pic.master" : "pic.slave", 1);
    r.get(last_irr_);
    r.get(irr_);
    r.get(isr_);
    r.get(imr_);
    r.get(elcr_);
    r.get(priority_add_);
    r.get(irq_base_);
    r.get(read_isr_);
    r.get(poll_);
    r.get(special_mask_);
    r.get(init_state_);
    r.get(init4_);
    r.get(single_);
    r.get(auto_eoi_);
    r.get(rotate_on_auto_eoi_);
    r.get(special_fully_nested_);
    int_out.restore(r.get<bool>());
}

void PicPair::save(emu::SnapshotWriter& w) const {
    master.save(w);
    slave.save(w);
    w.put(last_irq_);
}

void PicPair::load(emu::SnapshotReader& r) {
    master.load(r);
    slave.load(r);
    r.get(last_irq_);
}

}  // namespace bs::devices
