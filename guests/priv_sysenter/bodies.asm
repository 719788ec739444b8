; priv_sysenter: the SYSENTER entry point and the bodies that use it. Stores
; go through SS (see priv_int/bodies.asm).
bits 32

section .bss
global entry_rec, post_rec, pre_eflags, exit_esp
entry_rec:  resd 5              ; cs, ss, esp, eflags, count: at the entry point
post_rec:   resd 4              ; cs, ss, esp, eflags: where sysexit went
pre_eflags: resd 1
exit_esp:   resd 1              ; ECX for sysexit: the ESP it must load
saved_esp:  resd 1

section .text

; IA32_SYSENTER_EIP points here: record, then sysexit with the caller's
; ECX and EDX (sysenter leaves both alone).
global sysenter_entry
sysenter_entry:
        mov [ss:entry_rec + 8], esp
        xor eax, eax
        mov ax, cs
        mov [ss:entry_rec], eax
        mov ax, ss
        mov [ss:entry_rec + 4], eax
        pushfd
        pop dword [ss:entry_rec + 12]
        inc dword [ss:entry_rec + 16]
sysexit_insn:
        sysexit

; body: sysenter with ECX = exit_esp and EDX = sysexit_target; the
; instruction after sysenter is ud2, so a wrong return EIP shows as #UD.
global sysenter_body, sysenter_insn, sysexit_target, sysexit_insn
sysenter_body:
        push ebx
        push esi
        push edi
        push ebp
        mov [ss:saved_esp], esp
        pushfd
        pop dword [ss:pre_eflags]
        mov ecx, [ss:exit_esp]
        mov edx, sysexit_target
sysenter_insn:
        sysenter
        ud2
sysexit_target:
        mov [ss:post_rec + 8], esp
        xor eax, eax
        mov ax, cs
        mov [ss:post_rec], eax
        mov ax, ss
        mov [ss:post_rec + 4], eax
        pushfd
        pop dword [ss:post_rec + 12]
        mov esp, [ss:saved_esp]
        pop ebp
        pop edi
        pop esi
        pop ebx
        ret

; body: a bare sysexit (it must fault). Should it not, it lands at ring 3 on
; int 0x80, which ends the body the way a return would.
global sysexit_body, sysexit_body_insn
sysexit_body:
        mov ecx, esp
        mov edx, sysexit_landing
sysexit_body_insn:
        sysexit
sysexit_landing:
        int 0x80

section .note.GNU-stack noalloc noexec nowrite progbits
