; string_irq bodies: one routine per rep string instruction, and the IRQ0
; entry that records where each timer interrupt found the CPU.
bits 32

PORT equ 0x5A0          ; no device: reads give all ones, writes vanish

section .bss
global ticks, mid_ticks, mid_ecx, mid_esi, mid_edi, watch_eip, watch_count
ticks:       resd 1     ; every IRQ0
mid_ticks:   resd 1     ; IRQ0s that stopped the watched instruction part-way
mid_ecx:     resd 1     ; ECX, ESI, EDI at the last of those
mid_esi:     resd 1
mid_edi:     resd 1
watch_eip:   resd 1     ; the watched instruction
watch_count: resd 1     ; its starting ECX

section .text

; IRQ0: an interrupt that came between two iterations of the watched
; instruction has pushed that instruction's own address, with ECX neither the
; starting count nor 0.
global irq0_entry
irq0_entry:
        push eax
        mov eax, [esp + 4]              ; the interrupted EIP
        cmp eax, [watch_eip]
        jne .counted
        cmp ecx, [watch_count]
        je .counted                     ; not started yet
        inc dword [mid_ticks]
        mov [mid_ecx], ecx
        mov [mid_esi], esi
        mov [mid_edi], edi
.counted:
        inc dword [ticks]
        mov al, 0x20                    ; non-specific EOI
        out 0x20, al
        pop eax
        iretd

; void NAME(struct string_run *r): ESI, EDI, ECX, EAX and DF from r, then
; the instruction with interrupts enabled; ESI, EDI, ECX, EAX back into r.
; struct string_run { esi, edi, ecx, eax, df, out_esi, out_edi, out_ecx, out_eax }
%macro RUN 2
global %1
%1:
        push ebx
        push esi
        push edi
        mov ebx, [esp + 16]
        mov esi, [ebx]
        mov edi, [ebx + 4]
        mov ecx, [ebx + 8]
        mov eax, [ebx + 12]
        mov dx, PORT
        mov dword [watch_eip], %%insn
        mov [watch_count], ecx
        cld
        cmp dword [ebx + 16], 0
        je %%up
        std
%%up:
        sti
%%insn:
        %2
        cli
        cld
        mov [ebx + 20], esi
        mov [ebx + 24], edi
        mov [ebx + 28], ecx
        mov [ebx + 32], eax
        mov dword [watch_eip], 0
        pop edi
        pop esi
        pop ebx
        ret
%endmacro

RUN run_outsb, rep outsb
RUN run_outsw, rep outsw
RUN run_insb, rep insb
RUN run_movsb, rep movsb
RUN run_movsd, rep movsd
RUN run_lodsb, rep lodsb
RUN run_stosw, rep stosw

section .note.GNU-stack noalloc noexec nowrite progbits
