; Test bodies for seg_loads, run through catch_call/catch_user (catch.h):
; cdecl, one argument (a selector), and they leave every segment register as
; they found it when they return. Each stores ESP in pre_esp just before the
; instruction under test, so that a fault's frame can be compared with it.
bits 32

section .bss
global pre_esp, got_gpr, acc_off, stack_esp
pre_esp:   resd 1       ; ESP just before the instruction under test
got_gpr:   resd 1       ; the offset part an lds/les/lfs/lgs/lss loaded
acc_off:   resd 1       ; offset for the access bodies
stack_esp: resd 1       ; ESP for the stack bodies
saved_far: resd 2       ; ESP, SS to go back to
test_far:  resd 2       ; stack_esp, the selector under test

section .text

; --- loads: body(sel) returns the selector read back from the register ---

%macro MOV_LOAD 1
global load_mov_%1
load_mov_%1:
        mov eax, [esp + 4]
        mov edx, %1
        mov [pre_esp], esp
        mov %1, eax
        xor eax, eax
        mov ax, %1
        mov %1, edx
        ret
%endmacro

%macro POP_LOAD 1
global load_pop_%1
load_pop_%1:
        mov eax, [esp + 4]
        mov edx, %1
        push eax
        mov [pre_esp], esp
        pop %1
        xor eax, eax
        mov ax, %1
        mov %1, edx
        ret
%endmacro

; %1 instruction, %2 the register it loads, %3 a segment to store through
; that is not the one being loaded.
%macro FAR_LOAD 3
global load_%1
load_%1:
        mov eax, [esp + 4]
        mov edx, %2
        push eax                        ; selector (the word at +4)
        push dword 0x600DF00D           ; offset
        mov ecx, 0xBAD0BAD0
        mov [pre_esp], esp
        %1 ecx, [esp]
        mov [%3:got_gpr], ecx
        add esp, 8
        xor eax, eax
        mov ax, %2
        mov %2, edx
        ret
%endmacro

MOV_LOAD ds
MOV_LOAD es
MOV_LOAD fs
MOV_LOAD gs
MOV_LOAD ss
POP_LOAD ds
POP_LOAD es
POP_LOAD fs
POP_LOAD gs
POP_LOAD ss
FAR_LOAD lds, ds, ss
FAR_LOAD les, es, ss
FAR_LOAD lfs, fs, ss
FAR_LOAD lgs, gs, ss
FAR_LOAD lss, ss, ds

; --- uses: body(sel) loads the register, then accesses [sreg:acc_off] ---

%macro USE_READ 1
global use_read_%1
use_read_%1:
        mov ecx, [acc_off]
        mov [pre_esp], esp
        mov eax, [esp + 4]
        mov edx, %1
        mov %1, eax
        mov eax, [%1:ecx]
        mov %1, edx
        ret
%endmacro

USE_READ ds
USE_READ es
USE_READ fs
USE_READ gs

; ES through a string instruction: stosd stores at ES:EDI.
global use_stos_es
use_stos_es:
        push edi
        mov edi, [acc_off]
        mov eax, [esp + 8]
        mov edx, es
        mov es, eax
        mov eax, 0x5705E5
        stosd
        mov es, edx
        pop edi
        ret

; Sized reads and a write through FS.
%macro FS_ACCESS 2
global %1
%1:
        mov ecx, [acc_off]
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        xor eax, eax
        %2
        mov fs, edx
        ret
%endmacro

FS_ACCESS fs_read8, {mov al, [fs:ecx]}
FS_ACCESS fs_read16, {mov ax, [fs:ecx]}
FS_ACCESS fs_read32, {mov eax, [fs:ecx]}
FS_ACCESS fs_write32, {mov dword [fs:ecx], 0x3A3A3A3A}

; --- stack: body(sel) switches to sel:stack_esp, then accesses it ---

%macro STACK_BODY 2-4
global %1
%1:
        mov eax, [esp + 4]
        mov [saved_far], esp
        mov [saved_far + 4], ss
        mov [test_far + 4], eax
        mov eax, [stack_esp]
        mov [test_far], eax
        mov ecx, [acc_off]
        lss esp, [test_far]
        xor eax, eax
        %2
        %3
        %4
        lss esp, [saved_far]
        ret
%endmacro

