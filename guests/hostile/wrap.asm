; Snippets for the 4 GiB wrap attempts (wrap.c). Each is copied to the code
; page and run with registers the kernel chose so that its one access lands
; on a target near 0xFFFFFFFF or 0; results go to EAX/EDX/ECX, EDI holds a
; sane stack for the closing int 0x80.
bits 32

%include "snippet.inc"

section .text
; --- loads through every addressing form ---
SNIP w_b
        mov eax, [ebx]
ENDSNIP w_b
SNIP w_bd8
        mov eax, [ebx + 0x7F]
ENDSNIP w_bd8
SNIP w_bdm8
        mov eax, [ebx - 0x80]
ENDSNIP w_bdm8
SNIP w_bd32
        mov eax, [ebx + 0x40000000]
ENDSNIP w_bd32
SNIP w_bi4
        mov eax, [ebx + esi * 4]
ENDSNIP w_bi4
SNIP w_bi8d32
        mov eax, [ebx + esi * 8 + 0x12345678]
ENDSNIP w_bi8d32
SNIP w_i2d32
        mov eax, [esi * 2 + 0x7FFFFFF0]
ENDSNIP w_i2d32
SNIP w_abs
        mov eax, [0xFFFFFFFC]
ENDSNIP w_abs
SNIP w_bp
        mov eax, [ebp + esi + 0x10]
ENDSNIP w_bp
; The stack forms take their ESP from EBP (a round at CPL 0 starts on a sane
; stack: its iret frame is there).
SNIP w_sp
        mov esp, ebp
        mov eax, [esp + esi * 4 + 0x20]
ENDSNIP w_sp
SNIP w_a16                              ; DS: base 0xFFFFF000
        a16 mov eax, [bx + si + 0x10]
ENDSNIP w_a16
SNIP w_fs                               ; FS: base 0xFFFFF000
        mov eax, [fs:ebx + esi]
ENDSNIP w_fs
; --- other operations and sizes ---
SNIP w_byte
        movzx eax, byte [ebx + esi]
ENDSNIP w_byte
SNIP w_word
        movzx eax, word [ebx + esi * 2 + 0x3]
ENDSNIP w_word
SNIP w_store
        mov [ebx + esi * 4 + 0x100], edx
ENDSNIP w_store
SNIP w_rmw
        add [ebx + 0x7F], edx
        mov eax, [ebx + 0x7F]
ENDSNIP w_rmw
SNIP w_pushm
        push dword [ebx + esi]
        pop eax
ENDSNIP w_pushm
SNIP w_popm
        push edx
        pop dword [ebx + esi]
ENDSNIP w_popm
SNIP w_cx8                              ; EDX:EAX never equal: loads the qword
        cmpxchg8b [ebx]
ENDSNIP w_cx8
SNIP w_movq
        movq xmm0, [ebx + esi]
        movd eax, xmm0
        psrlq xmm0, 32
        movd edx, xmm0
ENDSNIP w_movq
; --- the stack at the wrap ---
SNIP w_push
        mov esp, ebp
        push edx
        mov ecx, esp
ENDSNIP w_push
SNIP w_pop
        mov esp, ebp
        pop eax
        mov ecx, esp
ENDSNIP w_pop
SNIP w_call
        mov esp, ebp
        call .next
.next:  mov ecx, esp
ENDSNIP w_call
; --- bit strings whose register offset reaches across the wrap ---
SNIP w_bt
        bt [ebx], esi
        setc al
        movzx eax, al
ENDSNIP w_bt
SNIP w_bts
        bts [ebx], esi
        setc al
        movzx eax, al
ENDSNIP w_bts
; --- strings (their own ESI/EDI/ECX; nothing on the stack) ---
global w_movs_begin, w_movs_end
w_movs_begin:
        rep movsb
        int 0x80
w_movs_end:
global w_lods_begin, w_lods_end
w_lods_begin:
        lodsd
        int 0x80
w_lods_end:
; --- descriptor tables at the wrap (CPL 0): EBX points at a GDTR/IDTR image ---
SNIP w_lgdt                             ; selector 0x18 is a data segment there
        lgdt [ebx]
        mov eax, 0x18
        lsl ecx, eax
        setz dl
        mov eax, 0x10
        mov ds, eax
        push 0x08
        call .here
.here:  add dword [esp], .far - .here
        retf
.far:   mov eax, 0x5A
ENDSNIP w_lgdt
SNIP w_lidt                             ; then int ESI... through that IDT
        lidt [ebx]
        int 1
ENDSNIP w_lidt

section .note.GNU-stack noalloc noexec nowrite progbits
