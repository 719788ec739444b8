; A hostile firmware image: rounds of random 16-bit code in real mode.
; Each round writes 96 random bytes (xorshift32 from SEED) at 1000:0000,
; gives the registers and the arithmetic flags random values (IF set, TF
; clear) and irets into them; every vector of an IVT the random code cannot
; write (it lives in the ROM's low copy, which PAM0 = 0x10 makes read-only)
; ends the round, a PIT tick (IRQ0, ~1 ms) included, so runaway code ends
; too unless it masks the tick (cli, the PIC) or moves IDTR: then only
; --timeout ends the run. After ROUNDS rounds: isa-debug-exit 0. The random
; code may do anything real mode allows (port I/O, A20, PAM, lidt, mov cr0,
; hlt ...). What is judged is bt86: it must end by itself, never crash.
;
;   nasm -f bin -DSEED=n chaos_rom.asm -o chaos_rom.bin
        cpu     686
        bits    16
        org     0
%ifndef SEED
%define SEED 12345
%endif
ROUNDS equ 3000
start:
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        call    shadow_rom
        mov     bl, 0x10                ; reads RAM, writes dropped: the harness is read-only now
        call    set_pam0
        lidt    [cs:ivt_ptr]
        ; PIT channel 0: a tick every ~1 ms; PIC: IRQ0 only, vectors 0x08
        mov     al, 0x34
        out     0x43, al
        mov     al, 0xA9
        out     0x40, al
        mov     al, 0x04
        out     0x40, al
        mov     al, 0xFE
        out     0x21, al
        xor     ax, ax                  ; the state lives in RAM at 0:0500
        mov     ds, ax
        mov     dword [0x500], SEED
        mov     word [0x504], 0
round:
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x4000
        inc     word [0x504]
        cmp     word [0x504], ROUNDS
        jae     done
        mov     al, 0x20                ; EOI, in case a tick ended the last round
        out     0x20, al
        ; 96 random bytes at 1000:0000
        mov     ax, 0x1000
        mov     es, ax
        xor     di, di
        mov     cx, 48
.gen:   call    rand
        stosw
        loop    .gen
        call    rand
        mov     bx, ax
        call    rand
        mov     si, ax
        call    rand
        mov     di, ax
        call    rand
        mov     bp, ax
        call    rand
        mov     dx, ax
        call    rand
        mov     cx, ax
        call    rand
        push    ax                      ; AX later
        call    rand
        and     ax, 0x0CD5              ; flags: arithmetic, DF, no TF
        or      ax, 0x0200              ; IF: the tick ends runaway rounds
        push    ax
        mov     ax, 0x1000
        push    ax                      ; CS
        push    word 0                  ; IP
        mov     ax, 0x2000
        mov     ds, ax
        mov     es, ax
        mov     ax, [ss:0x3FFE]         ; the random AX, pushed first
        iret
done:
        mov     al, 0
        out     0xF4, al
        hlt

; xorshift32 in [0:0x500]; AX = low word
rand:
        push    ds
        push    edx
        xor     ax, ax
        mov     ds, ax
        mov     eax, [0x500]
        mov     edx, eax
        shl     edx, 13
        xor     eax, edx
        mov     edx, eax
        shr     edx, 17
        xor     eax, edx
        mov     edx, eax
        shl     edx, 5
        xor     eax, edx
        mov     [0x500], eax
        pop     edx
        pop     ds
        ret

%include "pam.inc"

; Every vector: the round is over.
handler:
        jmp     0xF000:round

        align   4
ivt_ptr:
        dw      0x3FF
        dd      0xF0000 + ivt
        align   16
ivt:
%rep 256
        dw      handler, 0xF000
%endrep
        times   0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:start
        times   0x10000 - ($ - $$) db 0xFF