STACK_BODY ss_read32, {mov eax, [ss:ecx]}
STACK_BODY ss_write32, {mov dword [ss:ecx], 0x55AA55AA}
; [ebp] addresses SS by default, without a prefix.
STACK_BODY ss_read_ebp, {xchg ebp, ecx}, {mov eax, [ebp]}, {xchg ebp, ecx}
STACK_BODY ss_push, {push eax}
STACK_BODY ss_pushad, {pushad}



; --- LDT ---

section .bss
global patch_ptr, patch_val, cache_before, cache_stale, cache_reloaded
patch_ptr:      resd 1  ; a descriptor's low dword, rewritten by cached_read
patch_val:      resd 1
cache_before:   resd 1
cache_stale:    resd 1
cache_reloaded: resd 1

section .text
global do_lldt, do_sldt, cached_read
do_lldt:
        mov eax, [esp + 4]
        mov [pre_esp], esp
        lldt ax
        ret

do_sldt:
        xor eax, eax
        sldt ax
        ret

; body(sel): read [fs:0] with FS = sel; rewrite the descriptor's low dword
; (base 15:0) while FS holds it; read again; reload FS and read a third time.
cached_read:
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        mov ecx, [fs:0]
        mov [cache_before], ecx
        mov ecx, [patch_ptr]
        mov eax, [patch_val]
        mov [ecx], eax
        mov ecx, [fs:0]
        mov [cache_stale], ecx
        mov eax, [esp + 4]
        mov fs, eax
        mov ecx, [fs:0]
        mov [cache_reloaded], ecx
        mov fs, edx
        ret
section .note.GNU-stack noalloc noexec nowrite progbits

; --- forms: other instruction forms through a segment that needs checks ---

section .bss
global acc_src
acc_src: resd 1         ; a flat DS offset for the source of movsd

section .text
global es_rep_stosb, es_movsd, fs_keeps_flags, fs_add_to_mem, fs_add_from_mem, cs_write
global fs_bt32, fs_bts32, fs_bt16

; body(sel): FS = sel, ZF = 1, then %2 [fs:0], (e)cx with ECX = acc_off;
; returns EFLAGS after it (CF: the bit; ZF must be unchanged).
%macro FS_BIT_TEST 3
%1:
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        mov ecx, [acc_off]
        cmp eax, eax
        %2 [fs:0], %3
        pushfd
        pop eax
        mov fs, edx
        ret
%endmacro
FS_BIT_TEST fs_bt32, bt dword, ecx
FS_BIT_TEST fs_bts32, bts dword, ecx
FS_BIT_TEST fs_bt16, bt word, cx
; ES = sel, EDI = acc_off, ECX = 4, AL = 0x5A: rep stosb; returns ECX.
es_rep_stosb:
        push edi
        mov edx, es
        mov eax, [esp + 8]
        mov es, eax
        mov edi, [acc_off]
        mov ecx, 4
        mov eax, 0x5A
        rep stosb
        mov es, edx
        pop edi
        mov eax, ecx
        ret

; ES = sel: movsd from DS:acc_src to ES:acc_off.
es_movsd:
        push esi
        push edi
        mov edx, es
        mov eax, [esp + 12]
        mov es, eax
        mov esi, [acc_src]
        mov edi, [acc_off]
        movsd
        mov es, edx
        pop edi
        pop esi
        ret

; FS = sel: ZF=1 and CF=1, a read through FS, then EFLAGS (pushfd).
fs_keeps_flags:
        mov ecx, [acc_off]
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        xor eax, eax
        stc
        mov ecx, [fs:ecx]
        pushfd
        pop eax
        mov fs, edx
        ret

; FS = sel: add [fs:acc_off], 0 (read-modify-write) / add eax, [fs:acc_off].
fs_add_to_mem:
        mov ecx, [acc_off]
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        xor eax, eax
        add [fs:ecx], eax
        mov fs, edx
        ret

fs_add_from_mem:
        mov ecx, [acc_off]
        mov eax, [esp + 4]
        mov edx, fs
        mov fs, eax
        xor eax, eax
        add eax, [fs:ecx]
        mov fs, edx
        ret

; A write through CS (never writable in protected mode).
cs_write:
        mov ecx, [acc_off]
        mov eax, [cs:ecx]
        mov [cs:ecx], eax
        ret
