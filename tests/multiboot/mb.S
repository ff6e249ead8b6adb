// A bare-metal Multiboot v1 test kernel (32-bit protected mode, GNU as).
//
// It boots the way a Multiboot loader starts a kernel (QEMU's -kernel, GRUB,
// `bootscope run --kernel mb.elf`): loaded at 1 MiB from its ELF32 program
// headers, entered with EAX=0x2BADB002, EBX = the Multiboot information,
// flat segments and interrupts off. Then, like a small PC kernel, it
//   - checks the magic and reads the information (flags, mem_upper, cmdline);
//   - loads its own GDT (0x08 code, 0x10 data) and an IDT of 256 gates (every
//     vector not used below prints "unexpected vector" and fails the run);
//   - sets COM1 to 115200 8N1 with FIFOs (trigger level 14) and the receive
//     interrupt (IRQ4: trigger level and character timeout);
//   - remaps the 8259 pair to vectors 0x20/0x28 (ICW1-ICW4, OCW1, OCW3 for
//     the spurious-IRQ7 check);
//   - programs 8254 channel 0 in mode 2 at 1 kHz (divisor 1193) on IRQ0 and
//     checks a latched count;
//   - reads the CMOS RTC date (waits out update-in-progress, reads twice
//     until stable, BCD or binary as register B says, century at 0x32);
//   - counts 100 timer ticks with `sti; hlt` between them, printing every
//     tenth, and echoes what arrives on COM1 line by line;
//   - runs the local APIC timer (periodic, divide 16, vector 0x30) for ten
//     interrupts, with LINT0 kept as the PIC's virtual wire;
//   - exits through isa-debug-exit (port 0xF4) with 0x21: the emulator exits
//     with (0x21 << 1) | 1 = 67. Failures exit with 0x30 (status 97).
// With "ud2" anywhere on the command line it executes UD2 once its IDT is
// loaded: "mb: unexpected vector 6, stack <eip> <cs> <eflags>", status 97.
//
// Output on COM1 (the lines tests/multiboot/CMakeLists.txt expects):
//   mb: hello from multiboot, cmdline "<path> <append>", mem_upper=<n> KiB
//   mb: rtc YYYY-MM-DD
//   mb: tick 10 ... mb: tick 100            (and `mb: echo "<line>"` lines)
//   mb: 100 ticks, <n> uart rx bytes
//   mb: apic timer 10 ticks
//   mb: bye, exit 0x21
// Everything printed is the same on Bootscope and QEMU for the same inputs.

#define COM1        0x3f8
#define MB_MAGIC    0x1badb002
#define MB_FLAGS    0x00000003      // page-align modules, memory information
#define MB_BOOT     0x2badb002
#define EXIT_OK     0x21
#define EXIT_FAIL   0x30
#define PIT_DIVISOR 1193            // 1193182 Hz / 1193 = 1000.2 Hz
#define TICKS       100
#define APIC_TICKS  10
#define APIC_VECTOR 0x30
#define LINE_MAX    64

    .code32

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    cli
    cld
    mov $stack_top, %esp
    mov %eax, boot_eax
    mov %ebx, boot_ebx

    // Our own GDT, then reload every segment register from it.
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss

    call uart_init

    cmpl $MB_BOOT, boot_eax
    je 2f
    mov $msg_badmagic, %esi
    call puts
    mov boot_eax, %eax
    call puthex
    call newline
    jmp fail
2:
    // The Multiboot information: flags bit 0 (mem_*) and bit 2 (cmdline).
    mov boot_ebx, %ebx
    mov (%ebx), %eax
    and $5, %eax
    cmp $5, %eax
    je 3f
    mov $msg_badinfo, %esi
    call puts
    mov (%ebx), %eax
    call puthex
    call newline
    jmp fail
3:  mov $msg_hello, %esi
    call puts
    mov 16(%ebx), %esi
    call puts
    mov $msg_memupper, %esi
    call puts
    mov 8(%ebx), %eax
    call putdec
    mov $msg_kib, %esi
    call puts

    call idt_init

    // "ud2" on the command line: a #UD through the IDT, which the
    // unexpected-vector path reports (vector 6, EIP of the ud2, CS 0x08).
    mov 16(%ebx), %esi
    call find_ud2
    jnc 6f
    .globl ud2_here
