; cd_boot: an El Torito no-emulation boot image (2048 bytes, loaded by
; SeaBIOS at 0x7C00 from the ATAPI CD-ROM). It checks the BIOS's services
; for the CD, which ride on bt86's ATAPI model: the EDD check (AH=41h),
; the drive parameters (AH=48h: 2048-byte sectors), an extended read
; (AH=42h) of the ISO 9660 primary volume descriptor at sector 16, and a
; read far past the disc's end, which must fail.
        bits 16
        org 0x7C00

BUFFER  equ 0x9000

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov [boot_drive], dl
        mov si, msg_loaded
        call print

        call check_edd

        mov word [params], 0x1A
        mov ah, 0x48
        mov si, params
        mov dl, [boot_drive]
        int 0x13
        mov si, msg_params
        jc fail
        cmp word [params + 0x18], 2048
        jne fail

        mov word [dap.lba], 16
        call read
        mov si, msg_read
        jc fail
        mov si, BUFFER
        mov di, pvd
        mov cx, pvd_len
        repe cmpsb
        mov si, msg_pvd
        jne fail

        mov word [dap.lba], 0xFFFF
        mov word [dap.lba + 2], 0x0FFF
        call read
        mov si, msg_past_end
        jnc fail
        jmp pass

; read: one 2048-byte sector (the DAP's LBA) into BUFFER; CF on failure.
read:   mov word [dap.count], 1
        mov ah, 0x42
        mov si, dap
        mov dl, [boot_drive]
        int 0x13
        ret

%include "serial.inc"

boot_drive: db 0
dap:    db 16, 0
.count: dw 1
        dw BUFFER, 0
.lba:   dq 0
params: times 0x1A db 0
pvd:    db 1, "CD001", 1        ; a primary volume descriptor, version 1
pvd_len equ $ - pvd
msg_loaded:   db "cd_boot: loaded from the CD-ROM", 13, 10, 0
msg_pass:     db "cd_boot: PASS", 13, 10, 0
msg_fail:     db "cd_boot: FAIL ", 0
msg_nl:       db 13, 10, 0
msg_params:   db "int 13h AH=48h: not 2048-byte sectors", 0
msg_read:     db "extended read of sector 16", 0
msg_pvd:      db "sector 16 is not the primary volume descriptor", 0
msg_past_end: db "a read past the end of the disc succeeded", 0

        times 2048 - ($ - $$) db 0
