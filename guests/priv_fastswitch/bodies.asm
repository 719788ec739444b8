; priv_fastswitch: ring-0 handlers for the test vector that record what the
; processor gave them and return with iretd, and the ring-3 bodies that
; call them (main.c says what each case checks).
bits 32

KDATA equ 0x10
UDATA equ 0x23
VECTOR equ 0x81

section .bss
global fs_entry_esp, fs_frame, fs_handler_eflags, fs_handler_cs, fs_handler_ss, fs_count, fs_which
fs_entry_esp:      resd 1
fs_frame:          resd 5              ; EIP, CS, EFLAGS, ESP, SS as pushed
fs_handler_eflags: resd 1
fs_handler_cs:     resd 1
fs_handler_ss:     resd 1
fs_count:          resd 1
fs_which:          resd 1              ; the handler that ran last

section .text

; Records the entry state (DS is the flat user data segment, which ring 0
; may use), counts, names itself.
%macro RECORD 1
        mov [fs_entry_esp], esp
        push eax
%assign i 0
%rep 5
        mov eax, [esp + 4 + 4 * i]
        mov [fs_frame + 4 * i], eax
%assign i i + 1
%endrep
        pushfd
        pop eax
        mov [fs_handler_eflags], eax
        xor eax, eax
        mov ax, cs
        mov [fs_handler_cs], eax
        mov ax, ss
        mov [fs_handler_ss], eax
        inc dword [fs_count]
        mov dword [fs_which], %1
        pop eax
%endmacro

global fs_handler_a, fs_handler_b, fs_handler_kernel_ds
fs_handler_a:
        RECORD 1
        iretd

fs_handler_b:
        RECORD 2
        iretd

; Returns to ring 3 with DS holding the kernel's data segment, which the
; iretd must null (its DPL 0 is below the new CPL).
fs_handler_kernel_ds:
        RECORD 3
        push eax
        mov eax, KDATA
        mov ds, eax
        pop eax
        iretd

; uint32_t user_int_loop(uint32_t n): int VECTOR n times; returns how far
; ESP moved (0 when every iretd put it back). fs_int_return: the
; instruction after the int, which the frame's EIP must name.
global user_int_loop, fs_int_return
user_int_loop:
        mov ecx, [esp + 4]
        mov edx, esp
user_int_again:
        int VECTOR
fs_int_return:
        dec ecx
        jnz user_int_again
        mov eax, edx
        sub eax, esp
        ret

; uint32_t user_int_once(uint32_t): one int VECTOR (a fault ends it).
global user_int_once, fs_int_once
user_int_once:
fs_int_once:
        int VECTOR
        xor eax, eax
        ret

; uint32_t user_ds_after(uint32_t): int VECTOR, then DS's selector (and DS
; loaded again before anything uses it).
global user_ds_after
user_ds_after:
        int VECTOR
        xor eax, eax
        mov ax, ds
        mov ecx, UDATA
        mov ds, ecx
        ret

; Entered by catch_user's iretd at EIP 0 of a code segment based here,
; with a limit main.c chooses: EAX = 1 and a jump to offset 0x20, which
; faults (#GP(0) at offset 5) when the limit is below it, then back to ring
; 0 through the return gate with EAX.
global limited_body
limited_body:
        mov eax, 1                      ; offsets 0..4
        jmp short .beyond               ; offsets 5..6
        times 0x20 - ($ - limited_body) nop
.beyond:
        int 0x80

section .note.GNU-stack noalloc noexec nowrite progbits
