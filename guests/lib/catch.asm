; The fault catcher (see catch.h). Every vector has a stub that pushes its
; number and joins catch_common, which records the event, then abandons the
; interrupted body: it reloads the kernel's segments and the stack that
; catch_call/catch_user saved and returns the vector from there.
bits 32

KDATA equ 0x10
RETURN_VECTOR equ 0x80

; struct catch_record offsets
R_VECTOR equ 0
R_ESP    equ 4
R_SS     equ 8
R_HEFL   equ 12
R_DS     equ 16
R_ES     equ 20
R_FS     equ 24
R_GS     equ 28
R_EAX    equ 32
R_ECX    equ 36
R_EDX    equ 40
R_EBX    equ 44
R_EBP    equ 48
R_ESI    equ 52
R_EDI    equ 56
R_WORDS  equ 60
R_COUNT  equ 84

extern catch_unexpected

section .data
align 4
global user_ctx
user_ctx:                               ; struct user_context
        dd 0x18 | 3                     ; cs
        dd 0x20 | 3                     ; ss
        dd 0x20 | 3                     ; ds
        dd 0x002                        ; eflags
        dd user_stack_top               ; esp

section .bss
alignb 16
global catch_rec, catch_ret, user_exit, catch_user_stack_top
catch_rec:      resb 88
catch_ret:      resd 1
catch_active:   resd 1
catch_esp:      resd 1
user_exit:      resd 5
                resb 64                 ; never read past user_stack_top
alignb 16
user_stack:     resb 16384
user_stack_top:
catch_user_stack_top: resb 64
emergency:      resb 4096
emergency_top:

section .text
%assign v 0
%rep 256
catch_stub_ %+ v:
        push strict dword v
        jmp near catch_common
%assign v v + 1
%endrep

catch_common:
        pushfd                          ; EFLAGS as the gate left them
        push ds
        push eax
        mov eax, KDATA
        mov ds, eax
        pop dword [catch_rec + R_EAX]
        mov [catch_rec + R_ECX], ecx
        mov [catch_rec + R_EDX], edx
        mov [catch_rec + R_EBX], ebx
        mov [catch_rec + R_EBP], ebp
        mov [catch_rec + R_ESI], esi
        mov [catch_rec + R_EDI], edi
        pop eax
        movzx eax, ax
        mov [catch_rec + R_DS], eax
        pop dword [catch_rec + R_HEFL]
        pop dword [catch_rec + R_VECTOR]
        mov [catch_rec + R_ESP], esp
        xor eax, eax
        mov ax, ss
        mov [catch_rec + R_SS], eax
        mov ax, es
        mov [catch_rec + R_ES], eax
        mov ax, fs
        mov [catch_rec + R_FS], eax
        mov ax, gs
        mov [catch_rec + R_GS], eax
%assign i 0
%rep 6
        mov eax, [ss:esp + 4 * i]
        mov [catch_rec + R_WORDS + 4 * i], eax
%assign i i + 1
%endrep
        inc dword [catch_rec + R_COUNT]
        cmp dword [catch_active], 0
        je .unexpected
        mov dword [catch_active], 0
        mov eax, KDATA
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        mov esp, [catch_esp]
        popfd
        pop edi
        pop esi
        pop ebx
        pop ebp
        mov eax, [catch_rec + R_VECTOR]
        ret
.unexpected:
        mov eax, KDATA
        mov es, eax
        mov ss, eax
        mov esp, emergency_top
        call catch_unexpected           ; reports and ends the run
.hang:  hlt
        jmp .hang

; Saves what a catch_* call restores; ESP then points at it.
%macro CATCH_ENTER 0
        push ebp
        push ebx
        push esi
        push edi
        pushfd
        mov [catch_esp], esp
        mov dword [catch_rec + R_VECTOR], 0xFFFFFFFF
        mov dword [catch_active], 1
%endmacro

; uint32_t catch_call(body_fn body, uint32_t arg)
global catch_call
catch_call:
        CATCH_ENTER
        mov eax, [esp + 24]             ; body
        push dword [esp + 28]           ; arg
        call eax
        mov [catch_ret], eax
        mov dword [catch_active], 0
        mov eax, KDATA
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        mov esp, [catch_esp]
        popfd
        pop edi
        pop esi
        pop ebx
        pop ebp
        mov eax, 0xFFFFFFFF
        ret

; uint32_t catch_user(body_fn body, uint32_t arg)
global catch_user
catch_user:
        CATCH_ENTER
        mov eax, [esp + 24]             ; body
        mov ecx, [esp + 28]             ; arg
        mov edx, [user_ctx + 16]        ; user ESP
        sub edx, 8
        mov dword [edx], user_back      ; body's return address
        mov [edx + 4], ecx
        push dword [user_ctx + 4]       ; SS
        push edx                        ; ESP
        push dword [user_ctx + 12]      ; EFLAGS
        push dword [user_ctx + 0]       ; CS
        push eax                        ; EIP
        mov ecx, [user_ctx + 8]
        mov ds, ecx
        mov es, ecx
        mov fs, ecx
        mov gs, ecx
        iretd

user_back:                              ; ring 3: the body returned
        int RETURN_VECTOR

; The int 0x80 gate (DPL 3): back from ring 3 with the body's EAX.
global catch_return_entry
catch_return_entry:
        mov ecx, KDATA
        mov ds, ecx
        mov [catch_ret], eax
%assign i 0
%rep 5
        mov eax, [ss:esp + 4 * i]
        mov [user_exit + 4 * i], eax
%assign i i + 1
%endrep
        cmp dword [catch_active], 0
        jne .active
        mov dword [catch_rec + R_VECTOR], RETURN_VECTOR
        jmp catch_common.unexpected
.active:
        mov dword [catch_active], 0
        mov es, ecx
        mov fs, ecx
        mov gs, ecx
        mov ss, ecx
        mov esp, [catch_esp]
        popfd
        pop edi
        pop esi
        pop ebx
        pop ebp
        mov eax, 0xFFFFFFFF
        ret

section .rodata
global catch_stub_table
catch_stub_table:
%assign v 0
%rep 256
        dd catch_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
