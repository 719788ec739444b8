; x87 transcendentals, comparisons (status-word and EFLAGS forms), fxam,
; control/status word access, rounding control, fxch and fninit.
bits 32
%include "fpu.inc"

FTEST fsin_fcos                         ; C2 set for |x| >= 2^63
        fld qword [membuf+IN_D0]
        fsin
        fnstsw [membuf+RES]
        fstp tword [membuf+RES+2]
        fld qword [membuf+IN_D0]
        fcos
        fstp tword [membuf+RES+12]
        fld tword [membuf+IN_E0]
        fsincos
        fstp tword [membuf+RES+22]
        fstp tword [membuf+RES+32]
FENDT
FTEST fptan_fpatan
        fld qword [membuf+IN_D0]
        fptan                           ; pushes 1.0 above tan(x)
        fstp tword [membuf+RES]
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D0]
        fld qword [membuf+IN_D1]
        fpatan                          ; atan(D0 / D1), quadrant from both signs
        fstp tword [membuf+RES+20]
FENDT
FTEST f2xm1_fyl2x                       ; f2xm1 outside [-1, 1] is undefined but repeatable
        fld qword [membuf+IN_D0]
        f2xm1
        fstp tword [membuf+RES]
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]
        fyl2x                           ; D1 * log2(D0)
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]
        fyl2xp1                         ; D1 * log2(D0 + 1)
        fstp tword [membuf+RES+20]
FENDT

FTEST fcom_forms                        ; each result through fnstsw ax
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]        ; a b
        fcom qword [membuf+IN_D1]
        fnstsw ax
        mov [membuf+RES], ax
        fcom dword [membuf+IN_F1]
        fnstsw ax
        mov [membuf+RES+2], ax
        fcom st1
        fnstsw ax
        mov [membuf+RES+4], ax
        fucom st1
        fnstsw ax
        mov [membuf+RES+6], ax
        ficom dword [membuf+IN_I1]
        fnstsw ax
        mov [membuf+RES+8], ax
        ftst
        fnstsw ax
        mov [membuf+RES+10], ax
        fcomp st1                       ; b
        fnstsw ax
        mov [membuf+RES+12], ax
        fld qword [membuf+IN_D0]        ; a b
        fucompp
        fnstsw ax
        mov [membuf+RES+14], ax
        fld tword [membuf+IN_E1]
        fld qword [membuf+IN_D0]
        fcompp
        fnstsw ax
        mov [membuf+RES+16], ax
        fld qword [membuf+IN_D0]
        ficomp word [membuf+IN_W1]
        fnstsw ax
        mov [membuf+RES+18], ax
        fld qword [membuf+IN_D0]
        fcomp dword [membuf+IN_F0]
        fnstsw ax
        mov [membuf+RES+20], ax
FENDT
FTEST fcomi_forms                       ; ZF PF CF through lahf; the last in EFLAGS
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]        ; a b
        fcomi st0, st1
        lahf
        mov [membuf+RES], ah
        fucomi st0, st1
        lahf
        mov [membuf+RES+1], ah
        fcomip st0, st1                 ; b
        lahf
        mov [membuf+RES+2], ah
        fld tword [membuf+IN_E0]
        fucomip st0, st1
FENDT

FTEST fxam_ftst
        fxam                            ; empty register
        fnstsw [membuf+RES]
        fld qword [membuf+IN_D0]
        fxam
        fnstsw [membuf+RES+2]
        fld tword [membuf+IN_E0]
        fxam
        fnstsw [membuf+RES+4]
        fld dword [membuf+IN_F1]
        fxam
        fnstsw [membuf+RES+6]
        ftst
        fnstsw [membuf+RES+8]
        ffree st0                       ; fxam of a freed register: empty
        fxam
        fnstsw [membuf+RES+10]
FENDT

FTEST fstsw_fstcw
        fnstcw [membuf+RES]
        fstcw [membuf+RES+2]            ; with fwait
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]
        fdiv st0, st1                   ; may raise (masked) exceptions
        fstsw ax
        mov [membuf+RES+4], ax
        fnstsw [membuf+RES+6]
        fnclex
        fnstsw [membuf+RES+8]
        fwait
        fstp st0
        fstp st0
FENDT
FTEST fldcw_rounding                    ; the four RC values on the same input
%assign rc 0
%rep 4
        mov ax, [membuf+IN_CW]
        and ax, ~0xC00
        or ax, rc << 10
        mov [membuf+RES+64], ax
        fldcw [membuf+RES+64]
        fld qword [membuf+IN_D0]
        frndint
        fstp qword [membuf+RES+rc*16]
        fld qword [membuf+IN_D1]
        fistp dword [membuf+RES+rc*16+8]
        fld tword [membuf+IN_E0]
        fstp dword [membuf+RES+rc*16+12]
%assign rc rc + 1
%endrep
FENDT
FTEST fxch_fninit
        fld qword [membuf+IN_D0]
        fld qword [membuf+IN_D1]
        fldpi                           ; pi b a
        fxch st2                        ; a b pi
        fstp tword [membuf+RES]
        fxch                            ; pi b
        fstp tword [membuf+RES+10]
        fld1                            ; 1 b
        fninit                          ; empties the stack, default control word
        fnstcw [membuf+RES+20]
        fnstsw [membuf+RES+22]
        fxam
        fnstsw [membuf+RES+24]
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
