; Bit tests and scans: bt/bts/btr/btc with register and immediate offsets on
; registers and memory (a register offset on memory may address outside the
; operand: the driver keeps it within -256..255 bits around esi = membuf+32),
; and bsf/bsr.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST bt_r32_r, K_BITOFF, 9
        bt eax, ebx
ENDT
TEST bt_r16_r, K_BITOFF, 9
        bt ax, bx
ENDT
TEST bt_r32_imm, K_BITOFF, 9
        bt eax, 37             ; taken modulo 32
ENDT
TEST bt_m32_imm, K_BITOFF, 9
        bt dword [membuf+4], 45
ENDT
TEST bt_m16_imm, K_BITOFF, 9
        bt word [membuf+6], 9
ENDT
TEST bt_m32_r, K_BITOFF, 9
        bt [esi], ecx
ENDT
TEST bt_m16_r, K_BITOFF, 9
        bt [esi], cx
ENDT

TEST bts_r32_r, K_BITOFF, 9
        bts eax, ebx
ENDT
TEST bts_r16_r, K_BITOFF, 9
        bts ax, bx
ENDT
TEST bts_r32_imm, K_BITOFF, 9
        bts eax, 37             ; taken modulo 32
ENDT
TEST bts_m32_imm, K_BITOFF, 9
        bts dword [membuf+4], 45
ENDT
TEST bts_m16_imm, K_BITOFF, 9
        bts word [membuf+6], 9
ENDT
TEST bts_m32_r, K_BITOFF, 9
        bts [esi], ecx
ENDT
TEST bts_m16_r, K_BITOFF, 9
        bts [esi], cx
ENDT

TEST btr_r32_r, K_BITOFF, 9
        btr eax, ebx
ENDT
TEST btr_r16_r, K_BITOFF, 9
        btr ax, bx
ENDT
TEST btr_r32_imm, K_BITOFF, 9
        btr eax, 37             ; taken modulo 32
ENDT
TEST btr_m32_imm, K_BITOFF, 9
        btr dword [membuf+4], 45
ENDT
TEST btr_m16_imm, K_BITOFF, 9
        btr word [membuf+6], 9
ENDT
TEST btr_m32_r, K_BITOFF, 9
        btr [esi], ecx
ENDT
TEST btr_m16_r, K_BITOFF, 9
        btr [esi], cx
ENDT

TEST btc_r32_r, K_BITOFF, 9
        btc eax, ebx
ENDT
TEST btc_r16_r, K_BITOFF, 9
        btc ax, bx
ENDT
TEST btc_r32_imm, K_BITOFF, 9
        btc eax, 37             ; taken modulo 32
ENDT
TEST btc_m32_imm, K_BITOFF, 9
        btc dword [membuf+4], 45
ENDT
TEST btc_m16_imm, K_BITOFF, 9
        btc word [membuf+6], 9
ENDT
TEST btc_m32_r, K_BITOFF, 9
        btc [esi], ecx
ENDT
TEST btc_m16_r, K_BITOFF, 9
        btc [esi], cx
ENDT

TEST lock_bts_m32_r, K_BITOFF, 9
        lock bts [esi], ecx
ENDT
TEST lock_btr_m16_r, K_BITOFF, 9
        lock btr [esi], cx
ENDT
TEST lock_btc_m32_imm, K_BITOFF, 9
        lock btc dword [esi+4], 17
ENDT

; a zero source leaves the destination unchanged on the CPUs we know
TEST bsf_r32
        bsf eax, ebx
ENDT
TEST bsf_r16
        bsf ax, bx
ENDT
TEST bsf_m32
        bsf edx, [membuf+4]
ENDT
TEST bsr_r32
        bsr eax, ebx
ENDT
TEST bsr_r16
        bsr ax, bx
ENDT
TEST bsr_m32
        bsr edx, [membuf+4]
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
