// The CPU: reset, the MMU slow paths behind the software TLB, the block
// cache of decoded instructions, and the interpreter loop.
//
// Decoded blocks are keyed by the physical address of their first
// instruction and the code size; each remembers the write generation of the
// physical pages it was decoded from. A page holding decoded code is never
// entered writable in the TLB, so every write to it takes the slow path,
// which bumps the page's generation (dropping its blocks) and raises
// `attention` so the current block stops after the writing instruction.
#include "cpu.h"

#include <algorithm>

namespace bs::cpu {

void raise(uint8_t vector) { throw CpuFault{vector, false, 0}; }
void raise(uint8_t vector, uint32_t error) { throw CpuFault{vector, true, error}; }
void raise_page_fault(uint64_t lin, uint32_t error) { throw CpuFault{kPF, true, error, lin}; }

// A successor found by find_block() after a block: while the chain epoch
// is unchanged, RIP `rip` leads to block `to` (see linked()).
struct Cpu::Link {
    uint64_t rip = ~0ull;
    uint64_t epoch = 0;  // never the current epoch when unset
    const Block* to = nullptr;
};

struct Cpu::Block {
    uint64_t phys = ~0ull;       // physical address of the first instruction
    uint64_t last_page = ~0ull;  // physical page of the block's last byte
    const DecodedInsn* insn = nullptr;  // the first instruction, in the pool
    uint32_t gen = 0;            // write generation of the first page when decoded
    uint32_t last_gen = 0;       // ... and of the last page
    uint16_t count = 0;
    uint8_t code_size = 0;
    // The first instruction is at the page offset of a code breakpoint: the
    // run loop compares addresses on entering the block, and no link leads
    // here (see Cpu::set_code_breakpoints).
    bool break_check = false;
    // A loop of one block whose iterations can be counted off without
    // running them (see classify_spin); no link leads here either.
    Spin spin = Spin::None;
    uint8_t spin_reg = 0;  // Spin::Countdown: the counter
    // The last two successors: [0] the first one seen (the taken branch of
    // a loop), [1] the others.
    Link link[2];
};

struct Cpu::BlockCache {
    static constexpr size_t kTableSize = 1u << 14;  // direct-mapped lookup
    static constexpr size_t kMaxBlocks = 1u << 15;
    static constexpr size_t kPoolSize = 1u << 18;  // decoded instructions
    static constexpr unsigned kMaxBlockInsns = 64;

    std::vector<Block*> table = std::vector<Block*>(kTableSize, nullptr);
    std::vector<Block> blocks = std::vector<Block>(kMaxBlocks);
    std::vector<DecodedInsn> pool = std::vector<DecodedInsn>(kPoolSize);
    size_t used_blocks = 0, used_insns = 0;
    // Per physical page: write generation and whether decoded code lives there.
    std::vector<uint32_t> page_gen;
    std::vector<uint8_t> page_has_code;

