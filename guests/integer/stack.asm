; Stack instructions, which a translator must expand rather than copy:
; push/pop of registers, immediates and memory, push esp/pop esp,
; pusha/popa, pushf/popf (arithmetic flags only), enter/leave.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST push_pop
        push ebx
        push byte -2                    ; 6A
        push dword 0x12345678           ; 68
        push dword [membuf+4]           ; FF /6
        pop dword [membuf+8]            ; 8F /0
        pop eax
        pop ecx
        pop edx
        push eax
        push dword [esp]                ; reads the slot just pushed
        pop edi
        pop ebp
        push 0x11
        push 0x22
        pop dword [esp]                 ; the address uses ESP after the pop
        pop esi                         ; 0x22
ENDT
TEST push_pop_16
        push word 0x1234                ; 66 68
        push bx
        push word [membuf+6]
        pop word [membuf]
        pop ax
        pop dx
ENDT
TEST push_esp_pop_esp
        push esp                        ; pushes ESP as it was before the push
        pop eax
        mov edx, esp
        push esp
        pop esp                         ; ESP unchanged
        pushfd                          ; both minus (ESP - 4)
        sub eax, esp                    ; 4
        sub edx, esp                    ; 4
        popfd
ENDT

TEST pushad_popad
        pushad
        mov eax, [esp]                  ; copy the frame: edi esi ebp esp ebx edx ecx eax
        mov [membuf], eax
        mov eax, [esp+4]
        mov [membuf+4], eax
        mov eax, [esp+8]
        mov [membuf+8], eax
        mov eax, [esp+12]               ; ESP before pushad ...
        lea ecx, [esp+32]
        sub eax, ecx                    ; ... so 0
        mov [membuf+12], eax
        mov eax, [esp+16]
        mov [membuf+16], eax
        mov eax, [esp+20]
        mov [membuf+20], eax
        mov eax, [esp+24]
        mov [membuf+24], eax
        mov eax, [esp+28]
        mov [membuf+28], eax
        mov dword [esp+12], 0xDEADBEEF  ; popad must ignore the ESP slot
        mov ebx, [esp]                  ; swap the EAX and EDI slots
        mov [esp+28], ebx
        mov eax, [membuf+28]
        mov [esp], eax
        popad
ENDT
TEST pushaw_popaw
        pushaw                          ; di si bp sp bx dx cx ax, 2 bytes each
        mov eax, [esp]
        mov [membuf], eax
        mov eax, [esp+4]                ; bp, then sp (as it was before pushaw)
        lea ecx, [esp+16]
        ror eax, 16
        sub ax, cx                      ; so the sp half becomes 0
        mov [membuf+4], eax
        mov eax, [esp+8]
        mov [membuf+8], eax
        mov eax, [esp+12]
        mov [membuf+12], eax
        mov word [esp+6], 0xBEEF        ; ignored by popaw
        mov ax, [esp]                   ; swap the AX and DI slots
        mov cx, [esp+14]
        mov [esp], cx
        mov [esp+14], ax
        mov ecx, [st + ST_ECX]          ; popaw sets only CX: drop the stack address above it
        popaw
ENDT

TEST pushfd_popfd, K_FLAGS
        pushfd
        pop eax
        and eax, 0x8D5                  ; IF, IOPL... differ between kernel and process
        and ebx, 0x8D5
        push ebx
        popfd
ENDT
TEST popfd_data
        and ebx, 0x8D5 | 0x400          ; arithmetic flags and DF
        push ebx
        popfd
ENDT
TEST pushfw_popfw, K_FLAGS
        pushfw
        pop ax
        and ax, 0x8D5
        and dx, 0x8D5
        push dx
        popfw
ENDT
TEST lahf_sahf, K_FLAGS
        lahf
        mov ecx, eax
        mov ah, dl                      ; SF ZF AF PF CF from dl
        sahf
ENDT

TEST enter_0
        enter 16, 0
        mov eax, ebp
        sub eax, esp                    ; 16
        mov ecx, [ebp]                  ; the caller's EBP (data)
        mov [ebp-4], edx
        mov edx, [esp+12]
        leave
ENDT
TEST enter_1
        enter 8, 1                      ; level 1 also pushes the new frame pointer
        mov eax, ebp
        sub eax, esp                    ; 12
        mov ecx, [ebp-4]
        sub ecx, ebp                    ; 0
        mov edx, [ebp]
        leave
ENDT
TEST enter_3
        mov ebp, membuf+48              ; a fake outer frame: [ebp-4], [ebp-8] are data
        enter 12, 3                     ; copies those two, then pushes the new EBP
        mov eax, [ebp-4]
        mov ecx, [ebp-8]
        mov edx, [ebp-12]
        sub edx, ebp                    ; 0
        mov esi, [ebp]
        sub esi, membuf                 ; 48
        mov edi, ebp
        sub edi, esp                    ; 24
        leave
        sub ebp, membuf                 ; 48
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
