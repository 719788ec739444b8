; Two-operand ALU instructions: every operand form at 8, 16 and 32 bits,
; high-byte registers included, with and without memory operands.
bits 32
%include "harness.inc"
%include "kinds.inc"

; ---- add
TEST add_r32
        add eax, ebx
ENDT
TEST add_r16
        add ax, bx
ENDT
TEST add_r8
        add al, bl
ENDT
TEST add_r8h
        add ah, ch
ENDT
TEST add_m32
        add [membuf+4], ebx
ENDT
TEST add_r32m, K_PTRS
        add eax, [esi+ecx*4+8]
ENDT
TEST add_r16m, K_PTRS
        add dx, [ebp+ecx*2]
ENDT
TEST add_m8h, K_PTRS
        add [edi+ecx*2+3], dh
ENDT
TEST add_r8hm, K_PTRS
        add ah, [ebp+ecx*4+8]
ENDT
TEST add_r8hm_ebx, K_PTRS             ; ebx as the base, with high-byte registers
        xchg ebx, esi
        add ah, [ebx+ecx*4+8]
        add [ebx+ecx+1], dh
        xchg ebx, esi
ENDT
TEST add_eax_imm
        add eax, 0x12345678
ENDT
TEST add_r32_imm8
        add edx, -3
ENDT
TEST add_al_imm
        add al, 0x7F
ENDT
TEST add_m16_imm
        add word [membuf+6], 0x8001
ENDT
TEST add_m8_imm, K_PTRS
        add byte [esi+ecx+1], 0x80
ENDT

; ---- adc
TEST adc_r32
        adc eax, ebx
ENDT
TEST adc_r16
        adc ax, bx
ENDT
TEST adc_r8
        adc al, bl
ENDT
TEST adc_r8h
        adc ah, ch
ENDT
TEST adc_m32
        adc [membuf+4], ebx
ENDT
TEST adc_r32m, K_PTRS
        adc eax, [esi+ecx*4+8]
ENDT
TEST adc_r16m, K_PTRS
        adc dx, [ebp+ecx*2]
ENDT
TEST adc_m8h, K_PTRS
        adc [edi+ecx*2+3], dh
ENDT
TEST adc_r8hm, K_PTRS
        adc ah, [ebp+ecx*4+8]
ENDT
TEST adc_eax_imm
        adc eax, 0x12345678
ENDT
TEST adc_r32_imm8
        adc edx, -3
ENDT
TEST adc_al_imm
        adc al, 0x7F
ENDT
TEST adc_m16_imm
        adc word [membuf+6], 0x8001
ENDT
TEST adc_m8_imm, K_PTRS
        adc byte [esi+ecx+1], 0x80
ENDT

; ---- sub
TEST sub_r32
        sub eax, ebx
ENDT
TEST sub_r16
        sub ax, bx
ENDT
TEST sub_r8
        sub al, bl
ENDT
TEST sub_r8h
        sub ah, ch
ENDT
TEST sub_m32
        sub [membuf+4], ebx
ENDT
TEST sub_r32m, K_PTRS
        sub eax, [esi+ecx*4+8]
ENDT
TEST sub_r16m, K_PTRS
        sub dx, [ebp+ecx*2]
ENDT
TEST sub_m8h, K_PTRS
        sub [edi+ecx*2+3], dh
ENDT
TEST sub_r8hm, K_PTRS
        sub ah, [ebp+ecx*4+8]
ENDT
TEST sub_eax_imm
        sub eax, 0x12345678
ENDT
TEST sub_r32_imm8
        sub edx, -3
ENDT
TEST sub_al_imm
        sub al, 0x7F
ENDT
TEST sub_m16_imm
        sub word [membuf+6], 0x8001
ENDT
TEST sub_m8_imm, K_PTRS
        sub byte [esi+ecx+1], 0x80
ENDT

; ---- sbb
TEST sbb_r32
        sbb eax, ebx
ENDT
TEST sbb_r16
        sbb ax, bx
ENDT
TEST sbb_r8
        sbb al, bl
ENDT
TEST sbb_r8h
        sbb ah, ch
ENDT
TEST sbb_m32
        sbb [membuf+4], ebx
ENDT
TEST sbb_r32m, K_PTRS
        sbb eax, [esi+ecx*4+8]
ENDT
TEST sbb_r16m, K_PTRS
        sbb dx, [ebp+ecx*2]
ENDT
TEST sbb_m8h, K_PTRS
        sbb [edi+ecx*2+3], dh
ENDT
TEST sbb_r8hm, K_PTRS
        sbb ah, [ebp+ecx*4+8]
ENDT
TEST sbb_eax_imm
        sbb eax, 0x12345678
ENDT
TEST sbb_r32_imm8
        sbb edx, -3
ENDT
TEST sbb_al_imm
        sbb al, 0x7F
ENDT
TEST sbb_m16_imm
        sbb word [membuf+6], 0x8001
ENDT
TEST sbb_m8_imm, K_PTRS
        sbb byte [esi+ecx+1], 0x80
ENDT

; ---- and
TEST and_r32
        and eax, ebx
ENDT
TEST and_r16
        and ax, bx
ENDT
TEST and_r8
        and al, bl
ENDT
TEST and_r8h
        and ah, ch
ENDT
TEST and_m32
        and [membuf+4], ebx
ENDT
TEST and_r32m, K_PTRS
        and eax, [esi+ecx*4+8]
ENDT
TEST and_r16m, K_PTRS
        and dx, [ebp+ecx*2]
ENDT
TEST and_m8h, K_PTRS
        and [edi+ecx*2+3], dh
