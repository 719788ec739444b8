; Snippets for the rep kind (rep.c): one string instruction each, at the
; snippet's first byte, then int 0x80.
bits 32

%macro REP_SNIP 2+                      ; name, instruction
global %1_begin, %1_end
%1_begin:
        %2
        int 0x80
%1_end:
%endmacro

section .text
REP_SNIP r_movsb, rep movsb
REP_SNIP r_movsd, rep movsd
REP_SNIP r_stosb, rep stosb
REP_SNIP r_stosd, rep stosd
REP_SNIP r_lodsb, rep lodsb
REP_SNIP r_lodsd, rep lodsd
REP_SNIP r_cmpsb, repe cmpsb
REP_SNIP r_scasb, repe scasb
REP_SNIP r_scasb_ne, repne scasb
REP_SNIP r_insb, rep insb
REP_SNIP r_insw, rep insw
REP_SNIP r_outsb, rep outsb
REP_SNIP r_outsd, rep outsd
REP_SNIP r_jmp, jmp $


; Endless new code: jumps to the 16-byte slots of [EDI, ESI) in turn, each
; holding `mov eax, ecx; jmp ebx` (the kernel wrote them), and ebx brings it
; back; the slots are aliases of the same RAM at ever new linear addresses,
; so every pass translates a block that stays (nothing is written).
global r_newcode_begin, r_newcode_end
section .text
r_newcode_begin:
        call .base
.base:  pop ebx
        add ebx, .back - .base
        mov edx, edi
.loop:  jmp edi
.back:  inc ecx
        add edi, 16
        cmp edi, esi
        jb .loop
        mov edi, edx
        jmp .loop
r_newcode_end:

section .note.GNU-stack noalloc noexec nowrite progbits
