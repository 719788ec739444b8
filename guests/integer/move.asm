; Data movement: mov forms (moffs, immediates, high-byte registers with
; memory), movzx/movsx, sign extensions (cbw...) and lea in every addressing
; form, including 16-bit addressing, which has no 64-bit encoding.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST mov_high_mem, K_PTRS
        mov [esi], dh
        mov ah, [ebp+ecx*4+8]
        mov [edi+ecx*2+1], bh
        mov [ebp+ecx+20], ch
        mov ch, [esi+5]                 ; ecx is no longer an index from here
        mov [ebp+25], ch
ENDT
TEST mov_moffs                  ; A0..A3 forms
        mov [membuf+8], eax
        mov al, [membuf+3]
        mov [membuf+13], ax
        mov eax, [membuf+4]
        mov [membuf+18], bl
        mov ax, [membuf+16]
ENDT
TEST mov_imm, K_PTRS
        mov byte [esi+ecx], 0x5A
        mov word [membuf+6], 0x1234
        mov dword [ebp+ecx*8-4], 0x89ABCDEF
        mov ch, 0x7E
        mov dx, 0xBEEF
        mov bl, 0x81
ENDT

TEST movzx_all
        movzx esi, bl
        movzx edi, bh
        movzx ebp, dx
        movzx cx, ah
        movzx edx, byte [membuf+5]
        movzx ebx, word [membuf+6]
        movzx ax, byte [membuf+9]
ENDT
TEST movsx_all
        movsx esi, bl
        movsx edi, bh
        movsx ebp, dx
        movsx cx, ah
        movsx edx, byte [membuf+5]
        movsx ebx, word [membuf+6]
        movsx ax, byte [membuf+9]
ENDT

TEST cbw
        cbw
ENDT
TEST cwde
        cwde
ENDT
TEST cwd
        cwd
ENDT
TEST cdq
        cdq
ENDT

TEST lea_base_index
        lea ecx, [eax+esi*2+0x7F]
        lea edx, [edi*8-0x1234]         ; index without base: disp32
        lea esi, [ebp+ebp*4]
        lea eax, [ebx+edx]
        lea edi, [ecx+eax*1]
ENDT
TEST lea_disp32
        lea eax, [0x12345678]           ; mod=00 rm=101: [disp32], not [rip+disp]
        lea ebx, [ebx+0x80000000]
        lea ecx, [ecx-1]
        lea edx, [edx+edx*2-0x7FFFFFFF]
ENDT
TEST lea_ebp
        lea eax, [ebp]                  ; encoded as [ebp+0]
        lea ebx, [ebp+ecx*4+0x10]
        lea edx, [ebp+edi]
        lea esi, [edi+ebp*2]
ENDT
TEST lea_esp                            ; offsets from ESP, made position-free
        lea eax, [esp+ecx*2+8]
        lea edx, [esp]
        lea ebx, [esp+0x100]
        lea esi, [esp+esi*1-4]
        pushfd                          ; each minus (ESP - 4)
        sub eax, esp
        sub edx, esp
        sub ebx, esp
        sub esi, esp
        popfd
ENDT
TEST lea_16bit_addr                     ; 0x67 prefix: 16-bit address, wraps at 64 KiB
        lea ax, [bp+si]
        lea ecx, [bx+di+0x8000]
        lea edx, [si-2]
        lea esi, [bp+0x7FFF]
        lea edi, [bx]
ENDT
TEST lea_16bit_op                       ; 0x66 prefix: 32-bit address cut to 16 bits
        lea ax, [ebx+ecx*2+3]
        lea dx, [esi+0xFFFF]
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
