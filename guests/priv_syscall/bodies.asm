; priv_syscall: the SYSCALL entry point and the bodies that use it. Stores
; go through SS (see priv_int/bodies.asm).
bits 32

section .bss
global entry_rec, post_rec, pre_eflags
entry_rec:  resd 5              ; cs, ss, ecx, eflags, count: at the entry point
post_rec:   resd 4              ; cs, ss, eflags, ecx: where sysret went
pre_eflags: resd 1
saved_ecx:  resd 1

section .text

; STAR[31:0] points here: record, then sysret to the ECX syscall saved.
global syscall_entry
syscall_entry:
        mov [ss:entry_rec + 8], ecx
        xor eax, eax
        mov ax, cs
        mov [ss:entry_rec], eax
        mov ax, ss
        mov [ss:entry_rec + 4], eax
        pushfd
        pop dword [ss:entry_rec + 12]
        inc dword [ss:entry_rec + 16]
        sysret

; body: syscall from wherever it runs; the ECX it leaves must point at the
; instruction after it, which records where sysret came back.
global syscall_body, syscall_insn, syscall_return
syscall_body:
        push ebx
        pushfd
        pop dword [ss:pre_eflags]
        mov [ss:saved_ecx], esp
syscall_insn:
        syscall
syscall_return:
        xor eax, eax
        mov ax, cs
        mov [ss:post_rec], eax
        mov ax, ss
        mov [ss:post_rec + 4], eax
        pushfd
        pop dword [ss:post_rec + 8]
        mov [ss:post_rec + 12], ecx
        pop ebx
        ret

; body: a bare sysret (it must fault at CPL 3, or with EFER.SCE clear).
global sysret_body, sysret_insn
sysret_body:
        mov ecx, sysret_landing
sysret_insn:
        sysret
sysret_landing:
        int 0x80

section .note.GNU-stack noalloc noexec nowrite progbits
