; dev_common's IRQ entry stubs (same names: irq_stub_table), except that a
; handler returns without iretd, which some nested KVMs cannot emulate:
; popfd restores the interrupted code's flags (IF included) and `ret 8`
; its EIP, dropping CS and EFLAGS. Same privilege level only, which is all
; the device kernels use.
bits 32

extern irq_dispatch

section .text
irq_return:
        push dword [esp + 8]    ; the frame's EFLAGS
        popfd
        ret 8                   ; the frame's EIP; CS and EFLAGS dropped

%assign n 0
%rep 16
irq_stub_ %+ n:
        pushad
        cld
        push n
        call irq_dispatch
        add esp, 4
        popad
        jmp irq_return
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
