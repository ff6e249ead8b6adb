#include "devices/fw_cfg.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

namespace bs::devices {

FwCfg::FwCfg() {
    set_bytes(kSignature, {'Q', 'E', 'M', 'U'});
    set_u32(kId, 1);  // traditional interface only, no DMA
    set_bytes(kUuid, std::vector<uint8_t>(16, 0));
    rebuild_dir();
}

void FwCfg::reset() { select(0); }

void FwCfg::set_bytes(uint16_t key, std::vector<uint8_t> data) { items_[key] = std::move(data); }

void FwCfg::set_u16(uint16_t key, uint16_t v) { set_bytes(key, {uint8_t(v), uint8_t(v >> 8)}); }

void FwCfg::set_u32(uint16_t key, uint32_t v) {
    std::vector<uint8_t> d(4);
    for (unsigned i = 0; i < 4; ++i) d[i] = uint8_t(v >> (8 * i));
    set_bytes(key, std::move(d));
}

void FwCfg::set_u64(uint16_t key, uint64_t v) {
    std::vector<uint8_t> d(8);
    for (unsigned i = 0; i < 8; ++i) d[i] = uint8_t(v >> (8 * i));
    set_bytes(key, std::move(d));
}

void FwCfg::set_string(uint16_t key, std::string_view s) {
    std::vector<uint8_t> d(s.begin(), s.end());
    d.push_back(0);
    set_bytes(key, std::move(d));
}

uint16_t FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
    if (name.size() >= 56) spdlog::warn("fw_cfg: file name '{}' longer than 55 bytes is truncated", name);
    files_[name] = std::move(data);
    rebuild_dir();
    uint16_t key = kFileFirst;
    for (const auto& [n, d] : files_) {
        if (n == name) break;
        ++key;
    }
    return key;
}

void FwCfg::rebuild_dir() {
    for (auto it = items_.lower_bound(kFileFirst); it != items_.end() && it->first < 0x4000;) it = items_.erase(it);
    std::vector<uint8_t> dir;
    auto be32 = [&](uint32_t v) {
        for (int i = 3; i >= 0; --i) dir.push_back(uint8_t(v >> (8 * i)));
    };
    be32(uint32_t(files_.size()));
    uint16_t key = kFileFirst;
    for (const auto& [name, data] : files_) {
        be32(uint32_t(data.size()));
        dir.push_back(uint8_t(key >> 8));
        dir.push_back(uint8_t(key));
        dir.push_back(0);
        dir.push_back(0);
        char n[56] = {};
        std::strncpy(n, name.c_str(), sizeof n - 1);
        dir.insert(dir.end(), n, n + 56);
        items_[key] = data;
        ++key;
    }
    items_[kFileDir] = std::move(dir);
}

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : &it->second;
}

void FwCfg::select(uint16_t key) {
    selected_ = key;
    offset_ = 0;
    if (key & 0x4000) spdlog::debug("fw_cfg: write-enable bit in key {:#x}: writes are not supported", key);
}

uint8_t FwCfg::read_data() {
    const std::vector<uint8_t>* d = item(uint16_t(selected_ & ~0x4000));
    if (!d || offset_ >= d->size()) return 0;
    return (*d)[offset_++];
}

uint32_t FwCfg::io_read(uint16_t port, unsigned size) {
    if (port == 0x511) {
        uint32_t v = 0;
        // Wider reads return consecutive bytes, little-endian (QEMU allows this).
        for (unsigned i = 0; i < size; ++i) v |= uint32_t(read_data()) << (8 * i);
        return v;
    }
    spdlog::debug("fw_cfg: read of selector port {:#x}", port);
    return 0;
}

void FwCfg::io_write(uint16_t port, unsigned, uint32_t value) {
    if (port == 0x510) {
        select(uint16_t(value));
        return;
    }
    spdlog::warn("fw_cfg: unimplemented: write {:#x} to data port {:#x} (items are read-only)", value, port);
}

std::string FwCfg::dump() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "fw_cfg: selected=%#x offset=%u items=%zu files=%zu", selected_, offset_,
                  items_.size(), files_.size());
    std::string s = buf;
    for (const auto& [name, data] : files_) s += "\n  " + name + " (" + std::to_string(data.size()) + " bytes)";
    return s;
}

void FwCfg::save(emu::SnapshotWriter& w) const {
    w.section("fw_cfg", 1);
    w.put(selected_);
    w.put(offset_);
    w.put(static_cast<uint64_t>(items_.size()));
    for (const auto& [key, data] : items_) {
        w.put(key);
        w.put(static_cast<uint64_t>(data.size()));
    }
}

void FwCfg::load(emu::SnapshotReader& r) {
    r.section("fw_cfg", 1);
    r.get(selected_);
    r.get(offset_);
    const auto n = r.get<uint64_t>();
    bool same = n == items_.size();
    auto it = items_.begin();
    for (uint64_t i = 0; i < n; ++i) {
        const auto key = r.get<uint16_t>();
        const auto size = r.get<uint64_t>();
        if (same && (it->first != key || it->second.size() != size)) same = false;
        if (same) ++it;
    }
    if (!same) throw emu::SnapshotError("snapshot: fw_cfg holds other items than when the snapshot was taken");
}

}  // namespace bs::devices
