; Self-modifying code. Everything here lives in .text, in the same pages as
; the code that runs the tests: without paging, code pages are writable, and
; a translator must notice every store into code it has already translated.
bits 32

section .text

; mov eax, imm32 ; ret - the C side rewrites the immediate between calls.
global smc_imm_target, smc_imm_field
smc_imm_target:
        db 0xB8                         ; mov eax, imm32
smc_imm_field:
        dd 0x11111111
        ret

; uint32_t smc_patch_next(uint8_t value): stores `value` into the immediate
; of the very next instruction, which must then see it.
global smc_patch_next
smc_patch_next:
        mov al, [esp+4]
        mov [.next+1], al
.next:  mov eax, 0                      ; B8 00 00 00 00: the low byte is replaced
        ret

; uint32_t smc_patch_ahead(uint32_t value): as above, three instructions
; ahead, with a dword store, inside one straight-line block.
global smc_patch_ahead
smc_patch_ahead:
        mov ecx, [esp+4]
        mov [.later+1], ecx
        mov edx, 5
        add edx, 1
        nop
.later: mov eax, 0
        add eax, edx                    ; value + 6
        ret

; uint32_t smc_loop_patch(void): a loop whose body rewrites the immediate of
; its own add for the next iteration: sum of 0..9 = 45.
global smc_loop_patch
smc_loop_patch:
        xor eax, eax
        xor ecx, ecx
.top:   mov [.add+2], cl
.add:   add eax, byte 0x7F              ; 83 C0 ib
        inc ecx
        cmp ecx, 10
        jne .top
        ret

; uint32_t smc_jump_patch(void): rewrites the rel32 of a jmp each iteration
; to one of four targets: 20 iterations give 5 * (1 + 10 + 100 + 1000).
global smc_jump_patch
smc_jump_patch:
        xor eax, eax
        xor ecx, ecx
.again: mov edx, ecx
        and edx, 3
        mov edx, [.targets+edx*4]
        sub edx, .jmp_end               ; rel32 = target - end of the jmp
        mov [.jmp+1], edx
.jmp:   jmp near .t3                    ; E9 rel32
.jmp_end:
        nop
.t0:    add eax, 1
        jmp .next
.t1:    add eax, 10
        jmp .next
.t2:    add eax, 100
        jmp .next
.t3:    add eax, 1000
.next:  inc ecx
        cmp ecx, 20
        jb .again
        ret
.targets:
        dd .t0, .t1, .t2, .t3

; uint32_t smc_movs_patch(uint32_t value): overwrites the code of .victim
; with a string move (a different write path from mov), then runs it.
global smc_movs_patch
smc_movs_patch:
        push esi
        push edi
        mov eax, [esp+12]
        mov [.template+1], eax          ; the template is code too, never run
        mov esi, .template
        mov edi, .victim
        mov ecx, .template_end - .template
        rep movsb
        pop edi
        pop esi
.victim:
        mov eax, 0xDEAD                 ; replaced by: mov eax, value; ret
        nop
        ret
.template:
        mov eax, 0
        ret
.template_end:

section .note.GNU-stack noalloc noexec nowrite progbits