ud2_here:
    ud2
6:
    call pic_init
    call pit_init
    call rtc_print_date

    // COM1 receive interrupts; unmask IRQ0 and IRQ4 on the master PIC.
    mov $COM1+1, %dx
    mov $0x01, %al
    out %al, %dx
    mov $~((1 << 0) | (1 << 4)) & 0xff, %al
    out %al, $0x21

    call pit_check_latch

    // Count ticks, sleeping in HLT between interrupts. The checks run with
    // interrupts off; `sti; hlt` cannot lose a wake-up (STI's shadow).
    movl $10, next_report
tick_loop:
    cli
    call drain_rx
    mov ticks, %eax
    cmp next_report, %eax
    jb 4f
    mov $msg_tick, %esi
    call puts
    mov next_report, %eax
    call putdec
    call newline
    addl $10, next_report
    cmpl $TICKS, next_report
    ja ticks_done
    jmp tick_loop
4:  sti
    hlt
    jmp tick_loop
ticks_done:
    // Interrupts are off here. Mask the PICs and print what came in.
    mov $0xff, %al
    out %al, $0x21
    out %al, $0xa1
    call drain_rx
    call flush_line
    mov $msg_ticks_done, %esi
    call puts
    mov rx_count, %eax
    call putdec
    mov $msg_rx_bytes, %esi
    call puts

    call apic_timer_phase

    mov $msg_bye, %esi
    call puts
    mov $EXIT_OK, %al
    jmp exit

fail:
    mov $EXIT_FAIL, %al
exit:
    out %al, $0xf4
    cli
5:  hlt
    jmp 5b

// ---- COM1 ----

uart_init:
    mov $COM1+1, %dx            // IER: nothing yet
    xor %al, %al
    out %al, %dx
    mov $COM1+3, %dx            // LCR: DLAB
    mov $0x80, %al
    out %al, %dx
    mov $COM1+0, %dx            // divisor 1: 115200 baud
    mov $0x01, %al
    out %al, %dx
    mov $COM1+1, %dx
    xor %al, %al
    out %al, %dx
    mov $COM1+3, %dx            // 8N1, DLAB off
    mov $0x03, %al
    out %al, %dx
    mov $COM1+2, %dx            // FIFOs on and cleared, trigger level 14
    mov $0xc7, %al
    out %al, %dx
    mov $COM1+4, %dx            // DTR, RTS, OUT2
    mov $0x0b, %al
    out %al, %dx
    ret

// putc: AL -> COM1 once the transmitter holding register is empty. Keeps all.
putc:
    push %edx
    push %eax
    mov $COM1+5, %dx
1:  in %dx, %al
    test $0x20, %al
    jz 1b
    pop %eax
    mov $COM1, %dx
    out %al, %dx
    pop %edx
    ret

// puts: the NUL-terminated string at ESI. Keeps all.
puts:
    push %esi
    push %eax
1:  lodsb
    test %al, %al
    jz 2f
    call putc
    jmp 1b
2:  pop %eax
    pop %esi
    ret

newline:
    push %eax
    mov $'\n', %al
    call putc
    pop %eax
    ret

// putdec: EAX as an unsigned decimal number. Keeps all.
putdec:
    pusha
    mov $10, %ecx
    xor %ebx, %ebx
1:  xor %edx, %edx
    div %ecx
    push %edx
    inc %ebx
    test %eax, %eax
    jnz 1b
2:  pop %eax
    add $'0', %al
    call putc
    dec %ebx
    jnz 2b
    popa
    ret

// put2: EAX (0-99) as two decimal digits. Keeps all.
put2:
    pusha
    xor %edx, %edx
    mov $10, %ecx
    div %ecx
    add $'0', %al
    call putc
    mov %dl, %al
    add $'0', %al
    call putc
    popa
    ret

// puthex: EAX as 0x%08x. Keeps all.
puthex:
    pusha
    mov %eax, %edx
    mov $'0', %al
    call putc
    mov $'x', %al
    call putc
    mov $8, %ecx
