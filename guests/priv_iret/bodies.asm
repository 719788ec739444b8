; priv_iret: iretd and popfd to the same privilege level with a chosen
; EFLAGS image (the body's argument); each returns the EFLAGS that pushfd
; sees afterwards in EAX. At CPL 0 a second iretd with a clean image undoes
; what the first loaded (popfd cannot clear VIF/VIP).
bits 32

section .text

; iretd to the next instruction, same CS, EFLAGS = [esp+4].
global iret_to_self
iret_to_self:
        mov eax, [esp + 4]
        push eax                        ; EFLAGS image
        xor eax, eax
        mov ax, cs
        push eax
        push .after
        iretd
.after:
        pushfd
        pop eax
        ret

; The same, then back to EFLAGS 0x002 by another iretd (CPL 0).
global iret_to_self_and_back
iret_to_self_and_back:
        push dword [esp + 4]
        call iret_to_self
        add esp, 4
        push eax
        push dword 0x002
        call iret_to_self
        add esp, 4
        pop eax
        ret

; popfd of [esp+4].
global popfd_body
popfd_body:
        push dword [esp + 4]
        popfd
        pushfd
        pop eax
        ret

; popf (16-bit) of the low half of [esp+4].
global popf16_body
popf16_body:
        push word [esp + 4]
        popfw                           ; 66 9D
        pushfd
        pop eax
        ret

; The fatal case: iretd at CPL 0 with VM set (bt86 does not run
; virtual-8086 mode yet and must end the run naming the instruction).
; Returns to the same stack with CS = [esp+4] (the return's RPL says the
; level): iretd_to_cs with an iretd (EFLAGS as they are), retf_to_cs with a
; far ret, iretd_outer_to_cs (at CPL 0) with an iretd to an outer level (SS
; the flat DPL-3 data segment, the same ESP). Each lands in after_return:
; cli, which faults unless CPL <= IOPL, so a return that wrongly lands at
; CPL 0 shows. Returns CS.
global iretd_to_cs, retf_to_cs, iretd_outer_to_cs
iretd_to_cs:
        mov eax, [esp + 4]
        pushfd
        push eax
        push after_return
        iretd

retf_to_cs:
        mov eax, [esp + 4]
        push eax
        push after_return
        retf

iretd_outer_to_cs:
        mov eax, [esp + 4]
        push dword 0x23                 ; SS: PM_UDATA
        lea edx, [esp + 4]
        push edx                        ; ESP as it was before the push
        pushfd
        push eax
        push after_return
        iretd

after_return:
        cli
        xor eax, eax
        mov ax, cs
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
