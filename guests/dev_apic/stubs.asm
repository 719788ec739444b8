; dev_apic: interrupt stubs that log each interrupt (apic_isr in main.c)
; and return with iretd, and the sti; nop; cli window.
bits 32

extern apic_isr

section .text
; Each stub pushes its vector; common_stub passes it and the interrupted
; EIP (the frame's first word) to apic_isr.
%macro STUB 1
global stub_%1
stub_%1:
        push dword %1
        jmp common_stub
%endmacro
STUB 0x02
STUB 0x20
STUB 0x41
STUB 0x42
STUB 0x51
STUB 0x61
STUB 0x70
STUB 0x90
STUB 0x91
STUB 0xE3
STUB 0xFF

common_stub:
        pushad
        cld
        push dword [esp + 36]   ; the interrupted EIP
        push dword [esp + 36]   ; the vector (pushad 32 + the push above 4)
        call apic_isr
        add esp, 8
        popad
        add esp, 4
        iretd

global sti_nop_cli, window_cli
sti_nop_cli:
        sti
        nop
window_cli:
        cli
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
