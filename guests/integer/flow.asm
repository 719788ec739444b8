; Control transfers: call/ret (with imm16), indirect call/jmp through a
; register and memory, loop/loope/loopne (32- and 16-bit counter), jecxz/jcxz.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST call_ret
        call .sub
.ret_here:
        call .sub0
        jmp .done
.sub:
        mov ecx, [esp]
        sub ecx, .ret_here              ; 0: the pushed return address
        add eax, ebx
        ret
.sub0:
        xor edx, eax
        ret 0                           ; C2 00 00
.done:
ENDT
TEST call_ret_imm
        push eax
        push ebx
        push edx
        call .callee
        jmp .done
.callee:
        mov eax, [esp+4]                ; edx - ebx + eax
        sub eax, [esp+8]
        add eax, [esp+12]
        ret 12
.done:
ENDT
TEST call_reg
        mov edx, .target
        call edx
        REL edx, .target
        jmp .done
.target:
        lea eax, [eax+ebx*2]
        ret
.done:
ENDT
TEST call_mem
        and ecx, 3
        call [.table+ecx*4]
        call [.fnptr]                   ; [disp32]
        jmp .done
.t0:    add eax, ebx
        ret
.t1:    sub eax, ebx
        ret
.t2:    xor eax, ebx
        ret
.t3:    imul eax, ebx
        ret
.t4:    not edx
        ret
[section .rodata]
.table: dd .t0, .t1, .t2, .t3
.fnptr: dd .t4
[section .text]
.done:
ENDT
TEST jmp_reg
        mov edx, .target
        jmp edx
        mov eax, 0xBAD                  ; skipped
.target:
        REL edx, .target
ENDT
TEST jmp_mem
        and ecx, 3
        jmp [.table+ecx*4]
.j0:    add eax, ebx
        jmp .done
.j1:    sub eax, ebx
        jmp .done
.j2:    xor eax, ebx
        jmp .done
.j3:    or eax, ebx
        jmp .done
[section .rodata]
.table: dd .j0, .j1, .j2, .j3
[section .text]
.done:
ENDT

TEST loop_count, K_COUNT, 40
.again:
        add eax, ebx
        loop .again
ENDT
TEST loope_scan, K_COUNT, 40            ; continues while bit 0 of the byte is clear
        mov edx, 0
.again:
        inc edx
        test byte [membuf+edx], 1
        loope .again
ENDT
TEST loopne_scan, K_COUNT, 40           ; continues until a byte equals bl
        mov edx, 0
.again:
        inc edx
        cmp [membuf+edx], bl
        loopne .again
ENDT
TEST loop_cx, K_COUNT, 40               ; 0x67: only CX counts
        or ecx, 0xABCD0000
.again:
        add eax, ebx
        loop .again, cx
ENDT
TEST jecxz
        jecxz .zero
        mov eax, 1
        jmp .done
.zero:
        mov eax, 2
.done:
ENDT
TEST jcxz                               ; tests CX only
        jcxz .zero
        mov eax, 1
        jmp .done
.zero:
        mov eax, 2
.done:
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
