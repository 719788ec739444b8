; MMX on 64-bit lanes (K_INT inputs): arithmetic with saturation, multiplies,
; compares, logic, shifts, packs/unpacks, moves, emms and the tag word, and
; the MMX forms that SSE/SSE2 added.
bits 32
%include "fpu.inc"

; op mm0 <- XA, [XB] ; result to RES slot %2 (8 bytes each)
%macro MBIN 2
        movq mm0, [membuf+IN_XA]
        %1 mm0, [membuf+IN_XB]
        movq [membuf+RES+%2*8], mm0
%endmacro

; the same on the upper halves, both operands in registers
%macro MBIN_RR 2
        movq mm1, [membuf+IN_XA+8]
        movq mm2, [membuf+IN_XB+8]
        %1 mm1, mm2
        movq [membuf+RES+%2*8], mm1
%endmacro

FTEST mmx_add, K_INT
        MBIN paddb, 0
        MBIN paddw, 1
        MBIN paddd, 2
        MBIN paddsb, 3
        MBIN paddsw, 4
        MBIN paddusb, 5
        MBIN paddusw, 6
        MBIN_RR paddb, 7
        MBIN_RR paddsw, 8
        emms
FENDT
FTEST mmx_sub, K_INT
        MBIN psubb, 0
        MBIN psubw, 1
        MBIN psubd, 2
        MBIN psubsb, 3
        MBIN psubsw, 4
        MBIN psubusb, 5
        MBIN psubusw, 6
        MBIN_RR psubd, 7
        MBIN_RR psubusb, 8
        emms
FENDT
FTEST mmx_mul, K_INT
        MBIN pmullw, 0
        MBIN pmulhw, 1
        MBIN pmaddwd, 2
        MBIN_RR pmullw, 3
        MBIN_RR pmaddwd, 4
        emms
FENDT
FTEST mmx_cmp, K_INT
        MBIN pcmpeqb, 0
        MBIN pcmpeqw, 1
        MBIN pcmpeqd, 2
        MBIN pcmpgtb, 3
        MBIN pcmpgtw, 4
        MBIN pcmpgtd, 5
        MBIN_RR pcmpgtw, 6
        emms
FENDT
FTEST mmx_logic, K_INT
        MBIN pand, 0
        MBIN pandn, 1
        MBIN por, 2
        MBIN pxor, 3
        MBIN_RR pandn, 4
        emms
FENDT

; op mm0 <- XA by immediate %2 ; result to slot %3
%macro MSHIFT_IMM 3
        movq mm0, [membuf+IN_XA]
        %1 mm0, %2
        movq [membuf+RES+%3*8], mm0
%endmacro
; op mm0 <- XA by the count in mm1 ; result to slot %2
%macro MSHIFT_MM 2
        movq mm0, [membuf+IN_XA]
        %1 mm0, mm1
        movq [membuf+RES+%2*8], mm0
%endmacro

FTEST mmx_shift, K_INT
        MSHIFT_IMM psllw, 3, 0
        MSHIFT_IMM pslld, 17, 1
        MSHIFT_IMM psllq, 33, 2
        MSHIFT_IMM psrlw, 15, 3
        MSHIFT_IMM psrld, 1, 4
        MSHIFT_IMM psrlq, 63, 5
        MSHIFT_IMM psraw, 9, 6
        MSHIFT_IMM psrad, 31, 7
        and ecx, 63                     ; counts 0..63, past the lane width too
        movd mm1, ecx
        MSHIFT_MM psllw, 8
        MSHIFT_MM pslld, 9
        MSHIFT_MM psllq, 10
        MSHIFT_MM psrlw, 11
        MSHIFT_MM psrld, 12
        MSHIFT_MM psrlq, 13
        MSHIFT_MM psraw, 14
        MSHIFT_MM psrad, 15
        MBIN psrlq, 16                  ; 64-bit count from memory: mostly huge
        emms
FENDT

FTEST mmx_pack_unpack, K_INT
        MBIN packsswb, 0
        MBIN packssdw, 1
        MBIN packuswb, 2
        MBIN punpcklbw, 3
        MBIN punpcklwd, 4
        MBIN punpckldq, 5
        MBIN punpckhbw, 6
        MBIN punpckhwd, 7
        MBIN punpckhdq, 8
        MBIN_RR packuswb, 9
        emms
FENDT

FTEST mmx_move, K_INT
        movd mm0, eax
        movq [membuf+RES], mm0
        movd mm1, [membuf+IN_I1]
        movq [membuf+RES+8], mm1
        movq mm2, [membuf+IN_XA]
        movd ebx, mm2
        movd [membuf+RES+16], mm2
        movq mm3, mm2
        psrlq mm3, 32
        movd ecx, mm3
        movq mm4, [membuf+IN_XB+8]
        movq [membuf+RES+20], mm4
        emms
FENDT

; MMX registers alias the x87 stack: a MMX write marks every tag valid and
; sets TOP to 0, emms empties the tags. The tag word is read with fnstenv.
FTEST mmx_emms_tags, K_INT
        fld qword [membuf+IN_D0]        ; TOP = 7
        fnstenv [membuf+SCRATCH]
        mov ax, [membuf+SCRATCH+8]
        mov [membuf+RES], ax
        movq mm0, [membuf+IN_XA]
        fnstenv [membuf+SCRATCH]
        mov ax, [membuf+SCRATCH+8]
        mov [membuf+RES+2], ax
        mov ax, [membuf+SCRATCH+4]      ; status word: TOP
        mov [membuf+RES+4], ax
        emms
        fnstenv [membuf+SCRATCH]
        mov ax, [membuf+SCRATCH+8]
        mov [membuf+RES+6], ax
        fldcw [membuf+IN_CW]            ; fnstenv masked all exceptions
FENDT

FTEST mmx_sse_ext, K_INT                ; MMX forms added by SSE and SSE2
        MBIN pavgb, 0
        MBIN pavgw, 1
        MBIN pminub, 2
        MBIN pmaxub, 3
        MBIN pminsw, 4
        MBIN pmaxsw, 5
        MBIN pmulhuw, 6
        MBIN psadbw, 7
        MBIN pmuludq, 8
        MBIN paddq, 9
        MBIN psubq, 10
        pshufw mm0, [membuf+IN_XA], 0x1B
        movq [membuf+RES+88], mm0
        pmovmskb eax, mm0
        pextrw ecx, mm0, 2
        pinsrw mm0, edx, 1
        movq [membuf+RES+96], mm0
        emms
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
