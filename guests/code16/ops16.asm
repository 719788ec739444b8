; 16-bit code: the instructions whose meaning a 16-bit code segment changes
; (operand and address size 16 by default, 0x66 and 0x67 the other way),
; run by the kernel in a 16-bit code segment on bt86 and by the native twin
; in an LDT code segment on the host CPU. Kinds: kinds16.h.
bits 32
%include "code16.inc"

[section code16 progbits alloc exec nowrite align=16]
global code16_start
code16_start:
[section .text]

K16_REGS equ 0
K16_PTRS equ 1
K16_DIV  equ 2
K16_STR  equ 3

; ---- ALU at 16 bits (the default here), 8 bits, and 32 bits through 0x66
TEST16 add16
        add ax, bx
        adc cx, dx
ENDT16
TEST16 sub16
        sub ax, bx
        sbb dx, cx
ENDT16
TEST16 logic16
        and ax, bx
        or cx, dx
        xor si, di
ENDT16
TEST16 cmp16
        cmp ax, bx
        sbb cx, cx
        cmp dl, bh
        adc si, 0
ENDT16
TEST16 add32_o66
        add eax, ebx
        adc ecx, edx
ENDT16
TEST16 sub32_o66
        sub eax, ebx
        sbb edx, esi
ENDT16
TEST16 alu_imm16
        add ax, 0x7FFF
        sub bx, -3
        xor cx, 0x8001
        and dx, 0x00FF
ENDT16
TEST16 alu_imm32_o66
        add eax, 0x12345678
        xor ebx, 0x80000001
        and ecx, -16
ENDT16
TEST16 incdec16
        inc ax
        dec bx
        neg cx
        not dx
        inc esi
        dec edi
ENDT16
TEST16 alu8h
        add ah, bl
        sub ch, dh
        xor al, bh
ENDT16

; ---- memory operands with 16-bit addressing ([bx+si], [bp+di]+disp ...)
TEST16 mem16_bx_si, K16_PTRS
        add ax, [bx+si+4]
        sub [bx+di], cx
        xor dx, [si]
ENDT16
TEST16 mem16_bp, K16_PTRS
        add ax, [ds:bp+di+2]
        mov cx, [ds:bp+si+0x10]
        adc [ds:bp+6], dx
ENDT16
TEST16 mem16_disp16, K16_PTRS
        add ax, [0x0008]
        mov word [0x0010], bx
        or [di+0x0020], ax
ENDT16
TEST16 mem8_16, K16_PTRS
        add al, [bx+si+1]
        sub [bx+di+3], ah
        mov dl, [si+0x21]
ENDT16
TEST16 mem32_o66, K16_PTRS
        add eax, [bx+si+4]
        mov [di+8], ecx
ENDT16
TEST16 mem_a32_o67, K16_PTRS
        movzx esi, si
        movzx ebx, bx
        add ax, [ebx+esi*2+4]
        mov [esi+ebx], dx
ENDT16
TEST16 lea16, K16_PTRS
        lea ax, [bx+si+0x7FFF]          ; wraps at 16 bits
        lea cx, [bp+di-0x10]
        lea edx, [bx+di+0x20]           ; 0x66: the 16-bit address, zero-extended
        lea si, [ebx+edi*4+8]           ; 0x67: a 32-bit address, truncated
ENDT16
TEST16 xchg_mov16, K16_PTRS
        xchg ax, [bx+si]
        xchg cx, dx
        mov bp, [di+2]
        movzx edi, byte [si+1]
        movsx ebx, word [di+4]
ENDT16

; ---- shifts and rotates at 16 bits
TEST16 shifts16
        and cl, 31
        shl ax, cl
        shr bx, cl
        sar dx, cl
ENDT16
TEST16 rotates16
        and cl, 31
        rol ax, cl
        ror bx, 5
        rcl dx, 1
        rcr si, cl
ENDT16
TEST16 shld16
        and cl, 31
        shld ax, bx, cl
        shrd dx, si, 7
ENDT16

; ---- multiply and divide at 16 bits
TEST16 mul16
        mul bx
ENDT16
TEST16 imul16
        imul bx
        imul cx, si, 0x1234
        imul di, dx
ENDT16
TEST16 div16, K16_DIV, 0
        div bx
ENDT16
TEST16 idiv16, K16_DIV, 1
        idiv bx
ENDT16

; ---- conversions, bit instructions, conditional moves
TEST16 convert16
        cbw
        cwd
        movsx ecx, dx
        cwde                            ; 0x66 cbw
ENDT16
TEST16 cdq_o66
        cdq
        bswap ebx
ENDT16
TEST16 bits16
        and cx, 15
        bt ax, cx
        bts bx, 3
        btr dx, cx
        bsf si, ax
        bsr di, bx
ENDT16
TEST16 cc16
        cmp ax, bx
        cmovl cx, dx
        setg dl
        cmovbe si, di
ENDT16

; ---- the stack at 16 bits: IP, words, and pusha/popa
TEST16 stack16
        push ax
        push bx
        pop cx
        pop dx
        push dword 0x12345678           ; 0x66: a dword
        pop esi
        push word 0xFF80
        pop di
ENDT16
TEST16 pusha16
        pusha
        mov ax, 0
        mov bx, 0
        popa
        pushad                          ; 0x66
        xor ecx, ecx
        popad
ENDT16
TEST16 call16
        call .sub
        jmp .done
.sub:   add ax, bx
        ret
.done:
ENDT16

; ---- loops and jumps: CX with a 16-bit address size, ECX with 0x67
TEST16 loop_cx
        and cx, 7                       ; 0: 65536 rounds
        xor ax, ax
.l:     inc ax
        loop .l
ENDT16
TEST16 loop_ecx_a32
        and ecx, 7
        inc ecx                         ; (0 would be 2^32 rounds)
        xor dx, dx
.l:     inc dx
        a32 loop .l
ENDT16
TEST16 jcxz16
        xor ax, ax
        jcxz .z
        inc ax
.z:     dec bx
        jnz .nz
        inc dx
.nz:
ENDT16

; ---- string instructions with 16-bit addresses (SI, DI, CX)
TEST16 movs16, K16_STR
        rep movsw
ENDT16
TEST16 movsb16_std, K16_STR
        std
        add si, 0x40
        add di, 0x40
        rep movsb
        cld
ENDT16
TEST16 stos16, K16_STR
        rep stosw
ENDT16
TEST16 cmps16, K16_STR
        repe cmpsb
ENDT16
TEST16 scas16, K16_STR
        repne scasw
ENDT16
TEST16 lods16, K16_STR
        lodsw
        lodsb
        movzx esi, si
        a32 lodsb                       ; 0x67: ESI
ENDT16

; ---- legacy instructions in 16-bit code
TEST16 bcd16
        aaa
        aas
        daa
        das
ENDT16
TEST16 aam_aad16
        and ax, 0x0F0F
        aam
        aad 7
ENDT16

global code16_end
[section code16]
code16_end:
bits 32
section .note.GNU-stack noalloc noexec nowrite progbits
