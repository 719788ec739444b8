; endless_rep loops: each runs one rep string instruction with ECX = 0xFFFFFFFF
; (4 Gi elements: minutes of work), then returns. Port 0x5a0 and physical
; 0xd0000000 belong to no device; 16 MiB is RAM with room above it.
bits 32

PORT equ 0x5A0
RAM  equ 0x01000000
MMIO equ 0xD0000000

section .text

%macro LOOP 4       ; name, esi, edi, instruction
global %1
%1:
        push esi
        push edi
        cld
        mov esi, %2
        mov edi, %3
        mov ecx, 0xFFFFFFFF
        mov dx, PORT
        %4
        pop edi
        pop esi
        ret
%endmacro

LOOP loop_insb, 0, RAM, rep insb
LOOP loop_outsb, RAM, 0, rep outsb
LOOP loop_movs_to_mmio, RAM, MMIO, rep movsb
LOOP loop_movs_from_mmio, MMIO, RAM, rep movsd
LOOP loop_lods_mmio, MMIO, 0, rep lodsb
LOOP loop_stos_mmio, 0, MMIO, rep stosd

section .note.GNU-stack noalloc noexec nowrite progbits
