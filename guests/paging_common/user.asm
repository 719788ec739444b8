; Running a function at CPL 3 (see user.h). user_call saves its callee-saved
; registers and ESP, then irets to ring 3 with the function's arguments and a
; return address on the user stack. When the function returns, that address
; does int 0x80, whose handler throws its frame away, restores the saved ESP
; and returns to user_call's caller with EAX intact.
bits 32

KERNEL_DS equ 0x10
USER_CS   equ 0x18 | 3
USER_DS   equ 0x20 | 3

section .bss
alignb 16
user_stack:     resb 16384
user_stack_top:
kernel_esp:     resd 1

section .text
global user_call, user_return_entry

; uint32_t user_call(user_fn fn, uint32_t a, uint32_t b)
user_call:
        push ebp
        push ebx
        push esi
        push edi
        mov [kernel_esp], esp
        mov eax, [esp+20]               ; fn
        mov ecx, [esp+24]
        mov edx, [esp+28]
        mov dword [user_stack_top-12], back_from_user ; fn's return address
        mov [user_stack_top-8], ecx
        mov [user_stack_top-4], edx
        push USER_DS                    ; SS
        push user_stack_top - 12        ; ESP
        push 0x002                      ; EFLAGS: IF=0, IOPL=0
        push USER_CS                    ; CS
        push eax                        ; EIP
        mov cx, USER_DS                 ; ring 3 would null DPL-0 data selectors
        mov ds, cx
        mov es, cx
        mov fs, cx
        mov gs, cx
        iretd

back_from_user:                         ; CPL 3, fn's result in EAX
        int 0x80

user_return_entry:                      ; CPL 0, on the TSS's ring-0 stack
        mov cx, KERNEL_DS
        mov ds, cx
        mov es, cx
        mov fs, cx
        mov gs, cx
        mov esp, [kernel_esp]
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
