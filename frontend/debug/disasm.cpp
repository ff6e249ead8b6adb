// Capstone wrapper (see disasm.h).
#include "disasm.h"

#include <capstone/capstone.h>

#include <cstring>

namespace bs::frontend::debug {

Disassembler::Disassembler() {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_16, &h) == CS_ERR_OK) handle16_ = h;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &h) == CS_ERR_OK) handle32_ = h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK) handle64_ = h;
}

Disassembler::~Disassembler() {
    for (size_t h : {handle16_, handle32_, handle64_}) {
        if (!h) continue;
        csh c = h;
        cs_close(&c);
    }
}

std::vector<DisasmLine> Disassembler::decode(const uint8_t* code, size_t len, uint64_t address, unsigned code_size,
                                             size_t max_lines) const {
    std::vector<DisasmLine> out;
    const size_t h = code_size == 8 ? handle64_ : code_size == 4 ? handle32_ : handle16_;
    if (!h) return out;
    cs_insn* insn = cs_malloc(h);
    if (!insn) return out;
    const uint8_t* p = code;
    size_t left = len;
    uint64_t addr = address;
    while (out.size() < max_lines && left > 0) {
        DisasmLine l;
        l.address = addr;
        const uint8_t* before = p;
        if (cs_disasm_iter(h, &p, &left, &addr, insn)) {
            l.size = insn->size;
            std::memcpy(l.bytes, insn->bytes, std::min<size_t>(insn->size, sizeof l.bytes));
            l.text = std::string(insn->mnemonic) + (insn->op_str[0] ? " " : "") + insn->op_str;
            l.is_call = insn->id == X86_INS_CALL;
        } else {
            l.size = 0;
            l.bytes[0] = *before;
            char b[16];
            std::snprintf(b, sizeof b, ".byte 0x%02x", *before);
            l.text = b;
            p = before + 1;
            left -= 1;
            addr += 1;
        }
        out.push_back(std::move(l));
    }
    cs_free(insn, 1);
    return out;
}

}  // namespace bs::frontend::debug
