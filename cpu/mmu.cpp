// The MMU: paging (32-bit, PAE and 4-level), the software TLB behind the
// inline fast paths of cpu.h, and the slow paths of memory access.
//
// SDM Vol. 3A ch. 4. A translation walks the paging structures of the
// current mode, accumulating the R/W, U/S and XD rights of every level
// (§4.6), checks reserved bits (§4.5 tables), and only when the access is
// allowed sets the accessed flags of the entries it used and the dirty flag
// of the final one (§4.8). A failed walk raises #PF with the error code of
// §4.7 and the linear address for CR2.
//
// The TLB keeps one entry per 4 KiB linear page for each privilege class.
// A tag is set only for the access kinds that class may make, and the
// write tag only once the page is dirty, so a first write always walks and
// sets D. Pages larger than 4 KiB are entered 4 KiB at a time;
// `tlb_has_large_` makes INVLPG drop everything when such entries exist.
#include "cpu.h"

#include <algorithm>

namespace bs::cpu {

namespace {

constexpr uint64_t kPresent = 1u << 0, kRw = 1u << 1, kUs = 1u << 2, kAccessed = 1u << 5, kDirty = 1u << 6,
                   kPs = 1u << 7, kGlobal = 1u << 8;
constexpr uint64_t kXd = 1ull << 63;
// Bits 51..MAXPHYADDR of a 64-bit entry are reserved.
constexpr uint64_t kAboveMaxPhys = ((1ull << 52) - 1) & ~((1ull << Cpu::kPhysAddrBits) - 1);
constexpr uint64_t kAddr4K = ((1ull << Cpu::kPhysAddrBits) - 1) & ~0xfffull;

}  // namespace

struct Cpu::Walk {
    uint64_t phys = 0;  // physical address of the 4 KiB page holding `lin`
    bool writable = false, executable = false, dirty = false, global = false, large = false;
    uint32_t error = 0;
};

// Entries are read and written through the bus: RAM pages directly, other
// addresses as MMIO (page tables in ROM or device memory read what it reads).
uint64_t Cpu::read_phys64(uint64_t pa) {
    const PhysPage pg = bus_page(pa & ~0xfffull);
    if (pg.host) {
        uint64_t v;
        std::memcpy(&v, pg.host + (pa & 0xfff), 8);
        return v;
    }
    sync_time();
    return bus_.mmio_read(pa, 8);
}

// A/D updates touch the low 32 bits of an entry only.
void Cpu::write_phys32(uint64_t pa, uint32_t v) {
    const uint64_t page = pa & ~0xfffull;
    const PhysPage pg = bus_page(page);
    if (pg.host && pg.writable) {
        std::memcpy(pg.host + (pa & 0xfff), &v, 4);
        const uint64_t pfn = page >> 12;
        if (pfn < blocks_page_count() && page_has_code(pfn)) code_page_written(page);
    } else if (!pg.host) {
        sync_time();
        bus_.mmio_write(pa, 4, v);
    } else {
        bus_.mmio_write(pa, 4, v);  // read-only: ROM drops it, a watched page sees it
    }
}

bool Cpu::walk(uint64_t lin, Access acc, bool user, bool commit, Walk& w) {
    const bool nxe = s.efer & efer::NXE;
    const bool pae = s.cr4 & cr4::PAE;
    const uint64_t rsvd = kAboveMaxPhys | (nxe ? 0 : kXd);
    const bool write = acc == Access::Write;
    uint32_t err = (write ? pferr::W : 0) | (user ? pferr::U : 0);
    if (acc == Access::Exec && nxe && pae) err |= pferr::I;

    uint64_t entry_pa[4];
    uint64_t entry[4];
    unsigned levels = 0;
    bool rw = true, us = true, xd = false;
    uint64_t leaf = 0;
    uint64_t page = 0;  // physical 4 KiB page
    auto use = [&](uint64_t pa, uint64_t e) {
        entry_pa[levels] = pa;
        entry[levels] = e;
        ++levels;
        rw = rw && (e & kRw);
        us = us && (e & kUs);
        xd = xd || (nxe && (e & kXd));
    };
    auto fail = [&](uint32_t extra) {
        w.error = err | extra;
        return false;
    };

    if (pae || (s.efer & efer::LMA)) {
        // PAE and 4-level paging walk the same 8-byte entries: 4-level from
        // the PML4 (bits 47:39), PAE from the PDPTE register (bits 31:30)
        // into the PD. Large pages: 1 GiB in a PDPT, 2 MiB in a PD.
        uint64_t table;
        int shift;
        if (s.efer & efer::LMA) {
            table = s.cr3 & kAddr4K;
            shift = 39;
        } else {
            const uint64_t pdpte = s.pdpte[(lin >> 30) & 3];
            if (!(pdpte & kPresent)) return fail(0);
            table = pdpte & kAddr4K;
            shift = 21;
        }
        for (;; shift -= 9) {
            const uint64_t pa = table + (((lin >> shift) & 511) << 3);
            const uint64_t e = read_phys64(pa);
            if (!(e & kPresent)) return fail(0);
            uint64_t r = rsvd;
            if (shift == 39) r |= kPs;
            if (shift == 30 && (e & kPs)) r |= 0x3fffe000ull;  // 1 GiB page: bits 29:13
            if (shift == 21 && (e & kPs)) r |= 0x001fe000ull;  // 2 MiB page: bits 20:13
            if (e & r) return fail(pferr::P | pferr::RSVD);
            use(pa, e);
            if (shift == 12) {
                leaf = e;
                page = e & kAddr4K;
                break;
            }
            if ((shift == 30 || shift == 21) && (e & kPs)) {
                leaf = e;
                const uint64_t size = 1ull << shift;
                page = ((e & kAddr4K) & ~(size - 1)) | (lin & (size - 1) & ~0xfffull);
                w.large = true;
                break;
            }
            table = e & kAddr4K;
        }
    } else {
        // 32-bit paging: PD → PT, 4 MiB pages with CR4.PSE (PSE-36: PDE
        // bits 20:13 are physical address bits 39:32).
        const uint64_t lin32 = lin & 0xffffffffull;
        const uint64_t pde_pa = (s.cr3 & 0xfffff000ull) + ((lin32 >> 22) << 2);
        const uint64_t pde = read_phys64(pde_pa) & 0xffffffffull;
        if (!(pde & kPresent)) return fail(0);
        if ((pde & kPs) && (s.cr4 & cr4::PSE)) {
            if (pde & (1u << 21)) return fail(pferr::P | pferr::RSVD);
            use(pde_pa, pde);
            leaf = pde;
            page = (pde & 0xffc00000ull) | (((pde >> 13) & 0xff) << 32) | (lin32 & 0x3ff000);
            w.large = true;
        } else {
            use(pde_pa, pde);
            const uint64_t pte_pa = (pde & 0xfffff000ull) + (((lin32 >> 12) & 1023) << 2);
            const uint64_t pte = read_phys64(pte_pa) & 0xffffffffull;
            if (!(pte & kPresent)) return fail(0);
            use(pte_pa, pte);
            leaf = pte;
            page = pte & 0xfffff000ull;
        }
    }

    // Access rights (SDM Vol. 3A §4.6): user accesses need U/S everywhere,
    // writes need R/W everywhere (supervisor writes only with CR0.WP),
    // fetches need XD clear everywhere.
    const bool wp = s.cr0 & cr0::WP;
    const bool may_write = user ? (us && rw) : (rw || !wp);
    const bool may_exec = !xd && (!user || us);
    if (user && !us) return fail(pferr::P);
    if (write && !may_write) return fail(pferr::P);
    if (acc == Access::Exec && !may_exec) return fail(pferr::P);

    w.phys = page;
    w.writable = may_write;
    w.executable = may_exec;
    w.global = (leaf & kGlobal) && (s.cr4 & cr4::PGE);
    w.dirty = (leaf & kDirty) != 0;
    if (commit) {
        for (unsigned k = 0; k < levels; ++k) {
            uint64_t e = entry[k] | kAccessed;
            if (k == levels - 1 && write) e |= kDirty;
            if (e != entry[k]) write_phys32(entry_pa[k], static_cast<uint32_t>(e));
        }
        if (write) w.dirty = true;
    }
    return true;
}

// PAE paging keeps the four PDPTEs in registers, loaded when CR3 is written
// or PAE paging is switched on; reserved bits there are a #GP of the MOV,
// raised before the MOV changes anything (`cr3` is the value it will have).
void Cpu::load_pdptes(uint64_t cr3) {
    const uint64_t base = cr3 & 0xffffffe0ull;
    uint64_t e[4];
    for (unsigned k = 0; k < 4; ++k) {
        e[k] = read_phys64(base + 8 * k);
        if ((e[k] & kPresent) && (e[k] & (kAboveMaxPhys | kXd | 0x1e6))) raise(kGP, 0);
    }
    std::copy(e, e + 4, s.pdpte);
}

uint64_t Cpu::translate(uint64_t lin, Access acc) {
    if (!(s.cr0 & cr0::PG)) return ((s.efer & efer::LMA) ? lin : (lin & 0xffffffffull)) & phys_mask_;
    Walk w;
    if (!walk(lin, acc, user_access_, true, w)) raise_page_fault(lin, w.error);
    return (w.phys | (lin & 0xfff)) & phys_mask_;
}

bool Cpu::debug_translate(uint64_t lin, uint64_t& phys) {
    if (!(s.cr0 & cr0::PG)) {
        phys = ((s.efer & efer::LMA) ? lin : (lin & 0xffffffffull)) & phys_mask_;
        return true;
    }
    Walk w;
    if (!walk(lin, Access::Read, false, false, w)) return false;
    phys = (w.phys | (lin & 0xfff)) & phys_mask_;
    return true;
}

// ---------------------------------------------------------------- TLB

void Cpu::flush_tlb() {
    TlbArrays& t = *tlbs_;
    for (unsigned k = 0; k < 3; ++k) {
        for (unsigned j = 0; j < t.filled_count[k]; ++j) t.entries[k][t.filled[k][j]] = TlbEntry{};
        t.filled_count[k] = 0;
    }
    tlb_has_large_ = false;
    ++chain_epoch_;  // block links rely on TLB entries (cpu.cpp, Cpu::linked)
    for (BusPage& c : bus_pages_) c.page = ~0ull;
}

void Cpu::flush_tlb_nonglobal() {
    TlbArrays& t = *tlbs_;
    for (unsigned k = 0; k < 3; ++k) {
        unsigned kept = 0;
        for (unsigned j = 0; j < t.filled_count[k]; ++j) {
            const uint16_t slot = t.filled[k][j];
            TlbEntry& e = t.entries[k][slot];
            if (e.global) t.filled[k][kept++] = slot;
            else e = TlbEntry{};
        }
        t.filled_count[k] = kept;
    }
    ++chain_epoch_;
}

void Cpu::invlpg(uint64_t lin) {
    ++chain_epoch_;
    if (tlb_has_large_) {
        flush_tlb();
        return;
    }
    const uint64_t page = lin & ~0xfffull;
    for (auto& t : tlbs_->entries) {
        TlbEntry& e = t[tlb_index(lin)];
        if (e.read_tag == page || e.write_tag == page || e.exec_tag == page) {
            const bool listed = e.listed;  // the slot stays in its fill list
            e = TlbEntry{};
            e.listed = listed;
        }
    }
}

TlbEntry& Cpu::tlb_fill(uint64_t lin, Access acc) {
    const uint64_t lpage = lin & ~0xfffull;
    const unsigned slot = tlb_index(lin);
    TlbEntry& e = tlbs_->entries[user_access_][slot];
    bool writable = true, executable = true, dirty = true, global = false;
    uint64_t ppage;
    if (s.cr0 & cr0::PG) {
        if (s.code_size == 8 && static_cast<uint64_t>(static_cast<int64_t>(lin << 16) >> 16) != lin) raise(kGP, 0);
        Walk w;
        if (!walk(lin, acc, user_access_, true, w)) raise_page_fault(lin, w.error);
        ppage = w.phys;
        writable = w.writable;
        executable = w.executable;
        dirty = w.dirty;
        global = w.global;
        tlb_has_large_ |= w.large;
    } else {
        if (s.code_size == 8 && static_cast<uint64_t>(static_cast<int64_t>(lin << 16) >> 16) != lin) raise(kGP, 0);
        ppage = ((s.efer & efer::LMA) ? lin : (lin & 0xffffffffull)) & ~0xfffull;
    }
    ppage &= phys_mask_;  // A20M#
    if (e.linked) ++chain_epoch_;
    if (!e.listed) {
        TlbArrays& t = *tlbs_;
        t.filled[user_access_][t.filled_count[user_access_]++] = static_cast<uint16_t>(slot);
    }
    e = TlbEntry{};
    e.listed = true;
    e.phys = ppage;
    e.global = global;
    const PhysPage pg = bus_page(ppage);
    if (pg.host) {
        e.addend = reinterpret_cast<uintptr_t>(pg.host) - lpage;
        e.memory = true;
        if (!pg.watch_reads) e.read_tag = lpage;
        if (executable) e.exec_tag = lpage;
        const uint64_t pfn = ppage >> 12;
        const bool has_code = pfn < blocks_page_count() && page_has_code(pfn);
        if (pg.writable && writable && dirty && !has_code) e.write_tag = lpage;
    } else if (acc == Access::Exec) {
        raise(kGP, 0);  // executing from MMIO is not supported: say so by faulting
    }
    return e;
}

// ---------------------------------------------------------------- slow paths

template <class T> T Cpu::read_slow(uint64_t lin) {
    if (align_check_ && (lin & (sizeof(T) - 1))) raise(kAC, 0);
    if ((lin & 0xfff) > 0x1000 - sizeof(T)) {
        uint8_t buf[sizeof(T)];
        read_bytes(lin, buf, sizeof(T));
        T v;
        std::memcpy(&v, buf, sizeof(T));
        return v;
    }
    TlbEntry& e = tlb_fill(lin, Access::Read);
    if (e.read_tag != ~0ull) {
        T v;
        std::memcpy(&v, reinterpret_cast<const void*>(lin + e.addend), sizeof(T));
        return v;
    }
    if (!e.memory) sync_time();  // a device's register (else memory whose reads are watched)
    return static_cast<T>(bus_.mmio_read(e.phys | (lin & 0xfff), sizeof(T)));
}

template <class T> void Cpu::write_slow(uint64_t lin, T value) {
    if (align_check_ && (lin & (sizeof(T) - 1))) raise(kAC, 0);
    if ((lin & 0xfff) > 0x1000 - sizeof(T)) {
        write_bytes(lin, &value, sizeof(T));
        return;
    }
    TlbEntry& e = tlb_fill(lin, Access::Write);
    const uint64_t pfn = e.phys >> 12;
    if (pfn < blocks_page_count() && page_has_code(pfn)) code_page_written(e.phys);
    if (e.memory) {
        const PhysPage pg = bus_page(e.phys);
        if (pg.writable) std::memcpy(reinterpret_cast<void*>(lin + e.addend), &value, sizeof(T));
        else bus_.mmio_write(e.phys | (lin & 0xfff), sizeof(T), value);  // ROM drops it; a watched page sees it
        return;
    }
    sync_time();
    bus_.mmio_write(e.phys | (lin & 0xfff), sizeof(T), value);
}

template uint8_t Cpu::read_slow<uint8_t>(uint64_t);
template uint16_t Cpu::read_slow<uint16_t>(uint64_t);
template uint32_t Cpu::read_slow<uint32_t>(uint64_t);
template uint64_t Cpu::read_slow<uint64_t>(uint64_t);
template void Cpu::write_slow<uint8_t>(uint64_t, uint8_t);
template void Cpu::write_slow<uint16_t>(uint64_t, uint16_t);
template void Cpu::write_slow<uint32_t>(uint64_t, uint32_t);
template void Cpu::write_slow<uint64_t>(uint64_t, uint64_t);

void Cpu::read_bytes(uint64_t lin, void* dst, unsigned n) {
    auto* d = static_cast<uint8_t*>(dst);
    for (unsigned k = 0; k < n; ++k) d[k] = read<uint8_t>(lin + k);
}

void Cpu::probe_read(uint64_t lin) {
    if (tlb_[tlb_index(lin)].read_tag == (lin & ~0xfffull)) return;
    tlb_fill(lin, Access::Read);
}

void Cpu::probe_write(uint64_t lin, unsigned n) {
    // Filling the TLB for the first and the last byte's pages as writes
    // faults now if either is not writable.
    tlb_fill(lin, Access::Write);
    if (n && ((lin + n - 1) >> 12) != (lin >> 12)) tlb_fill(lin + n - 1, Access::Write);
}

void Cpu::write_bytes(uint64_t lin, const void* src, unsigned n) {
    probe_write(lin, n);
    const auto* p = static_cast<const uint8_t*>(src);
    for (unsigned k = 0; k < n; ++k) write<uint8_t>(lin + k, p[k]);
}

}  // namespace bs::cpu
