; SSE2 integer operations on 128-bit lanes (K_INT inputs), and the
; conversions from integers.
bits 32
%include "fpu.inc"

FTEST sse2_int_add, K_INT
        XBIN paddb, 0
        XBIN paddw, 1
        XBIN paddd, 2
        XBIN paddq, 3
        XBIN paddsb, 4
        XBIN paddsw, 5
        XBIN paddusb, 6
        XBIN paddusw, 7
        XBIN_RR paddq, 8
FENDT
FTEST sse2_int_sub, K_INT
        XBIN psubb, 0
        XBIN psubw, 1
        XBIN psubd, 2
        XBIN psubq, 3
        XBIN psubsb, 4
        XBIN psubsw, 5
        XBIN psubusb, 6
        XBIN psubusw, 7
        XBIN_RR psubsw, 8
FENDT
FTEST sse2_int_mul, K_INT
        XBIN pmullw, 0
        XBIN pmulhw, 1
        XBIN pmulhuw, 2
        XBIN pmuludq, 3
        XBIN pmaddwd, 4
        XBIN psadbw, 5
        XBIN_RR pmuludq, 6
FENDT
FTEST sse2_int_cmp, K_INT
        XBIN pcmpeqb, 0
        XBIN pcmpeqw, 1
        XBIN pcmpeqd, 2
        XBIN pcmpgtb, 3
        XBIN pcmpgtw, 4
        XBIN pcmpgtd, 5
        XBIN pminub, 6
        XBIN pmaxsw, 7
        XBIN pavgb, 8
        XBIN pavgw, 9
FENDT
FTEST sse2_int_logic, K_INT
        XBIN pand, 0
        XBIN pandn, 1
        XBIN por, 2
        XBIN pxor, 3
        XBIN_RR pxor, 4
FENDT

; op xmm0 <- XA by immediate %2 ; result to slot %3
%macro XSHIFT_IMM 3
        movdqa xmm0, [membuf+IN_XA]
        %1 xmm0, %2
        movdqu [membuf+RES+%3*16], xmm0
%endmacro
; op xmm0 <- XA by the count in xmm1 ; result to slot %2
%macro XSHIFT_X 2
        movdqa xmm0, [membuf+IN_XA]
        %1 xmm0, xmm1
        movdqu [membuf+RES+%2*16], xmm0
%endmacro

FTEST sse2_int_shift, K_INT
        XSHIFT_IMM psllw, 5, 0
        XSHIFT_IMM pslld, 31, 1
        XSHIFT_IMM psllq, 40, 2
        XSHIFT_IMM psrlw, 16, 3         ; the whole width: zero
        XSHIFT_IMM psrad, 7, 4
        XSHIFT_IMM pslldq, 3, 5         ; whole bytes
        XSHIFT_IMM psrldq, 9, 6
        and ecx, 63
        movd xmm1, ecx
        XSHIFT_X psrlq, 7
        XSHIFT_X psraw, 8
        XSHIFT_X pslld, 9
        XSHIFT_X psrld, 10
FENDT

FTEST sse2_int_pack, K_INT
        XBIN packsswb, 0
        XBIN packssdw, 1
        XBIN packuswb, 2
        XBIN punpcklbw, 3
        XBIN punpckhwd, 4
        XBIN punpckldq, 5
        XBIN punpckhdq, 6
        XBIN punpcklqdq, 7
        XBIN punpckhqdq, 8
FENDT

FTEST sse2_int_misc, K_INT
        pshufd xmm0, [membuf+IN_XA], 0x1B
        movdqu [membuf+RES], xmm0
        pshuflw xmm1, [membuf+IN_XB], 0xB1
        movdqu [membuf+RES+16], xmm1
        pshufhw xmm2, [membuf+IN_XB], 0x4E
        movdqu [membuf+RES+32], xmm2
        movd xmm3, ebx                  ; zero-extends
        movdqu [membuf+RES+48], xmm3
        movq xmm4, xmm2                 ; keeps the low qword only
        movdqu [membuf+RES+64], xmm4
        pinsrw xmm4, edx, 5
        movdqu [membuf+RES+80], xmm4
        pextrw ecx, xmm0, 6
        movd edx, xmm1
        pmovmskb eax, xmm0
FENDT

FTEST cvt_from_int, K_INT, RC_ALL
        cvtdq2ps xmm0, [membuf+IN_XA]
        movups [membuf+RES], xmm0
        cvtdq2pd xmm1, [membuf+IN_XB]
        movupd [membuf+RES+16], xmm1
        cvtsi2ss xmm2, [membuf+IN_XA+4]
        movss [membuf+RES+32], xmm2
        cvtsi2sd xmm3, [membuf+IN_XB+12]
        movsd [membuf+RES+36], xmm3
        movq mm0, [membuf+IN_XB]
        cvtpi2ps xmm4, mm0
        movups [membuf+RES+44], xmm4
        cvtpi2pd xmm5, mm0
        movupd [membuf+RES+60], xmm5
        emms
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
