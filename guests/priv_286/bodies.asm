; priv_286: the 16-bit code of the 286 forms. It lives in one 64 KiB-aligned
; window (section .w16) that code segments with the window's base reach, so
; its offsets fit the 16 bits that 286 gates, frames and TSSs hold. Records
; go through DS (flat at CPL 0 and 3) with 32-bit addresses.
bits 32

KCODE   equ 0x08
UCODE   equ 0x1B

; struct record (main.c): dwords
R_ESP_BEFORE equ 0
R_ESP_AFTER  equ 4
R_HESP       equ 8
R_FRAME      equ 12                 ; 6 dwords: the words from the handler's ESP
R_FLAGS      equ 36                 ; FLAGS inside the handler
R_CS         equ 40
R_SS         equ 44
R_REGS       equ 48                 ; 8 dwords: EAX..EDI as the 16-bit task saw them
R_FS         equ 80
R_GS         equ 84
R_SS_AFTER   equ 88
R_BACK_EAX   equ 92                 ; the kernel's EAX after a task came back

section .bss
global rec, w16_ptr, w16u_ptr, gate_ptr, back_tss_ptr, ustk_sel, saved_esp
rec:          resd 24
w16_ptr:      resd 2                ; far pointer (offset, selector) into the window at CPL 0
w16u_ptr:     resd 2                ; ... at CPL 3
gate_ptr:     resw 2                ; m16:16 for the 16-bit code's far calls and jumps
back_tss_ptr: resw 2                ; the kernel's own TSS, for the 16-bit task's jmp back
ustk_sel:     resd 1                ; the CPL-3 16-bit stack segment
saved_esp:    resd 1
far_ptr:      resd 2

section .text

; body(offset): far jump to W16:offset (at CPL 0), which comes back to w16_back.
global w16_body
w16_body:
        mov eax, [esp + 4]
        mov [w16_ptr], eax
        mov [saved_esp], esp
        jmp far [w16_ptr]
global w16_back
w16_back:
        mov eax, 0x10
        mov ds, eax
        mov es, eax
        mov ss, eax
        mov esp, [saved_esp]
        xor eax, eax
        ret

; body(offset): the same at CPL 3, to W16U:offset, back at w16u_back.
global w16u_body
w16u_body:
        mov eax, [esp + 4]
        mov [w16u_ptr], eax
        mov [saved_esp], esp
        jmp far [w16u_ptr]
global w16u_back
w16u_back:
        mov eax, 0x23
        mov ss, eax
        mov esp, [saved_esp]
        xor eax, eax
        ret

; body(selector): jmp far to a TSS with these registers; the task comes
; back by a jmp to the kernel's TSS (or an iret, for call_tss_body).
global jmp_tss_body, call_tss_body
jmp_tss_body:
        mov eax, [esp + 4]
        mov [far_ptr + 4], eax
        mov dword [far_ptr], 0
        mov eax, 0x5A5A1234
        jmp far [far_ptr]
        mov [rec + R_BACK_EAX], eax ; EAX as the kernel's TSS gave it back
        xor eax, eax
        ret
call_tss_body:
        mov eax, [esp + 4]
        mov [far_ptr + 4], eax
        mov dword [far_ptr], 0
        mov eax, 0x5A5A1234
        call far [far_ptr]
        mov [rec + R_BACK_EAX], eax
        xor eax, eax
        ret

%macro RECORD_FRAME 0
        mov [dword rec + R_HESP], esp
%assign i 0
%rep 6
        movzx eax, word [esp + 2 * i]
        mov [dword rec + R_FRAME + 4 * i], eax
%assign i i + 1
%endrep
        pushf
        pop ax
        movzx eax, ax
        mov [dword rec + R_FLAGS], eax
        mov ax, cs
        mov [dword rec + R_CS], eax
        mov ax, ss
        mov [dword rec + R_SS], eax
%endmacro

