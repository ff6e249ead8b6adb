// The entry of every benchmark kernel: a Multiboot v1 header, the 32-bit
// start the loader jumps to, the switch to 64-bit long mode, and the
// interrupt entry stubs. Everything after that is C (baremetal.c).
//
// The loader (QEMU's -kernel, `bootscope run --kernel`) starts us in 32-bit
// protected mode, paging off, interrupts off, EAX = 0x2BADB002 and EBX = the
// Multiboot information (Multiboot Specification 0.6.96, section 3.2). From
// there, as the Intel SDM vol. 3A section 10.8.5 "Initializing IA-32e Mode"
// orders it:
//   1. a page table that maps the first 1 GiB to itself with 2 MiB pages
//      (PML4[0] -> PDPT; PDPT[0] -> boot_pd, 512 large-page entries;
//      PDPT[1] -> small_pd, filled by bench_alloc_small_pages);
//   2. CR4.PAE, CR3, EFER.LME, then CR0.PG: the CPU is in IA-32e mode;
//   3. a far jump through our own GDT into a 64-bit code segment;
//   4. bench_baremetal_main(magic, info) on the boot stack, which never returns.
//
// The object is assembled for x86-64 (this file is .code32 where it must
// be) and the kernel is linked as ELF64, then converted to ELF32: QEMU's
// Multiboot loader refuses x86-64 ELF files.

#define MB_MAGIC    0x1badb002
#define MB_FLAGS    0x00000003          // page-align modules, give memory information
#define CR0_PE      (1 << 0)
#define CR0_PG      (1 << 31)
#define CR4_PAE     (1 << 5)
#define MSR_EFER    0xc0000080
#define EFER_LME    (1 << 8)
#define PTE_P       (1 << 0)
#define PTE_W       (1 << 1)
#define PTE_PS      (1 << 7)            // in a page-directory entry: a 2 MiB page
#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define BOOT_STACK  65536

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov $boot_stack + BOOT_STACK, %esp
    mov %eax, boot_magic
    mov %ebx, boot_info

    // 1. Identity map of 0..1 GiB: boot_pd[i] = i * 2 MiB, present, writable, large.
    movl $boot_pdpt + PTE_P + PTE_W, boot_pml4
    movl $boot_pd + PTE_P + PTE_W, boot_pdpt
    movl $small_pd + PTE_P + PTE_W, boot_pdpt + 8
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $PTE_P + PTE_W + PTE_PS, %eax
    mov %eax, boot_pd(,%ecx,8)
    inc %ecx
    cmp $512, %ecx
    jb 1b

    // 2. Into IA-32e mode.
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PG + CR0_PE, %eax
    mov %eax, %cr0

    // 3. Our GDT and its 64-bit code segment.
    lgdt gdt_desc
    ljmp $KERNEL_CS, $long_mode

    .code64
long_mode:
    mov $KERNEL_DS, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack + BOOT_STACK, %rsp

    // 4. C from here on.
    mov boot_magic, %edi
    mov boot_info, %esi
    call bench_baremetal_main
2:  cli
    hlt
    jmp 2b

// ---- interrupts and exceptions ----
//
// One 16-byte stub per vector, at bench_interrupt_stubs + 16 * vector. Each
// pushes a zero where the CPU pushed no error code (SDM vol. 3A table 6-1:
// vectors 8, 10-14, 17, 21, 29 and 30 have one), then its vector, and joins
// interrupt_common, which saves the registers the C calling convention lets
// a callee clobber and calls bench_interrupt(vector, frame). The frame is
// { vector, error code, RIP, CS, RFLAGS, RSP, SS }. A stub is at most 12
// bytes (push imm8: 2, push imm32: 5, jmp rel32: 5), so 16 fits every one.

    .altmacro
    .macro interrupt_stub vector
    .align 16
    .if !((\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30))
    pushq $0
    .endif
    pushq $\vector
    jmp interrupt_common
    .endm

    .align 16
    .globl bench_interrupt_stubs
bench_interrupt_stubs:
    .set vector, 0
    .rept 256
    interrupt_stub %vector
    .set vector, vector + 1
    .endr

interrupt_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    mov 72(%rsp), %rdi
    lea 72(%rsp), %rsi
    call bench_interrupt
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq

// ---- data ----

    .section .rodata
    .align 8
gdt:
    .quad 0                             // null
    .quad 0x00af9a000000ffff            // 0x08: 64-bit code, ring 0
    .quad 0x00cf92000000ffff            // 0x10: data, ring 0
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .bss
    .align 4096
    .globl small_pd
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
small_pd:   .skip 4096                  // virtual 1 GiB..2 GiB, 4 KiB pages (baremetal.c)
boot_stack: .skip BOOT_STACK
boot_magic: .skip 4
boot_info:  .skip 4
