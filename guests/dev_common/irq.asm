; Entry stubs for the 16 PIC lines (vectors 0x20-0x2F): each saves the
; registers and calls irq_dispatch(irq); the C side sends the EOI.
; Built with IRQ_RETURN_WITHOUT_IRETD (dev_irq), a handler returns without
; iretd, which some nested KVMs cannot emulate: popfd restores the
; interrupted code's flags (IF included) and `ret 8` its EIP, dropping CS
; and EFLAGS. Same privilege level only, which is all the device kernels use.
bits 32

extern irq_dispatch

section .text
%ifdef IRQ_RETURN_WITHOUT_IRETD
irq_return:
        push dword [esp + 8]    ; the frame's EFLAGS
        popfd
        ret 8                   ; the frame's EIP; CS and EFLAGS dropped
%endif

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
%ifdef IRQ_RETURN_WITHOUT_IRETD
        jmp irq_return
%else
        iretd
%endif
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
