; disk_boot: a whole raw disk image (256 sectors), booted by SeaBIOS from
; the IDE disk. Sector 0 is the MBR: it loads the second stage (sectors
; 1-4) with a CHS read (int 13h AH=02) and runs it. The second stage checks
; the BIOS's disk services and bt86's IDE controller:
;   - a CHS read of a pattern sector, the EDD check (AH=41h), an LBA
;     extended read of four sectors (AH=42h), each against its pattern;
;   - an extended write (AH=43h) of a marker to sector 200, read back; the
;     test script then finds it in the image file (or, with --snapshot,
;     finds the image unchanged);
;   - READ DMA through the PIIX's bus master over code it has run: sector 5
;     replaces the function in the second stage's last sector (which
;     returned 1) with one that returns 2; the CPU must run the new one;
;   - FLUSH CACHE.
; Pattern sector s (6 <= s < 256) holds byte (s * 7 + k) & 0xFF at offset k.
        bits 16
        org 0x7C00

STAGE2      equ 0x7E00          ; sectors 1-4
SMC_TARGET  equ 0x8400          ; the stage's last sector: a function DMA replaces
BUFFER      equ 0x9000          ; 4 sectors
PRD_TABLE   equ 0xA000          ; apart from SMC_TARGET's page: a CPU write there would invalidate it
MARKER_LBA  equ 200

mbr:    cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov [boot_drive], dl
        mov si, msg_mbr
        call print
        mov ax, 0x0204          ; read 4 sectors
        mov cx, 0x0002          ; cylinder 0, sector 2
        xor dh, dh              ; head 0
        mov bx, STAGE2
        int 0x13
        mov si, msg_chs
        jc fail
        jmp stage2

%include "serial.inc"

boot_drive: db 0
msg_mbr:  db "disk_boot: MBR loaded", 13, 10, 0
msg_pass: db "disk_boot: PASS", 13, 10, 0
msg_fail: db "disk_boot: FAIL ", 0
msg_nl:   db 13, 10, 0
msg_chs:  db "CHS read of the second stage", 0

        times 510 - ($ - $$) db 0
        dw 0xAA55

; ---- the second stage, sectors 1-4 -------------------------------------
stage2:
        ; A CHS read of pattern sector 6 (cylinder 0, head 0, sector 7).
        mov ax, 0x0201
        mov cx, 0x0007
        xor dh, dh
        mov dl, [boot_drive]
        mov bx, BUFFER
        int 0x13
        mov si, msg_chs6
        jc fail
        mov ax, 6
        mov cx, 1
        call check_pattern

        call check_edd

        ; An extended read of sectors 100-103.
        mov word [dap.count], 4
        mov word [dap.lba], 100
        mov ah, 0x42
        call disk_packet
        mov si, msg_ext_read
        jc fail
        mov ax, 100
        mov cx, 4
        call check_pattern

        ; An extended write of the marker to sector 200, and read back.
        mov di, BUFFER
        mov si, marker
        mov cx, marker_len
        rep movsb
        mov cx, 512 - marker_len
        mov al, 0xA5
        rep stosb
        mov word [dap.count], 1
        mov word [dap.lba], MARKER_LBA
        mov ax, 0x4300
        call disk_packet
        mov si, msg_ext_write
        jc fail
        mov di, BUFFER
        mov cx, 256
        xor ax, ax
        rep stosw
        mov ah, 0x42
        call disk_packet
        mov si, msg_read_back
        jc fail
        mov si, BUFFER
        mov di, marker
        mov cx, marker_len
        repe cmpsb
        mov si, msg_read_back
        jne fail

        ; DMA over code that has run.
        call SMC_TARGET
        cmp al, 1
        mov si, msg_smc_first
        jne fail
        call dma_read_sector5
        call SMC_TARGET
        cmp al, 2
        mov si, msg_smc
        jne fail

        ; FLUSH CACHE.
        mov dx, 0x1F7
        mov al, 0xE7
        out dx, al
        call ata_wait
        mov si, msg_flush
        test al, 0x21           ; ERR or DF
        jnz fail
        jmp pass

