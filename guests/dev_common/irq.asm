; Entry stubs for the 16 PIC lines (vectors 0x20-0x2F): each saves the
; registers and calls irq_dispatch(irq); the C side sends the EOI.
bits 32

extern irq_dispatch

section .text
%assign n 0
%rep 16
global irq_stub_ %+ n
irq_stub_ %+ n:
        pushad
        cld
        push n
        call irq_dispatch
        add esp, 4
        popad
        iretd
%assign n n + 1
%endrep

section .rodata
global irq_stub_table
irq_stub_table:
%assign n 0
%rep 16
        dd irq_stub_ %+ n
%assign n n + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
