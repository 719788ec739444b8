; Instruction forms for the openbus and wrap4g kernels. Each form loads
; every register, ESP and EFLAGS from `rin`, runs one instruction (the
; thing under test, aimed by the registers at open bus, a device or the 4
; GiB wrap), and stores every register, ESP and EFLAGS into `rout`; the
; kernel's own stack is saved around it. A form runs through catch_at (see
; catch.h) at CPL 0 or 3: an event ends it there instead.
bits 32

; struct regs (forms.h): EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS
R_EAX equ 0
R_ECX equ 4
R_EDX equ 8
R_EBX equ 12
R_ESP equ 16
R_EBP equ 20
R_ESI equ 24
R_EDI equ 28
R_EFL equ 32

section .bss
global rin, rout
rin:        resd 9
rout:       resd 9
frame_esp:  resd 1

section .text

%macro FORM 1
global %1
align 16
%1:
        pushad
        mov [frame_esp], esp
        push dword [rin + R_EFL]
        popfd
        mov eax, [rin + R_EAX]
        mov ecx, [rin + R_ECX]
        mov edx, [rin + R_EDX]
        mov ebx, [rin + R_EBX]
        mov ebp, [rin + R_EBP]
        mov esi, [rin + R_ESI]
        mov edi, [rin + R_EDI]
        mov esp, [rin + R_ESP]
%endmacro

%macro ENDFORM 0
        mov [rout + R_ESP], esp
        mov esp, [frame_esp]
        mov [rout + R_EAX], eax
        mov [rout + R_ECX], ecx
        mov [rout + R_EDX], edx
        mov [rout + R_EBX], ebx
        mov [rout + R_EBP], ebp
        mov [rout + R_ESI], esi
        mov [rout + R_EDI], edi
        pushfd
        pop dword [rout + R_EFL]
        cld
        popad
        ret
%endmacro

; ---- the stack
FORM f_push_imm
        push dword 0x11223344
ENDFORM
FORM f_push_reg16
        push ax
ENDFORM
FORM f_push_mem                 ; push [esi]
        push dword [esi]
ENDFORM
FORM f_tf_push_mem              ; TF on, then push [esi]: #DB after the push
        pushfd
        or dword [esp], 0x100
        popfd
        push dword [esi]
global f_tf_push_mem_next
f_tf_push_mem_next:
        nop
ENDFORM
FORM f_pop_reg
        pop eax
ENDFORM
FORM f_pop_mem                  ; pop [esi]
        pop dword [esi]
ENDFORM
FORM f_call_rel
        call f_call_rel_ret
global f_call_rel_ret
f_call_rel_ret:
ENDFORM
FORM f_call_mem                 ; call [esi]: [esi] holds f_call_mem_target
        call [esi]
global f_call_mem_ret
f_call_mem_ret:
        jmp f_call_mem_target
global f_call_mem_target
f_call_mem_target:
ENDFORM
FORM f_jmp_mem                  ; jmp [esi]: [esi] holds f_jmp_mem_target
        jmp [esi]
        ud2
global f_jmp_mem_target
f_jmp_mem_target:
ENDFORM
FORM f_ret                      ; [esp] holds f_ret_target
        ret
        ud2
global f_ret_target
f_ret_target:
ENDFORM
FORM f_ret_imm                  ; [esp] holds f_ret_imm_target
        ret 8
        ud2
global f_ret_imm_target
f_ret_imm_target:
ENDFORM
FORM f_enter
        enter 16, 0
ENDFORM
FORM f_leave
        leave
ENDFORM
FORM f_pushad
        pushad
ENDFORM
FORM f_popad
        popad
ENDFORM
FORM f_pushfd
        pushfd
ENDFORM
FORM f_popfd
        popfd
ENDFORM

; ---- strings (DF from rin's EFLAGS)
FORM f_movsd
        movsd
ENDFORM
FORM f_rep_movsb
        rep movsb
ENDFORM
FORM f_rep_movsd
        rep movsd
ENDFORM
FORM f_stosd
        stosd
ENDFORM
FORM f_rep_stosb
        rep stosb
ENDFORM
FORM f_lodsd
        lodsd
ENDFORM
FORM f_rep_lodsw
        rep lodsw
ENDFORM
FORM f_cmpsd
        cmpsd
ENDFORM
FORM f_repe_cmpsb
        repe cmpsb
ENDFORM
FORM f_scasd
        scasd
ENDFORM
FORM f_repne_scasb
        repne scasb
ENDFORM
FORM f_a16_rep_movsb            ; ES := BX; DS:SI -> ES:DI, 16-bit addresses
        mov es, bx
        a16 rep movsb
        mov bx, ds
        mov es, bx
ENDFORM
FORM f_es_rep_stosb             ; ES := BX; rep stosb to ES:EDI
        mov es, bx
        rep stosb
        mov bx, ds
        mov es, bx
ENDFORM
FORM f_xlatb
        xlatb
ENDFORM
FORM f_maskmovq                 ; the bytes of EDX:EAX whose mask in ECX:EBX has bit 7 set -> DS:EDI
        movd mm0, eax
        movd mm2, edx
        punpckldq mm0, mm2
        movd mm1, ebx
        movd mm2, ecx
        punpckldq mm1, mm2
        maskmovq mm0, mm1
        emms
ENDFORM
FORM f_leave16                  ; SP := BP (ESP := EBP), BP := a word popped
        o16 leave
ENDFORM

; ---- ident instructions with a memory operand [esi]
FORM f_mov_load
        mov eax, [esi]
ENDFORM
FORM f_mov_load16
        mov ax, [esi]
ENDFORM
FORM f_mov_store
        mov [esi], eax
ENDFORM
FORM f_add_rmw                  ; flags of the add are in rout
        add [esi], eax
ENDFORM
FORM f_xchg
        xchg [esi], eax
ENDFORM
FORM f_mov_ah                   ; a high-byte register (borrows a low one)
        mov ah, [esi]
ENDFORM
FORM f_cmpxchg8b                ; edx:eax vs [esi]; ecx:ebx stored on a match
        cmpxchg8b [esi]
ENDFORM
FORM f_bt_reg                   ; bit EAX of [esi]: the element may be far away
        bt [esi], eax
ENDFORM
FORM f_bts_reg
        bts [esi], eax
ENDFORM

; ---- code: call whatever EAX points at (it returns with ret, or faults)
FORM f_call_eax
        call eax
ENDFORM

section .note.GNU-stack noalloc noexec nowrite progbits