section .w16 progbits alloc exec nowrite align=65536
bits 16
global w16_start
w16_start:

; int 0x61 (a 16-bit interrupt gate) and int 0x62 (a 16-bit trap gate), with IF set.
global int61_entry, int61_next, int62_entry, int62_next
int61_entry:
        sti
        mov [dword rec + R_ESP_BEFORE], esp
        int 0x61
int61_next:
        jmp int_done
int62_entry:
        sti
        mov [dword rec + R_ESP_BEFORE], esp
        int 0x62
int62_next:
int_done:
        cli
        mov [dword rec + R_ESP_AFTER], esp
        jmp dword KCODE:w16_back

; The handler of both: records its frame, returns by a 16-bit iret.
global int16_handler
int16_handler:
        RECORD_FRAME
        iret

; mov ds, ax with a selector past the GDT: #GP through a 16-bit gate.
global gp_entry, gp_insn
gp_entry:
        mov [dword rec + R_ESP_BEFORE], esp
        mov ax, 0x3F8
gp_insn:
        mov ds, ax                  ; 2 bytes; the handler skips it
        mov [dword rec + R_ESP_AFTER], esp
        jmp dword KCODE:w16_back

global gp16_handler
gp16_handler:
        RECORD_FRAME
        add word [esp + 2], 2       ; past the mov ds, ax
        add sp, 2                   ; the error code
        iret

; A far call through a 16-bit call gate without parameters (CPL 0 to 0).
global callgate_entry, callgate_next
callgate_entry:
        mov [dword rec + R_ESP_BEFORE], esp
        call far [dword gate_ptr]
callgate_next:
        mov [dword rec + R_ESP_AFTER], esp
        jmp dword KCODE:w16_back

global gate_proc0
gate_proc0:
        RECORD_FRAME
        retf

; At CPL 3 on a 16-bit stack: two word parameters, a far call through a
; 16-bit call gate to CPL 0, retf 4 back.
global user_call_entry, user_call_next
user_call_entry:
        mov ax, [dword ustk_sel]
        mov ss, ax
        mov sp, 0x0F00
        push word 0x2222
        push word 0x1111
        mov [dword rec + R_ESP_BEFORE], esp
        call far [dword gate_ptr]
user_call_next:
        mov [dword rec + R_ESP_AFTER], esp
        mov ax, ss
        mov [dword rec + R_SS_AFTER], eax
        jmp dword UCODE:w16u_back

global gate_proc2
gate_proc2:
        RECORD_FRAME
        retf 4

; A 16-bit task: records the registers its TSS gave it, changes some, and
; goes back by a jmp to the kernel's TSS (task16_jmp) or by iret through
; the back link (task16_iret).
%macro RECORD_TASK 0
        mov [dword rec + R_REGS + 0], eax
        mov [dword rec + R_REGS + 4], ecx
        mov [dword rec + R_REGS + 8], edx
        mov [dword rec + R_REGS + 12], ebx
        mov [dword rec + R_REGS + 16], esp
        mov [dword rec + R_REGS + 20], ebp
        mov [dword rec + R_REGS + 24], esi
        mov [dword rec + R_REGS + 28], edi
        movzx esp, sp               ; (a 16-bit TSS leaves ESP's upper half undefined)
        RECORD_FRAME
        mov ax, fs
        mov [dword rec + R_FS], eax
        mov ax, gs
        mov [dword rec + R_GS], eax
        mov ax, 0xAAAA
        mov cx, 0xCCCC
%endmacro

global task16_jmp, task16_jmp_next
task16_jmp:
        RECORD_TASK
        jmp far [dword back_tss_ptr]
task16_jmp_next:
        jmp task16_jmp              ; never run: the kernel's TSS is not jumped back to twice

global task16_iret, task16_iret_next
task16_iret:
        RECORD_TASK
        iret
task16_iret_next:
        jmp task16_iret

global w16_end
w16_end:

section .note.GNU-stack noalloc noexec nowrite progbits
