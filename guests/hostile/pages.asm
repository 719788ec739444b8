; Snippets for the pages kind (pages.c); the loads and stores come from
; wrap.asm. EDI holds a sane stack for the closing int 0x80.
bits 32

section .text
global p_jump_begin, p_jump_end, p_cr3_begin, p_cr3_end
p_jump_begin:                           ; run what the wild mapping shows
        jmp ebx
p_jump_end:

p_cr3_begin:                            ; CPL 0: load CR3 (PAE: the PDPTEs too)
        mov cr3, ebx
        mov esp, edi
        int 0x80
p_cr3_end:

section .note.GNU-stack noalloc noexec nowrite progbits
