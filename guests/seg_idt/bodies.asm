; Test bodies for seg_idt (run through catch_call/catch_user). Each stores
; ESP in pre_esp right before the instruction under test, which sits at
; <body>_insn and is followed by <body>_next, so that the frame's size and
; pushed EIP can be checked.
bits 32

section .data
align 4
global bounds, mxcsr_value
bounds:      dd 10, 20          ; bound's lower and upper limit
mxcsr_value: dd 0x1F80
fpu_cw:      dw 0x037E          ; x87 control word: invalid operation unmasked
one:         dd 1.0

section .bss
global pre_esp
pre_esp: resd 1

section .text

%macro BODY 1
global %1, %1_insn, %1_next
%1:
%endmacro

; #DE: divide by zero
BODY div0
        push ebx
        mov eax, 1
        xor edx, edx
        xor ebx, ebx
        mov [pre_esp], esp
div0_insn:
        div ebx
div0_next:
        pop ebx
        ret

; #DE: quotient too large (INT_MIN / -1)
BODY idiv_overflow
        push ebx
        mov eax, 0x80000000
        cdq
        mov ebx, -1
        mov [pre_esp], esp
idiv_overflow_insn:
        idiv ebx
idiv_overflow_next:
        pop ebx
        ret

; #DB: single step. popfd sets TF; the trap comes after the next instruction.
BODY single_step
        mov [pre_esp], esp
        pushfd
        or dword [esp], 0x100
        popfd
single_step_insn:
        nop
single_step_next:
        pushfd
        and dword [esp], ~0x100
        popfd
        ret

; #DB: INT1 (icebp)
BODY icebp
        mov [pre_esp], esp
icebp_insn:
        int1
icebp_next:
        ret

; #BP: the one-byte int3
BODY int3
        mov [pre_esp], esp
int3_insn:
        int3
int3_next:
        ret

; #BP: the two-byte int 3 (CD 03)
BODY int_3
        mov [pre_esp], esp
int_3_insn:
        int 3
int_3_next:
        ret

; #OF: into with OF=1
BODY into_of
        mov al, 0x7F
        add al, 1                       ; OF=1
        mov [pre_esp], esp
into_of_insn:
        into
into_of_next:
        ret

; into with OF=0: nothing
BODY into_no_of
        xor eax, eax                    ; OF=0
        mov [pre_esp], esp
into_no_of_insn:
        into
into_no_of_next:
        ret

; #BR: bound eax=arg against [10, 20]
BODY bound_check
        mov eax, [esp + 4]
        mov [pre_esp], esp
bound_check_insn:
        bound eax, [bounds]
bound_check_next:
        ret

; #UD: ud2
BODY ud2_body
        mov [pre_esp], esp
ud2_body_insn:
        ud2
ud2_body_next:
        ret

; #UD: lock prefix on an instruction that does not take it
BODY lock_nop
        mov [pre_esp], esp
lock_nop_insn:
        db 0xF0, 0x90
lock_nop_next:
        ret

; #NM: an x87 instruction while CR0.TS=1 (the caller sets TS)
BODY fnop_body
        mov [pre_esp], esp
fnop_body_insn:
        fnop
fnop_body_next:
        ret

; #TS: iret with NT=1 while the TSS's back-link is not a busy TSS. The
; stack holds a plain same-privilege frame to iret_nt_next in case NT were
; ignored.
BODY iret_nt
        pushfd
        and dword [esp], ~0x4000
        push cs
        push iret_nt_next
        pushfd
        or dword [esp], 0x4000
        popfd
        mov [pre_esp], esp
iret_nt_insn:
        iretd
iret_nt_next:
        ret

; #NP / #GP: mov ds, arg
BODY load_ds
        mov eax, [esp + 4]
        mov edx, ds
        mov [pre_esp], esp
load_ds_insn:
        mov ds, eax
load_ds_next:
        mov ds, edx
        ret

; #SS: mov ss, arg
BODY load_ss
        mov eax, [esp + 4]
        mov edx, ss
        mov [pre_esp], esp
load_ss_insn:
        mov ss, eax
load_ss_next:
        mov ss, edx
        ret

; #PF / #AC: read the dword at arg
BODY read_at
        mov ecx, [esp + 4]
        mov [pre_esp], esp
read_at_insn:
        mov eax, [ecx]
read_at_next:
        ret

; #PF: write the dword at arg
BODY write_at
        mov ecx, [esp + 4]
        mov [pre_esp], esp
write_at_insn:
        mov [ecx], ecx
write_at_next:
        ret

; #MF: an unmasked invalid operation (sqrt(-1)) is reported by the next
; waiting x87 instruction, fwait (CR0.NE=1).
BODY fwait_body
        fninit
        fldcw [fpu_cw]
        fld1
        fchs
        fsqrt
        mov [pre_esp], esp
fwait_body_insn:
        fwait
fwait_body_next:
        fninit
        ret

; #XM (or #UD without CR4.OSXMMEXCPT): an unmasked SSE divide by zero.
BODY divss_body
        ldmxcsr [mxcsr_value]
        movss xmm0, [one]
        xorps xmm1, xmm1
        mov [pre_esp], esp
divss_body_insn:
        divss xmm0, xmm1
divss_body_next:
        ret

; Puts MXCSR back to its reset value.
global reset_mxcsr
reset_mxcsr:
        mov dword [mxcsr_value], 0x1F80
        ldmxcsr [mxcsr_value]
        ret

; int n for a few vectors, with IF as it is (int_N) or set (int_N_if).
%macro INT_BODY 1
BODY int_%1
        mov [pre_esp], esp
int_%1_insn:
        int %1
int_%1_next:
        ret
BODY int_%1_if
        pushfd
        or dword [esp], 0x200
        popfd
        mov [pre_esp], esp
int_%1_if_insn:
        int %1
int_%1_if_next:
        ret
%endmacro

INT_BODY 0x0D
INT_BODY 0x0E
INT_BODY 0x40
INT_BODY 0x41
INT_BODY 0x42
INT_BODY 0x43
INT_BODY 0x44
INT_BODY 0x45
INT_BODY 0x46
INT_BODY 0x47
INT_BODY 0x48
INT_BODY 0x49

section .note.GNU-stack noalloc noexec nowrite progbits
