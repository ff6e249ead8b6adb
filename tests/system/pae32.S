// pae32: PAE paging in 32-bit protected mode.
//
// Checks: a 2 MiB page aliasing physical 4 MiB with the A/D bits of its PDE,
// the NX bit as a reserved bit while EFER.NXE is clear (#PF 0x9: P and RSVD),
// and an instruction fetch from an NX page once EFER.NXE is set (#PF 0x11),
// each fixed up and retried. (32-bit paging with 4 MiB pages: paging32.)
//
// Golden file: captured from KVM. QEMU TCG differs on one line (see
// golden/pae32.qemu.txt): the reserved-bit error code lacks P (0x8).
#include "common.inc"

#define PDPTP  0x12000
#define PDP    0x13000
#define PTP    0x14000

    MODE16
test_main:
    GO_PM32 pm

    MODE32
pm:
    movl $0x1234, 0x400010
    movl $PDPTP, %edi
    movl $(0x3000 / 4), %ecx
    xorl %eax, %eax
    rep stosl
    movl $(PDP | 1), PDPTP      // PAE PDPTEs: P only (RW/US are reserved)
    movl $(PTP | 7), PDP
    movl $1, %ecx               // PDP[1..15]: 2 MiB pages, identity
3:  movl %ecx, %eax
    shll $21, %eax
    orl $0x87, %eax
    movl %eax, PDP(,%ecx,8)
    incl %ecx
    cmpl $16, %ecx
    jb 3b
    movl $(0x400000 | 0x87), PDP + 16 * 8   // virtual 32 MiB -> physical 4 MiB
    xorl %ecx, %ecx
4:  movl %ecx, %eax
    shll $12, %eax
    orl $7, %eax
    movl %eax, PTP(,%ecx,8)
    incl %ecx
    cmpl $512, %ecx
    jb 4b
    movl $0x4444, 0x22000
    orl $0x80000000, PTP + 0x22 * 8 + 4     // XD, reserved while EFER.NXE = 0
    movl %cr4, %eax
    orl $0x20, %eax             // CR4.PAE
    movl %eax, %cr4
    movl $PDPTP, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0

    PUTS "== PAE paging\n"
    REPORT "pae.page2m.read_alias", 0x2000010
    movl PDP + 16 * 8, %eax
    andl $0xFFF, %eax
    REPORT "pae.pde2m.after_read", %eax
    movl $0x9999, 0x2000018
    REPORT "pae.page2m.write_alias_read_phys", 0x400018
    movl PDP + 16 * 8, %eax
    andl $0xFFF, %eax
    REPORT "pae.pde2m.after_write", %eax
    PF_FIX (PTP + 0x22 * 8), 0x7FFFFFFFFFFFFFFF, 0, 8
    TRY movl 0x22000, %ebx
    REPORT_EXC "pae.xd_reserved_without_nxe"
    REPORT "pae.xd_reserved_without_nxe.value", %ebx

    movl $0xC0000080, %ecx
    rdmsr
    orl $0x800, %eax            // EFER.NXE
    wrmsr
    movl $nx_code, %esi
    movl $0x23000, %edi
    movl $(nx_code_end - nx_code), %ecx
    rep movsb
    orl $0x80000000, PTP + 0x23 * 8 + 4
    movl $0x23000, %eax
    invlpg (%eax)
    PF_FIX (PTP + 0x23 * 8), 0x7FFFFFFFFFFFFFFF, 0, 8
    movl $0x23000, %eax
    TRY call *%eax
    REPORT_EXC "pae.nx_fetch"
    REPORT "pae.nx_fetch.eax", %eax
    EXIT 0

nx_code:
    movl $42, %eax
    ret
nx_code_end:

    ROM_END
