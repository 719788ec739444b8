; priv_v86: the entry into virtual-8086 mode and the 16-bit code run there.
; The v86 code (section .v86) is copied to linear 0x20000 and run with
; CS = 0x2000, so an offset in it is its IP; it stores what it sees in the
; data segment 0x2800 (linear 0x28000) and ends each test with an
; instruction that leaves for the monitor (the fault catcher).
bits 32

V86_DATA equ 0x2800

section .text
; body(frame): iretd into v86 mode with the frame {eip, cs, eflags, esp,
; ss, es, ds, fs, gs}.
global enter_v86
enter_v86:
        mov eax, [esp + 4]
%assign i 8
%rep 9
        push dword [eax + 4 * i]
%assign i i - 1
%endrep
        iretd

; The way from a 16-bit gate into the catcher: a 16-bit code segment whose
; base is here (the gate's offset 0). It notes CS and far-jumps to the
; catcher's entry for the vector (gate16_target: offset, selector) through
; SS, the flat ring-0 stack: the data segments are null.
bits 16
global gate16_trampoline
gate16_trampoline:
        mov [ss:dword gate16_cs], cs
        jmp dword far [ss:dword gate16_target]
bits 32

section .bss
global gate16_target, gate16_cs
gate16_target: resd 2
gate16_cs:     resd 1

section .v86 progbits alloc exec nowrite align=16
bits 16
global v86_start, v86_end
v86_start:

; Segments are paragraphs: DS = 0x1234 reaches linear 0x12340.
global v86_segments, v86_segments_hlt
v86_segments:
        mov ax, 0x1234
        mov ds, ax
        mov word [0x0000], 0xBEEF
        mov bx, V86_DATA
        mov es, bx
        mov [es:0x00], cs               ; what the segment registers read
        mov [es:0x02], ss
        mov [es:0x04], ds
v86_segments_hlt:
        hlt                             ; privileged at CPL 3: #GP(0)

; The IOPL-sensitive instructions, one per entry (at IOPL 0 each is #GP(0)).
global v86_cli, v86_sti, v86_pushf, v86_popf, v86_int, v86_iret, v86_int3
v86_cli:   cli
v86_sti:   sti
v86_pushf: pushf
v86_popf:  popf
v86_int:   int 0x31
v86_iret:  iret
v86_int3:  int3                         ; not IOPL-sensitive: to the IDT's gate 3

; At IOPL 3 they run: flags, an iret within v86 mode, then int 0x31 (a DPL-3
; gate) leaves for the monitor.
global v86_iopl3, v86_iopl3_int_next
v86_iopl3:
        mov ax, V86_DATA
        mov ds, ax
        cli
        pushf
        pop word [0x10]                 ; IF clear
        sti
        pushf
        pop word [0x12]                 ; IF set
        pushfd
        pop dword [0x14]                ; a 32-bit image: VM reads as 0
        push word 0x0001                ; popf: CF set, IF clear
        popf
        pushf
        pop word [0x18]
        pushf                           ; an iret frame: FLAGS, CS, IP
        push cs
        push word .after - v86_start
        iret
        mov word [0x1A], 0xBAD          ; skipped by the iret
.after: mov word [0x1C], 0x600D
        int 0x31
v86_iopl3_int_next:

; Port I/O always asks the I/O bitmap in v86 mode, even at IOPL 3.
global v86_out
v86_out:
        out 0x80, al

; Exceptions leave for the monitor through the IDT.
global v86_ud2, v86_lar, v86_mov_cr0, v86_div, v86_limit
v86_ud2:     ud2
v86_lar:     lar ax, bx                 ; #UD in v86 mode (as in real mode)
v86_mov_cr0: mov eax, cr0               ; CPL 3: #GP(0)
v86_div:
        xor dx, dx
        xor bx, bx
        div bx
v86_limit:
        mov ax, [0xFFFF]                ; a word past the 64 KiB limit: #GP(0)

; The stack is SS:SP and wraps; far call and ret move CS as a paragraph.
global v86_stack, v86_stack_hlt
v86_stack:
        mov ax, V86_DATA
        mov ds, ax
        mov ax, 0x7E57
        push ax                         ; SP = 0: the word goes to SS:FFFE
        call 0x1F00:v86_far_target - v86_start + 0x1000   ; = 0x2000:v86_far_target
        mov [0x20], dx
v86_stack_hlt:
        hlt
v86_far_target:
        mov dx, cs
        retf

; CR4.VME below IOPL 3: cli, sti, pushf and popf work on VIF; int 0x40 is
; redirected to the program's own vector table (its bit is clear in the
; TSS's redirection bitmap) and the handler's 16-bit iret loads VIF back.
global v86_vme, v86_vme_hlt, v86_vme_handler
v86_vme:
        mov ax, V86_DATA
        mov ds, ax
        cli
        pushf
        pop word [0x30]                 ; IF shows VIF: clear; IOPL shows 3
        sti
        pushf
        pop word [0x32]                 ; VIF set
        push word 0x0000
        popf                            ; VIF := 0
        pushf
        pop word [0x34]
        push word 0x0200
        popf                            ; VIF := 1
        int 0x40
        mov word [0x38], 0x1111         ; after the handler's iret
        pushf
        pop word [0x3A]                 ; VIF back from the iret's image
v86_vme_hlt:
        hlt
v86_vme_handler:
        pushf
        pop word [0x36]                 ; the redirection cleared VIF
        iret

; What VME still leaves to the monitor (#GP(0)).
global v86_vme_int41, v86_vme_pushfd, v86_vme_sti_vip, v86_vme_popf_tf
v86_vme_int41:  int 0x41                ; its redirection bit is set
v86_vme_pushfd: pushfd                  ; a 32-bit image
v86_vme_sti_vip: sti                    ; VIP is set
v86_vme_popf_tf:
        push word 0x0100
        popf                            ; an image with TF

; Redirected to IP 0xFFFF (no limit check applies: CS's limit is 64 KiB).
global v86_vme_int42, v86_vme_int43
v86_vme_int42:  int 0x42                ; a hlt there: #GP(0) at IP 0xFFFF
v86_vme_int43:  int 0x43                ; a two-byte instruction there: its fetch is #GP(0)

; Events through 16-bit gates (at IOPL 3, IF set): int 0x33 through a DPL-3
; interrupt gate, int 0x34 through a DPL-0 gate (#GP(0x1a2) through a 16-bit
; trap gate).
global v86_gate16_int, v86_gate16_int_next, v86_gate16_gp
v86_gate16_int:
        int 0x33
v86_gate16_int_next:
v86_gate16_gp:
        int 0x34

; Under the guest's paging, v86 code is user code (CPL 3).
global v86_pf_super, v86_pf_write, v86_pf_read_ok
v86_pf_super:
        mov ax, 0x3100
        mov ds, ax
        mov al, [0]                     ; a supervisor page: #PF(P|U)
v86_pf_write:
        mov ax, 0x3200
        mov ds, ax
        mov byte [0], 1                 ; a read-only page: #PF(P|W|U)
v86_pf_read_ok:
        mov ax, 0x3200
        mov ds, ax
        mov al, [0]
        hlt                             ; the read went through: #GP(0)

v86_end:
bits 32
section .note.GNU-stack noalloc noexec nowrite progbits
