; String instructions at every size, forwards (cld) and backwards (std), with
; rep/repe/repne, and xlat. The driver points esi at membuf+SRC and edi at
; membuf+DST (STR_LEN bytes each) and sets ecx to a count of 0..32;
; backward routines first move both to the last element.
bits 32
%include "harness.inc"
%include "kinds.inc"

; to the last element of size %1 in each buffer, direction flag set
%macro BACKWARDS 1
        std
        lea esi, [esi+STR_LEN-%1]
        lea edi, [edi+STR_LEN-%1]
%endmacro

; ---- size 1
TEST rep_movsb_fwd, K_STRING, 33
        rep movsb
ENDT
TEST rep_movsb_bwd, K_STRING, 33
        BACKWARDS 1
        rep movsb
ENDT
TEST rep_stosb_fwd, K_STRING, 33
        rep stosb
ENDT
TEST rep_stosb_bwd, K_STRING, 33
        BACKWARDS 1
        rep stosb
ENDT
TEST lodsb, K_STRING, 33
        lodsb
        mov edx, eax
        lodsb
        std
        lodsb
ENDT
TEST repe_cmpsb_fwd, K_STRING, 33
        repe cmpsb
ENDT
TEST repne_cmpsb_bwd, K_STRING, 33
        BACKWARDS 1
        repne cmpsb
ENDT
TEST repne_scasb_fwd, K_STRING, 33
        mov edi, esi                    ; search the source buffer
        repne scasb
ENDT
TEST repe_scasb_bwd, K_STRING, 33
        BACKWARDS 1
        mov edi, esi
        repe scasb
ENDT

; ---- size 2
TEST rep_movsw_fwd, K_STRING, 33
        rep movsw
ENDT
TEST rep_movsw_bwd, K_STRING, 33
        BACKWARDS 2
        rep movsw
ENDT
TEST rep_stosw_fwd, K_STRING, 33
        rep stosw
ENDT
TEST rep_stosw_bwd, K_STRING, 33
        BACKWARDS 2
        rep stosw
ENDT
TEST lodsw, K_STRING, 33
        lodsw
        mov edx, eax
        lodsw
        std
        lodsw
ENDT
TEST repe_cmpsw_fwd, K_STRING, 33
        repe cmpsw
ENDT
TEST repne_cmpsw_bwd, K_STRING, 33
        BACKWARDS 2
        repne cmpsw
ENDT
TEST repne_scasw_fwd, K_STRING, 33
        mov edi, esi                    ; search the source buffer
        repne scasw
ENDT
TEST repe_scasw_bwd, K_STRING, 33
        BACKWARDS 2
        mov edi, esi
        repe scasw
ENDT

; ---- size 4
TEST rep_movsd_fwd, K_STRING, 33
        rep movsd
ENDT
TEST rep_movsd_bwd, K_STRING, 33
        BACKWARDS 4
        rep movsd
ENDT
TEST rep_stosd_fwd, K_STRING, 33
        rep stosd
ENDT
TEST rep_stosd_bwd, K_STRING, 33
        BACKWARDS 4
        rep stosd
ENDT
TEST lodsd, K_STRING, 33
        lodsd
        mov edx, eax
        lodsd
        std
        lodsd
ENDT
TEST repe_cmpsd_fwd, K_STRING, 33
        repe cmpsd
ENDT
TEST repne_cmpsd_bwd, K_STRING, 33
        BACKWARDS 4
        repne cmpsd
ENDT
TEST repne_scasd_fwd, K_STRING, 33
        mov edi, esi                    ; search the source buffer
        repne scasd
ENDT
TEST repe_scasd_bwd, K_STRING, 33
        BACKWARDS 4
        mov edi, esi
        repe scasd
ENDT

TEST rep_lodsb, K_STRING, 33            ; legal, if useless: the last byte wins
        rep lodsb
ENDT
TEST movs_single, K_STRING, 33
        movsb
        movsw
        movsd
        std
        movsd
        movsb
ENDT
TEST xlatb, K_STRING, 33                ; al = [ebx + al], the table is the source buffer
        xchg ebx, esi
        xlatb
        xchg ebx, esi
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
