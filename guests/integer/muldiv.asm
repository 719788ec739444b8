; Multiplication and division: mul, imul in its one-, two- and three-operand
; forms, div and idiv (inputs chosen by the driver so that none faults).
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST mul_r8
        mul bl
ENDT
TEST mul_r8h
        mul bh
ENDT
TEST mul_r16
        mul bx
ENDT
TEST mul_r32
        mul ebx
ENDT
TEST mul_m32
        mul dword [membuf+4]
ENDT
TEST mul_m8, K_PTRS
        mul byte [esi+ecx+1]
ENDT

TEST imul1_r8
        imul bl
ENDT
TEST imul1_r8h
        imul ch
ENDT
TEST imul1_r16
        imul bx
ENDT
TEST imul1_r32
        imul ebx
ENDT
TEST imul1_m16
        imul word [membuf+6]
ENDT

TEST imul2_r32
        imul eax, ebx
ENDT
TEST imul2_r16
        imul dx, bx
ENDT
TEST imul2_m32
        imul ebx, [membuf+4]
ENDT
TEST imul2_m16, K_PTRS
        imul ax, [esi+ecx*2+2]
ENDT

TEST imul3_r32_imm8
        imul eax, ebx, -5
ENDT
TEST imul3_r32_imm32
        imul edx, ebx, 0x12345
ENDT
TEST imul3_r16_imm
        imul ax, bx, 300
ENDT
TEST imul3_m32_imm
        imul ecx, [membuf+4], 1000
ENDT
TEST imul3_m16_imm8
        imul cx, [membuf+6], -7
ENDT

; The memory divisor forms read membuf+0, where the driver stores the divisor.
TEST div_r8, K_DIV, 8
        div bl
ENDT
TEST div_r8h, K_DIV, 8 | DIV_BH
        div bh
ENDT
TEST div_r16, K_DIV, 16
        div bx
ENDT
TEST div_r32, K_DIV, 32
        div ebx
ENDT
TEST div_m8, K_DIV, 8
        div byte [membuf]
ENDT
TEST div_m16, K_DIV, 16
        div word [membuf]
ENDT
TEST div_m32, K_DIV, 32
        div dword [membuf]
ENDT

TEST idiv_r8, K_DIV, 8 | DIV_SIGNED
        idiv bl
ENDT
TEST idiv_r8h, K_DIV, 8 | DIV_SIGNED | DIV_BH
        idiv bh
ENDT
TEST idiv_r16, K_DIV, 16 | DIV_SIGNED
        idiv bx
ENDT
TEST idiv_r32, K_DIV, 32 | DIV_SIGNED
        idiv ebx
ENDT
TEST idiv_m8, K_DIV, 8 | DIV_SIGNED
        idiv byte [membuf]
ENDT
TEST idiv_m16, K_DIV, 16 | DIV_SIGNED
        idiv word [membuf]
ENDT
TEST idiv_m32, K_DIV, 32 | DIV_SIGNED
        idiv dword [membuf]
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
