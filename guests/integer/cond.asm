; The 16 conditions through setcc, cmovcc and jcc (short forward and near
; backward), from every flag combination and from real comparisons.
bits 32
%include "harness.inc"
%include "kinds.inc"

; Expands macro %1 once per condition code: %1 cc, index.
%macro FOR_EACH_CC 1
        %1 o,  0
        %1 no, 1
        %1 b,  2
        %1 ae, 3
        %1 e,  4
        %1 ne, 5
        %1 be, 6
        %1 a,  7
        %1 s,  8
        %1 ns, 9
        %1 p,  10
        %1 np, 11
        %1 l,  12
        %1 ge, 13
        %1 le, 14
        %1 g,  15
%endmacro

%macro SET_TO_MEM 2
        set%1 [membuf+%2]
%endmacro

; ecx starts as a copy of eax; cmovcc replaces it by ebx when cc holds
%macro CMOV_TO_MEM 2
        mov ecx, eax
        cmov%1 ecx, ebx
        mov [membuf+%2*4], ecx
%endmacro

; 16-bit cmov from memory: the source is read even when cc is false
%macro CMOV16_FROM_MEM 2
        mov cx, ax
        cmov%1 cx, [membuf+62-%2*2]
        mov [membuf+%2*2], cx
%endmacro

; records 1 (fall through) or 2 (taken) for cc, forward short and backward near
%macro JCC_BOTH_WAYS 2
        j%1 short %%fwd_taken
        mov byte [membuf+%2], 1
        jmp short %%fwd_done
%%fwd_taken:
        mov byte [membuf+%2], 2
%%fwd_done:
        jmp near %%back_test
%%back_taken:
        mov byte [membuf+16+%2], 2
        jmp near %%back_done
%%back_test:
        j%1 near %%back_taken
        mov byte [membuf+16+%2], 1
%%back_done:
%endmacro

TEST setcc_flags, K_FLAGS
        FOR_EACH_CC SET_TO_MEM
ENDT
TEST setcc_cmp
        cmp eax, ebx
        FOR_EACH_CC SET_TO_MEM
ENDT
TEST setcc_regs, K_FLAGS        ; byte registers, high halves included
        seto al
        setb ah
        sete bl
        setbe bh
        sets cl
        setp ch
        setl dl
        setle dh
ENDT
TEST setcc_m8, K_PTRS
        cmp ax, bx
        setg [esi+ecx+40]
        setae [edi+ecx*2+1]
ENDT

TEST cmov_flags, K_FLAGS
        FOR_EACH_CC CMOV_TO_MEM
ENDT
TEST cmov_cmp
        cmp eax, ebx
        FOR_EACH_CC CMOV_TO_MEM
ENDT
TEST cmov16_mem, K_FLAGS
        FOR_EACH_CC CMOV16_FROM_MEM
ENDT

TEST jcc_flags, K_FLAGS
        FOR_EACH_CC JCC_BOTH_WAYS
ENDT
TEST jcc_cmp
        cmp eax, ebx
        FOR_EACH_CC JCC_BOTH_WAYS
ENDT
TEST jcc_cmp8
        cmp al, dh
        FOR_EACH_CC JCC_BOTH_WAYS
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