ENDT
TEST and_r8hm, K_PTRS
        and ah, [ebp+ecx*4+8]
ENDT
TEST and_eax_imm
        and eax, 0x12345678
ENDT
TEST and_r32_imm8
        and edx, -3
ENDT
TEST and_al_imm
        and al, 0x7F
ENDT
TEST and_m16_imm
        and word [membuf+6], 0x8001
ENDT
TEST and_m8_imm, K_PTRS
        and byte [esi+ecx+1], 0x80
ENDT

; ---- or
TEST or_r32
        or eax, ebx
ENDT
TEST or_r16
        or ax, bx
ENDT
TEST or_r8
        or al, bl
ENDT
TEST or_r8h
        or ah, ch
ENDT
TEST or_m32
        or [membuf+4], ebx
ENDT
TEST or_r32m, K_PTRS
        or eax, [esi+ecx*4+8]
ENDT
TEST or_r16m, K_PTRS
        or dx, [ebp+ecx*2]
ENDT
TEST or_m8h, K_PTRS
        or [edi+ecx*2+3], dh
ENDT
TEST or_r8hm, K_PTRS
        or ah, [ebp+ecx*4+8]
ENDT
TEST or_eax_imm
        or eax, 0x12345678
ENDT
TEST or_r32_imm8
        or edx, -3
ENDT
TEST or_al_imm
        or al, 0x7F
ENDT
TEST or_m16_imm
        or word [membuf+6], 0x8001
ENDT
TEST or_m8_imm, K_PTRS
        or byte [esi+ecx+1], 0x80
ENDT

; ---- xor
TEST xor_r32
        xor eax, ebx
ENDT
TEST xor_r16
        xor ax, bx
ENDT
TEST xor_r8
        xor al, bl
ENDT
TEST xor_r8h
        xor ah, ch
ENDT
TEST xor_m32
        xor [membuf+4], ebx
ENDT
TEST xor_r32m, K_PTRS
        xor eax, [esi+ecx*4+8]
ENDT
TEST xor_r16m, K_PTRS
        xor dx, [ebp+ecx*2]
ENDT
TEST xor_m8h, K_PTRS
        xor [edi+ecx*2+3], dh
ENDT
TEST xor_r8hm, K_PTRS
        xor ah, [ebp+ecx*4+8]
ENDT
TEST xor_eax_imm
        xor eax, 0x12345678
ENDT
TEST xor_r32_imm8
        xor edx, -3
ENDT
TEST xor_al_imm
        xor al, 0x7F
ENDT
TEST xor_m16_imm
        xor word [membuf+6], 0x8001
ENDT
TEST xor_m8_imm, K_PTRS
        xor byte [esi+ecx+1], 0x80
ENDT

; ---- cmp
TEST cmp_r32
        cmp eax, ebx
ENDT
TEST cmp_r16
        cmp ax, bx
ENDT
TEST cmp_r8
        cmp al, bl
ENDT
TEST cmp_r8h
        cmp ah, ch
ENDT
TEST cmp_m32
        cmp [membuf+4], ebx
ENDT
TEST cmp_r32m, K_PTRS
        cmp eax, [esi+ecx*4+8]
ENDT
TEST cmp_r16m, K_PTRS
        cmp dx, [ebp+ecx*2]
ENDT
TEST cmp_m8h, K_PTRS
        cmp [edi+ecx*2+3], dh
ENDT
TEST cmp_r8hm, K_PTRS
        cmp ah, [ebp+ecx*4+8]
ENDT
TEST cmp_eax_imm
        cmp eax, 0x12345678
ENDT
TEST cmp_r32_imm8
        cmp edx, -3
ENDT
TEST cmp_al_imm
        cmp al, 0x7F
ENDT
TEST cmp_m16_imm
        cmp word [membuf+6], 0x8001
ENDT
TEST cmp_m8_imm, K_PTRS
        cmp byte [esi+ecx+1], 0x80
ENDT

; ---- test (no sign-extended imm8 form, no separate r,m order)
TEST test_r32
        test eax, ebx
ENDT
TEST test_r16
        test ax, bx
ENDT
TEST test_r8
        test al, bl
ENDT
TEST test_r8h
        test ah, ch
ENDT
TEST test_m32
        test [membuf+4], ebx
ENDT
TEST test_m8h, K_PTRS
        test [edi+ecx*2+3], dh
ENDT
TEST test_eax_imm
        test eax, 0x12345678
ENDT
TEST test_r32_imm
        test edx, 0x80000001
ENDT
TEST test_al_imm
        test al, 0x81
ENDT
TEST test_m16_imm
        test word [membuf+6], 0x8001
ENDT
TEST test_m8_imm, K_PTRS
        test byte [esi+ecx+1], 0x80
ENDT

; ---- lock-prefixed read-modify-write forms
TEST lock_add_m32, K_PTRS
        lock add [esi+ecx*4+8], ebx
ENDT
TEST lock_adc_m8h, K_PTRS
        lock adc [edi+ecx*2+3], dh
ENDT
TEST lock_sub_m16_imm
        lock sub word [membuf+6], 0x8001
ENDT
TEST lock_sbb_m32
        lock sbb [membuf+4], ebx
ENDT
TEST lock_and_m8_imm, K_PTRS
        lock and byte [esi+ecx+1], 0x80
ENDT
TEST lock_or_m32, K_PTRS
        lock or [ebp+ecx*4], eax
ENDT
TEST lock_xor_m8h, K_PTRS
        lock xor [edi+ecx*2+3], bh
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
