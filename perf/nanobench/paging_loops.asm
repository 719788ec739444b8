; Loops and the #PF handler for the paging items (see paging_items.c, which
; sets the variables they read).
bits 32
%include "loop.inc"

TOUCHES equ 64                  ; pages per address space, one byte read each

extern exc_stub_table           ; lib/idt.asm: the reporting stubs
extern nb_pf_lin, nb_pf_pte, nb_pf_pte_value, nb_pf_count
extern nb_ptemod_lin, nb_ptemod_pte, nb_ptemod_values
extern nb_touch_lin, nb_cr3

section .text
global nb_pf_entry, nb_pagefault_loop, nb_ptemod_loop, nb_touch64_loop, nb_ctxsw64_loop

; #PF: a fault on the benchmark's page maps it (writes its PTE) and retries
; the access; not-present entries are never cached, so no invlpg. Any other
; fault goes to the ordinary stub, which reports it and ends the run.
nb_pf_entry:
        push eax
        mov eax, cr2
        and eax, ~0xFFF
        cmp eax, [nb_pf_lin]
        jne .foreign
        push edx
        mov eax, [nb_pf_pte_value]
        mov edx, [nb_pf_pte]
        mov [edx], eax
        inc dword [nb_pf_count]
        pop edx
        pop eax
        add esp, 4                      ; the error code
        iretd
.foreign:
        pop eax
        jmp [exc_stub_table + 14 * 4]

; Unmap the page, invlpg, read it: the read faults, the handler maps the page,
; the read retries. Returns the number of faults taken (must be n).
nb_pagefault_loop:
        LOOP_ENTER
        mov esi, [nb_pf_pte]
        mov edi, [nb_pf_lin]
        mov ebx, [nb_pf_count]
        LOOP_TOP
        mov dword [esi], 0
        invlpg [edi]
        movzx edx, byte [edi]
        LOOP_NEXT
        mov eax, [nb_pf_count]
        sub eax, ebx
        LOOP_LEAVE

; Point a mapped page's PTE at the other of two frames, invlpg, read a byte:
; returns the sum of the bytes read (frames alternate, starting with the
; second, since the PTE starts at the first).
nb_ptemod_loop:
        LOOP_ENTER
        mov esi, [nb_ptemod_pte]
        mov edi, [nb_ptemod_lin]
        mov ebx, [nb_ptemod_values]
        mov ebp, [nb_ptemod_values + 4]
        xor ebp, ebx                    ; ebx ^= ebp swaps the two values
        mov [esi], ebx
        invlpg [edi]
        LOOP_TOP
        xor ebx, ebp
        mov [esi], ebx
        invlpg [edi]
        movzx edx, byte [edi]
        add eax, edx
        LOOP_NEXT
        LOOP_LEAVE

; One byte from each of the 64 pages at [esi]; sum into eax.
%macro TOUCH64 0
%assign page 0
%rep TOUCHES
        movzx edx, byte [esi + page * 4096]
        add eax, edx
%assign page page + 1
%endrep
%endmacro

; The 64 touches in the current address space; returns the sum of the bytes.
nb_touch64_loop:
        LOOP_ENTER
        mov esi, [nb_touch_lin]
        LOOP_TOP
        TOUCH64
        LOOP_NEXT
        LOOP_LEAVE

; Switch CR3 between the two address spaces, starting with the second, and
; touch 64 pages after each switch; returns the sum of the bytes. Ends in
; the first address space when n is even.
nb_ctxsw64_loop:
        LOOP_ENTER
        mov esi, [nb_touch_lin]
        mov ebx, [nb_cr3]
        mov edi, [nb_cr3 + 4]
        xor edi, ebx                    ; ebx ^= edi swaps the two
        mov cr3, ebx
        LOOP_TOP
        xor ebx, edi
        mov cr3, ebx
        TOUCH64
        LOOP_NEXT
        LOOP_LEAVE

section .note.GNU-stack noalloc noexec nowrite progbits
