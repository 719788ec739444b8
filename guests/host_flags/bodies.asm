; host_flags bodies, run at CPL 3 by catch_user.
bits 32

MXCSR_ODD equ 0xEFC0    ; FTZ, round toward zero, DAZ, precision unmasked
FCW_ODD   equ 0x0C5F    ; round toward zero, single precision, precision unmasked
MXCSR_DEFAULT equ 0x1F80
FCW_DEFAULT   equ 0x037F
PIT_10KHZ     equ 119

extern irq_count

section .bss
alignb 16
work:           resd 64
global seen_eflags, seen_mxcsr, seen_fcw
seen_eflags:    resd 1
seen_mxcsr:     resd 1
seen_fcw:       resd 1
scratch:        resd 2

section .text

; uint32_t misaligned_load(uint32_t): a dword load at an odd address.
global misaligned_load, misaligned_load_insn
misaligned_load:
        mov eax, scratch
misaligned_load_insn:
        mov eax, [eax + 1]
        ret

; uint32_t busy(uint32_t ticks): starts the PIT at ~10 kHz itself (IOPL 3),
; so the host's first timer signal lands while this code runs with AC set,
; then works with DF set and the odd control words above, calling port I/O
; (a helper of the engine) every 256 rounds, until the timer interrupt has come
; `ticks` times or a round limit is reached. Then records EFLAGS, MXCSR and
; the x87 control word as they are at the end, puts the defaults back, stops
; the PIT and returns the ticks counted meanwhile.
global busy
busy:
        push ebx
        push esi
        push edi
        push ebp
        sub esp, 4
        mov dword [esp], MXCSR_ODD
        ldmxcsr [esp]
        mov word [esp], FCW_ODD
        fldcw [esp]
        std
        mov ebp, [irq_count]            ; ticks at the start
        mov al, 0x34                    ; channel 0, lobyte/hibyte, mode 2
        out 0x43, al
        mov al, PIT_10KHZ & 0xFF
        out 0x40, al
        mov al, PIT_10KHZ >> 8
        out 0x40, al
        mov ebx, 0x4000000              ; round limit
.round:
        mov ecx, 32                     ; some aligned memory work
.add:
        add [work + 4 * ecx - 4], ecx
        dec ecx
        jnz .add
        lea esi, [work + 4 * 31]        ; rep movsd downwards (DF=1)
        lea edi, [work + 4 * 63]
        mov ecx, 32
        rep movsd
        test ebx, 0xFF                  ; every 256th round a helper call
        jnz .no_io                      ; at CPL 3 (IOPL 3)
        out 0x80, al
.no_io:
        mov eax, [irq_count]
        sub eax, ebp
        cmp eax, [esp + 24]             ; the ticks wanted
        jae .done
        dec ebx
        jnz .round
.done:
        mov esi, eax                    ; the ticks counted
        pushfd
        pop dword [seen_eflags]
        stmxcsr [seen_mxcsr]
        fnstcw [seen_fcw]
        mov al, 0x30                    ; channel 0, mode 0: one count, then quiet
        out 0x43, al
        cld
        mov dword [esp], MXCSR_DEFAULT
        ldmxcsr [esp]
        mov word [esp], FCW_DEFAULT
        fldcw [esp]
        add esp, 4
        mov eax, esi
        pop ebp
        pop edi
        pop esi
        pop ebx
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
