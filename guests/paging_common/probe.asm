; Fault-surviving accesses (see probe.h). Before the access each routine
; saves ESP and sets pf_resume; the #PF handler resumes at .faulted, which
; restores ESP (a same-privilege iret cannot) and returns 1.
bits 32

extern pf_resume

section .bss
probe_esp: resd 1

section .text
global probe_read, probe_write, probe_call
global probe_read_insn, probe_write_insn ; the probed instructions, for #PF EIP checks

probe_read:
        mov [probe_esp], esp
        mov dword [pf_resume], faulted
        mov ecx, [esp+4]
probe_read_insn:
        mov eax, [ecx]                  ; the probed access
        mov dword [pf_resume], 0
        mov ecx, [esp+8]
        mov [ecx], eax
        xor eax, eax
        ret

probe_write:
        mov [probe_esp], esp
        mov dword [pf_resume], faulted
        mov ecx, [esp+4]
        mov edx, [esp+8]
probe_write_insn:
        mov [ecx], edx                  ; the probed access
        mov dword [pf_resume], 0
        xor eax, eax
        ret

probe_call:
        push ebx
        push esi
        push edi
        push ebp
        mov [probe_esp], esp
        mov dword [pf_resume], faulted_call
        call [esp+20]                   ; the probed fetch (and whatever it runs)
        mov dword [pf_resume], 0
        mov ecx, [esp+24]
        test ecx, ecx
        jz .done
        mov [ecx], eax
.done:  xor eax, eax
        jmp pop_ret

faulted_call:
        mov esp, [probe_esp]
        mov eax, 1
pop_ret:
        pop ebp
        pop edi
        pop esi
        pop ebx
        ret

faulted:
        mov esp, [probe_esp]
        mov eax, 1
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
