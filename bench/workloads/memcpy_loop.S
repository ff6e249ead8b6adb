# Memory loop: copies rcx bytes (multiple of 64) from rsi to rdi with
# 8-byte loads and stores, repeated r8 times, then ud2.
    .intel_syntax noprefix
    .globl _start
_start:
2:  push rsi
    push rdi
    push rcx
1:  mov rax, [rsi]
    mov rdx, [rsi + 8]
    mov [rdi], rax
    mov [rdi + 8], rdx
    mov rax, [rsi + 16]
    mov rdx, [rsi + 24]
    mov [rdi + 16], rax
    mov [rdi + 24], rdx
    add rsi, 32
    add rdi, 32
    sub rcx, 32
    jnz 1b
    pop rcx
    pop rdi
    pop rsi
    dec r8
    jnz 2b
    ud2
