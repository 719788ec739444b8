; Loops for the items that need neither paging nor ring 3 (see nanobench.h):
; each body is one event, the empty loop is the same frame with no body.
bits 32
%include "loop.inc"

POST_PORT equ 0x80              ; out: the POST code port
UART_LSR  equ 0x3FD             ; in: COM1's line status register

section .text
global nb_empty_loop, nb_iret_loop, nb_out_loop, nb_in_loop
global nb_cli_sti_loop, nb_call_ret_loop, nb_pushf_popf_loop
global nb_mov_ds_loop, nb_pop_ds_loop

nb_empty_loop:
        LOOP_ENTER
        LOOP_TOP
        LOOP_NEXT
        LOOP_LEAVE

; A same-privilege interrupt frame, then iret to the next instruction.
nb_iret_loop:
        LOOP_ENTER
        LOOP_TOP
        pushfd
        push cs
        push dword .next
        iretd
.next:
        LOOP_NEXT
        LOOP_LEAVE

nb_out_loop:
        LOOP_ENTER
        mov dx, POST_PORT
        LOOP_TOP
        out dx, al
        LOOP_NEXT
        LOOP_LEAVE

nb_in_loop:
        LOOP_ENTER
        mov dx, UART_LSR
        LOOP_TOP
        in al, dx
        LOOP_NEXT
        LOOP_LEAVE

; Interrupts must be masked at the PIC: IF is set for a moment each time.
nb_cli_sti_loop:
        LOOP_ENTER
        LOOP_TOP
        cli
        sti
        LOOP_NEXT
        cli
        LOOP_LEAVE

nb_call_ret_loop:
        LOOP_ENTER
        LOOP_TOP
        call just_ret
        LOOP_NEXT
        LOOP_LEAVE

just_ret:
        ret

nb_pushf_popf_loop:
        LOOP_ENTER
        LOOP_TOP
        pushfd
        popfd
        LOOP_NEXT
        LOOP_LEAVE

; Segment register loads at CPL 0: DS reloaded with its own selector.
nb_mov_ds_loop:
        LOOP_ENTER
        mov edx, ds
        LOOP_TOP
        mov ds, dx
        LOOP_NEXT
        LOOP_LEAVE

nb_pop_ds_loop:
        LOOP_ENTER
        LOOP_TOP
        push ds
        pop ds
        LOOP_NEXT
        LOOP_LEAVE

section .note.GNU-stack noalloc noexec nowrite progbits
