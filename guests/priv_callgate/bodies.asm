; priv_callgate: far call / far jmp bodies and the procedures they reach.
; Stores go through SS, valid at every point (see priv_int/bodies.asm).
bits 32

KDATA equ 0x10

; struct gate_record offsets
G_ESP   equ 0
G_SS    equ 4
G_CS    equ 8
G_FRAME equ 12                  ; 6 dwords from the procedure's ESP
G_COUNT equ 36

; struct post_record offsets
Q_ESP equ 0
Q_CS  equ 4
Q_SS  equ 8
Q_DS  equ 12
Q_ES  equ 16

section .bss
global gate_rec, post_rec, pre_esp, load_segs
gate_rec:   resd 10
post_rec:   resd 5
pre_esp:    resd 1
load_segs:  resd 1              ; nonzero: the procedure loads DS/ES = KDATA
far_ptr:    resd 2              ; what call/jmp far go through
return_far: resd 2              ; where the jmp target jumps back to
saved_eax:  resd 1

section .text

%macro RECORD_ENTRY 0
        mov [ss:saved_eax], eax
        mov [ss:gate_rec + G_ESP], esp
        xor eax, eax
        mov ax, ss
        mov [ss:gate_rec + G_SS], eax
        mov ax, cs
        mov [ss:gate_rec + G_CS], eax
%assign i 0
%rep 6
        mov eax, [esp + 4 * i]
        mov [ss:gate_rec + G_FRAME + 4 * i], eax
%assign i i + 1
%endrep
        inc dword [ss:gate_rec + G_COUNT]
%endmacro

%macro RECORD_POST 0
        mov [ss:post_rec + Q_ESP], esp
        xor eax, eax
        mov ax, cs
        mov [ss:post_rec + Q_CS], eax
        mov ax, ss
        mov [ss:post_rec + Q_SS], eax
        mov ax, ds
        mov [ss:post_rec + Q_DS], eax
        mov ax, es
        mov [ss:post_rec + Q_ES], eax
%endmacro

; The procedure behind the call gates: takes two parameters, retf 8.
global gate_proc
gate_proc:
        RECORD_ENTRY
        cmp dword [ss:load_segs], 0
        je .ret
        mov eax, KDATA
        mov ds, eax
        mov es, eax
.ret:   mov eax, [ss:saved_eax]
        retf 8

; The target of far jumps: jumps back to return_far.
global jmp_target
jmp_target:
        RECORD_ENTRY
        jmp far [ss:return_far]

; body(sel): push two parameters, call far sel:gate_proc.
global call_body, call_body_insn, call_body_next
call_body:
        mov eax, [esp + 4]
        mov [ss:far_ptr + 4], eax
        mov dword [ss:far_ptr], gate_proc
        push dword 0x22222222           ; parameter 2
        push dword 0x11111111           ; parameter 1, at the lower address
        mov [ss:pre_esp], esp
call_body_insn:
        call far [ss:far_ptr]
call_body_next:
        RECORD_POST
        ret

; body(sel): jmp far sel:jmp_target, which comes back to jmp_body_back.
global jmp_body, jmp_body_insn, jmp_body_back
jmp_body:
        mov eax, [esp + 4]
        mov [ss:far_ptr + 4], eax
        mov dword [ss:far_ptr], jmp_target
        mov dword [ss:return_far], jmp_body_back
        xor eax, eax
        mov ax, cs
        mov [ss:return_far + 4], eax
        mov [ss:pre_esp], esp
jmp_body_insn:
        jmp far [ss:far_ptr]
jmp_body_back:
        RECORD_POST
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
