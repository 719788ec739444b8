; The undefined instruction, at a known address.
bits 32
section .text
global execute_ud2, ud2_insn
execute_ud2:
ud2_insn:
        ud2
        ret                             ; only if the machine goes on regardless

section .note.GNU-stack noalloc noexec nowrite progbits
