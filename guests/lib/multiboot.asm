; Multiboot v1 header and entry point shared by every test kernel.
; The loader enters _start in 32-bit protected mode with paging off,
; EAX = 0x2BADB002 and EBX = physical address of the multiboot info.

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 1 << 1             ; bit 1: please fill mem_lower/mem_upper
                                ; (no bit 16: we are an ELF, no a.out kludge)

; In .text.multiboot, which links first in .text (this object is the first
; one linked): the header then lies in the file's first 8 KiB with our
; linker script and with GNU ld's default one alike.
section .text.multiboot progbits alloc exec nowrite align=4
        dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)

section .bss
align 16
stack:  resb 65536
stack_top:

section .text
global _start
extern kmain
extern exit_qemu
_start:
        mov esp, stack_top
        cld
        sub esp, 8              ; keep ESP 16-byte aligned at the call, as gcc assumes
        push ebx                ; kmain(magic, mbi)
        push eax
        call kmain
        push 2                  ; kmain must not return: report it as a failure
        call exit_qemu

section .note.GNU-stack noalloc noexec nowrite progbits
