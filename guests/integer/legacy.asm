; Instructions that exist in 32-bit mode but not (or with another meaning) in
; 64-bit mode: BCD adjusts, salc, bound, arpl, les/lds/lfs, push/pop of
; segment registers.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST daa, K_BCD
        daa
ENDT
TEST das, K_BCD
        das
ENDT
TEST aaa, K_BCD
        aaa
ENDT
TEST aas, K_BCD
        aas
ENDT
TEST aam, K_BCD
        aam                             ; D4 0A
ENDT
TEST aam_16, K_BCD
        aam 16
ENDT
TEST aam_7, K_BCD
        aam 7
ENDT
TEST aad, K_BCD
        aad                             ; D5 0A
ENDT
TEST aad_16, K_BCD
        aad 16
ENDT
TEST aad_7, K_BCD
        aad 7
ENDT

; Redundant prefixes up to the 15-byte limit change nothing (bt86 once
; aborted on a BCD instruction longer than 8 bytes).
TEST daa_prefixed, K_BCD
        db 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF3, 0xF2, 0x26, 0x2E, 0x36
        daa
ENDT
TEST aam_prefixed, K_BCD
        db 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF3, 0xF2, 0x26, 0x2E, 0x36
        aam 16
ENDT

TEST salc, K_FLAGS
        db 0xD6                         ; salc: al = CF ? 0xFF : 0
ENDT

TEST bound, K_BOUND                     ; in range: no #BR, no other effect
        bound eax, [membuf]
        bound ebx, [membuf]
        bound ax, [membuf+8]
        bound bx, [membuf+8]
        add eax, ebx
ENDT

TEST arpl_rr
        arpl bx, ax                     ; raises bx's RPL to ax's, ZF says whether it did
ENDT
TEST arpl_rm
        arpl [membuf+6], dx
ENDT

; Far pointers built at run time with the current DS: selector values differ
; between a kernel and a Linux process, so only their equality is recorded.
TEST les_lds_lfs
        mov dx, ds
        mov [membuf+20], dx             ; far pointer at membuf+16: offset (data), selector
        mov [membuf+26], dx             ; 16-bit far pointer at membuf+24
        mov bp, fs
        les ebx, [membuf+16]
        mov ax, es
        cmp ax, dx
        sete cl
        lds esi, [membuf+16]
        mov ax, ds
        cmp ax, dx
        sete ch
        lfs edi, [membuf+16]
        mov ax, fs
        mov fs, bp
        cmp ax, dx
        sete al
        les di, [membuf+24]             ; 16-bit offset
        mov bp, es
        cmp bp, dx
        sete ah
        mov word [membuf+20], 0
        mov word [membuf+26], 0
        mov edx, 0
        mov ebp, 0
ENDT

TEST push_pop_seg                       ; 06/07 1E/1F 0E 16/17 0F A0/A1 0F A8/A9
        mov dx, ds
        push ds
        pop es
        push es
        pop ecx                         ; upper half may be stale: compare CX only
        cmp cx, dx
        sete bl
        push cs
        pop ecx
        mov ax, cs
        cmp cx, ax
        sete bh
        push ss
        pop ss
        o16 push ds                     ; 2-byte push
        o16 pop es
        mov ax, es
        cmp ax, dx
        sete cl
        push fs
        pop fs
        push gs
        pop gs
        mov eax, 0
        mov edx, 0
        movzx ecx, cl
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
