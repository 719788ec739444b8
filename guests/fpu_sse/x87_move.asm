; x87 loads and stores: every memory format (32/64/80-bit real, 16/32/64-bit
; integer, packed BCD), conversions under each rounding mode, fisttp,
; register moves, the constants.
bits 32
%include "fpu.inc"

FTEST fld_fst_m32, K_PS, RC_ALL
        fld dword [membuf+IN_F0]
        fst dword [membuf+RES]
        fst qword [membuf+RES+4]
        fstp tword [membuf+RES+12]
FENDT
FTEST fld_fst_m64, K_PS, RC_ALL          ; double to float rounds per RC
        fld qword [membuf+IN_D0]
        fst dword [membuf+RES]
        fst qword [membuf+RES+4]
        fstp tword [membuf+RES+12]
FENDT
FTEST fld_fst_m80, K_PS, RC_ALL          ; unsupported encodings included
        fld tword [membuf+IN_E0]
        fst dword [membuf+RES]
        fst qword [membuf+RES+4]
        fld st0
        fstp tword [membuf+RES+12]
        fxam
        fnstsw [membuf+RES+22]
        fstp st0
FENDT
FTEST fld_st_regs
        fld qword [membuf+IN_D0]        ; a
        fld qword [membuf+IN_D1]        ; b a
        fldpi                           ; pi b a
        fld st2                         ; a pi b a
        fxch st2                        ; b pi a a
        fst st3                         ; b pi a b
        fstp st1                        ; b a b
        fxch                            ; a b b
        fincstp
        fdecstp
        fstp tword [membuf+RES]
        fstp tword [membuf+RES+10]
        fstp tword [membuf+RES+20]
FENDT

FTEST fbld_fbstp, K_PS, RC_ALL
        fbld [membuf+IN_BCD]
        fst qword [membuf+RES]
        fbstp [membuf+RES+8]            ; round trip
        fld qword [membuf+IN_D0]
        fbstp [membuf+RES+18]           ; rounds per RC; too large: indefinite
        fld tword [membuf+IN_E1]
        fbstp [membuf+RES+28]
FENDT

FTEST fild_forms, K_PS, RC_ALL
        fild word [membuf+IN_W0]
        fild dword [membuf+IN_I0]
        fild qword [membuf+IN_Q0]
        fstp tword [membuf+RES]
        fstp tword [membuf+RES+10]
        fstp tword [membuf+RES+20]
        fild qword [membuf+IN_Q0]
        fstp qword [membuf+RES+30]      ; 64-bit integer to double rounds
        fild dword [membuf+IN_I1]
        fstp dword [membuf+RES+38]
FENDT
FTEST fist_forms, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        fist word [membuf+RES]
        fist dword [membuf+RES+2]
        fistp qword [membuf+RES+6]
        fld qword [membuf+IN_D1]
        fistp dword [membuf+RES+14]
        fld tword [membuf+IN_E0]
        fistp word [membuf+RES+18]
        fld dword [membuf+IN_F0]
        fistp qword [membuf+RES+20]
FENDT
FTEST fisttp_forms, K_PS, RC_ALL        ; truncates whatever RC says
        fld qword [membuf+IN_D0]
        fisttp word [membuf+RES]
        fld qword [membuf+IN_D0]
        fisttp dword [membuf+RES+2]
        fld qword [membuf+IN_D0]
        fisttp qword [membuf+RES+6]
        fld dword [membuf+IN_F1]
        fisttp dword [membuf+RES+14]
FENDT

FTEST fld_consts, K_PS, RC_ALL          ; rounded per RC
        fld1
        fstp tword [membuf+RES]
        fldz
        fstp tword [membuf+RES+10]
        fldpi
        fstp tword [membuf+RES+20]
        fldl2e
        fstp tword [membuf+RES+30]
        fldl2t
        fstp tword [membuf+RES+40]
        fldlg2
        fstp tword [membuf+RES+50]
        fldln2
        fstp tword [membuf+RES+60]
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
