; A 64 KiB firmware image that empties the IVT (lidt with limit 0) and runs
; ud2 in real mode: with nowhere to deliver #UD, bt86 must end the run
; (status 2) naming the instruction, its CS:IP and real mode.
;
;   nasm -f bin ud_rom.asm -o ud_rom.bin
        bits    16
        org     0
start:
        lidt    [cs:empty_ivt]
        ud2
empty_ivt:
        dw      0
        dd      0
        times   0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:start
        times   0x10000 - ($ - $$) db 0xFF
