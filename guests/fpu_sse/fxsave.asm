; fxsave/fxrstor round trip: load a known x87/SSE state, save it, scramble
; the units, restore, save again, and record the architectural fields of the
; second image (not FIP/FDP/FCS/FDS/FOP: they hold addresses, which differ
; between a kernel and a process, and AMD saves them only on exceptions).
bits 32
%include "fpu.inc"

section .bss
align 16
fx_second: resb 512

section .text

; copies %3 bytes from fx_second+%1 to RES+%2
%macro KEEP_FIELD 3
        lea esi, [fx_second+%1]
        lea edi, [membuf+RES+%2]
        mov ecx, %3
        rep movsb
%endmacro

FTEST fxsave_roundtrip, K_PS, RC_ALL
        ; a state: every x87 register, the control word, every XMM register
        fld qword [membuf+IN_D0]
        fld tword [membuf+IN_E0]
        fld dword [membuf+IN_F1]
        fldpi
        fild dword [membuf+IN_I0]
        fld qword [membuf+IN_D1]
        fld1
        fld tword [membuf+IN_E1]
        fstp st0                        ; one register empty, seven valid
        movaps xmm0, [membuf+IN_XA]
        movaps xmm1, [membuf+IN_XB]
        movaps xmm2, [membuf+IN_D0]
        movaps xmm3, [membuf+IN_E0]
        movaps xmm4, [membuf+IN_XB]
        xorps xmm4, xmm0
        movaps xmm5, [membuf+IN_E1]
        movaps xmm6, [membuf+IN_F0]
        movaps xmm7, [membuf+IN_Q0]
        fxsave [membuf+SCRATCH]
        ; scramble
        fninit
        ldmxcsr [fpu_default_mxcsr]
        xorps xmm0, xmm0
        xorps xmm3, xmm3
        xorps xmm7, xmm7
        fxrstor [membuf+SCRATCH]
        fxsave [fx_second]
        KEEP_FIELD 0, 0, 4              ; FCW, FSW
        KEEP_FIELD 4, 4, 1              ; abridged tag byte
        KEEP_FIELD 24, 5, 8             ; MXCSR, MXCSR_MASK
%assign r 0
%rep 8
        KEEP_FIELD 32 + r*16, 13 + r*10, 10     ; ST(r)
%assign r r + 1
%endrep
        KEEP_FIELD 160, 93, 128         ; XMM0..7
        mov esi, 0
        mov edi, 0
        mov ecx, 0
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
