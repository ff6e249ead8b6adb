# The CPU demo `bootscope run` boots until the bundled guest is wired in:
# 64-bit code that prints the primes below 100 through QEMU's debugcon port
# (0xE9) with a sieve in memory, then powers off through the ACPI PM1a
# control port (0x604 <- 0x2000, SLP_EN | S5) as the guest kernel will.
    .intel_syntax noprefix
    .globl _start
    .set SIEVE, 0x20000
    .set N, 100
_start:
    lea rsi, [rip + banner]
    call puts
    # Sieve of Eratosthenes over bytes at SIEVE: 1 = composite.
    mov edi, SIEVE
    mov ecx, N
    xor eax, eax
    rep stosb
    mov ebx, 2
1:  cmp byte ptr [SIEVE + rbx], 0
    jne 3f
    mov rax, rbx
    call putdec
    mov al, ' '
    out 0xe9, al
    mov rdx, rbx
    imul rdx, rbx
2:  cmp rdx, N
    jae 3f
    mov byte ptr [SIEVE + rdx], 1
    add rdx, rbx
    jmp 2b
3:  inc rbx
    cmp rbx, N
    jb 1b
    mov al, '\n'
    out 0xe9, al
    lea rsi, [rip + bye]
    call puts
    mov dx, 0x604
    mov ax, 0x2000
    out dx, ax
    ud2                     # not reached: the machine has powered off

# puts: prints the NUL-terminated string at rsi.
puts:
    lodsb
    test al, al
    jz 1f
    out 0xe9, al
    jmp puts
1:  ret

# putdec: prints rax in decimal.
putdec:
    push rbx
    mov rbx, 10
    xor ecx, ecx
1:  xor edx, edx
    div rbx
    push rdx
    inc ecx
    test rax, rax
    jnz 1b
2:  pop rax
    add al, '0'
    out 0xe9, al
    loop 2b
    pop rbx
    ret

banner: .asciz "Bootscope CPU demo (the bundled guest is not wired in yet): primes below 100:\n"
bye:    .asciz "demo done, powering off\n"