1:  rol $4, %edx
    mov %dl, %al
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $'a' - '9' - 1, %al
2:  call putc
    loop 1b
    popa
    ret

// find_ud2: CF set when the string at ESI contains "ud2". Keeps all.
find_ud2:
    pusha
1:  cmpb $0, (%esi)
    je 2f
    cmpb $'u', (%esi)
    jne 3f
    cmpb $'d', 1(%esi)
    jne 3f
    cmpb $'2', 2(%esi)
    jne 3f
    popa
    stc
    ret
3:  inc %esi
    jmp 1b
2:  popa
    clc
    ret

// ---- IDT ----

// set_gate: ECX = vector, EAX = handler: a present ring-0 32-bit interrupt
// gate through selector 0x08. Clobbers EAX, EDI.
set_gate:
    lea idt(,%ecx,8), %edi
    mov %ax, (%edi)
    movw $0x08, 2(%edi)
    movw $0x8e00, 4(%edi)
    shr $16, %eax
    mov %ax, 6(%edi)
    ret

idt_init:
    xor %ecx, %ecx
    mov $vec_stubs, %edx
1:  mov %edx, %eax
    call set_gate
    add $10, %edx
    inc %ecx
    cmp $256, %ecx
    jb 1b
    mov $0x20, %ecx
    mov $timer_isr, %eax
    call set_gate
    mov $0x24, %ecx
    mov $uart_isr, %eax
    call set_gate
    mov $0x27, %ecx
    mov $irq7_isr, %eax
    call set_gate
    mov $APIC_VECTOR, %ecx
    mov $apic_timer_isr, %eax
    call set_gate
    mov $0xff, %ecx
    mov $apic_spurious_isr, %eax
    call set_gate
    lidt idt_desc
    ret

// 256 stubs of 10 bytes: push $vector (imm32), jmp unexpected (rel32).
    .align 16
vec_stubs:
    .set vec, 0
    .rept 256
    .byte 0x68
    .long vec
    .byte 0xe9
    .long unexpected - (. + 4)
    .set vec, vec + 1
    .endr

// An exception or interrupt nobody asked for: say which, and fail.
unexpected:
    mov $msg_unexpected, %esi
    call puts
    mov (%esp), %eax
    call putdec
    mov $msg_stack, %esi
    call puts
    mov 4(%esp), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 8(%esp), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 12(%esp), %eax
    call puthex
    call newline
    jmp fail

// ---- 8259 PICs ----

pic_init:
    mov $0x11, %al              // ICW1: edge, cascade, ICW4 follows
    out %al, $0x20
    out %al, $0xa0
    mov $0x20, %al              // ICW2: vectors 0x20-0x27 and 0x28-0x2f
    out %al, $0x21
    mov $0x28, %al
    out %al, $0xa1
    mov $0x04, %al              // ICW3: slave on IRQ2
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al              // ICW4: 8086 mode, normal EOI
    out %al, $0x21
    out %al, $0xa1
    mov $0xff, %al              // OCW1: everything masked for now
    out %al, $0x21
    out %al, $0xa1
    ret

timer_isr:
    push %eax
    incl ticks
    mov $0x20, %al
    out %al, $0x20
    pop %eax
    iret

// COM1: move everything the FIFO holds into the ring buffer.
uart_isr:
    push %eax
    push %ecx
    push %edx
1:  mov $COM1+5, %dx
    in %dx, %al
    test $0x01, %al
    jz 2f
    mov $COM1, %dx
    in %dx, %al
    mov rx_head, %ecx
    and $255, %ecx
    mov %al, rx_ring(%ecx)
    incl rx_head
    incl rx_count
    jmp 1b
2:  mov $COM1+2, %dx            // IIR: nothing else may be pending
    in %dx, %al
    mov $0x20, %al
    out %al, $0x20
    pop %edx
    pop %ecx
    pop %eax
    iret

// IRQ7 is masked: anything arriving here must be the PIC's spurious IRQ7
// (ISR bit 7 clear), which gets no EOI.
irq7_isr:
    push %eax
    mov $0x0b, %al              // OCW3: read ISR
    out %al, $0x20
    in $0x20, %al
    test $0x80, %al
    pop %eax
    jz 1f
    push $0x27
    jmp unexpected
