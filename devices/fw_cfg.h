// QEMU's firmware configuration device, legacy port interface
// (selector 0x510, 16-bit; data 0x511, byte-wide).
//
// Reference: QEMU docs/specs/fw_cfg.rst and include/standard-headers/linux/
// qemu_fw_cfg.h (key numbers, the big-endian file directory). A write of a
// key to the selector rewinds the item; each data read returns the next byte,
// and 0 past the end or for an unknown key. Files (etc/e820, ...) get keys
// from 0x20 on and the directory at key 0x19 is sorted by name, as QEMU's.
//
// Not emulated: the DMA interface (ID bit 1 is clear; port 0x514 is not
// claimed), writable items (writes to 0x511 are logged and ignored).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emu/snapshot_io.h"

namespace bs::devices {

class FwCfg {
public:
    enum Key : uint16_t {
        kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNoGraphic = 0x04, kNbCpus = 0x05,
        kMachineId = 0x06, kKernelAddr = 0x07, kKernelSize = 0x08, kKernelCmdline = 0x09, kInitrdAddr = 0x0a,
        kInitrdSize = 0x0b, kBootDevice = 0x0c, kNuma = 0x0d, kBootMenu = 0x0e, kMaxCpus = 0x0f,
        kKernelEntry = 0x10, kKernelData = 0x11, kInitrdData = 0x12, kCmdlineAddr = 0x13, kCmdlineSize = 0x14,
        kCmdlineData = 0x15, kSetupAddr = 0x16, kSetupSize = 0x17, kSetupData = 0x18, kFileDir = 0x19,
        kFileFirst = 0x20,
        kAcpiTables = 0x8000, kSmbiosEntries = 0x8001, kIrq0Override = 0x8002, kE820Table = 0x8003,
        kHpet = 0x8004,
    };

    FwCfg();

    void reset();  // selects key 0
    void set_bytes(uint16_t key, std::vector<uint8_t> data);
    void set_u16(uint16_t key, uint16_t v);
    void set_u32(uint16_t key, uint32_t v);
    void set_u64(uint16_t key, uint64_t v);
    void set_string(uint16_t key, std::string_view s);  // with a terminating NUL
    // Adds or replaces a named file and rebuilds the directory; returns its key.
    uint16_t add_file(const std::string& name, std::vector<uint8_t> data);
    const std::vector<uint8_t>* item(uint16_t key) const;

    void select(uint16_t key);
    uint8_t read_data();
    uint32_t io_read(uint16_t port, unsigned size);
    void io_write(uint16_t port, unsigned size, uint32_t value);

    std::string dump() const;

    // Save state (emu/snapshot.h): the selected item and the read offset.
    // The items are the machine's configuration (the loader sets them, the
    // guest cannot write them) and are not copied; load() checks that they
    // still have the sizes they had when saved.
    void save(emu::SnapshotWriter& w) const;
    void load(emu::SnapshotReader& r);

private:
    void rebuild_dir();

    std::map<uint16_t, std::vector<uint8_t>> items_;
    std::map<std::string, std::vector<uint8_t>> files_;
    uint16_t selected_ = 0;
    uint32_t offset_ = 0;
};

}  // namespace bs::devices
