; Bodies for cs_limit.c and tables.c (see seg_loads.h).
bits 32

section .bss
global far_ptr
far_ptr:   resd 2       ; offset, selector of the far call below

section .text
global far_call_lim, far_call_site, fs_read_base

; body(offset): far call to S_CODE_LIM:offset, where cs_limit.c put code that
; ends in retf; returns 0 when it comes back.
far_call_lim:
        mov eax, [esp + 4]
        mov [far_ptr], eax
        mov word [far_ptr + 4], 0x100   ; S_CODE_LIM
far_call_site:
        call far [far_ptr]
        xor eax, eax
        ret

; body(sel): loads FS with sel and returns [fs:0], leaving FS as it was.
fs_read_base:
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        mov eax, [fs:0]
        mov fs, edx
        ret
section .note.GNU-stack noalloc noexec nowrite progbits
