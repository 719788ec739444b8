; Entry stubs for CPU exceptions 0-31: each pushes a dummy error code if the
; CPU pushes none, then its vector, saves the registers and calls
; exc_dispatch(struct exc_frame *) (see idt.h), which may change the frame.
bits 32

extern exc_dispatch

; Vectors for which the CPU pushes an error code.
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .text
%assign v 0
%rep 32
exc_stub_ %+ v:
%if !HAS_ERROR(v)
        push 0
%endif
        push v
        jmp exc_common
%assign v v + 1
%endrep

exc_common:
        pushad
        cld
        push esp                        ; struct exc_frame *
        call exc_dispatch
        add esp, 4
        popad
        add esp, 8                      ; vector and error code
        iretd

section .rodata
global exc_stub_table
exc_stub_table:
%assign v 0
%rep 32
        dd exc_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
