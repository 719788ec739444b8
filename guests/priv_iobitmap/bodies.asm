; priv_iobitmap bodies: body(port) does one I/O access to that port.
bits 32

section .bss
global io_buf
io_buf: resd 4

section .text

%macro BODY 1
global %1, %1_insn
%1:
        mov edx, [esp + 4]
        xor eax, eax
%endmacro

BODY in8

in8_insn:
        in al, dx
        ret
BODY in16
in16_insn:
        in ax, dx
        ret
BODY in32
in32_insn:
        in eax, dx
        ret
BODY out8
out8_insn:
        out dx, al
        ret
BODY ins8
        push edi
        mov edi, io_buf
ins8_insn:
        insb
        pop edi
        ret
BODY outs8
        push esi
        mov esi, io_buf
outs8_insn:
        outsb
        pop esi
        ret

; sti, then cli: returns EFLAGS after sti in the low word and after cli in
; the high word (IF is bit 9 of each).
global sti_cli
sti_cli:
        sti
        pushfd
        pop eax
        cli
        pushfd
        pop edx
        and eax, 0xFFFF
        shl edx, 16
        or eax, edx
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