    static size_t slot(uint64_t phys, unsigned code_size) {
        return ((phys >> 1) ^ (phys >> 15) ^ code_size) & (kTableSize - 1);
    }
    uint32_t gen_of(uint64_t page) const {
        const uint64_t pfn = page >> 12;
        return pfn < page_gen.size() ? page_gen[pfn] : 0;
    }
    void ensure(uint64_t pfn) {
        if (pfn >= page_gen.size()) {
            page_gen.resize(pfn + 1, 0);
            page_has_code.resize(pfn + 1, 0);
        }
    }
    void clear() {
        std::fill(table.begin(), table.end(), nullptr);
        used_blocks = used_insns = 0;
    }
};

Cpu::Cpu(Bus& bus) : bus_(bus), blocks_(std::make_unique<BlockCache>()) { reset(); }
Cpu::~Cpu() = default;

void Cpu::reset() {
    s = CpuState{};
    // SDM Vol. 3A §9.1.1, table 9-1: real mode at F000:FFF0 with CS base FFFF0000.
    for (auto& sg : s.seg) {
        sg.selector = 0;
        sg.base = 0;
        sg.limit = 0xffff;
        sg.attr = segattr::Present | segattr::S | segattr::Writable | segattr::Accessed;
    }
    s.seg[CS].selector = 0xf000;
    s.seg[CS].base = 0xffff0000;
    s.seg[CS].attr = segattr::Present | segattr::S | segattr::Code | segattr::Writable | segattr::Accessed;
    s.ldtr.attr = segattr::Present | 2;  // LDT
    s.tr.attr = segattr::Present | 3;    // busy 16-bit TSS
    s.rip = 0xfff0;
    s.gpr[RDX] = 0x00000601;  // the processor signature, as CPUID leaf 1 EAX reports it
    s.cr0 = 0x60000010;
    // icount_ keeps counting across resets: the trace and the clock stay monotonic.
    select_tlb();
    mode_changed();
    flush_tlb();
    flush_code_cache();
}

void Cpu::set_flat64_user_mode() {
    const uint16_t data = segattr::Present | segattr::S | segattr::Writable | segattr::Accessed | (3u << segattr::DplShift);
    for (auto& sg : s.seg) {
        sg.base = 0;
        sg.limit = 0xffffffff;
        sg.attr = data | segattr::DB | segattr::G;
        sg.selector = 0x2b;
    }
    s.seg[CS].selector = 0x33;
    s.seg[CS].attr = segattr::Present | segattr::S | segattr::Code | segattr::Writable | segattr::Accessed |
                     segattr::L | segattr::G | (3u << segattr::DplShift);
    s.cr0 = cr0::PE | cr0::MP | cr0::ET | cr0::NE | cr0::WP;
    s.cr4 = cr4::OSFXSR | cr4::OSXMMEXCPT;
    s.efer = efer::LME | efer::LMA | efer::SCE | efer::NXE;
    s.cpl = 3;
    mode_changed();
    flush_tlb();
}

void Cpu::mode_changed() {
    const bool lma = s.efer & efer::LMA;
    const Segment& cs = s.seg[CS];
    if (lma && (cs.attr & segattr::L)) {
        s.code_size = 8;
    } else if ((s.cr0 & cr0::PE) && (cs.attr & segattr::DB)) {
        s.code_size = 4;
    } else {
        s.code_size = 2;
    }
    s.stack_size = s.code_size == 8 ? 8 : (s.cr0 & cr0::PE) && (s.seg[SS].attr & segattr::DB) ? 4 : 2;
    rip_mask_ = s.code_size == 8 ? ~0ull : s.code_size == 4 ? 0xffffffffull : 0xffffull;
    for (unsigned i = 0; i < 6; ++i) seg_base_[i] = s.seg[i].base;
    if (s.code_size == 8) seg_base_[ES] = seg_base_[CS] = seg_base_[SS] = seg_base_[DS] = 0;
    seg_base_[6] = seg_base_[kSegNone] = 0;
    ++chain_epoch_;  // the code size and CS base key find_block()
    compute_limits();
    select_tlb();
    attention = true;
    const CpuMode m = !(s.cr0 & cr0::PE) ? CpuMode::Real
                      : (s.rflags & fl::VM) ? CpuMode::V8086
                      : s.code_size == 8 ? CpuMode::Long64
                      : lma ? (s.code_size == 4 ? CpuMode::Compat32 : CpuMode::Compat16)
                            : (s.code_size == 4 ? CpuMode::Protected32 : CpuMode::Protected16);
    if (m != mode_ || s.cpl != mode_cpl_) {
        if (trace_) trace_->mode_change(trace_icount_, mode_, m, s.cpl);
        mode_ = m;
        mode_cpl_ = s.cpl;
    }
}

const char* to_string(CpuMode m) {
    switch (m) {
    case CpuMode::Real: return "real";
    case CpuMode::Protected16: return "protected16";
    case CpuMode::Protected32: return "protected32";
    case CpuMode::Compat16: return "compat16";
    case CpuMode::Compat32: return "compat32";
    case CpuMode::Long64: return "long64";
    case CpuMode::V8086: return "v8086";
    }
    return "?";
}

// Segment limits (SDM Vol. 3A §5.3): none in 64-bit mode; otherwise the
// valid offsets of an expand-up segment are [0, limit], of an expand-down
// data segment (limit, 0xFFFF or 0xFFFFFFFF by its B bit]; a segment
// register holding a null selector in protected mode allows nothing.
void Cpu::compute_limits() {
    for (unsigned i = 0; i < 8; ++i) {
        seg_lo_[i] = 0;
        seg_hi_[i] = ~0ull;
        seg_span_[i] = ~0ull;
    }
    if (s.code_size == 8) {
        // Canonical linear addresses: base + offset in [-2^47, 2^47).
        for (unsigned i = 0; i < 6; ++i) {
            seg_lo_[i] = 0xffff800000000000ull - seg_base_[i];
            seg_span_[i] = (1ull << 48) - 8;
        }
        return;
    }
    for (unsigned i = 0; i < 6; ++i) {
        const Segment& sg = s.seg[i];
        uint64_t lo = 0, hi = sg.limit;
        if ((s.cr0 & cr0::PE) && !(s.rflags & fl::VM) && !(sg.attr & segattr::Present)) {
            lo = 1;  // unusable (null): every access faults
            hi = 0;
        } else if ((sg.attr & segattr::S) && !(sg.attr & segattr::Code) && (sg.attr & 4)) {
            lo = uint64_t(sg.limit) + 1;  // expand-down
            hi = (sg.attr & segattr::DB) ? 0xffffffffull : 0xffffull;
        }
        seg_lo_[i] = lo;
        seg_hi_[i] = hi;
        seg_span_[i] = hi >= lo + 7 ? hi - lo - 7 : 0;
        if (hi < lo) seg_span_[i] = 0, seg_lo_[i] = ~0ull;  // offset - lo wraps: always checked
    }
}

void Cpu::check_limit(unsigned seg, uint64_t offset, unsigned size) const {
    if (seg >= 6) return;
    if (s.code_size == 8) {
        const uint64_t lin = seg_base_[seg] + offset, last = lin + size - 1;
        if (((lin + (1ull << 47)) >> 48) || ((last + (1ull << 47)) >> 48)) raise(seg == SS ? kSS : kGP, 0);
        return;
    }
    const uint64_t last = offset + size - 1;
    if (offset < seg_lo_[seg] || last < offset || last > seg_hi_[seg] || seg_hi_[seg] < seg_lo_[seg])
        raise(seg == SS ? kSS : kGP, 0);
}

void Cpu::set_cpl(unsigned cpl) {
    s.cpl = static_cast<uint8_t>(cpl);
    select_tlb();
}

void Cpu::select_tlb() {
    user_access_ = s.cpl == 3;
    align_check_ = user_access_ && (s.cr0 & cr0::AM) && (s.rflags & fl::AC);
    TlbEntry* const tlb = tlbs_->entries[align_check_ ? 2 : user_access_];
    if (tlb != tlb_) ++chain_epoch_;  // links were made through the other array
    tlb_ = tlb;
}

// ---------------------------------------------------------------- block cache

void Cpu::flush_code_cache() {
    blocks_->clear();
    ++chain_epoch_;
}

void Cpu::mark_code_page(uint64_t phys_page) {
    const uint64_t pfn = phys_page >> 12;
    blocks_->ensure(pfn);
    if (blocks_->page_has_code[pfn]) return;
    blocks_->page_has_code[pfn] = 1;
    // No TLB entry may keep the page writable on the fast path any more
    // (only filled slots can map it).
    TlbArrays& t = *tlbs_;
    for (unsigned k = 0; k < 3; ++k)
        for (unsigned j = 0; j < t.filled_count[k]; ++j) {
            TlbEntry& e = t.entries[k][t.filled[k][j]];
            if (e.phys == phys_page) e.write_tag = ~0ull;
        }
}

size_t Cpu::blocks_page_count() const { return blocks_->page_has_code.size(); }
bool Cpu::page_has_code(uint64_t pfn) const { return blocks_->page_has_code[pfn]; }

void Cpu::code_page_written(uint64_t phys_page) {
    const uint64_t pfn = phys_page >> 12;
    blocks_->page_gen[pfn]++;
    blocks_->page_has_code[pfn] = 0;
    ++chain_epoch_;  // blocks decoded from the page are stale, and so are links to them
    attention = true;  // the rest of the current block may be stale
}

const Cpu::Block& Cpu::find_block() {
    const uint64_t lin = seg_base_[CS] + s.rip;
    TlbEntry* e = &tlb_[tlb_index(lin)];
    if (e->exec_tag != (lin & ~0xfffull)) e = &tlb_fill(lin, Access::Exec);
    const uint64_t phys = e->phys | (lin & 0xfff);
    BlockCache& bc = *blocks_;
    Block* b = bc.table[BlockCache::slot(phys, s.code_size)];
    if (b && b->phys == phys && b->code_size == s.code_size && b->gen == bc.gen_of(phys & ~0xfffull) &&
        b->last_gen == bc.gen_of(b->last_page)) [[likely]] {
        return *b;
    }
    return decode_block(lin, phys, reinterpret_cast<const uint8_t*>((lin & ~0xfffull) + e->addend));
}

// Links: after a block completes, the next one is usually the one found
// last time from the same block at the same RIP. A link stands for
// find_block() as long as nothing find_block() depends on has changed, and
// everything that can change it bumps the chain epoch:
// - the code size and CS base: mode_changed();
// - page generations: code_page_written();
// - the table: decode_block(), flush_code_cache();
// - the TLB entry that mapped the target: flush_tlb(), flush_tlb_nonglobal(),
//   invlpg(), and tlb_fill() overwriting an entry marked `linked`;
// - which TLB array the fast paths use: select_tlb().
// So while the epoch holds, find_block() would hit the same TLB entry, the
// same physical address and the same table slot, with the same generations.
inline const Cpu::Block* Cpu::linked(const Block& from) const {
    const uint64_t rip = s.rip;
    const Link* l = &from.link[0];
    if (l->rip != rip) {
        l = &from.link[1];
        if (l->rip != rip) return nullptr;
    }
    return l->epoch == chain_epoch_ ? l->to : nullptr;
}

// find_block(), remembered as a link of `from` when its answer came
// through a TLB entry of the current array: [0] keeps the first successor
// seen (a loop's taken branch), [1] the latest other one.
[[gnu::noinline]] const Cpu::Block& Cpu::link_block(const Block& from) {
    const uint64_t rip = s.rip;
    const Block& to = find_block();
    if (to.break_check || to.spin != Spin::None) return to;  // each entry must look (run())
    const uint64_t lin = seg_base_[CS] + rip;
    TlbEntry& e = tlb_[tlb_index(lin)];
    if (e.exec_tag != (lin & ~0xfffull) || (e.phys | (lin & 0xfff)) != to.phys) return to;
    e.linked = true;
    Block& b = const_cast<Block&>(from);
    Link& l = (b.link[0].epoch != chain_epoch_ || b.link[0].rip == rip) ? b.link[0] : b.link[1];
    l.rip = rip;
    l.epoch = chain_epoch_;
    l.to = &to;
    return to;
}

// Code is fetched from the page's host memory (`page`, from the execute
// TLB entry), not read as data: read watchpoints do not see fetches.
const Cpu::Block& Cpu::decode_block(uint64_t lin, uint64_t phys, const uint8_t* page) {
    BlockCache& bc = *blocks_;
    // A new block may take the table slot of one that links point to (or
    // the whole cache is cleared): find_block() would no longer return it.
    ++chain_epoch_;
    if (bc.used_blocks == BlockCache::kMaxBlocks || bc.used_insns + BlockCache::kMaxBlockInsns > BlockCache::kPoolSize) {
        bc.clear();
    }
    Block& b = bc.blocks[bc.used_blocks++];
    b = Block{};
    b.phys = phys;
    b.code_size = s.code_size;
    b.insn = &bc.pool[bc.used_insns];
    const uint64_t first_page = phys & ~0xfffull;
    b.last_page = first_page;
    mark_code_page(first_page);

    const bool breaks = !break_offsets_.empty();
    b.break_check = breaks && break_offset(lin);
    uint64_t ip = s.rip;
    for (unsigned n = 0; n < BlockCache::kMaxBlockInsns; ++n) {
        const uint64_t at = seg_base_[CS] + ip;
        if (n > 0 && (at & ~0xfffull) != (lin & ~0xfffull)) break;  // blocks stay within a page
        if (n > 0 && breaks && break_offset(at)) break;  // a breakpoint's instruction starts a block
        // Bytes up to the page end; if the instruction continues on the next
        // page, fetch (and possibly fault on) that page too.
        uint8_t bytes[15];
        const unsigned in_page = static_cast<unsigned>(std::min<uint64_t>(15, 0x1000 - (at & 0xfff)));
        std::memcpy(bytes, page + (at & 0xfff), in_page);
        DecodedInsn& d = bc.pool[bc.used_insns];
        DecodeStatus st = decode({bytes, in_page}, s.code_size, d);
        if (st == DecodeStatus::NeedMore) {
            uint64_t next_page;
            const uint8_t* next = nullptr;
            try {
                next_page = translate((at & ~0xfffull) + 0x1000, Access::Exec) & ~0xfffull;
                next = bus_page(next_page).host;
                if (!next) raise(kGP, 0);  // executing from MMIO is not supported (as in tlb_fill)
            } catch (const CpuFault&) {
                if (n > 0) break;  // the fault belongs to that instruction: end the block before it
                throw;
            }
            std::memcpy(bytes + in_page, next, 15 - in_page);
            st = decode({bytes, 15}, s.code_size, d);
            mark_code_page(next_page);
            b.last_page = next_page;
        }
        ++bc.used_insns;
        ++b.count;
        ip = (ip + d.len) & rip_mask_;
        if (st != DecodeStatus::Ok) break;
        if (d.form->attrs & (fa::Branch | fa::Serializing)) break;
        if (b.last_page != first_page) break;
    }
    classify_spin(b);
    b.gen = bc.gen_of(first_page);
    b.last_gen = bc.gen_of(b.last_page);
    bc.table[BlockCache::slot(phys, s.code_size)] = &b;
    return b;
}

// ---------------------------------------------------------------- breakpoints

void Cpu::set_code_breakpoints(std::vector<uint64_t> linear, std::vector<uint64_t> physical) {
    std::sort(linear.begin(), linear.end());
    std::sort(physical.begin(), physical.end());
    if (linear == break_lin_ && physical == break_phys_) return;  // the decoded blocks still fit
    break_lin_ = std::move(linear);
    break_phys_ = std::move(physical);
    break_offsets_.clear();
    if (has_code_breakpoints()) {
        break_offsets_.assign(4096 / 64, 0);
        for (const auto* list : {&break_lin_, &break_phys_})
            for (uint64_t a : *list) break_offsets_[(a & 0xfff) >> 6] |= 1ull << (a & 63);
    }
    // Blocks decoded before were cut and flagged for the old offsets.
    flush_code_cache();
    attention = true;
}

bool Cpu::code_break_hit(const Block& b) const {
    if (!code_breakpoints_armed) return false;
    const uint64_t lin = seg_base_[CS] + s.rip;
    if (icount_ == break_skip_icount_ && lin == break_skip_lin_) return false;
    return std::binary_search(break_lin_.begin(), break_lin_.end(), lin) ||
           std::binary_search(break_phys_.begin(), break_phys_.end(), b.phys);
}

// ---------------------------------------------------------------- spin loops
//
// Guests spend much of their boot in busy-wait loops that only time ends:
// a delay loop counting a register down, or a poll of memory that only an
// interrupt can change. Within one run() budget no device event comes (the
// machine's budget ends at the next one) and no interrupt can be taken
// without ending the chain of blocks, so such a loop's iterations up to the
// budget are known without running them. They are counted off exactly:
// instruction counts, registers, flags and memory end as if each had run,
// so traces and timings do not change. Two shapes, each a single block
// that jumps back to its own start:
//   Countdown: DEC r32/r64; JNZ start. An arrival with the counter at v runs
//     v more iterations; all but the last are counted off (the last one
//     runs, and leaves the flags as it would have).
//   Poll: loads into registers from memory, CMP/TEST, PAUSE/NOP, then a Jcc
//     to the start, where every register the block reads it has loaded
//     earlier in the block or never writes. Once it has come round, every
//     later iteration repeats the last one (no stores, memory unchanged),
//     so the iterations that fit the budget are counted off, provided each
//     load still reads RAM through the TLB (not a device, not a watched page).

namespace {

// A register number as a 64-bit register (AH..BH are 16..19).
unsigned full_reg(unsigned r) { return r >= 16 ? r - 16 : r; }

// MOV AL/AX/EAX/RAX, moffs (A0/A1).
bool is_moffs_load(const DecodedInsn& d) {
    return d.form->map == kMap1 && (d.form->opcode == 0xa0 || d.form->opcode == 0xa1);
}

// The register a MOV r, m (8A/8B with a memory operand) or a moffs load
// loads, as a 64-bit register; kNoReg for any other instruction.
unsigned loaded_reg(const DecodedInsn& d) {
    if (d.form->map == kMap1 && (d.form->opcode == 0x8a || d.form->opcode == 0x8b) && d.mod != 3) return full_reg(d.reg);
    if (is_moffs_load(d)) return RAX;
    return kNoReg;
}

// NOP r/m (0F 1F): a ModRM operand it never accesses.
bool is_nop_rm(const DecodedInsn& d) { return d.form->map == kMap0F && d.form->opcode == 0x1f; }

bool is_jcc_rel(const DecodedInsn& d) {
    const Form& f = *d.form;
    return (f.map == kMap1 && f.opcode >= 0x70 && f.opcode <= 0x7f) ||
           (f.map == kMap0F && f.opcode >= 0x80 && f.opcode <= 0x8f);
}

}  // namespace

void Cpu::classify_spin(Block& b) {
    if (b.count < 2 || b.count > 8 || b.last_page != (b.phys & ~0xfffull)) return;
    for (unsigned k = 0; k < b.count; ++k)
        if (!b.insn[k].form) return;  // ends in an undecodable instruction
    const DecodedInsn& last = b.insn[b.count - 1];
    if (!is_jcc_rel(last)) return;
    // The branch target: the block's start?
    uint64_t ip = s.rip;
    for (unsigned k = 0; k < b.count; ++k) ip = (ip + b.insn[k].len) & rip_mask_;
    if (((ip + last.imm) & rip_mask_) != s.rip) return;

    const DecodedInsn& first = b.insn[0];
    const Form& ff = *first.form;
    const bool dec_r = ff.map == kMap1 && first.mod == 3 && (first.opsize == 8 || first.opsize == 4) &&
                       ((ff.opcode == 0xff && ff.reg == 1) || (ff.opcode == 0x48 && (ff.attrs & fa::OpReg)));
    const bool jnz = last.form->opcode == (last.form->map == kMap1 ? 0x75 : 0x85);
    if (b.count == 2 && dec_r && jnz) {
        b.spin = Spin::Countdown;
        b.spin_reg = ff.opcode == 0x48 ? first.reg : first.rm;
        return;
    }

    uint32_t written = 0;       // registers loaded so far
    uint32_t loaded_later = 0;  // every register the block loads
    for (unsigned k = 0; k + 1 < b.count; ++k)
        if (const unsigned r = loaded_reg(b.insn[k]); r != kNoReg) loaded_later |= 1u << r;
    // A register read before the block loads it would carry the previous
    // iteration's value: fine only if the block never loads it.
    auto stable = [&](unsigned r) {
        return r == kNoReg || r == kRipBase || (written >> full_reg(r) & 1) || !(loaded_later >> full_reg(r) & 1);
    };
    for (unsigned k = 0; k + 1 < b.count; ++k) {
        const DecodedInsn& d = b.insn[k];
        const Form& f = *d.form;
        const bool mem = d.mod != 3;
        const std::string_view m = mnemonic(d);
        if (d.lock || d.rep == 0xf2 || (d.rep == 0xf3 && m != "pause")) return;
        if (m == "pause" || (m == "nop" && f.map == kMap1) || is_nop_rm(d)) continue;
        if (const unsigned r = loaded_reg(d); r != kNoReg) {
            if (!stable(d.base) || !stable(d.index)) return;
            written |= 1u << r;
            continue;
        }
        const bool cmp = f.map == kMap1 && ((f.opcode >= 0x38 && f.opcode <= 0x3d) ||
                                            ((f.opcode == 0x80 || f.opcode == 0x81 || f.opcode == 0x83) && f.reg == 7));
        const bool test = f.map == kMap1 && (f.opcode == 0x84 || f.opcode == 0x85 || f.opcode == 0xa8 ||
                                             f.opcode == 0xa9 || ((f.opcode == 0xf6 || f.opcode == 0xf7) && f.reg <= 1));
        if (!cmp && !test) return;
        const bool acc_form = f.opcode == 0x3c || f.opcode == 0x3d || f.opcode == 0xa8 || f.opcode == 0xa9;
        const bool reg_operand = f.opcode == 0x38 || f.opcode == 0x39 || f.opcode == 0x3a || f.opcode == 0x3b ||
                                 f.opcode == 0x84 || f.opcode == 0x85;
        if (acc_form && !stable(RAX)) return;
        if (reg_operand && !stable(d.reg)) return;
        if (!acc_form && !mem && !stable(d.rm)) return;
        if (mem && (!stable(d.base) || !stable(d.index))) return;
    }
    b.spin = Spin::Poll;
}

uint64_t Cpu::spin_skip(const Block& b, uint64_t budget) {
    if (b.spin == Spin::Countdown) {
        const uint64_t mask = b.insn[0].opsize == 8 ? ~0ull : 0xffffffffull;
        const uint64_t v = s.gpr[b.spin_reg] & mask;
        if (v < 2 || budget < 4) return 0;
        const uint64_t k = std::min(v - 1, budget / 2 - 1);
        s.gpr[b.spin_reg] = v - k;  // a 32-bit DEC has zeroed the upper half already
        return 2 * k;
    }
    // Poll: each memory read (a load, or CMP/TEST with a memory operand;
    // classify_spin allows nothing else but PAUSE/NOP) must still reach RAM
    // through the fast path.
    uint64_t ip = s.rip;
    for (unsigned k = 0; k + 1 < b.count; ++k) {
        const DecodedInsn& d = b.insn[k];
        const uint64_t next = (ip + d.len) & rip_mask_;
        const bool moffs = is_moffs_load(d);
        if (moffs || (d.mod != 3 && !is_nop_rm(d))) {
            uint64_t a = moffs ? d.imm : effective_address(d, next);
            if (d.addrsize == 4) a = static_cast<uint32_t>(a);
            if (d.addrsize == 2) a = static_cast<uint16_t>(a);
            const uint64_t lin = seg_base_[d.seg] + a;
            const TlbEntry& e = tlb_[tlb_index(lin)];
            if (e.read_tag != (lin & ~0xfffull) || (lin & 0xfff) > 0x1000u - d.opsize) return 0;
        }
        ip = next;
    }
    const uint64_t rounds = budget / b.count;
    return rounds > 1 ? (rounds - 1) * b.count : 0;
}

// ---------------------------------------------------------------- run loop

uint64_t Cpu::icount_of(const DecodedInsn& i) const {
    return icount_ + static_cast<uint64_t>(&i - running_->insn);
}

uint64_t Cpu::current_icount() const {
    if (!running_) return icount_;
    if (trace_) return trace_icount_;
    // A block holds consecutive instructions that start in one page, and RIP
    // stays at the executing instruction until it completes: count the
    // instructions up to RIP's offset from the block's first byte.
    const unsigned want = static_cast<unsigned>((seg_base_[CS] + s.rip - running_->phys) & 0xfff);
    unsigned offset = 0;
    for (unsigned k = 0; k < running_->count; ++k) {
        if (offset == want) return icount_ + k;
        offset += running_->insn[k].len;
    }
    // Only a handler that moved CS:RIP before its access lands here (event
    // delivery writes them last); the block's start is the best answer.
    return icount_;
}

Cpu::Counters Cpu::counters() const {
    Counters c;
    c.icount = icount_;
    c.a20_masked = phys_mask_ != ~0ull;
    std::copy(std::begin(event_count_), std::end(event_count_), c.events_delivered);
    std::copy(std::begin(event_history_), std::end(event_history_), c.history);
    c.history_next = event_next_;
    return c;
}

void Cpu::restore(const CpuState& state, const Counters& c) {
    s = state;
    icount_ = c.icount;
    trace_icount_ = c.icount;
    std::copy(std::begin(c.events_delivered), std::end(c.events_delivered), event_count_);
    std::copy(std::begin(c.history), std::end(c.history), event_history_);
    event_next_ = c.history_next % kEventHistory;
    phys_mask_ = c.a20_masked ? ~(1ull << 20) : ~0ull;
    stop_ = false;
    running_ = nullptr;
    // The mode the saved state is in is not a mode change the trace should see.
    TraceSink* const sink = trace_;
    trace_ = nullptr;
    mode_changed();
    trace_ = sink;
    flush_tlb();
    flush_code_cache();
    attention = true;
}

// The traced twin of the instruction loop in run(): the hooks see the
// exact count of each instruction. Out of line so the untraced loop keeps
// its registers; a throwing handler leaves the progress in traced_done_.
[[gnu::noinline]] unsigned Cpu::execute_traced(const DecodedInsn* insn, unsigned n) {
    const uint64_t mask = rip_mask_;
    unsigned done = 0;
    try {
        while (done < n) {
            const DecodedInsn& i = insn[done];
            trace_icount_ = icount_ + done;
            s.next_rip = (s.rip + i.len) & mask;
            i.handler(*this, i);
            s.rip = s.next_rip;
            ++done;
            if (attention) break;
        }
    } catch (...) {
        traced_done_ = done;
        throw;
    }
    return done;
}

// Events (NMI, INTR, single-step traps, the interrupt shadow, a stop
// request) are looked at between blocks: on entry, and after a block that
// raised `attention`. Whatever can make an event deliverable (a device
// raising a line, STI, POPF, IRET, MOV SS, HLT, request_stop) raises it, so
// a block that ran without it needs no look.
RunResult Cpu::run(uint64_t max_insns) {
    RunResult result;
    uint64_t budget = max_insns;
    bool check_events = true;
    while (budget) {
        unsigned limit = ~0u;
        bool single_step = false, shadow_taken = false;
        if (check_events) [[unlikely]] {
            if (s.activity == Activity::Shutdown) {
                result.exit = Exit::Shutdown;
                return result;
            }
            if (stop_) {
                stop_ = false;
                result.exit = Exit::Stopped;
                return result;
            }
            if (s.interrupt_shadow) {
                // The instruction after STI/MOV SS runs before any event.
                s.interrupt_shadow = false;
                shadow_taken = true;
                limit = 1;
            } else if (intr_line || nmi_line) {
                trace_icount_ = icount_;
                service_events();
                // A stop requested by a hook of the delivery (a debugger's vector
                // breakpoint) stops before the handler's first instruction.
                if (s.activity == Activity::Shutdown || stop_) continue;
            }
            if (s.activity == Activity::Halted) {
                result.exit = Exit::Halt;
                return result;
            }
            if (s.rflags & fl::TF) {
                limit = 1;
                single_step = true;
            }
        }
        // RF (set by IRET) lasts until the next instruction completes (SDM
        // Vol. 3A §17.3.1.1): cleared now, put back if that instruction
        // faults. An event delivered above has already cleared it.
        bool rf_cleared = false;
        if (s.rflags & fl::RF) [[unlikely]] {
            s.rflags &= ~fl::RF;
            rf_cleared = true;
        }
        unsigned done = 0;
        const DecodedInsn* first = nullptr;  // the running block's instructions
        const DecodedInsn* cur = nullptr;    // ... and the one executing (untraced)
        try {
            attention = false;
            // Blocks run back to back through their links until one raises
            // `attention` or is cut short (the budget, a single step).
            const bool chain = limit == ~0u;
            const uint64_t mask = rip_mask_;  // changes only with `attention`
            const Block* b = &find_block();
            if (b->break_check && code_break_hit(*b)) [[unlikely]] {
                // Stopped before the instruction: as if this pass never began.
                if (rf_cleared) s.rflags |= fl::RF;
                if (shadow_taken) s.interrupt_shadow = true;
                result.exit = Exit::Breakpoint;
                return result;
            }
            unsigned n = std::min<unsigned>(b->count, limit);
            bool breakpoint = false;
            for (;;) {
                if (n > budget) n = static_cast<unsigned>(budget);
                first = b->insn;
                running_ = b;
                if (!trace_) [[likely]] {
                    // RIP stays in a register: an instruction that is not
                    // the block's last one leaves next_rip alone unless it
                    // raises `attention` (a REP string chunk, a mode
                    // change), so its successor starts at the next_rip
                    // computed here, and only the instruction that ends the
                    // loop needs next_rip read back. This keeps a store and
                    // a reload of RIP off every instruction's critical path.
                    const DecodedInsn* const end = first + n;
                    uint64_t rip = s.rip;
                    for (cur = first; cur != end;) {
                        const DecodedInsn& i = *cur;
                        const uint64_t next = (rip + i.len) & mask;
                        s.rip = rip;
                        s.next_rip = next;
                        i.handler(*this, i);
                        rip = next;
                        ++cur;
                        if (attention) break;
                    }
                    s.rip = s.next_rip;
                    done = static_cast<unsigned>(cur - first);
                } else {
                    traced_done_ = 0;
                    done = execute_traced(first, n);
                }
                icount_ += done;
                budget -= done;
                traced_done_ = 0;  // counted: a fault from here on is in the next block
                // A block stops early only on `attention` or at the end of the budget.
                if (attention || !chain || !budget) break;
                done = 0;
                cur = first;
                rf_cleared = false;
                const Block* next = linked(*b);
                if (!next) {
                    // Links never lead to a flagged block (link_block).
                    next = &link_block(*b);
                    if (next->break_check && code_break_hit(*next)) [[unlikely]] {
                        breakpoint = true;
                        break;
                    }
                    if (next == b && b->spin != Spin::None) [[unlikely]] {
                        // A spin loop came round: count off the iterations
                        // the budget has room for but one, which runs.
                        const uint64_t skipped = spin_skip(*b, budget);
                        icount_ += skipped;
                        budget -= skipped;
                        spin_instructions_ += skipped;
                    }
                }
                b = next;
                n = b->count;
            }
            running_ = nullptr;
            if (breakpoint) [[unlikely]] {
                result.exit = Exit::Breakpoint;
                return result;
            }
            if (single_step && done) {
                trace_icount_ = icount_;
                // TF was set when the instruction began: a #DB trap after it (SDM Vol. 3A §17.3.1.4).
                s.dr[6] |= 1u << 14;  // BS
                deliver_event(kDB, EventKind::Exception, false, 0);
            }
            check_events = attention || limit != ~0u;
        } catch (const CpuFault& f) {
            running_ = nullptr;
            // The instructions of the block that completed before the faulting one.
            if (trace_) done = traced_done_;
            else if (cur) done = static_cast<unsigned>(cur - first);  // untraced: the faulting one is *cur
            if (rf_cleared && done == 0) s.rflags |= fl::RF;
            icount_ += done;
            budget -= done;
            trace_icount_ = icount_;
            if (f.vector == kPF) s.cr2 = f.address;
            if (exception_exit) {
                result.exit = Exit::Exception;
                result.fault = f;
                return result;
            }
            deliver_event(f.vector, EventKind::Exception, f.has_error, f.error);
            check_events = true;
        }
    }
    result.exit = Exit::InstructionLimit;
    return result;
}

}  // namespace bs::cpu
