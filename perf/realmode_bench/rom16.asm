; realmode_bench's guest: a 64 KiB ROM (--bios) that runs the 16-bit
; workloads (work16.inc) in real mode, each phase timed with rdtsc, and
; prints "phase NAME cycles=0x... check=0x...." on COM1 as the native side
; does. The reset vector jumps to start; PAM0 makes the ROM's low copy RAM
; first (code fetched from ROM would run one instruction at a time).
        cpu     686
        bits    16
        org     0

COM1 equ 0x3F8

start:
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        call    shadow_rom
        mov     bl, 0x30                ; RAM both ways
        call    set_pam0
        xor     ax, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     si, name_crc16
        mov     di, phase_crc16
        mov     bx, CRC16_PASSES
        call    timed
        mov     si, name_sieve
        mov     di, phase_sieve
        mov     bx, SIEVE_PASSES
        call    timed
        mov     si, name_fib
        mov     di, phase_fib
        mov     bx, FIB_N
        call    timed
        mov     al, 0
        out     0xF4, al
        hlt

; Runs the phase at DI with BX, DS = ES = 0x1000; prints SI's name, the
; cycles and the check value.
timed:
        push    si
        mov     ax, 0x1000
        mov     ds, ax
        mov     es, ax
        rdtsc
        mov     [cs:t0], eax
        mov     [cs:t0 + 4], edx
        call    di
        mov     [cs:check], ax
        rdtsc
        sub     eax, [cs:t0]
        sbb     edx, [cs:t0 + 4]
        mov     [cs:t0], eax
        mov     [cs:t0 + 4], edx
        pop     si
        push    cs
        pop     ds
        call    puts                    ; "phase NAME"
        mov     si, cycles_text
        call    puts
        mov     eax, [cs:t0 + 4]
        call    hex32
        mov     eax, [cs:t0]
        call    hex32
        mov     si, check_text
        call    puts
        movzx   eax, word [cs:check]
        rol     eax, 16
        mov     cx, 4
        call    hex_digits
        mov     al, 10
        jmp     putc

%include "pam.inc"

puts:   lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     puts
.done:  ret

putc:   mov     dx, COM1
        out     dx, al
        ret

hex32:  mov     cx, 8
hex_digits:                             ; the top CX nibbles of EAX
        rol     eax, 4
        push    eax
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .digit
        add     al, 'a' - '9' - 1
.digit: call    putc
        pop     eax
        loop    hex_digits
        ret

%include "work16.inc"

t0:          dd 0, 0
check:       dw 0
name_crc16:  db "phase crc16", 0
name_sieve:  db "phase sieve", 0
name_fib:    db "phase fib", 0
cycles_text: db " cycles=0x", 0
check_text:  db " check=0x", 0

        times   0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:start
        times   0x10000 - ($ - $$) db 0xFF
