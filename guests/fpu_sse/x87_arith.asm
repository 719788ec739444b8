; x87 arithmetic in all operand forms (m64, m32, st(i) both ways, popping,
; integer operands) under each rounding mode, plus sqrt/abs/chs, frndint,
; fscale, fprem/fprem1, fxtract and precision control.
bits 32
%include "fpu.inc"

FTEST fadd_forms, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        fadd qword [membuf+IN_D1]
        fstp tword [membuf+RES]
        fld qword [membuf+IN_D0]
        fadd dword [membuf+IN_F1]
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]        ; a b
        fadd st0, st1
        fstp tword [membuf+RES+20]
        fld qword [membuf+IN_D0]        ; a b
        fadd st1, st0
        faddp st1
        fstp tword [membuf+RES+30]
        fld tword [membuf+IN_E0]
        fiadd dword [membuf+IN_I1]
        fiadd word [membuf+IN_W1]
        fstp tword [membuf+RES+40]
FENDT

FTEST fsub_forms, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        fsub qword [membuf+IN_D1]
        fstp tword [membuf+RES]
        fld qword [membuf+IN_D0]
        fsubr dword [membuf+IN_F1]
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]        ; a b
        fsub st0, st1
        fstp tword [membuf+RES+20]
        fld qword [membuf+IN_D0]        ; a b
        fsubr st1, st0
        fsubp st1
        fstp tword [membuf+RES+30]
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]
        fsubrp st1
        fisub dword [membuf+IN_I1]
        fisubr word [membuf+IN_W1]
        fstp tword [membuf+RES+40]
FENDT

FTEST fmul_forms, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        fmul qword [membuf+IN_D1]
        fstp tword [membuf+RES]
        fld qword [membuf+IN_D0]
        fmul dword [membuf+IN_F1]
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D1]
        fld tword [membuf+IN_E0]        ; e b
        fmul st0, st1
        fstp tword [membuf+RES+20]
        fld qword [membuf+IN_D0]        ; a b
        fmul st1, st0
        fmulp st1
        fstp tword [membuf+RES+30]
        fld qword [membuf+IN_D0]
        fimul dword [membuf+IN_I1]
        fimul word [membuf+IN_W1]
        fstp tword [membuf+RES+40]
FENDT

FTEST fdiv_forms, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        fdiv qword [membuf+IN_D1]
        fstp tword [membuf+RES]
        fld qword [membuf+IN_D0]
        fdivr dword [membuf+IN_F1]
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]        ; a b
        fdiv st0, st1
        fstp tword [membuf+RES+20]
        fld qword [membuf+IN_D0]        ; a b
        fdivr st1, st0
        fdivp st1
        fstp tword [membuf+RES+30]
        fld qword [membuf+IN_D1]
        fld tword [membuf+IN_E0]
        fdivrp st1
        fidiv dword [membuf+IN_I1]
        fidivr word [membuf+IN_W1]
        fstp tword [membuf+RES+40]
FENDT

FTEST fsqrt_fabs_fchs, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        fsqrt
        fstp tword [membuf+RES]
        fld tword [membuf+IN_E0]
        fsqrt
        fstp tword [membuf+RES+10]
        fld qword [membuf+IN_D0]
        fabs
        fstp tword [membuf+RES+20]
        fld tword [membuf+IN_E0]
        fchs
        fstp tword [membuf+RES+30]
FENDT

FTEST frndint, K_PS, RC_ALL
        fld qword [membuf+IN_D0]
        frndint
        fstp tword [membuf+RES]
        fld tword [membuf+IN_E0]
        frndint
        fstp tword [membuf+RES+10]
FENDT

FTEST fscale, K_PS, RC_ALL
        fld qword [membuf+IN_D1]        ; scale (truncated toward zero)
        fld qword [membuf+IN_D0]
        fscale
        fstp tword [membuf+RES]
        fstp tword [membuf+RES+10]
FENDT

FTEST fprem_fprem1                      ; one partial-remainder step each; C0-C3 recorded
        fld qword [membuf+IN_D1]
        fld qword [membuf+IN_D0]
        fprem
        fnstsw [membuf+RES]
        fstp tword [membuf+RES+2]
        fstp st0
        fld qword [membuf+IN_D1]
        fld tword [membuf+IN_E0]
        fprem1
        fnstsw [membuf+RES+12]
        fstp tword [membuf+RES+14]
        fstp st0
FENDT

FTEST fxtract
        fld qword [membuf+IN_D0]
        fxtract                         ; significand in st0, exponent in st1
        fstp tword [membuf+RES]
        fstp tword [membuf+RES+10]
        fld tword [membuf+IN_E0]
        fxtract
        fstp tword [membuf+RES+20]
        fstp tword [membuf+RES+30]
FENDT

FTEST precision_control, K_PS, RC_ALL   ; PC = single, then double
        mov ax, [membuf+IN_CW]
        and ax, ~0x300
        mov [membuf+RES+100], ax
        fldcw [membuf+RES+100]
        fld qword [membuf+IN_D0]
        fadd qword [membuf+IN_D1]
        fstp tword [membuf+RES]
        fld qword [membuf+IN_D0]
        fdiv qword [membuf+IN_D1]
        fsqrt
        fstp tword [membuf+RES+10]
        or word [membuf+RES+100], 0x200
        fldcw [membuf+RES+100]
        fld qword [membuf+IN_D0]
        fdiv qword [membuf+IN_D1]
        fstp tword [membuf+RES+20]
        fld tword [membuf+IN_E0]
        fmul qword [membuf+IN_D1]
        fstp tword [membuf+RES+30]
FENDT

section .note.GNU-stack noalloc noexec nowrite progbits
