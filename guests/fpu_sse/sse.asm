; SSE single precision: moves, packed and scalar arithmetic under each
; rounding mode, min/max and their NaN/zero rules, reciprocal estimates,
; compare predicates, conversions, shuffles, logic, ucomiss/comiss into
; EFLAGS, and MXCSR rounding/flush-to-zero.
bits 32
%include "fpu.inc"

FTEST sse_mov
        movaps xmm0, [membuf+IN_XA]
        movups xmm1, [membuf+IN_XA+4]   ; unaligned
        movss xmm2, [membuf+IN_F1]      ; load: upper lanes zeroed
        movaps xmm3, xmm0
        movss xmm3, xmm1                ; register: upper lanes kept
        movlps xmm0, [membuf+IN_D1]
        movhps xmm1, [membuf+IN_D0]
        movhlps xmm4, xmm3
        movlhps xmm5, xmm1
        movaps [membuf+RES], xmm0
        movups [membuf+RES+17], xmm1    ; unaligned store
        movaps [membuf+RES+48], xmm2
        movaps [membuf+RES+64], xmm3
        movaps [membuf+RES+80], xmm4
        movaps [membuf+RES+96], xmm5
        movss [membuf+RES+113], xmm1
        movhps [membuf+RES+120], xmm0
FENDT

FTEST sse_add, K_PS, RC_ALL
        XBIN addps, 0
        XBIN addss, 1
        XBIN_RR addps, 2
        XBIN_RR addss, 3
FENDT
FTEST sse_sub, K_PS, RC_ALL
        XBIN subps, 0
        XBIN subss, 1
        XBIN_RR subps, 2
        XBIN_RR subss, 3
FENDT
FTEST sse_mul, K_PS, RC_ALL
        XBIN mulps, 0
        XBIN mulss, 1
        XBIN_RR mulps, 2
        XBIN_RR mulss, 3
FENDT
FTEST sse_div, K_PS, RC_ALL
        XBIN divps, 0
        XBIN divss, 1
        XBIN_RR divps, 2
        XBIN_RR divss, 3
FENDT
FTEST sse_sqrt, K_PS, RC_ALL
        XBIN sqrtps, 0                  ; sqrt of XB into xmm0
        XBIN sqrtss, 1                  ; lane 0 from XB, the rest from XA
        XBIN_RR sqrtps, 2
FENDT
FTEST sse_minmax                        ; a NaN or two zeros: the second operand
        XBIN minps, 0
        XBIN minss, 1
        XBIN maxps, 2
        XBIN maxss, 3
        XBIN_RR minps, 4
        XBIN_RR maxss, 5
FENDT
FTEST sse_rcp_rsqrt                     ; estimates: exact bits are the CPU's own
        XBIN rcpps, 0
        XBIN rcpss, 1
        XBIN rsqrtps, 2
        XBIN rsqrtss, 3
FENDT

FTEST cmpps_all                         ; predicates 0..7, packed and scalar
%assign p 0
%rep 8
        movaps xmm0, [membuf+IN_XA]
        cmpps xmm0, [membuf+IN_XB], p
        movaps [membuf+RES+p*16], xmm0
        movss xmm1, [membuf+IN_F0]
        cmpss xmm1, [membuf+IN_F1], p
        movss [membuf+RES+128+p*4], xmm1
%assign p p + 1
%endrep
FENDT

FTEST sse_cvt, K_PS, RC_ALL
        cvtsi2ss xmm0, eax
        movss [membuf+RES], xmm0
        cvtsi2ss xmm1, [membuf+IN_I1]
        movss [membuf+RES+4], xmm1
        cvtss2si ecx, [membuf+IN_F0]    ; too large or NaN: 0x80000000
        mov [membuf+RES+8], ecx
        cvttss2si edx, [membuf+IN_F1]
        mov [membuf+RES+12], edx
        movss xmm2, [membuf+IN_F1]
        cvtss2si ebx, xmm2
        cvtss2sd xmm3, [membuf+IN_F0]
        movsd [membuf+RES+16], xmm3
        cvtsd2ss xmm4, [membuf+IN_D0]
        movss [membuf+RES+24], xmm4
        cvtps2pd xmm5, [membuf+IN_XA]
        movups [membuf+RES+32], xmm5
        cvtps2dq xmm6, [membuf+IN_XA]
        movups [membuf+RES+48], xmm6
        cvttps2dq xmm7, [membuf+IN_XB]
        movups [membuf+RES+64], xmm7
        cvtps2pi mm0, [membuf+IN_XA]
        movq [membuf+RES+80], mm0
        cvttps2pi mm1, [membuf+IN_XB]
        movq [membuf+RES+88], mm1
        movaps xmm0, [membuf+IN_XB]
        cvtpi2ps xmm0, [membuf+IN_I0]   ; two int32 into the low lanes
        movups [membuf+RES+96], xmm0
        emms
FENDT

FTEST sse_shuffle
        movaps xmm0, [membuf+IN_XA]
        shufps xmm0, [membuf+IN_XB], 0x1B
        movups [membuf+RES], xmm0
        movaps xmm1, [membuf+IN_XA]
        shufps xmm1, xmm1, 0xB1
        movups [membuf+RES+16], xmm1
        XBIN unpcklps, 2
        XBIN unpckhps, 3
        movaps xmm2, [membuf+IN_XB]
        movmskps eax, xmm2
FENDT
FTEST sse_logic
        XBIN andps, 0
        XBIN andnps, 1
        XBIN orps, 2
        XBIN xorps, 3
FENDT
FTEST sse_comiss                        ; ZF PF CF (lahf); the last one in EFLAGS
        movss xmm0, [membuf+IN_F0]
        ucomiss xmm0, [membuf+IN_F1]
        lahf
        mov [membuf+RES], ah
        comiss xmm0, [membuf+IN_F1]     ; signals invalid on quiet NaNs too
        lahf
        mov [membuf+RES+1], ah
        movaps xmm1, [membuf+IN_XB]
        ucomiss xmm0, xmm1
        lahf
        mov [membuf+RES+2], ah
        comiss xmm1, xmm0
FENDT

; ldmxcsr/stmxcsr: each rounding mode, without and with flush-to-zero
FTEST mxcsr_modes
%assign m 0
%rep 8
        mov dword [membuf+RES+200], 0x1F80 | ((m & 3) << 13) | ((m >> 2) << 15)
        ldmxcsr [membuf+RES+200]
        movss xmm0, [membuf+IN_F0]
        divss xmm0, [membuf+IN_F1]
        movss [membuf+RES+m*8], xmm0
        stmxcsr [membuf+RES+m*8+4]
%assign m m + 1
%endrep
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
