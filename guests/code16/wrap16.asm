; IP at the 64 KiB boundary of 16-bit code (SDM vol. 2, JMP, Jcc, CALL,
; LOOP: with a 16-bit operand size, EIP <- tempEIP AND 0000FFFFH), in a
; 16-bit code segment whose limit (0x1FFFF) lets code run past offset
; 0xFFFF. There the host CPU wraps the targets of near branches, but not
; sequential execution: an instruction ending at 0xFFFF is followed by the
; one at 0x10000, and one starting at 0xFFFF takes its bytes from 0x10000
; on. Each routine enters the window (section code16w, laid out by offset)
; at one place; it ends in a pad that sets DX: the offset it sits at, with
; bit 15 set above 64 KiB. So every pad a wrong IP could reach answers
; differently from the right one.
bits 32
%include "code16.inc"
extern code16w_sel

%macro TEST16W 2                        ; name, entry offset
CALL16 %1, 0, 0, code16w_sel, %2
%endmacro

TEST16W jmp_rel16_wraps, 0xFF00
TEST16W jz_rel16_wraps, 0xFF10
TEST16W call_rel16_wraps, 0xFF20
TEST16W jmp_rel32_o66_does_not, 0xFF30
TEST16W jmp_rel16_back_wraps, 0x0080
TEST16W jmp_rel8_wraps, 0xFFB0
TEST16W jz_rel8_wraps, 0xFFC0
TEST16W loop_wraps, 0xFFE0
TEST16W jcxz_wraps, 0xFFF0
TEST16W past_ffff_after_jnz, 0xFFFC
TEST16W straddles_ffff, 0xFFFF

[section code16w progbits alloc exec nowrite align=16]
bits 16
global code16w_start
code16w_start:

%macro AT 1                             ; what follows is at window offset %1
        times (%1) - ($ - code16w_start) db 0xCC
%endmacro
%macro PAD 1                            ; a pad at offset %1
AT %1
        mov dx, (%1) >> 16 << 15 | ((%1) & 0x7FFF)
        o32 retf
%endmacro
%macro CALL_PAD 1                       ; ... that pops the pushed IP into BX
AT %1
        pop bx
        mov dx, (%1) >> 16 << 15 | ((%1) & 0x7FFF)
        o32 retf
%endmacro
%define REL16(target, next) dw ((target) - (next)) & 0xFFFF
%define REL8(target, next) db ((target) - (next)) & 0xFF

; Below 64 KiB: where wrapped targets land.
PAD 0x0000
PAD 0x0010
PAD 0x0020
PAD 0x0030
PAD 0x0040
CALL_PAD 0x0050
PAD 0x0060
PAD 0x0070
AT 0x0080                               ; jmp near 0xFF80, backwards past 0
        db 0xE9
        REL16(0xFF80, 0x0083)
PAD 0x00A0

; The entries, below the boundary.
AT 0xFF00
        db 0xE9                         ; jmp near 0x10010: 0x0010
        REL16(0x10010, 0xFF03)
AT 0xFF10
        xor ax, ax
        db 0x0F, 0x84                   ; jz near 0x10040: 0x0040
        REL16(0x10040, 0xFF16)
AT 0xFF20
        db 0xE8                         ; call near 0x10050: 0x0050, pushing 0xFF23
        REL16(0x10050, 0xFF23)
AT 0xFF30
        db 0x66, 0xE9                   ; jmp near (o32) 0x100A0: no wrap
        dd 0x100A0 - 0xFF36
PAD 0xFF80
AT 0xFFB0
        db 0xEB                         ; jmp short 0x10020: 0x0020
        REL8(0x10020, 0xFFB2)
AT 0xFFC0
        xor ax, ax
        db 0x74                         ; jz short 0x10030: 0x0030
        REL8(0x10030, 0xFFC4)
AT 0xFFE0
        mov cx, 2
        db 0xE2                         ; loop 0x10060: 0x0060
        REL8(0x10060, 0xFFE5)
AT 0xFFF0
        xor cx, cx
        db 0xE3                         ; jcxz 0x10070: 0x0070
        REL8(0x10070, 0xFFF4)
AT 0xFFFC
        xor ax, ax                      ; ZF set
        db 0x75, 0xB8                   ; jnz not taken: on at 0x10000
; Entered at 0xFFFF, the bytes B8 90 90 are mov ax, 0x9090.
        nop                             ; 0x10000
        nop
PAD 0x10002

; Above 64 KiB: where unwrapped targets land.
PAD 0x10010
PAD 0x10020
PAD 0x10030
PAD 0x10040
CALL_PAD 0x10050
PAD 0x10060
PAD 0x10070
PAD 0x100A0
bits 32
section .note.GNU-stack noalloc noexec nowrite progbits
