; priv_int: a handler that records what it sees and returns with iret, and
; ring-3 (or ring-0) bodies that raise int n and record the state after the
; return. Every store goes through SS, the one data segment that is valid
; in the handler before it loads anything and in the body after an iret
; that may have nulled DS/ES/FS/GS.
bits 32

; struct probe_record offsets
P_ESP    equ 0
P_SS     equ 4
P_CS     equ 8
P_EFLAGS equ 12
P_FRAME  equ 16                 ; 5 dwords from the handler's ESP
P_COUNT  equ 36

; struct post_record offsets
Q_ESP    equ 0
Q_EFLAGS equ 4
Q_CS     equ 8
Q_SS     equ 12
Q_DS     equ 16
Q_ES     equ 20
Q_FS     equ 24
Q_GS     equ 28

section .bss
global probe_rec, post_rec, pre_esp, pre_eflags, iret_segs, load_segs
probe_rec:  resd 10
post_rec:   resd 8
pre_esp:    resd 1
pre_eflags: resd 1
iret_segs:  resd 4              ; DS, ES, FS, GS the handler loads before iret
load_segs:  resd 1              ; nonzero: it does
saved_eax:  resd 1

section .text

; The handler, for gates to ring-0 code and to ring-3 or conforming code.
global probe_entry
probe_entry:
        mov [ss:saved_eax], eax
        mov [ss:probe_rec + P_ESP], esp
        xor eax, eax
        mov ax, ss
        mov [ss:probe_rec + P_SS], eax
        mov ax, cs
        mov [ss:probe_rec + P_CS], eax
        pushfd
        pop dword [ss:probe_rec + P_EFLAGS]
%assign i 0
%rep 5
        mov eax, [esp + 4 * i]
        mov [ss:probe_rec + P_FRAME + 4 * i], eax
%assign i i + 1
%endrep
        inc dword [ss:probe_rec + P_COUNT]
        cmp dword [ss:load_segs], 0
        je .done
        mov ds, [ss:iret_segs]
        mov es, [ss:iret_segs + 4]
        mov fs, [ss:iret_segs + 8]
        mov gs, [ss:iret_segs + 12]
.done:
        mov eax, [ss:saved_eax]
        iretd

; int n, then record the state that the iret left.
%macro INT_BODY 1
global int_%1, int_%1_insn, int_%1_next
int_%1:
        pushfd
        pop dword [ss:pre_eflags]
        mov [ss:pre_esp], esp
int_%1_insn:
        int %1
int_%1_next:
        mov [ss:post_rec + Q_ESP], esp
        pushfd
        pop dword [ss:post_rec + Q_EFLAGS]
        xor eax, eax
        mov ax, cs
        mov [ss:post_rec + Q_CS], eax
        mov ax, ss
        mov [ss:post_rec + Q_SS], eax
        mov ax, ds
        mov [ss:post_rec + Q_DS], eax
        mov ax, es
        mov [ss:post_rec + Q_ES], eax
        mov ax, fs
        mov [ss:post_rec + Q_FS], eax
        mov ax, gs
        mov [ss:post_rec + Q_GS], eax
        ret
%endmacro

INT_BODY 0x50
INT_BODY 0x51
INT_BODY 0x52
INT_BODY 0x53
INT_BODY 0x54
INT_BODY 0x55
INT_BODY 0x56

; Exceptions raised by instructions, for the gate-DPL checks.
%macro ONE 2
global %1, %1_insn, %1_next
%1:
        mov [ss:pre_esp], esp
%1_insn:
        %2
%1_next:
        ret
%endmacro

ONE int3_body, int3
ONE int_3_body, {int 3}
ONE ud2_body, ud2
ONE cli_body, cli

global into_body, into_body_insn, into_body_next
into_body:
        mov al, 0x7F
        add al, 1                       ; OF=1
        mov [ss:pre_esp], esp
into_body_insn:
        into
into_body_next:
        ret

section .data
bounds: dd 10, 20
section .text
global bound_body, bound_body_insn, bound_body_next
bound_body:
        mov eax, 30
        mov [ss:pre_esp], esp
bound_body_insn:
        bound eax, [ss:bounds]
bound_body_next:
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
