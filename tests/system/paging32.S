// paging32: 32-bit paging (no PAE) with 4 MiB pages (CR4.PSE).
//
// Checks: a 4 MiB page aliasing physical 4 MiB and the accessed and dirty
// bits of its PDE; #PF(not present, 0x0) and #PF(write to read-only with
// CR0.WP, 0x3) with CR2 on 4 KiB pages, fixed up and retried. (PAE paging in
// 32-bit mode: pae32.)
//
// Golden file: captured from QEMU TCG. This host's /dev/kvm (PVM) refuses to
// turn on paging without PAE (#GP on the MOV to CR0), so the KVM test skips
// there (kvm_pvm_skip.txt); on a VMX/SVM host it judges this file.
#include "common.inc"

#define PD32   0x10000
#define PT32   0x11000

    MODE16
test_main:
    GO_PM32 pm

    MODE32
pm:
    movl $0x1234, 0x400010
    movl $0x2222, 0x20000
    // ---- 32-bit paging ----
    movl $PD32, %edi
    movl $(0x2000 / 4), %ecx
    xorl %eax, %eax
    rep stosl
    movl $(PT32 | 7), PD32
    movl $1, %ecx               // PD32[1..7]: 4 MiB pages, identity
1:  movl %ecx, %eax
    shll $22, %eax
    orl $0x87, %eax
    movl %eax, PD32(,%ecx,4)
    incl %ecx
    cmpl $8, %ecx
    jb 1b
    movl $(0x400000 | 0x87), PD32 + 8 * 4   // virtual 32 MiB -> physical 4 MiB
    xorl %ecx, %ecx             // PT32: 4 KiB identity for the first 4 MiB
2:  movl %ecx, %eax
    shll $12, %eax
    orl $7, %eax
    movl %eax, PT32(,%ecx,4)
    incl %ecx
    cmpl $1024, %ecx
    jb 2b
    andl $~1, PT32 + 0x20 * 4   // 0x20000: not present
    andl $~2, PT32 + 0x21 * 4   // 0x21000: read-only
    movl %cr4, %eax
    orl $0x10, %eax             // CR4.PSE
    movl %eax, %cr4
    movl $PD32, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80010000, %eax       // CR0.PG | WP
    movl %eax, %cr0

    PUTS "== 32-bit paging\n"
    REPORT "p32.page4m.read_alias", 0x2000010
    movl PD32 + 8 * 4, %eax
    andl $0xFFF, %eax
    REPORT "p32.pde4m.after_read", %eax
    movl $0x5678, 0x2000014
    REPORT "p32.page4m.write_alias_read_phys", 0x400014
    movl PD32 + 8 * 4, %eax
    andl $0xFFF, %eax
    REPORT "p32.pde4m.after_write", %eax
    PF_FIX (PT32 + 0x20 * 4), -1, 1, 4
    TRY movl 0x20000, %ebx
    REPORT_EXC "p32.not_present.read"
    REPORT "p32.not_present.read.value", %ebx
    PF_FIX (PT32 + 0x21 * 4), -1, 2, 4
    TRY movl $0x3333, 0x21000
    REPORT_EXC "p32.read_only.write"
    REPORT "p32.read_only.write.value", 0x21000

    EXIT 0

    ROM_END
