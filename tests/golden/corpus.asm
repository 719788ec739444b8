; The guest instructions whose host code tests/golden records, per block
; mode (golden_counts.cpp). One instruction a line, assembled by nasm into
; flat 32-bit code; each is translated alone, as a block of its own.
; Ordinary code first, then the hot paths of an operating system: system
; calls and returns, flags, segment loads, port I/O, string copies.
bits 32

; ---- ALU and moves: ident, the memory operand moved onto the window
        mov eax, ebx
        mov eax, [ebx]
        mov eax, [ebx+ecx*4+0x10]
        mov [esi+8], edx
        mov byte [edi], 0x12
        add eax, [ebp-8]
        add dword [ebx+4], 1
        sub ecx, edx
        cmp eax, [esp+4]
        test byte [ebx], 0x80
        inc dword [eax]
        lock xadd [ebx], eax
        lock cmpxchg [ecx], edx
        cmpxchg8b [edi]
        xchg eax, [ebx]
        movzx eax, byte [esi]
        movsx edx, word [edi+2]
        imul eax, [ebx], 10
        div dword [ebx]
        shl dword [ebx], cl
        bt [ebx], eax
        bts dword [ebx], 5
        setz byte [ebx]
        cmovnz eax, [ebx]
        mov eax, [fs:0x10]
        mov ah, [ebx+ecx]
        lea eax, [ebx+ecx*8+0x1234]
        nop
        xlatb

; ---- the stack
        push eax
        push dword [ebx]
        push 0x12345678
        pop ebx
        pop dword [ebx]
        pushad
        popad
        enter 16, 0
        leave

; ---- control transfers
        jmp short $+2
        jz short $+2
        jmp near $+0x1000
        jmp eax
        jmp dword [ebx]
        call $+0x100
        call eax
        call dword [ebx+4]
        ret
        ret 8
        loop $-0x10
        jecxz $+0x20

; ---- strings
        movsd
        rep movsd
        rep movsb
        rep stosd
        repe cmpsb
        lodsb
        repne scasb

; ---- floating point and SSE: ident
        fld dword [ebx]
        fstp qword [ebx]
        movaps xmm0, [ebx]
        addps xmm1, xmm2
        movq mm0, [ebx]

; ---- the hot system paths
        int 0x80
        iretd
        sysenter
        sysexit
        pushfd
        popfd
        cli
        sti
        mov ds, ax
        mov es, [ebx]
        mov ss, ax
        mov fs, ax
        mov eax, ds
        push ds
        pop ds
        lds esi, [ebx]
        in al, 0x60
        in eax, dx
        out 0x80, al
        out dx, al
        rep insb
        rep outsd
        hlt
        rdtsc
        cpuid
        mov eax, cr0
        mov cr3, eax
        mov cr0, eax
        invlpg [ebx]
        lgdt [ebx]
        sgdt [ebx]
        ltr ax
        lar eax, ebx
        jmp 0x08:0x100000
        call 0x08:0x100000
        retf
        daa
        bound eax, [ebx]
        ud2
