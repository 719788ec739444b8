; Shifts and rotates: by 1, by an immediate and by CL (CL covers counts 0, 1,
; up to 31 and values that are masked), at every width, register and memory.
; rcl/rcr at 8/16 bits also exercise the count-modulo-9/17 rule.
bits 32
%include "harness.inc"
%include "kinds.inc"

; ---- shl
TEST shl_r32_1
        shl eax, 1
ENDT
TEST shl_r32_cl
        shl ebx, cl
ENDT
TEST shl_r32_imm
        shl edx, 7
ENDT
TEST shl_r16_cl
        shl ax, cl
ENDT
TEST shl_r16_imm
        shl dx, 9
ENDT
TEST shl_r8_cl
        shl al, cl
ENDT
TEST shl_r8h_1
        shl ah, 1
ENDT
TEST shl_r8h_cl
        shl bh, cl
ENDT
TEST shl_m32_cl
        shl dword [membuf+4], cl
ENDT
TEST shl_m16_imm
        shl word [membuf+6], 3
ENDT
TEST shl_m8_1
        shl byte [membuf+9], 1
ENDT

; ---- shr
TEST shr_r32_1
        shr eax, 1
ENDT
TEST shr_r32_cl
        shr ebx, cl
ENDT
TEST shr_r32_imm
        shr edx, 7
ENDT
TEST shr_r16_cl
        shr ax, cl
ENDT
TEST shr_r16_imm
        shr dx, 9
ENDT
TEST shr_r8_cl
        shr al, cl
ENDT
TEST shr_r8h_1
        shr ah, 1
ENDT
TEST shr_r8h_cl
        shr bh, cl
ENDT
TEST shr_m32_cl
        shr dword [membuf+4], cl
ENDT
TEST shr_m16_imm
        shr word [membuf+6], 3
ENDT
TEST shr_m8_1
        shr byte [membuf+9], 1
ENDT

; ---- sar
TEST sar_r32_1
        sar eax, 1
ENDT
TEST sar_r32_cl
        sar ebx, cl
ENDT
TEST sar_r32_imm
        sar edx, 7
ENDT
TEST sar_r16_cl
        sar ax, cl
ENDT
TEST sar_r16_imm
        sar dx, 9
ENDT
TEST sar_r8_cl
        sar al, cl
ENDT
TEST sar_r8h_1
        sar ah, 1
ENDT
TEST sar_r8h_cl
        sar bh, cl
ENDT
TEST sar_m32_cl
        sar dword [membuf+4], cl
ENDT
TEST sar_m16_imm
        sar word [membuf+6], 3
ENDT
TEST sar_m8_1
        sar byte [membuf+9], 1
ENDT

; ---- rol
TEST rol_r32_1
        rol eax, 1
ENDT
TEST rol_r32_cl
        rol ebx, cl
ENDT
TEST rol_r32_imm
        rol edx, 7
ENDT
TEST rol_r16_cl
        rol ax, cl
ENDT
TEST rol_r16_imm
        rol dx, 9
ENDT
TEST rol_r8_cl
        rol al, cl
ENDT
TEST rol_r8h_1
        rol ah, 1
ENDT
TEST rol_r8h_cl
        rol bh, cl
ENDT
TEST rol_m32_cl
        rol dword [membuf+4], cl
ENDT
TEST rol_m16_imm
        rol word [membuf+6], 3
ENDT
TEST rol_m8_1
        rol byte [membuf+9], 1
ENDT

; ---- ror
TEST ror_r32_1
        ror eax, 1
ENDT
TEST ror_r32_cl
        ror ebx, cl
ENDT
TEST ror_r32_imm
        ror edx, 7
ENDT
TEST ror_r16_cl
        ror ax, cl
ENDT
TEST ror_r16_imm
        ror dx, 9
ENDT
TEST ror_r8_cl
        ror al, cl
ENDT
TEST ror_r8h_1
        ror ah, 1
ENDT
TEST ror_r8h_cl
        ror bh, cl
ENDT
TEST ror_m32_cl
        ror dword [membuf+4], cl
ENDT
TEST ror_m16_imm
        ror word [membuf+6], 3
ENDT
TEST ror_m8_1
        ror byte [membuf+9], 1
ENDT

; ---- rcl
TEST rcl_r32_1
        rcl eax, 1
ENDT
TEST rcl_r32_cl
        rcl ebx, cl
ENDT
TEST rcl_r32_imm
        rcl edx, 7
ENDT
TEST rcl_r16_cl
        rcl ax, cl
ENDT
TEST rcl_r16_imm
        rcl dx, 9
ENDT
TEST rcl_r8_cl
        rcl al, cl
ENDT
TEST rcl_r8h_1
        rcl ah, 1
ENDT
TEST rcl_r8h_cl
        rcl bh, cl
ENDT
TEST rcl_m32_cl
        rcl dword [membuf+4], cl
ENDT
TEST rcl_m16_imm
        rcl word [membuf+6], 3
ENDT
TEST rcl_m8_1
        rcl byte [membuf+9], 1
ENDT

; ---- rcr
TEST rcr_r32_1
        rcr eax, 1
ENDT
TEST rcr_r32_cl
        rcr ebx, cl
ENDT
TEST rcr_r32_imm
        rcr edx, 7
ENDT
TEST rcr_r16_cl
        rcr ax, cl
ENDT
TEST rcr_r16_imm
        rcr dx, 9
ENDT
TEST rcr_r8_cl
        rcr al, cl
ENDT
TEST rcr_r8h_1
        rcr ah, 1
ENDT
TEST rcr_r8h_cl
        rcr bh, cl
ENDT
TEST rcr_m32_cl
        rcr dword [membuf+4], cl
ENDT
TEST rcr_m16_imm
        rcr word [membuf+6], 3
ENDT
TEST rcr_m8_1
        rcr byte [membuf+9], 1
ENDT

; ---- shld (16-bit counts above 16 give undefined but repeatable results)
TEST shld_r32_cl
        shld eax, ebx, cl
ENDT
TEST shld_r32_imm
        shld edx, eax, 12
ENDT
TEST shld_r16_cl
        shld ax, bx, cl
ENDT
TEST shld_r16_imm
        shld ax, dx, 5
ENDT
TEST shld_m32_cl
        shld [membuf+4], ebx, cl
ENDT
TEST shld_m16_imm
        shld [membuf+6], bx, 3
ENDT

; ---- shrd (16-bit counts above 16 give undefined but repeatable results)
TEST shrd_r32_cl
        shrd eax, ebx, cl
ENDT
TEST shrd_r32_imm
        shrd edx, eax, 12
ENDT
TEST shrd_r16_cl
        shrd ax, bx, cl
ENDT
TEST shrd_r16_imm
        shrd ax, dx, 5
ENDT
TEST shrd_m32_cl
        shrd [membuf+4], ebx, cl
ENDT
TEST shrd_m16_imm
        shrd [membuf+6], bx, 3
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
