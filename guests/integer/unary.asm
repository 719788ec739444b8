; One-operand ALU instructions (neg, not, inc, dec), including the one-byte
; inc/dec encodings 0x40-0x4F that are REX prefixes in 64-bit mode.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST neg_r32
        neg ebx
ENDT
TEST neg_r16
        neg ax
ENDT
TEST neg_r8
        neg bl
ENDT
TEST neg_r8h
        neg dh
ENDT
TEST neg_m32
        neg dword [membuf+4]
ENDT
TEST neg_m16, K_PTRS
        neg word [esi+ecx*2+2]
ENDT
TEST neg_m8, K_PTRS
        neg byte [edi+ecx+5]
ENDT

TEST not_r32
        not ebx
ENDT
TEST not_r16
        not ax
ENDT
TEST not_r8
        not bl
ENDT
TEST not_r8h
        not dh
ENDT
TEST not_m32
        not dword [membuf+4]
ENDT
TEST not_m16, K_PTRS
        not word [esi+ecx*2+2]
ENDT
TEST not_m8, K_PTRS
        not byte [edi+ecx+5]
ENDT

TEST inc_r32                    ; nasm emits the short form 0x43
        inc ebx
ENDT
TEST inc_r32_long               ; FF /0
        db 0xFF, 0xC3           ; inc ebx
ENDT
TEST inc_r16
        inc ax
ENDT
TEST inc_r8
        inc bl
ENDT
TEST inc_r8h
        inc dh
ENDT
TEST inc_m32
        inc dword [membuf+4]
ENDT
TEST inc_m16, K_PTRS
        inc word [esi+ecx*2+2]
ENDT
TEST inc_m8, K_PTRS
        inc byte [edi+ecx+5]
ENDT

TEST dec_r32                    ; short form 0x4B
        dec ebx
ENDT
TEST dec_r32_long               ; FF /1
        db 0xFF, 0xCB           ; dec ebx
ENDT
TEST dec_r16
        dec ax
ENDT
TEST dec_r8
        dec bl
ENDT
TEST dec_r8h
        dec dh
ENDT
TEST dec_m32
        dec dword [membuf+4]
ENDT
TEST dec_m16, K_PTRS
        dec word [esi+ecx*2+2]
ENDT
TEST dec_m8, K_PTRS
        dec byte [edi+ecx+5]
ENDT

; every one-byte encoding, esp included (balanced so the stack survives)
TEST inc_dec_short_all
        inc eax                 ; 40
        inc ecx                 ; 41
        inc edx                 ; 42
        inc ebx                 ; 43
        inc esp                 ; 44
        inc ebp                 ; 45
        inc esi                 ; 46
        inc edi                 ; 47
        dec esp                 ; 4C
        dec ecx                 ; 49
        dec ecx
        dec edx                 ; 4A
        dec edx
        dec edx
        dec ebx                 ; 4B
        dec ebp                 ; 4D
        dec esi                 ; 4E
        dec esi
        dec edi                 ; 4F
        dec eax                 ; 48
        dec eax
ENDT
TEST inc_dec_short_16
        inc ax                  ; 66 40
        inc cx
        dec dx                  ; 66 4A
        inc bp
        dec si
        dec si
        inc di
ENDT

TEST lock_inc_m32, K_PTRS
        lock inc dword [esi+ecx*4+8]
ENDT
TEST lock_dec_m16
        lock dec word [membuf+6]
ENDT
TEST lock_neg_m8, K_PTRS
        lock neg byte [edi+ecx+5]
ENDT
TEST lock_not_m32
        lock not dword [membuf+4]
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
