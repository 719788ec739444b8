; debug_breakpoints: a #DB handler that resumes (sets RF in the frame, as a
; debugger does) and bodies with instructions to break on.
bits 32

section .bss
global db_count, db_eip, db_dr6
db_count: resd 1
db_eip:   resd 1
db_dr6:   resd 1

section .text
global db_handler
db_handler:
        push eax
        inc dword [db_count]
        mov eax, [esp + 4]
        mov [db_eip], eax
        mov eax, dr6
        mov [db_dr6], eax
        xor eax, eax
        mov dr6, eax
        or dword [esp + 12], 1 << 16    ; RF in the frame's EFLAGS
        pop eax
        iretd

; inc_body: returns 1 if the instruction at bp_inc ran once.
global inc_body, bp_inc
inc_body:
        xor eax, eax
bp_inc:
        inc eax
        ret

; arm_body(addr): DR0 = its address, then runs the instruction there, in
; the same block: returns 1 if bp_late ran once.
global arm_body, bp_late
arm_body:
        mov eax, bp_late
        mov dr0, eax
        xor eax, eax
bp_late:
        inc eax
        ret

; movss_body: the breakpoint is on the instruction after mov ss.
global movss_body, bp_after_movss
movss_body:
        mov eax, bp_after_movss
        mov dr0, eax
        xor eax, eax
        mov cx, ss
        mov ss, cx
bp_after_movss:
        inc eax
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