1:  iret

// ---- 8254 PIT ----

pit_init:
    mov $0x34, %al              // channel 0, lobyte/hibyte, mode 2
    out %al, $0x43
    mov $PIT_DIVISOR & 0xff, %al
    out %al, $0x40
    mov $PIT_DIVISOR >> 8, %al
    out %al, $0x40
    ret

// The counter latched with the latch command counts down from the divisor.
pit_check_latch:
    xor %al, %al                // counter latch, channel 0
    out %al, $0x43
    in $0x40, %al
    mov %al, %cl
    in $0x40, %al
    mov %al, %ch
    movzwl %cx, %eax
    test %eax, %eax
    jz 1f
    cmp $PIT_DIVISOR, %eax
    ja 1f
    ret
1:  mov $msg_pit_bad, %esi
    call puts
    call putdec
    call newline
    jmp fail

// ---- CMOS RTC ----

// rtc_reg: AL = register -> AL = value.
rtc_reg:
    out %al, $0x70
    in $0x71, %al
    ret

// rtc_snapshot: EAX = century << 24 | year << 16 | month << 8 | day, raw,
// read outside an update cycle.
rtc_snapshot:
    push %ebx
1:  mov $0x0a, %al
    call rtc_reg
    test $0x80, %al             // UIP
    jnz 1b
    mov $0x32, %al
    call rtc_reg
    mov %al, %bh
    mov $0x09, %al
    call rtc_reg
    mov %al, %bl
    shl $16, %ebx
    mov $0x08, %al
    call rtc_reg
    mov %al, %bh
    mov $0x07, %al
    call rtc_reg
    mov %al, %bl
    mov %ebx, %eax
    pop %ebx
    ret

// bcd_fix: AL (BCD when register B's DM bit is clear) -> EAX binary.
bcd_fix:
    movzbl %al, %eax
    testb $0x04, rtc_regb
    jnz 1f
    push %edx
    mov %eax, %edx
    shr $4, %eax
    imul $10, %eax, %eax
    and $0x0f, %edx
    add %edx, %eax
    pop %edx
1:  ret

rtc_print_date:
    mov $0x0b, %al
    call rtc_reg
    mov %al, rtc_regb
1:  call rtc_snapshot
    mov %eax, %ebx
    call rtc_snapshot
    cmp %eax, %ebx
    jne 1b
    mov $msg_rtc, %esi
    call puts
    mov %ebx, %eax              // century
    shr $24, %eax
    call bcd_fix
    call put2
    mov %ebx, %eax              // year
    shr $16, %eax
    call bcd_fix
    call put2
    mov $'-', %al
    call putc
    mov %ebx, %eax              // month
    shr $8, %eax
    call bcd_fix
    call put2
    mov $'-', %al
    call putc
    mov %ebx, %eax              // day
    call bcd_fix
    call put2
    call newline
    ret

// ---- received bytes, echoed a line at a time ----

// drain_rx: with interrupts off, moves the ring buffer into the line buffer;
// a line ends at CR or LF (empty lines are dropped) or when LINE_MAX bytes
// have collected.
drain_rx:
    pusha
    mov rx_tail, %ecx
1:  cmp rx_head, %ecx
    je 4f
    mov %ecx, %edx
    and $255, %edx
    movzbl rx_ring(%edx), %eax
    inc %ecx
    cmp $'\n', %al
    je 3f
    cmp $'\r', %al
    je 3f
    cmpl $LINE_MAX, line_len
    jb 2f
    call flush_line
2:  cmp $0x20, %al              // non-printing bytes show as '.'
    jb 5f
    cmp $0x7f, %al
    jb 6f
5:  mov $'.', %al
6:  mov line_len, %edx
    mov %al, line_buf(%edx)
    incl line_len
    jmp 1b
3:  call flush_line
    jmp 1b
4:  mov %ecx, rx_tail
    popa
    ret

// flush_line: prints `mb: echo "<line>"` when the line is not empty.
flush_line:
    cmpl $0, line_len
    je 2f
    pusha
    mov $msg_echo, %esi
    call puts
    mov line_len, %ecx
    mov $line_buf, %esi
