; Rounds and their end (see hostile.h). round_run enters round_in with an
; iretd (to CPL 0 or 3). Every IDT vector has a stub here; trap_common saves
; the registers and asks trap_dispatch (trap.c) whether to resume the round
; (a first timer tick, a demand fault, int 0x81) or to end it. Ending it is
; `rescue`: whatever the round did to the machine (control registers,
; GDTR/IDTR, segments, the stack, the task register), it loads the kernel's
; own state again, lets rescue_c restore the tables, and returns from
; round_run with the vector. The #DF gate is a task gate, so a round that
; broke its own stack still ends here.
bits 32

KCODE equ 0x08
KDATA equ 0x10

; struct round_regs offsets
RI_EAX equ 0
RI_ECX equ 4
RI_EDX equ 8
RI_EBX equ 12
RI_ESP equ 16
RI_EBP equ 20
RI_ESI equ 24
RI_EDI equ 28
RI_EIP equ 32
RI_CS  equ 36
RI_EFL equ 40
RI_SS  equ 44
RI_DS  equ 48
RI_ES  equ 52
RI_FS  equ 56
RI_GS  equ 60

EV_UTASK    equ 0x101
EV_SYSENTER equ 0x102
EV_KGATE    equ 0x103

extern trap_dispatch, record_special, record_nested, rescue_c
extern round_in, round_rec, k_cr0, k_cr3, k_cr4, k_gdtr, k_idtr

%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .bss
global k_esp, in_round, in_handler
k_esp:          resd 1          ; round_run's stack, after its saves
in_round:       resd 1
in_handler:     resd 1

section .text
; uint32_t round_run(void)
global round_run, round_run_end
round_run:
        push ebp
        push ebx
        push esi
        push edi
        pushfd
        mov [k_esp], esp
        mov dword [in_round], 1
        test byte [round_in + RI_CS], 3
        jnz .user
        ; CPL 0: the iret frame goes on the round's own stack
        mov eax, [round_in + RI_ESP]
        sub eax, 12
        mov ecx, [round_in + RI_EIP]
        mov [eax], ecx
        mov ecx, [round_in + RI_CS]
        mov [eax + 4], ecx
        mov ecx, [round_in + RI_EFL]
        mov [eax + 8], ecx
        mov ss, word [round_in + RI_SS]
        mov esp, eax
        jmp .segments
.user:
        push dword [round_in + RI_SS]
        push dword [round_in + RI_ESP]
        push dword [round_in + RI_EFL]
        push dword [round_in + RI_CS]
        push dword [round_in + RI_EIP]
.segments:
        ; CS (flat, readable) reads what is left once DS is the round's
        mov es, word [round_in + RI_ES]
        mov fs, word [round_in + RI_FS]
        mov gs, word [round_in + RI_GS]
        mov ds, word [cs:round_in + RI_DS]
        mov eax, [cs:round_in + RI_EAX]
        mov ecx, [cs:round_in + RI_ECX]
        mov edx, [cs:round_in + RI_EDX]
        mov ebx, [cs:round_in + RI_EBX]
        mov ebp, [cs:round_in + RI_EBP]
        mov esi, [cs:round_in + RI_ESI]
        mov edi, [cs:round_in + RI_EDI]
        iretd
round_run_end:

%assign v 0
%rep 256
trap_stub_ %+ v:
%if !HAS_ERROR(v)
        push strict dword 0
%endif
        push strict dword v
        jmp near trap_common
%assign v v + 1
%endrep

; The stack: vector, error (or 0), the CPU's frame. Saved below it: the data
; segment registers and pushad, which is struct trap_frame (trap.c).
trap_common:
        push ds
        push es
        push fs
        push gs
        pushad
        mov eax, KDATA
        mov ds, eax
        mov es, eax
        cld
        cmp dword [in_handler], 0
        jne .nested
        mov dword [in_handler], 1
        push esp
        call trap_dispatch
        add esp, 4
        test eax, eax
        jnz rescue
        mov dword [in_handler], 0
        popad
        pop gs
        pop fs
        pop es
        pop ds
        add esp, 8                      ; vector and error code
        iretd
.nested:                                ; the handler itself faulted
        push esp
        call record_nested
        jmp rescue

; Special entries: each records its event and ends the round.
%macro SPECIAL_ENTRY 2                  ; name, event
global %1
%1:
        mov eax, KDATA
        mov ds, eax
        mov es, eax
        cld
        push 0
        push %2
        call record_special
        jmp rescue
%endmacro
SPECIAL_ENTRY utask_entry, EV_UTASK     ; the user task (via GDT TSS or task gate)
SPECIAL_ENTRY sysenter_entry, EV_SYSENTER
SPECIAL_ENTRY kgate_entry, EV_KGATE     ; the DPL 3 call gate to ring 0

global df_entry
df_entry:                               ; the #DF task; its error code is on the stack
        mov eax, KDATA
        mov ds, eax
        mov es, eax
        cld
        push dword [esp]
        push 8
        call record_special
        ; fall through

; Ends the round from any state at CPL 0 (interrupts off by the gate).
global rescue
rescue:
        cli
        mov eax, cr0                    ; (a CR3 or paging-mode change costs a
        cmp eax, [cs:k_cr0]             ; virtualizer much: only if needed)
        jne .control_registers
        mov eax, cr4
        cmp eax, [cs:k_cr4]
        jne .control_registers
        mov eax, cr3
        cmp eax, [cs:k_cr3]
        je .tables
.control_registers:
        mov eax, cr0                    ; paging off while CR3/CR4 change: the
        and eax, 0x7FFFFFFF             ; kernel is identity-mapped in every
        mov cr0, eax                    ; set-up it uses
        mov eax, [cs:k_cr4]
        mov cr4, eax
        mov eax, [cs:k_cr3]
        mov cr3, eax
        mov eax, [cs:k_cr0]
        mov cr0, eax
.tables:
        lgdt [cs:k_gdtr]
        lidt [cs:k_idtr]
        mov eax, KDATA
        mov ss, eax
        mov esp, [cs:k_esp]
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        jmp KCODE:.reloaded
.reloaded:
        cld
        call rescue_c
        popfd
        pop edi
        pop esi
        pop ebx
        pop ebp
        mov eax, [round_rec]            ; the vector
        ret

section .rodata
global trap_stub_table
trap_stub_table:
%assign v 0
%rep 256
        dd trap_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
