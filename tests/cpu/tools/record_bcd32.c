// Records the vectors of tests/cpu/test_alu.cpp (AAA AAS DAA DAS AAM AAD
// SALC, #UD in 64-bit mode) on the host: a 32-bit code segment is installed
// in the LDT with modify_ldt(2), a far return enters it, the instruction runs
// with EAX/ECX/EDX/EBX/EFLAGS loaded, and a far return comes back to 64-bit
// mode. Needs a static non-PIE build so that code and data lie below 4 GiB:
//   gcc -O1 -static -no-pie -o record_bcd32 record_bcd32.c && ./record_bcd32
// Not part of the build. Prints one `Vec` initialiser per line.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <asm/ldt.h>
#include <sys/syscall.h>
#include <unistd.h>

struct regs { uint32_t eax, ecx, edx, ebx, flags; };
struct regs in, out;
uint64_t saved_rsp;
uint8_t stack32[65536] __attribute__((aligned(16)));
extern uint8_t slot[];
void run(void);

__asm__(
    ".text\n"
    ".globl run\n"
    "run:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, saved_rsp(%rip)\n"
    "  mov $stack32+65536, %esp\n"
    "  push $0x7\n"
    "  push $thunk32\n"
    "  lretq\n"
    "back64:\n"
    "  mov saved_rsp(%rip), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n"
    ".code32\n"
    "thunk32:\n"
    "  mov %ss, %ax\n  mov %ax, %ds\n  mov %ax, %es\n"
    "  mov in+0, %eax\n"
    "  mov in+4, %ecx\n"
    "  mov in+8, %edx\n"
    "  mov in+12, %ebx\n"
    "  pushl in+16\n"
    "  popfl\n"
    ".globl slot\n"
    "slot:\n"
    "  .fill 8, 1, 0x90\n"
    "  pushfl\n"
    "  popl out+16\n"
    "  mov %eax, out+0\n"
    "  mov %ecx, out+4\n"
    "  mov %edx, out+8\n"
    "  mov %ebx, out+12\n"
    "  push $0x33\n"
    "  push $back64\n"
    "  lret\n"
    ".code64\n");

static uint64_t x = 88172645463325252ull;
static uint32_t rnd(void) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return (uint32_t)x; }

int main(void) {
    struct user_desc d = {0};
    d.entry_number = 0; d.base_addr = 0; d.limit = 0xfffff; d.seg_32bit = 1;
    d.contents = MODIFY_LDT_CONTENTS_CODE; d.limit_in_pages = 1; d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d)) { perror("modify_ldt"); return 1; }
    uintptr_t page = (uintptr_t)slot & ~0xfffull;
    if (mprotect((void*)page, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC)) { perror("mprotect"); return 1; }
    struct { const char* code; int n; } insns[] = {
        {"37", 32}, {"3f", 32}, {"27", 48}, {"2f", 48}, {"d40a", 10}, {"d410", 4}, {"d407", 4}, {"d4ff", 3}, {"d401", 3},
        {"d50a", 10}, {"d510", 4}, {"d507", 3}, {"d5ff", 3}, {"d500", 3}, {"d6", 6}, {"6637", 4}, {"663f", 3},
    };
    for (unsigned k = 0; k < sizeof insns / sizeof insns[0]; ++k) {
        uint8_t code[8];
        int len = 0;
        for (const char* p = insns[k].code; p[0]; p += 2) { unsigned v; sscanf(p, "%2x", &v); code[len++] = (uint8_t)v; }
        memset(slot, 0x90, 8);
        memcpy(slot, code, len);
        for (int t = 0; t < insns[k].n; ++t) {
            uint32_t eax = rnd();
            // Edge values of AL/AH now and then.
            static const uint8_t edge[] = {0x00, 0x09, 0x0a, 0x0f, 0x19, 0x99, 0x9a, 0x9f, 0xa0, 0xf9, 0xfa, 0xff, 0x80, 0x7f};
            if (t < (int)sizeof edge) eax = (eax & ~0xffu) | edge[t];
            uint32_t flags = 0x202 | (rnd() & 0x8d5);
            in = (struct regs){eax, rnd(), rnd(), rnd(), flags};
            run();
            printf("    {\"%s\", 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, -1},\n", insns[k].code,
                   in.eax, in.ecx, in.edx, in.ebx, in.flags & 0x8d5, out.eax, out.ecx, out.edx, out.ebx, out.flags & 0x8d5);
        }
    }
    return 0;
}
