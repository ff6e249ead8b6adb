// Whole-machine snapshots (see snapshot.h).
#include "emu/snapshot.h"

#include <algorithm>
#include <cstring>

#include "emu/system.h"

namespace bs::emu {

namespace {

using namespace bs::cpu;

// A new field in CpuState must be saved below: these sizes make the build
// say so (update them together with save_cpu/load_cpu).
static_assert(sizeof(CpuState) == 976, "CpuState changed: save and load the new fields in emu/snapshot.cpp");
static_assert(sizeof(Msrs) == 104, "Msrs changed: save and load the new fields in emu/snapshot.cpp");
static_assert(sizeof(X87) == 112, "X87 changed: save and load the new fields in emu/snapshot.cpp");

constexpr std::array<uint8_t, PageImage::kPageSize> kZeroPage{};

// Field by field rather than as raw bytes: equal states give equal streams
// (structs have padding), and the order is written down here.
template <class Io, class State> void cpu_fields(Io& io, State& s) {
    io(s.gpr);
    io(s.rip);
    io(s.next_rip);
    io(s.rflags);
    io(s.lf.res);
    io(s.lf.src1);
    io(s.lf.src2);
    io(s.lf.op);
    io(s.lf.width);
    io(s.lf.aux);
    auto segment = [&](auto& sg) {
        io(sg.selector);
        io(sg.attr);
        io(sg.limit);
        io(sg.base);
    };
    for (auto& sg : s.seg) segment(sg);
    segment(s.ldtr);
    segment(s.tr);
    io(s.gdtr.base);
    io(s.gdtr.limit);
    io(s.idtr.base);
    io(s.idtr.limit);
    io(s.cr0);
    io(s.cr2);
    io(s.cr3);
    io(s.cr4);
    io(s.cr8);
    io(s.efer);
    io(s.dr);
    io(s.msr.star);
    io(s.msr.lstar);
    io(s.msr.cstar);
    io(s.msr.fmask);
    io(s.msr.kernel_gs_base);
    io(s.msr.sysenter_cs);
    io(s.msr.sysenter_esp);
    io(s.msr.sysenter_eip);
    io(s.msr.tsc_aux);
    io(s.msr.pat);
    io(s.msr.misc_enable);
    io(s.msr.mtrr_def_type);
    io(s.msr.tsc_offset);
    for (auto& x : s.xmm) io(x.b);
    io(s.mxcsr);
    io(s.fpu.regs);
    io(s.fpu.fcw);
    io(s.fpu.fsw);
    io(s.fpu.ftw);
    io(s.fpu.fop);
    io(s.fpu.fip);
    io(s.fpu.fdp);
    io(s.fpu.fcs);
    io(s.fpu.fds);
    io(s.pdpte);
    io(s.activity);
    io(s.interrupt_shadow);
    io(s.nmi_blocked);
    io(s.cpl);
    io(s.code_size);
    io(s.stack_size);
}

template <class Io, class Counters> void counter_fields(Io& io, Counters& c) {
    io(c.icount);
    io(c.a20_masked);
    io(c.events_delivered);
    for (auto& e : c.history) {
        io(e.icount);
        io(e.rip);
        io(e.cs);
        io(e.vector);
        io(e.kind);
        io(e.has_error);
        io(e.error);
    }
    io(c.history_next);
}

void save_cpu(SnapshotWriter& w, const Cpu& cpu) {
    w.section("cpu", 1);
    auto put = [&](const auto& v) { w.put(v); };
    cpu_fields(put, cpu.s);
    const Cpu::Counters c = cpu.counters();
    counter_fields(put, c);
}

void load_cpu(SnapshotReader& r, Cpu& cpu) {
    r.section("cpu", 1);
    auto get = [&](auto& v) { r.get(v); };
    CpuState s;
    cpu_fields(get, s);
    Cpu::Counters c;
    counter_fields(get, c);
    cpu.restore(s, c);
}

// FNV-1a over 64-bit words (the tail byte by byte): fast enough to digest
// a whole RAM image in a test.
uint64_t fnv1a(uint64_t h, const uint8_t* p, size_t n) {
    constexpr uint64_t kPrime = 0x100000001b3ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        std::memcpy(&word, p + i, 8);
        h = (h ^ word) * kPrime;
    }
    for (; i < n; ++i) h = (h ^ p[i]) * kPrime;
    return h;
}

constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;

}  // namespace

// ---------------------------------------------------------------- PageImage