1:  lodsb
    call putc
    loop 1b
    mov $'"', %al
    call putc
    call newline
    movl $0, line_len
    popa
2:  ret

// ---- local APIC timer ----

apic_timer_phase:
    mov $1, %eax
    cpuid
    test $(1 << 9), %edx
    jnz 1f
    mov $msg_no_apic, %esi
    call puts
    jmp fail
1:  mov $0x1b, %ecx             // IA32_APIC_BASE: globally enabled
    rdmsr
    or $0x800, %eax
    wrmsr
    and $0xfffff000, %eax
    mov %eax, %ebx
    lea 0xb0(%ebx), %eax
    mov %eax, apic_eoi
    movl $0x1ff, 0xf0(%ebx)     // SVR: software enable, spurious vector 0xff
    movl $0x700, 0x350(%ebx)    // LINT0: ExtINT (the PIC's virtual wire)
    movl $0x3, 0x3e0(%ebx)      // divide by 16
    movl $(0x20000 | APIC_VECTOR), 0x320(%ebx)  // periodic
    movl $62500, 0x380(%ebx)    // initial count
    mov 0x390(%ebx), %eax       // the current count runs down from it
    test %eax, %eax
    jz 2f
    cmp $62500, %eax
    ja 2f
    movl $0, apic_ticks
3:  cli
    cmpl $APIC_TICKS, apic_ticks
    jae 4f
    sti
    hlt
    jmp 3b
4:  movl $(0x10000 | APIC_VECTOR), 0x320(%ebx)  // masked
    movl $0, 0x380(%ebx)        // stopped
    mov $msg_apic, %esi
    call puts
    mov apic_ticks, %eax
    call putdec
    mov $msg_apic_ticks, %esi
    call puts
    ret
2:  mov $msg_apic_bad, %esi
    call puts
    call putdec
    call newline
    jmp fail

apic_timer_isr:
    push %eax
    incl apic_ticks
    mov apic_eoi, %eax
    movl $0, (%eax)
    pop %eax
    iret

apic_spurious_isr:
    iret

// ---- data ----

    .data
    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    // 0x08: code, 32-bit, flat
    .quad 0x00cf92000000ffff    // 0x10: data, flat
gdt_end:
    .align 4
    .word 0
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
    .word 0
idt_desc:
    .word 256 * 8 - 1
    .long idt

    .section .rodata
msg_badmagic:   .asciz "mb: bad Multiboot magic in eax: "
msg_badinfo:    .asciz "mb: Multiboot information without mem_* or cmdline, flags "
msg_hello:      .asciz "mb: hello from multiboot, cmdline \""
msg_memupper:   .asciz "\", mem_upper="
msg_kib:        .asciz " KiB\n"
msg_rtc:        .asciz "mb: rtc "
msg_tick:       .asciz "mb: tick "
msg_ticks_done: .asciz "mb: 100 ticks, "
msg_rx_bytes:   .asciz " uart rx bytes\n"
msg_echo:       .asciz "mb: echo \""
msg_unexpected: .asciz "mb: unexpected vector "
msg_stack:      .asciz ", stack "
msg_pit_bad:    .asciz "mb: PIT channel 0 latched count out of range: "
msg_no_apic:    .asciz "mb: CPUID says there is no local APIC\n"
msg_apic:       .asciz "mb: apic timer "
msg_apic_ticks: .asciz " ticks\n"
msg_apic_bad:   .asciz "mb: APIC timer current count out of range: "
msg_bye:        .asciz "mb: bye, exit 0x21\n"

    .bss
    .align 16
idt:        .skip 256 * 8
stack:      .skip 16384
stack_top:
boot_eax:   .skip 4
boot_ebx:   .skip 4
ticks:      .skip 4
next_report: .skip 4
apic_ticks: .skip 4
rx_head:    .skip 4
rx_tail:    .skip 4
rx_count:   .skip 4
line_len:   .skip 4
apic_eoi:   .skip 4
rtc_regb:   .skip 1
rx_ring:    .skip 256
line_buf:   .skip LINE_MAX
