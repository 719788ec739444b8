; Snippets for the desc kind (desc.c). BX holds the selector under test,
; EAX a sentinel, EDX the ring's own data selector (to put SS back) and EDI
; a sane stack for the closing int 0x80; ESI points at a far pointer or a
; frame in U_DATA.
bits 32

%include "snippet.inc"

section .text
SNIP d_lar
        lar eax, ebx
        setz cl
ENDSNIP d_lar
SNIP d_lsl
        lsl eax, ebx
        setz cl
ENDSNIP d_lsl
SNIP d_verr
        verr bx
        setz cl
ENDSNIP d_verr
SNIP d_verw
        verw bx
        setz cl
ENDSNIP d_verw
SNIP d_ds
        mov ds, bx
ENDSNIP d_ds
SNIP d_es
        mov es, bx
        mov eax, es
ENDSNIP d_es
SNIP d_fs
        mov fs, bx
        mov eax, fs
ENDSNIP d_fs
SNIP d_gs
        mov gs, bx
        mov eax, gs
ENDSNIP d_gs
SNIP d_ss                               ; and back at once: the stack the
        mov ss, bx                      ; closing int 0x80 pushes on at CPL 0
        mov ss, dx                      ; must be the kernel's
ENDSNIP d_ss
SNIP d_ltr
        ltr bx
ENDSNIP d_ltr
SNIP d_lldt
        lldt bx
ENDSNIP d_lldt
; --- garbage transfers: only survived (where they land holds int3) ---
SNIP d_jmpf
        jmp far [esi]
ENDSNIP d_jmpf
SNIP d_callf
        call far [esi]
ENDSNIP d_callf
SNIP d_retf
        mov esp, esi
        retf
ENDSNIP d_retf
SNIP d_retf_imm
        mov esp, esi
        retf 8
ENDSNIP d_retf_imm
SNIP d_iret
        mov esp, esi
        iretd
ENDSNIP d_iret
SNIP d_iret16
        mov esp, esi
        o16 iret
ENDSNIP d_iret16
SNIP d_int                              ; through a garbage IDT gate
        int 0x40
ENDSNIP d_int

section .note.GNU-stack noalloc noexec nowrite progbits