PageImage PageImage::capture(const uint8_t* mem, size_t size, const PageImage* base) {
    if (size % kPageSize) throw SnapshotError("snapshot: a memory region that is not whole pages");
    PageImage img;
    const size_t n = size / kPageSize;
    img.pages_.resize(n);
    if (base && base->pages_.size() != n) base = nullptr;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* src = mem + i * kPageSize;
        if (base) {
            const auto& old = base->pages_[i];
            if (std::memcmp(src, old ? old->data() : kZeroPage.data(), kPageSize) == 0) {
                img.pages_[i] = old;
                continue;
            }
        }
        if (std::memcmp(src, kZeroPage.data(), kPageSize) == 0) continue;
        auto page = std::make_shared<Page>();
        std::memcpy(page->data(), src, kPageSize);
        img.pages_[i] = std::move(page);
        ++img.copied_;
    }
    return img;
}

// Writes only the pages that differ: going back to a nearby snapshot
// changes few of them, and guest RAM the guest never touched stays
// untouched host memory (a write would make the host allocate it).
void PageImage::restore(uint8_t* mem) const {
    for (size_t i = 0; i < pages_.size(); ++i) {
        uint8_t* dst = mem + i * kPageSize;
        const uint8_t* src = pages_[i] ? pages_[i]->data() : kZeroPage.data();
        if (std::memcmp(dst, src, kPageSize) != 0) std::memcpy(dst, src, kPageSize);
    }
}

bool PageImage::same_contents(const PageImage& other) const {
    if (pages_.size() != other.pages_.size()) return false;
    for (size_t i = 0; i < pages_.size(); ++i) {
        const auto& a = pages_[i];
        const auto& b = other.pages_[i];
        if (a == b) continue;
        if (std::memcmp(a ? a->data() : kZeroPage.data(), b ? b->data() : kZeroPage.data(), kPageSize) != 0)
            return false;
    }
    return true;
}

uint64_t PageImage::digest(uint64_t h) const {
    for (const auto& p : pages_) h = fnv1a(h, p ? p->data() : kZeroPage.data(), kPageSize);
    return h;
}

// ---------------------------------------------------------------- Snapshot

Snapshot Snapshot::take(const System& sys, const Snapshot* base) {
    if (sys.running()) throw SnapshotError("snapshot: cannot take one while the machine runs");
    const Machine& m = sys.machine;
    Snapshot snap;
    SnapshotWriter w;
    w.section("bootscope-snapshot", 1);
    save_cpu(w, sys.cpu);
    m.save(w);
    snap.state_ = w.take();
    snap.ram_ = PageImage::capture(m.ram().at(0), m.ram().size(), base ? &base->ram_ : nullptr);
    snap.vram_ = PageImage::capture(m.vga.vram(), devices::VgaText::kVramSize, base ? &base->vram_ : nullptr);
    snap.icount_ = sys.instructions();
    snap.time_ns_ = m.clock().now();
    return snap;
}

void Snapshot::restore(System& sys) const {
    if (sys.running()) throw SnapshotError("snapshot: cannot restore one while the machine runs");
    Machine& m = sys.machine;
    if (ram_.size() != m.ram().size()) throw SnapshotError("snapshot: taken on a machine with another RAM size");
    SnapshotReader r(state_);
    r.section("bootscope-snapshot", 1);
    load_cpu(r, sys.cpu);
    m.load(r);
    r.expect_end();
    ram_.restore(m.ram().at(0));
    vram_.restore(m.vga.vram());
    sys.state_restored();
}

size_t Snapshot::unshared_bytes(const Snapshot* previous) const {
    size_t pages = 0;
    auto count = [&](const PageImage& img, const PageImage* prev) {
        for (size_t i = 0; i < img.page_count(); ++i)
            if (!img.page_is_zero(i) && !(prev && img.shares_page(*prev, i))) ++pages;
    };
    count(ram_, previous ? &previous->ram_ : nullptr);
    count(vram_, previous ? &previous->vram_ : nullptr);
    return state_.size() + pages * PageImage::kPageSize;
}

bool Snapshot::same_state(const Snapshot& other) const {
    return state_ == other.state_ && ram_.same_contents(other.ram_) && vram_.same_contents(other.vram_);
}

uint64_t Snapshot::digest() const {
    uint64_t h = fnv1a(kFnvBasis, state_.data(), state_.size());
    h = ram_.digest(h);
    return vram_.digest(h);
}

}  // namespace bs::emu
