; priv_aliasing bodies: each runs one sensitive or privileged instruction
; and returns what it produced in EAX (run through catch_call/catch_user).
bits 32

section .bss
global dt_buf, gdt_image, idt_image, zf_out, cr0_value, cr3_value, msr_value, word_buf
dt_buf:    resb 8                 ; what sgdt/sidt store
word_buf:  resd 1
gdt_image: resb 8                 ; what lgdt/lidt load: the current GDTR, IDTR
idt_image: resb 8
zf_out:    resd 1                 ; ZF after lar/lsl/verr/verw
cr0_value: resd 1                 ; what mov cr0/lmsw write (the current CR0)
cr3_value: resd 1                 ; what mov cr3 writes (the current CR3)
msr_value: resd 1                 ; what wrmsr writes to IA32_SYSENTER_CS

section .text

%macro BODY 1
global %1
%1:
%endmacro

; --- reading CS and SS ---
BODY mov_cs16
        mov eax, 0xDEADBEEF
        mov ax, cs
        ret
BODY mov_cs32
        mov eax, 0xDEADBEEF
        mov eax, cs
        ret
BODY mov_ss16
        mov eax, 0xDEADBEEF
        mov ax, ss
        ret
BODY mov_ss32
        mov eax, 0xDEADBEEF
        mov eax, ss
        ret
; push cs/ss onto a dword that holds a marker, then pop it
BODY push_cs
        push dword 0xDEADBEEF
        pop eax
        push cs
        pop eax
        ret
BODY push_ss
        push dword 0xDEADBEEF
        pop eax
        push ss
        pop eax
        ret

; --- descriptor-table registers and the machine status word ---
BODY do_sgdt
        sgdt [dt_buf]
        ret
BODY do_sidt
        sidt [dt_buf]
        ret
BODY sldt16
        mov eax, 0xDEADBEEF
        sldt ax
        ret
BODY sldt32
        mov eax, 0xDEADBEEF
        sldt eax
        ret
BODY str16
        mov eax, 0xDEADBEEF
        str ax
        ret
BODY str32
        mov eax, 0xDEADBEEF
        str eax
        ret
BODY smsw32
        mov eax, 0xDEADBEEF
        smsw eax
        ret
BODY smsw_mem
        mov dword [word_buf], 0xDEADBEEF
        smsw [word_buf]
        mov eax, [word_buf]
        ret

; --- lar/lsl/verr/verw: body(selector) -> EAX (marker if not loaded), ZF ---
%macro ZF_BODY 2
BODY %1
        mov ecx, [esp + 4]
        mov eax, 0xDEADBEEF
        %2
        setz dl
        movzx edx, dl
        mov [zf_out], edx
        ret
%endmacro
ZF_BODY lar_body, {lar eax, ecx}
ZF_BODY lsl_body, {lsl eax, ecx}
ZF_BODY verr_body, {verr cx}
ZF_BODY verw_body, {verw cx}

; --- EFLAGS: body(image) -> EFLAGS after popf / same-privilege iret ---
BODY popf_body
        pushfd
        push dword [esp + 8]
        popfd
        pushfd
        pop eax
        popfd
        ret
BODY iret_body
        pushfd
        push dword [esp + 8]            ; EFLAGS image
        push cs
        push .back
        iretd
.back:  pushfd
        pop eax
        popfd
        ret
BODY pushf_body
        pushfd
        pop eax
        ret

; --- privileged instructions ---
%macro PRIV 2-3
BODY %1
        %3
        %2
        ret
%endmacro
PRIV p_hlt, hlt
PRIV p_cli, cli
PRIV p_sti, sti
PRIV p_lgdt, {lgdt [gdt_image]}
PRIV p_lidt, {lidt [idt_image]}
PRIV p_lldt, {lldt ax}, {xor eax, eax}
PRIV p_ltr, {ltr ax}, {mov eax, 0x28}
PRIV p_write_cr0, {mov cr0, eax}, {mov eax, [cr0_value]}
PRIV p_read_cr0, {mov eax, cr0}
PRIV p_read_cr2, {mov eax, cr2}
PRIV p_read_cr3, {mov eax, cr3}
PRIV p_write_cr3, {mov cr3, eax}, {mov eax, [cr3_value]}
PRIV p_read_cr4, {mov eax, cr4}
PRIV p_write_dr7, {mov dr7, eax}, {mov eax, 0x400}
PRIV p_read_dr7, {mov eax, dr7}
PRIV p_read_dr6, {mov eax, dr6}
PRIV p_wbinvd, wbinvd
PRIV p_invd, invd
PRIV p_invlpg, {invlpg [dt_buf]}
PRIV p_rdmsr, {rdmsr}, {mov ecx, 0x174}
BODY p_wrmsr
        mov ecx, 0x174
        mov eax, [msr_value]
        xor edx, edx
        wrmsr
        ret
PRIV p_clts, clts
PRIV p_lmsw, {lmsw ax}, {mov eax, [cr0_value]}
PRIV p_rdpmc, {rdpmc}, {xor ecx, ecx}
PRIV p_rdtsc, rdtsc

section .note.GNU-stack noalloc noexec nowrite progbits
