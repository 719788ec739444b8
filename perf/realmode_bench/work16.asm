; The native side's copy of the 16-bit workloads (work16.inc), in a window
; that native.c makes an LDT code segment of, with far entry points that
; run one phase and return to 32-bit code.
bits 16
section .text16 progbits alloc exec nowrite align=16
global work16_start, entry_crc16, entry_sieve, entry_fib
work16_start:
%include "work16.inc"
entry_crc16:
        call    phase_crc16
        o32 retf
entry_sieve:
        call    phase_sieve
        o32 retf
entry_fib:
        call    phase_fib
        o32 retf

bits 32
section .bss
far_ptr: resd 2
section .text
; uint32_t run16(uint32_t offset, uint32_t code_sel, uint32_t data_sel, uint32_t bx):
; DS = ES = data_sel, BX = bx, far call code_sel:offset; returns AX.
global run16
run16:
        push    ebp
        push    ebx
        push    esi
        push    edi
        push    ds
        push    es
        mov     eax, [esp + 28]
        mov     [far_ptr], eax
        mov     eax, [esp + 32]
        mov     [far_ptr + 4], eax
        mov     ebx, [esp + 40]
        mov     eax, [esp + 36]
        mov     ds, eax
        mov     es, eax
        call    far [ss:far_ptr]
        pop     es
        pop     ds
        movzx   eax, ax
        pop     edi
        pop     esi
        pop     ebx
        pop     ebp
        ret
section .note.GNU-stack noalloc noexec nowrite progbits
