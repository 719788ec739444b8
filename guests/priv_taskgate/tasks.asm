; priv_taskgate: the code of the two other tasks (the #DF task and task B)
; and the bodies that switch to them. The tasks run with DS = ES = 0x10 from
; their TSSs; the bodies store through SS (valid at CPL 0 and CPL 3).
bits 32

T_EIP    equ 32                 ; struct tss32 offsets
T_EFLAGS equ 36
T_ESP    equ 56
TSS_DWORDS equ 26

; struct task_record offsets (see taskgate.h)
R_COUNT  equ 0
R_EFLAGS equ 4
R_CR0    equ 8
R_CS     equ 12
R_SS     equ 16
R_DS     equ 20
R_ESP    equ 24
R_TOP    equ 28                 ; the dword at ESP (the #DF error code)
R_EAX    equ 32                 ; EAX and EBX as the task started
R_EBX    equ 36
R_ACC    equ 40                 ; access bytes of the three TSS descriptors
R_SNAP   equ 52                 ; the main TSS as the task found it

extern pm_tss

section .bss
global df_rec, b_rec, acc_ptr, idt13_acc, resume_esp, pre_esp, post_regs
alignb 4
df_rec:     resb R_SNAP + 4 * TSS_DWORDS
b_rec:      resb R_SNAP + 4 * TSS_DWORDS
acc_ptr:    resd 3              ; addresses of the main, #DF and B access bytes
idt13_acc:  resd 1              ; address of IDT gate 13's access byte
resume_esp: resd 1              ; ESP for df_resume
pre_esp:    resd 1
post_regs:  resd 6              ; ebx, esi, edi, ebp, esp, eflags after coming back

section .data
global b_far, main_far, gate_far
b_far:    dd 0
          dw 0x38
main_far: dd 0
          dw 0x28
gate_far: dd 0                  ; selector set by the C side
          dw 0
bad_sel:  dw 0x200

section .text

; Records what every task checks at its start, into the record at EDI.
record_task:
        mov [edi + R_EAX], eax
        mov [edi + R_EBX], ebx
        pushfd
        pop dword [edi + R_EFLAGS]
        mov eax, cr0
        mov [edi + R_CR0], eax
        xor eax, eax
        mov ax, cs
        mov [edi + R_CS], eax
        mov ax, ss
        mov [edi + R_SS], eax
        mov ax, ds
        mov [edi + R_DS], eax
        lea eax, [esp + 4]              ; the task's ESP before this call
        mov [edi + R_ESP], eax
        mov eax, [esp + 4]
        mov [edi + R_TOP], eax
%assign i 0
%rep 3
        mov ecx, [acc_ptr + 4 * i]
        movzx eax, byte [ecx]
        mov [edi + R_ACC + 4 * i], eax
%assign i i + 1
%endrep
        push esi
        push edi
        mov esi, pm_tss
        add edi, R_SNAP
        mov ecx, TSS_DWORDS
        cld
        rep movsd
        pop edi
        pop esi
        inc dword [edi + R_COUNT]
        ret

; The #DF task: record, repair IDT gate 13, make the main task resume at
; df_resume, and return to it with iret (NT=1: a task return).
global df_task
df_task:
        mov edi, df_rec
        call record_task
        mov ecx, [idt13_acc]
        or byte [ecx], 0x80
        mov dword [pm_tss + T_EIP], df_resume
        mov eax, [resume_esp]
        mov [pm_tss + T_ESP], eax
        mov dword [pm_tss + T_EFLAGS], 0x2
        iretd
        jmp df_task                     ; where the next #DF would start

; Task B: record; back by iret if it was called (NT=1), else jmp to main.
global task_b
task_b:
        mov edi, b_rec
        call record_task
        test dword [b_rec + R_EFLAGS], 0x4000
        jz .by_jmp
        iretd
        jmp task_b
.by_jmp:
        jmp far [main_far]
        jmp task_b

; Sets distinctive values in the callee-saved registers (saved first).
%macro MARK 0
        push ebx
        push esi
        push edi
        push ebp
        mov ebx, 0xB0B0B0B0
        mov esi, 0x51515151
        mov edi, 0xD1D1D1D1
        mov ebp, 0xB9B9B9B9
%endmacro

; Records them after the way back, then restores them.
%macro UNMARK 0
        mov [ss:post_regs], ebx
        mov [ss:post_regs + 4], esi
        mov [ss:post_regs + 8], edi
        mov [ss:post_regs + 12], ebp
        mov [ss:post_regs + 16], esp
        pushfd
        pop dword [ss:post_regs + 20]
        pop ebp
        pop edi
        pop esi
        pop ebx
%endmacro

; body: jmp far 0038:0 (task B, which jumps back).
global jmp_task, jmp_task_insn, jmp_task_back
jmp_task:
        MARK
        mov [ss:pre_esp], esp
jmp_task_insn:
        jmp far [ss:b_far]
jmp_task_back:
        UNMARK
        ret

; body: call far sel:0 for sel = arg (a TSS or a task gate).
global call_task, call_task_insn, call_task_back
call_task:
        mov eax, [esp + 4]
        mov [ss:gate_far + 4], ax
        MARK
        mov [ss:pre_esp], esp
call_task_insn:
        call far [ss:gate_far]
call_task_back:
        UNMARK
        ret

; body: jmp far arg:0.
global jmp_sel, jmp_sel_insn
jmp_sel:
        mov eax, [esp + 4]
        mov [ss:gate_far + 4], ax
jmp_sel_insn:
        jmp far [ss:gate_far]
        ret

; body: iret with NT=1 (a task return to the main TSS's back-link), with a
; same-privilege frame behind it in case NT were ignored.
global iret_nt, iret_nt_insn
iret_nt:
        pushfd
        and dword [esp], ~0x4000
        push cs
        push iret_nt_back
        pushfd
        or dword [esp], 0x4000
        popfd
iret_nt_insn:
        iretd
iret_nt_back:
        ret

; body: int 0x60 (an IDT task gate to the short TSS).
global int_small
int_small:
        int 0x60
        ret

global ud2_body
ud2_body:
        ud2
        ret

; body: the double fault. With IDT gate 13 not present, a #GP raises #NP
; while it is delivered: #DF, through the task gate at vector 8.
global df_body, df_fault_insn, df_resume
df_body:
        MARK
        mov [resume_esp], esp
        mov eax, 0xA0A0A0A0
        mov ecx, 0xC0C0C0C0
        mov edx, 0xD0D0D0D0
        mov [pre_esp], esp
df_fault_insn:
        mov ds, [bad_sel]               ; #GP(0200)
        ud2                             ; not reached: the #DF task resumes us below
df_resume:
        UNMARK
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
