// exceptions32: faults and traps in 32-bit protected mode (ring 0).
//
// Checks: #GP(selector) for loading a selector beyond the GDT limit, an LDT
// selector with a null LDTR, an execute-only code segment into DS, a DPL-3
// data segment into SS at CPL 0, a code segment into SS; #GP(0) for a null
// SS; #NP(selector) for a not-present data segment; #GP(0) for an access past
// a data segment's limit or straddling it (and none within it); #UD for UD2;
// #DE. (INT3, INTO, BOUND: traps32.)
//
// Golden file: captured from KVM. QEMU TCG differs on two lines (see
// golden/exceptions32.qemu.txt): it does not check data segment limits.
#include "common.inc"

    MODE16
test_main:
    GO_PM32 pm

    MODE32
pm:
    PUTS "== segment loads\n"
    movw $0x80, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.beyond_gdt_limit"
    movw $0x0C, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.ldt_selector_null_ldtr"
    movw $SEL_XONLY, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.execute_only_code"
    movw $SEL_DPL3DATA, %ax
    TRY movw %ax, %ss
    REPORT_EXC "load_ss.dpl3_data"
    movw $SEL_CODE32, %ax
    TRY movw %ax, %ss
    REPORT_EXC "load_ss.code_segment"
    xorl %eax, %eax
    TRY movw %ax, %ss
    REPORT_EXC "load_ss.null"
    movw $SEL_NP, %ax
    TRY movw %ax, %ds
    REPORT_EXC "load_ds.not_present"
    movw $SEL_NP, %ax
    TRY movw %ax, %es
    REPORT_EXC "load_es.not_present"
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es

    PUTS "== segment limits\n"
    movw $SEL_SMALL, %ax
    movw %ax, %fs
    TRY movl %fs:0xFFC, %eax
    REPORT_EXC "limit.within"
    TRY movl %fs:0xFFD, %eax
    REPORT_EXC "limit.dword_straddles"
    TRY movl %fs:0x1000, %eax
    REPORT_EXC "limit.past"
    xorl %eax, %eax
    movw %ax, %fs

    PUTS "== faults and traps\n"
    TRY ud2
    REPORT_EXC "ud2"
    xorl %ecx, %ecx
    TRY divl %ecx
    REPORT_EXC "div_by_zero"
    EXIT 0

    ROM_END
