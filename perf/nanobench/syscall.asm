; The syscall item: a ring-3 loop of `int 0x80` to a ring-0 handler that
; irets at once. Vector 0x80 is also user_call's way back from ring 3
; (paging_common/user.asm), so the handler dispatches on EAX like a system
; call table would: the benchmark's number irets, anything else is the
; return from user_call.
bits 32
%include "loop.inc"

SYS_NULL equ 0x6E62             ; 'nb': the do-nothing system call

extern user_return_entry

section .text
global nb_syscall_entry, nb_int80_loop, nb_ring3_empty_loop, nb_ring3_mov_ds_loop

nb_syscall_entry:
        cmp eax, SYS_NULL
        jne user_return_entry
        iretd

; Both run at CPL 3 (through user_call) and return 0, which user_call's own
; int 0x80 then reads as "return to the kernel".
nb_int80_loop:
        LOOP_ENTER
        mov eax, SYS_NULL
        LOOP_TOP
        int 0x80
        LOOP_NEXT
        xor eax, eax
        LOOP_LEAVE

nb_ring3_empty_loop:
        LOOP_ENTER
        LOOP_TOP
        LOOP_NEXT
        LOOP_LEAVE

; mov ds at CPL 3, with the user data selector it already holds.
nb_ring3_mov_ds_loop:
        LOOP_ENTER
        mov edx, ds
        LOOP_TOP
        mov ds, dx
        LOOP_NEXT
        xor eax, eax
        LOOP_LEAVE

section .note.GNU-stack noalloc noexec nowrite progbits
