; A 64 KiB firmware image that bt86 boots with --bios: it starts at the reset
; vector in real mode and checks, against the Intel SDM, what real mode
; means: the reset state, the ROM's low copy and the 440FX PAM registers,
; segment arithmetic (base = selector * 16), 0x66/0x67 prefixes, SP wrapping
; at 64 KiB, interrupts and exceptions through the IVT with their 16-bit
; frame and iret, far call/ret through an aliased CS, the segment limit
; (#GP, vector 13), the A20 gate (port 0x92 and the i8042's output port),
; switches to 32- and 16-bit protected mode and back through CR0.PE with
; the far jumps after them, virtual-8086 mode entered from 32-bit protected
; mode and left through the IDT, and unreal mode (a 4 GiB DS limit kept in
; real mode). Each step writes its POST code to port 0x80; the result goes to
; COM1 ("PASS", or "FAIL <code>" where <code> is the failing step) and ends
; the run through isa-debug-exit (0xF4): status 1 passes, 3 fails.
;
;   nasm -f bin rom.asm -o realmode_rom.bin
;
; With -DEMULATED_SUBSET it leaves out what a KVM that emulates real mode
; instruction by instruction may not run (kvm_pvm on these machines stops at
; this ROM's ud2 with an emulation failure, and cannot run iretd, which
; enters virtual-8086 mode): realmode_rom_subset.bin.
;
; The image is mapped at 0xFFFF0000 and at 0xF0000 (its low copy), so an
; offset in it is the offset in segment F000; 32-bit code adds ROM_LINEAR.

        cpu     686
        bits    16
        org     0

ROM_LINEAR      equ     0xF0000
STACK_SEG       equ     0x0000
STACK_TOP       equ     0x7000
PM_IDT          equ     0x9000          ; protected mode's IDT (the IVT at 0 stays)
COM1            equ     0x3F8

%macro POST 1
        mov     al, %1
        out     0x80, al
%endmacro

; FAIL_IF cc, code: ends the run with FAIL <code> when condition cc holds.
%macro FAIL_IF 2
        j%-1    %%ok
        mov     al, %2
        jmp     fail
%%ok:
%endmacro

; --- entry: the far jump from the reset vector lands here -------------------
start:
        ; The reset state (SDM vol. 3, 9.1.1): CS F000, EDX the signature.
        POST    0x01
        mov     bx, cs
        cmp     bx, 0xF000
        FAIL_IF ne, 0x01
        cmp     edx, 0x6F1
        FAIL_IF ne, 0x02
        mov     eax, cr0
        test    al, 1
        FAIL_IF nz, 0x03

        ; The ROM's low copy is read-only while PAM0 is 0: a write vanishes.
        POST    0x02
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        mov     al, [rom_byte]
        mov     byte [rom_byte], 0x55
        cmp     byte [rom_byte], al
        FAIL_IF ne, 0x04
        ; PAM0 = 0x20: reads from the ROM, writes to RAM: copy the image onto
        ; itself, then PAM0 = 0x30 (SeaBIOS's way of shadowing itself).
        call    shadow_rom
        mov     bl, 0x30
        call    set_pam0
        mov     byte [rom_byte], 0x55       ; RAM now: the write stays
        cmp     byte [rom_byte], 0x55
        FAIL_IF ne, 0x05
        ; PAM0 = 0x10: reads from RAM, writes dropped (how SeaBIOS locks
        ; itself). This code keeps running from RAM, a write vanishes, and
        ; a loop here is translated once (the ctest bounds the translations).
        mov     bl, 0x10
        call    set_pam0
        mov     byte [rom_byte], 0x66
        cmp     byte [rom_byte], 0x55
        FAIL_IF ne, 0x06
        mov     cx, 3000
.locked:
        add     dx, cx
        loop    .locked
        mov     bl, 0x30
        call    set_pam0

        ; A stack (SS.B is 0 after reset: SP wraps at 64 KiB).
        POST    0x03
        mov     ax, STACK_SEG
        mov     ss, ax
        mov     sp, STACK_TOP
        mov     si, banner
        call    debugcon_puts

        ; Segment arithmetic: 1234:0010 is 1235:0000 is linear 0x12350.
        POST    0x04
        mov     ax, 0x1234
        mov     ds, ax
        mov     word [0x10], 0xBEEF
        mov     ax, 0x1235
        mov     es, ax
        cmp     word [es:0], 0xBEEF
        FAIL_IF ne, 0x10
        mov     ax, 0x1000
        mov     fs, ax
        mov     ebx, 0x2350
        cmp     word [fs:ebx], 0xBEEF       ; a 0x67 prefix: a 32-bit address
        FAIL_IF ne, 0x11
        ; [bx+si+disp] wraps at 64 KiB with a 16-bit address size.
        mov     bx, 0xFFF0
        mov     si, 0x0020
        cmp     word [bx+si-0x10], 0xBEEF   ; 0xFFF0+0x20-0x10 = 0x10000 -> 0
        FAIL_IF e, 0x12                     ; (0 is not 0x10: different word)
        mov     word [ds:0], 0x1111
        cmp     word [bx+si-0x10], 0x1111
        FAIL_IF ne, 0x13

        ; 0x66: 32-bit operands in 16-bit code.
        POST    0x05
        mov     eax, 0x12345678
        mov     ebx, 0x11111111
        add     eax, ebx
        cmp     eax, 0x23456789
        FAIL_IF ne, 0x14
        push    eax                         ; a 32-bit push moves SP by 4
        mov     bp, sp
        cmp     bp, STACK_TOP - 4
        FAIL_IF ne, 0x15
        pop     ecx
        cmp     ecx, 0x23456789
        FAIL_IF ne, 0x16

        ; SP wraps: SS=2000, SP=0; a push writes at 2000:FFFE.
        POST    0x06
        mov     ax, 0x2000
        mov     ss, ax
        xor     sp, sp
        mov     dx, 0xA55A
        push    dx
        cmp     sp, 0xFFFE
        FAIL_IF ne, 0x18
        mov     ds, ax
        cmp     word [0xFFFE], 0xA55A
        FAIL_IF ne, 0x19
        pop     dx
        test    sp, sp
        FAIL_IF nz, 0x1A
        mov     ax, STACK_SEG
        mov     ss, ax
        mov     sp, STACK_TOP

        ; The IVT: int 0x40, #DE (vector 0), #UD (vector 6), #GP (13).
        POST    0x07
        xor     ax, ax
        mov     ds, ax
        mov     word [0x40*4], int40_handler
        mov     word [0x40*4+2], cs
        mov     word [0*4], de_handler
        mov     word [0*4+2], cs
        mov     word [6*4], ud_handler
        mov     word [6*4+2], cs
        mov     word [13*4], gp_handler
        mov     word [13*4+2], cs
        sti
        mov     cx, 0x1234
        int     0x40
int40_return:
        cmp     cx, 0x4321                  ; the handler saw its frame
        FAIL_IF ne, 0x20
        cmp     di, int40_return            ; the IP it pushed
        FAIL_IF ne, 0x25
        pushf
        pop     ax
        test    ax, 0x200                   ; iret restored IF
        FAIL_IF z, 0x21
        cli
        mov     cx, 0
        xor     dx, dx
        mov     ax, 7
        xor     bl, bl
        div     bl                          ; #DE: a fault, IP at the div
        cmp     cx, 0xDE
        FAIL_IF ne, 0x22
%ifndef EMULATED_SUBSET
        ud2                                 ; #UD
        cmp     cx, 0x06
        FAIL_IF ne, 0x23
%endif
        mov     ax, [0xFFFF]                ; a word past DS's limit 0xFFFF: #GP
        cmp     cx, 0x0D
        FAIL_IF ne, 0x24

        ; Far call and return through another CS with the same linear code:
        ; EF00:(far_routine+0x1000) is F000:far_routine. The same near
        ; indirect call under each CS reaches other code (near_two is
        ; near_one's IP + 0x1000): one CS's lookup must not answer for the
        ; other's.
        POST    0x08
        mov     bx, near_two
        call    bx
        cmp     ax, 2
        FAIL_IF ne, 0x27
        call    0xEF00:far_routine + 0x1000
        cmp     dx, 0xEF00
        FAIL_IF ne, 0x28
        cmp     ax, 1                       ; EF00:near_two is near_one
        FAIL_IF ne, 0x29
        mov     bx, cs
        cmp     bx, 0xF000
        FAIL_IF ne, 0x2A
        mov     bx, near_two
        call    bx
        cmp     ax, 2
        FAIL_IF ne, 0x2B

        ; A20: closed, 0xFFFF:0x0010 (linear 0x100000) is 0:0.
        POST    0x09
        call    a20_close_kbc
        call    a20_wraps
        FAIL_IF nz, 0x30
        in      al, 0x92                    ; port 0x92 opens it alone
        or      al, 2
        out     0x92, al
        call    a20_wraps
        FAIL_IF z, 0x31
        in      al, 0x92
        and     al, ~2
        out     0x92, al
        call    a20_wraps
        FAIL_IF nz, 0x32
        call    a20_open_kbc
        call    a20_wraps
        FAIL_IF z, 0x33

        ; To 32-bit protected mode, then 16-bit protected mode, and back.
        POST    0x0A
        cli
        lgdt    [cs:gdt_pointer]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword 0x08:pm32 + ROM_LINEAR
back_in_real_mode:
        ; Real mode again: segment loads are paragraphs, the limits stay.
        POST    0x0D
        mov     ax, STACK_SEG
        mov     ss, ax
        mov     sp, STACK_TOP
        mov     eax, cr0
        test    al, 1
        FAIL_IF nz, 0x40
        mov     bx, cs
        cmp     bx, 0xF000
        FAIL_IF ne, 0x41
        ; Unreal mode: DS kept the 4 GiB limit of selector 0x20.
        xor     ax, ax
        mov     ds, ax
        mov     esi, 0x200000
        cmp     dword [esi], 0xCAFEF00D     ; written in protected mode
        FAIL_IF ne, 0x42
        mov     dword [esi+4], 0x600DF00D
        cmp     cx, 0x1616                  ; the 16-bit protected-mode part ran
        FAIL_IF ne, 0x43
        ; ES still has the 64 KiB limit of real mode: past it is #GP.
        xor     ax, ax
        mov     es, ax
        mov     cx, 0
        mov     eax, [es:esi]
        cmp     cx, 0x0D
        FAIL_IF ne, 0x44
        ; int through the IVT once more, after the round trip.
        mov     cx, 0x1234
        int     0x40
int40_return2:
        cmp     cx, 0x4321
        FAIL_IF ne, 0x45
        cmp     di, int40_return2
        FAIL_IF ne, 0x46

        POST    0x0F
        mov     si, pass_msg
        call    serial_puts
        mov     al, 0
        out     0xF4, al
        hlt

fail:
        mov     bl, al
        out     0x80, al
        mov     si, fail_msg
        call    serial_puts
        mov     al, bl
        shr     al, 4
        call    serial_hex_digit
        mov     al, bl
        call    serial_hex_digit
        mov     al, 10
        call    serial_putc
        mov     al, 1
        out     0xF4, al
        hlt

; --- helpers ---------------------------------------------------------------
%include "pam.inc"

; ZF set when linear 0x100000 aliases 0 (A20 closed).
a20_wraps:
        push    ds
        push    es
        xor     ax, ax
        mov     ds, ax
        mov     ax, 0xFFFF
        mov     es, ax
        mov     word [0], 0x1111
        mov     word [es:0x10], 0x2222
        cmp     word [0], 0x2222
        pop     es
        pop     ds
        ret

a20_close_kbc:
        mov     al, 0xD1                    ; write the output port
        out     0x64, al
        mov     al, 0xDD                    ; A20 (bit 1) off
        out     0x60, al
        ret

a20_open_kbc:
        mov     al, 0xD1
        out     0x64, al
        mov     al, 0xDF
        out     0x60, al
        ret

serial_puts:
        cs lodsb
        test    al, al
        jz      .done
        call    serial_putc
        jmp     serial_puts
.done:  ret

serial_putc:
        mov     dx, COM1
        out     dx, al
        ret

serial_hex_digit:
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     serial_putc
        add     al, 'A' - '9' - 1
        jmp     serial_putc

debugcon_puts:
        cs lodsb
        test    al, al
        jz      .done
        out     0xE9, al
        jmp     debugcon_puts
.done:  ret

far_routine:
        mov     dx, cs
        mov     bx, near_two                ; the same IP, under CS=EF00
        call    bx
        retf

; int 0x40: returns the pushed IP in DI; checks the pushed CS and that IF
; is clear in the handler.
int40_handler:
        push    bp
        mov     bp, sp
        mov     di, [ss:bp+2]
        mov     ax, cs
        cmp     word [ss:bp+4], ax
        jne     .bad
        pushf
        pop     ax
        test    ax, 0x200
        jnz     .bad
        mov     cx, 0x4321
.bad:   pop     bp
        iret

; #DE: IP points at the 2-byte div; skip it.
de_handler:
        push    bp
        mov     bp, sp
        add     word [ss:bp+2], 2
        mov     cx, 0xDE
        pop     bp
        iret

; #UD: skip the 2-byte ud2.
ud_handler:
        push    bp
        mov     bp, sp
        add     word [ss:bp+2], 2
        mov     cx, 0x06
        pop     bp
        iret

; #GP: the faulting instruction is `mov ax, [0xFFFF]` (3 bytes) or
; `mov eax, [es:esi]` (26 67 66 8B 06: 4 bytes with the prefixes... see below).
gp_handler:
        push    bp
        mov     bp, sp
        push    si
        push    ds
        mov     si, [ss:bp+2]
        mov     ds, [ss:bp+4]
        cmp     byte [si], 0xA1             ; mov ax, moffs16
        mov     si, 3
        je      .skip
        mov     si, 5                       ; es a32 o32 mov r32, [esi]
.skip:  add     [ss:bp+2], si
        mov     cx, 0x0D
        pop     ds
        pop     si
        pop     bp
        iret

; --- protected mode ----------------------------------------------------------
        bits    32
pm32:
        POST    0x0B
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, 0x7000
        mov     dword [0x200000], 0xCAFEF00D   ; above 1 MiB: a flat 4 GiB segment
        cmp     dword [0x200000], 0xCAFEF00D
        jne     pm_fail
%ifdef EMULATED_SUBSET
        jmp     0x18:pm16
%endif

        ; Virtual-8086 mode: a TSS for the ring-0 stack, an IDT whose #GP
        ; gate takes the v86 code's hlt, an iretd with VM set.
        POST    0x0E
        mov     dword [tss + 4 + ROM_LINEAR], 0x6000        ; ESP0
        mov     word [tss + 8 + ROM_LINEAR], 0x10           ; SS0
        mov     ax, 0x30
        ltr     ax
        mov     edi, PM_IDT
        mov     ecx, 14 * 2
        xor     eax, eax
        rep stosd
        mov     eax, v86_gp_handler + ROM_LINEAR
        mov     [PM_IDT + 13 * 8], ax                       ; offset 15:0
        mov     word [PM_IDT + 13 * 8 + 2], 0x08            ; selector
        mov     word [PM_IDT + 13 * 8 + 4], 0x8E00          ; present 32-bit interrupt gate
        shr     eax, 16
        mov     [PM_IDT + 13 * 8 + 6], ax
        lidt    [idt_pointer + ROM_LINEAR]
        push    dword 0                                     ; GS
        push    dword 0                                     ; FS
        push    dword 0x2000                                ; DS
        push    dword 0                                     ; ES
        push    dword 0x3000                                ; SS
        push    dword 0x100                                 ; ESP
        push    dword 0x00020002                            ; EFLAGS: VM, IOPL 0
        push    dword 0xF000                                ; CS
        push    dword v86_code                              ; EIP
        iretd

; The v86 code's hlt (CPL 3) comes here: check the frame, back to PM.
v86_gp_handler:
        mov     bx, ds                                      ; nulled on the way out
        mov     ax, 0x10
        mov     ds, ax
        test    bx, bx
        jnz     pm_fail
        cmp     dword [esp], 0                              ; error code
        jne     pm_fail
        cmp     dword [esp + 4], v86_hlt                    ; EIP
        jne     pm_fail
        cmp     dword [esp + 8], 0xF000                     ; CS
        jne     pm_fail
        test    dword [esp + 12], 0x00020000                ; EFLAGS.VM
        jz      pm_fail
        cmp     dword [esp + 28], 0x2000                    ; the pushed DS
        jne     pm_fail
        cmp     dword [0x20000 + 0x10], 0x86868686          ; what the v86 code stored
        jne     pm_fail
        mov     esp, 0x7000
        ; On to 16-bit protected mode: CS base 0xF0000, 64 KiB.
        jmp     0x18:pm16

pm_fail:
        mov     al, 0x38
        out     0x80, al
        mov     al, 1
        out     0xF4, al
        hlt

        bits    16
; Virtual-8086 mode: paragraphs again, CPL 3, DS = 0x2000 from the frame.
v86_code:
        mov     dword [0x10], 0x86868686
v86_hlt:
        hlt                                 ; privileged: #GP(0) to the monitor

pm16:
        POST    0x0C
        lidt    [cs:ivt_pointer]            ; real mode's IVT again
        mov     ax, 0x20                    ; 4 GiB data, 16-bit: DS keeps it in real mode
        mov     ds, ax
        mov     ax, 0x28                    ; 64 KiB data for the others
        mov     es, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        mov     cx, 0x1616
        mov     eax, cr0
        and     al, ~1
        mov     cr0, eax
        jmp     0xF000:back_in_real_mode

; --- data -------------------------------------------------------------------
        align   8
gdt:
        dq      0
        dq      0x00CF9A000000FFFF          ; 0x08: 32-bit code, base 0, 4 GiB
        dq      0x00CF92000000FFFF          ; 0x10: 32-bit data, base 0, 4 GiB
        dq      0x00009A0F0000FFFF          ; 0x18: 16-bit code, base 0xF0000, 64 KiB
        dq      0x008F92000000FFFF          ; 0x20: 16-bit data, base 0, 4 GiB
        dq      0x000092000000FFFF          ; 0x28: 16-bit data, base 0, 64 KiB
        dw      0x0067, tss, 0x890F, 0x0000 ; 0x30: 32-bit TSS at 0xF0000 + tss
gdt_end:
gdt_pointer:
        dw      gdt_end - gdt - 1
        dd      gdt + ROM_LINEAR
idt_pointer:
        dw      14 * 8 - 1
        dd      PM_IDT
ivt_pointer:
        dw      0x3FF
        dd      0
        align   16
tss:    times   104 db 0

rom_byte:       db      0xA7
banner:         db      "bt86 realmode ROM", 10, 0
pass_msg:       db      "PASS", 10, 0
fail_msg:       db      "FAIL ", 0

; --- two routines 0x1000 bytes apart ---------------------------------------
        times   0x1800 - ($ - $$) db 0xFF
near_one:
        mov     ax, 1
        ret
        times   0x2800 - ($ - $$) db 0xFF
near_two:
        mov     ax, 2
        ret

; --- the reset vector, 16 bytes below the top -------------------------------
        times   0xFFF0 - ($ - $$) db 0xFF
reset_vector:
        jmp     0xF000:start
        times   0x10000 - ($ - $$) db 0xFF