; disk_packet: int 13h function AH (AL: write flags) with the DAP at dap.
disk_packet:
        mov si, dap
        mov dl, [boot_drive]
        int 0x13
        ret

; check_pattern: CX sectors at BUFFER hold the patterns of sectors AX...
check_pattern:
        mov si, BUFFER
.sector:
        mov bl, al
        imul bx, bx, 7          ; BL = s * 7 (mod 256)
        push cx
        mov cx, 512
.byte:  cmp [si], bl
        jne .bad
        inc si
        inc bl
        loop .byte
        pop cx
        inc ax
        loop .sector
        ret
.bad:   mov si, msg_pattern
        jmp fail

; ata_wait: polls the primary channel until not BSY; AL = status.
ata_wait:
        mov dx, 0x1F7
.poll:  in al, dx
        test al, 0x80
        jnz .poll
        ret

; dma_read_sector5: READ DMA of sector 5 onto SMC_TARGET, polled (nIEN).
dma_read_sector5:
        cli
        ; Bus mastering on in 00:01.1's command register; BAR4 is the base.
        mov dx, 0xCF8
        mov eax, 0x80000904
        out dx, eax
        mov dx, 0xCFC
        in ax, dx
        or ax, 0x0005
        out dx, ax
        mov dx, 0xCF8
        mov eax, 0x80000920
        out dx, eax
        mov dx, 0xCFC
        in eax, dx
        and ax, 0xFFF0
        mov bp, ax              ; BP = the bus-master registers
        mov dword [PRD_TABLE], SMC_TARGET
        mov dword [PRD_TABLE + 4], 0x80000000 | 512
        mov dx, 0x3F6
        mov al, 0x0A            ; nIEN: no interrupt to the BIOS
        out dx, al
        lea dx, [bp + 4]
        mov eax, PRD_TABLE
        out dx, eax
        mov dx, bp
        mov al, 0x08            ; to memory, stopped
        out dx, al
        lea dx, [bp + 2]
        mov al, 0x06            ; clear interrupt and error
        out dx, al
        mov dx, 0x1F2
        mov al, 1
        out dx, al              ; one sector
        inc dx
        mov al, 5
        out dx, al              ; LBA 5
        inc dx
        xor al, al
        out dx, al
        inc dx
        out dx, al
        inc dx
        mov al, 0xE0            ; LBA, device 0
        out dx, al
        inc dx
        mov al, 0xC8            ; READ DMA
        out dx, al
        mov dx, bp
        mov al, 0x09            ; start, to memory
        out dx, al
        call ata_wait
        mov si, msg_dma
        test al, 0x09           ; DRQ or ERR left
        jnz fail
        lea dx, [bp + 2]
        in al, dx
        test al, 0x03           ; active or error
        jnz fail
        mov dx, bp
        xor al, al
        out dx, al              ; stop
        mov dx, 0x3F6
        mov al, 0x08
        out dx, al              ; interrupts on again
        sti
        ret

dap:    db 16, 0
.count: dw 0
        dw BUFFER, 0            ; offset, segment
.lba:   dq 0

marker:     db "BT86-DISK-WRITE", 0
marker_len  equ $ - marker
msg_chs6:      db "CHS read of sector 6", 0
msg_ext_read:  db "extended read", 0
msg_ext_write: db "extended write", 0
msg_read_back: db "the marker did not read back", 0
msg_pattern:   db "a sector's content", 0
msg_smc_first: db "the function before DMA", 0
msg_smc:       db "DMA over code: the CPU ran stale code", 0
msg_dma:       db "READ DMA did not complete", 0
msg_flush:     db "FLUSH CACHE", 0

        times (SMC_TARGET - STAGE2) - ($ - stage2) db 0
smc_target:                     ; sector 4
        mov al, 1
        ret
        times 512 - ($ - smc_target) db 0
; ---- sector 5: what DMA puts at SMC_TARGET ------------------------------
        mov al, 2
        ret
        times 512 - 3 db 0
; ---- sectors 6-255: patterns --------------------------------------------
%assign s 6
%rep 250
  %assign k 0
  %rep 512
        db (s * 7 + k) & 0xFF
    %assign k k + 1
  %endrep
  %assign s s + 1
%endrep
