; A flat GDT of our own. Multiboot leaves GDTR possibly invalid, so a kernel
; must load this before it touches any segment register.

section .data
align 8
gdt:    dq 0                            ; 0x00 null
        dq 0x00CF9A000000FFFF           ; 0x08 code: base 0, limit 4 GiB, 32-bit, ring 0
        dq 0x00CF92000000FFFF           ; 0x10 data: base 0, limit 4 GiB, writable
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt

section .text
global load_flat_gdt
load_flat_gdt:
        lgdt [gdtr]
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        jmp 0x08:.reload_cs             ; far jump reloads CS
.reload_cs:
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
