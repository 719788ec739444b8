; Snippets for the SMC kind (smc.c). Each finds its own address with
; call/pop and writes code it is about to run, at that address plus ESI:
; 0 (the same linear address) or the distance to the other mapping of the
; code page (U_CODE and U_ALIAS map the same physical page). EBP holds a
; sane stack for the closing int 0x80.
bits 32

%macro SNIP 1
global %1_begin, %1_end
%1_begin:
%endmacro
%macro ENDSNIP 1
        mov esp, ebp
        int 0x80
%1_end:
%endmacro

section .text
SNIP s_imm                              ; the next instruction's imm32 := EDX
        call .base
.base:  pop ebx
        mov [ebx + esi + (.target + 1 - .base)], edx
.target:
        mov eax, 0x11111111
ENDSNIP s_imm

SNIP s_opcode                           ; mov eax, imm32 becomes mov ecx, imm32
        call .base
.base:  pop ebx
        mov byte [ebx + esi + (.target - .base)], 0xB9
.target:
        mov eax, 0x22222222
ENDSNIP s_opcode

SNIP s_far                              ; imm32 of an instruction 24 bytes on
        call .base
.base:  pop ebx
        mov [ebx + esi + (.target + 1 - .base)], edx
        times 12 inc ecx
        times 12 dec ecx
.target:
        mov eax, 0x11111111
ENDSNIP s_far

SNIP s_loop                             ; each pass sets the imm8 of the add it runs next
        call .base
.base:  pop ebx
        xor eax, eax
        mov ecx, 8
.loop:  mov [ebx + esi + (.add + 2 - .base)], cl
.add:   add eax, strict byte 0x7F
        loop .loop
ENDSNIP s_loop

SNIP s_stos                             ; rep stosb turns the ud2s after it into nops
        call .base
.base:  pop edi
        lea edi, [edi + esi + (.pad - .base)]
        mov ecx, 16
        mov al, 0x90
        rep stosb
.pad:   times 8 ud2
        mov eax, 0x600D
ENDSNIP s_stos

SNIP s_push                             ; a push writes four nops over two ud2s
        call .base
.base:  pop ebx
        lea esp, [ebx + esi + (.target + 4 - .base)]
        push 0x90909090
.target:
        ud2
        ud2
        mov eax, 0x900D
ENDSNIP s_push

; CPL 0: EBX = the PTE of the code's second page, EDX = a new PTE for it,
; ECX = where to go in that page (whose new code sets EAX).
SNIP s_remap
        mov [ebx], edx
        invlpg [ecx]
        jmp ecx
s_remap_end:

section .note.GNU-stack noalloc noexec nowrite progbits
