# Integer ALU loop: rcx iterations of a dependent add/xor/shift chain.
# In: rcx = iterations. Out: rax = checksum. Ends with hlt-free ud2 marker:
# the bench stops on the instruction budget or at `done` (int3 → #UD).
    .intel_syntax noprefix
    .globl _start
_start:
    xor eax, eax
    mov edx, 1
1:  add rax, rdx
    xor rdx, rax
    lea rdx, [rdx + rax*2 + 7]
    ror rax, 3
    sub rdx, 5
    dec rcx
    jnz 1b
    ud2
