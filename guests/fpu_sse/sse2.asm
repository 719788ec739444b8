; SSE2 double precision: moves, packed and scalar arithmetic under each
; rounding mode, min/max, compare predicates, conversions, shuffles, logic,
; ucomisd/comisd into EFLAGS.
bits 32
%include "fpu.inc"

FTEST sse2_mov, K_PD
        movapd xmm0, [membuf+IN_XA]
        movupd xmm1, [membuf+IN_XA+8]   ; unaligned
        movsd xmm2, [membuf+IN_D1]      ; load: upper lane zeroed
        movapd xmm3, xmm0
        movsd xmm3, xmm1                ; register: upper lane kept
        movhpd xmm2, [membuf+IN_D0]
        movlpd xmm1, [membuf+IN_XB+8]
        movq xmm4, [membuf+IN_XB]       ; zero-extends
        movdqa xmm5, [membuf+IN_XB]
        movdqu xmm6, [membuf+IN_XA+3]
        movapd [membuf+RES], xmm0
        movupd [membuf+RES+17], xmm1    ; unaligned store
        movapd [membuf+RES+48], xmm2
        movapd [membuf+RES+64], xmm3
        movdqa [membuf+RES+80], xmm4
        movdqu [membuf+RES+97], xmm5
        movdqu [membuf+RES+113], xmm6
        movsd [membuf+RES+129], xmm2
        movq [membuf+RES+137], xmm3
        movhpd [membuf+RES+145], xmm1
FENDT

FTEST sse2_add, K_PD, RC_ALL
        XBIN addpd, 0
        XBIN addsd, 1
        XBIN_RR addpd, 2
        XBIN_RR addsd, 3
FENDT
FTEST sse2_sub, K_PD, RC_ALL
        XBIN subpd, 0
        XBIN subsd, 1
        XBIN_RR subpd, 2
        XBIN_RR subsd, 3
FENDT
FTEST sse2_mul, K_PD, RC_ALL
        XBIN mulpd, 0
        XBIN mulsd, 1
        XBIN_RR mulpd, 2
        XBIN_RR mulsd, 3
FENDT
FTEST sse2_div, K_PD, RC_ALL
        XBIN divpd, 0
        XBIN divsd, 1
        XBIN_RR divpd, 2
        XBIN_RR divsd, 3
FENDT
FTEST sse2_sqrt, K_PD, RC_ALL
        XBIN sqrtpd, 0
        XBIN sqrtsd, 1
        XBIN_RR sqrtpd, 2
FENDT
FTEST sse2_minmax, K_PD
        XBIN minpd, 0
        XBIN minsd, 1
        XBIN maxpd, 2
        XBIN maxsd, 3
        XBIN_RR maxpd, 4
FENDT

FTEST cmppd_all, K_PD                   ; predicates 0..7, packed and scalar
%assign p 0
%rep 8
        movapd xmm0, [membuf+IN_XA]
        cmppd xmm0, [membuf+IN_XB], p
        movapd [membuf+RES+p*16], xmm0
        movsd xmm1, [membuf+IN_D0]
        cmpsd xmm1, [membuf+IN_D1], p
        movsd [membuf+RES+128+p*8], xmm1
%assign p p + 1
%endrep
FENDT

FTEST sse2_cvt, K_PD, RC_ALL
        cvtsi2sd xmm0, eax
        movsd [membuf+RES], xmm0
        cvtsi2sd xmm1, [membuf+IN_I1]
        movsd [membuf+RES+8], xmm1
        cvtsd2si ecx, [membuf+IN_D0]
        mov [membuf+RES+16], ecx
        cvttsd2si edx, [membuf+IN_D1]
        mov [membuf+RES+20], edx
        movsd xmm2, [membuf+IN_D1]
        cvtsd2si ebx, xmm2
        cvtpd2ps xmm3, [membuf+IN_XA]
        movups [membuf+RES+24], xmm3
        cvtpd2dq xmm4, [membuf+IN_XA]
        movdqu [membuf+RES+40], xmm4
        cvttpd2dq xmm5, [membuf+IN_XB]
        movdqu [membuf+RES+56], xmm5
        cvtpd2pi mm0, [membuf+IN_XA]
        movq [membuf+RES+72], mm0
        cvttpd2pi mm1, [membuf+IN_XB]
        movq [membuf+RES+80], mm1
        cvtpi2pd xmm6, [membuf+IN_I0]
        movupd [membuf+RES+88], xmm6
        cvtdq2pd xmm7, [membuf+IN_I0]
        movupd [membuf+RES+104], xmm7
        emms
FENDT

FTEST sse2_shuffle, K_PD
        movapd xmm0, [membuf+IN_XA]
        shufpd xmm0, [membuf+IN_XB], 1
        movupd [membuf+RES], xmm0
        XBIN unpcklpd, 1
        XBIN unpckhpd, 2
        movapd xmm1, [membuf+IN_XB]
        movmskpd eax, xmm1
FENDT
FTEST sse2_logic, K_PD
        XBIN andpd, 0
        XBIN andnpd, 1
        XBIN orpd, 2
        XBIN xorpd, 3
FENDT
FTEST sse2_comisd, K_PD                 ; ZF PF CF (lahf); the last one in EFLAGS
        movsd xmm0, [membuf+IN_D0]
        ucomisd xmm0, [membuf+IN_D1]
        lahf
        mov [membuf+RES], ah
        comisd xmm0, [membuf+IN_D1]
        lahf
        mov [membuf+RES+1], ah
        movapd xmm1, [membuf+IN_XB]
        ucomisd xmm0, xmm1
        lahf
        mov [membuf+RES+2], ah
        comisd xmm1, xmm0
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
