; Guest instructions that bt86 translates as "ident": the same operation
; re-encoded for 64-bit mode with its memory operand moved onto the
; shadow window. test_roundtrip.cpp translates each one as a block of its
; own and checks the host code. Assembled with `nasm -f bin` at build time.
; Only instructions that must stay ident belong here (mov to/from control
; and segment registers, stack, string, branch and I/O instructions do not).
bits 32

; ---- ALU, register and immediate forms ----
add eax, ebx
add ecx, 0x12345678
add edx, -3
sub esi, edi
and esp, -16
or ebp, esp
xor eax, eax
cmp edi, 0x7fffffff
test ecx, edx
adc ebx, ecx
sbb eax, 1
add al, bl
sub cl, 0x80
xor ah, bh
cmp dh, 5
add ax, bx
and sp, 0xfff0
inc eax
dec ecx
inc esp
dec edi
neg edx
not esi
mov eax, ebx
mov esp, ebp
mov ebp, esp
mov ecx, 0xdeadbeef
mov ah, bl
mov sp, ax

; ---- ALU with memory, every addressing shape ----
add eax, [ebx]
add [ecx], edx
sub ebx, [esi+4]
and [edi-8], eax
or ecx, [eax+ebx]
xor edx, [ebx+ecx*4+8]
cmp [esp], eax
cmp eax, [esp+0x20]
test [ebp-4], ecx
adc esi, [eax*2+0x100]
sbb [0x12345678], edi
add dword [ebx], 7
sub dword [esi+edi*8-0x40], 0x1000
cmp byte [eax], 0x41
and word [ecx+2], 0x00ff
or byte [esp+3], 0x80
add eax, [ebx+0x7ffffff0]
sub ecx, [ebp+esi*2+0x80000000]
add byte [ebx], al
xor [edi], cl
inc dword [eax]
dec byte [ebx+1]
neg dword [esp+8]
not word [esi]

; ---- mov with memory ----
mov eax, [ebx]
mov [ecx], edx
mov eax, [esp+4]
mov [esp+12], esi
mov eax, [0x00100000]
mov [0x000b8000], eax
mov dword [eax], 0x11223344
mov word [ebx+ecx], 0x5566
mov byte [edi], 0x7f
mov al, [esi]
mov [edx+eax*2], bx
mov esp, [ebp+8]
mov [esp], esp

; ---- segment overrides (never left on the host instruction) ----
mov eax, [fs:0x10]
mov ecx, [fs:ebx+4]
mov [gs:eax], edx
add eax, [gs:ecx*4+0x20]
mov eax, [es:ebx]
mov eax, [ss:ebp-4]
mov eax, [cs:0x1000]
mov [ds:esi], edi

; ---- 16-bit addressing (address-size prefix; offsets wrap at 64 KiB) ----
add eax, [bx+si]
mov ax, [bp+di+4]
mov [si], cl
add byte [bx+0x10], 1
mov ecx, [bx+di]
cmp dx, [di-2]
mov bh, [bx+si+0x7f]

; ---- high-byte registers with memory (spill path) ----
add ah, [ebx+ecx*4+8]
mov bh, [esi]
mov [edi], ch
cmp dh, [esp+1]
xchg ah, [eax]

; ---- multiply, divide, shifts, bits ----
mul dword [ebx]
imul ecx
imul eax, ebx
imul eax, [ebx+4], 100
imul edx, esi, -7
div ecx
idiv dword [esp+4]
shl eax, 1
shr ebx, cl
sar dword [ebx+8], 3
rol byte [ecx], 1
rcr edx, 5
shl dword [eax], cl
shld eax, ebx, 4
shrd [esi], edx, cl
bt eax, 3
bt [ebx], eax
bts dword [ecx+4], 31
btr [esp], edx
btc eax, ecx
bsf eax, [ebx]
bsr ecx, edx

; ---- extension, exchange, conditional moves ----
movzx eax, byte [ebx+esi]
movzx ecx, word [esp+2]
movsx edx, al
movsx eax, word [edi]
cbw
cwde
cdq
cwd
xchg eax, ecx
xchg [ebx], esi
xadd [ecx], eax
cmpxchg [edx], ebx
cmpxchg8b [esi]
bswap eax
bswap esp
cmovne eax, [edx]
cmovl ecx, esi
sete al
setnz byte [ecx]
setg byte [esp+3]
lahf
sahf
clc
stc
cmc

; ---- lock prefix (must survive) ----
lock add [eax], ebx
lock xadd [ebx], eax
lock cmpxchg [edx], ecx
lock inc dword [eax]
lock or dword [esp], 0
lock bts dword [edi], 5

; ---- x87 ----
fld dword [ebx]
fld qword [esp+8]
fstp qword [esp+8]
fild dword [eax]
fistp dword [ecx+ecx]
fadd st0, st1
fmul dword [esi]
fxch st1
fnstsw ax
fnstcw [esp]
fldcw [esp]
fsqrt

; ---- MMX/SSE/SSE2 ----
movaps xmm0, [eax]
movups [ebx+ecx*8], xmm1
addps xmm1, xmm2
movd xmm0, eax
movd eax, xmm1
movd mm0, [esp+4]
movq mm1, [esi]
pxor mm0, mm1
cvtsi2sd xmm0, dword [ebx]
movdqu xmm3, [edi+ecx*8+16]
pshufd xmm0, xmm1, 0x1b
comisd xmm0, [eax]
movss [esp+4], xmm2
sqrtsd xmm1, xmm1
paddd xmm2, [fs:ebx]
; SSE2 movsd/cmpsd share their mnemonics with the string instructions
movsd xmm0, [eax+8]
movsd [esp], xmm1
cmpsd xmm0, xmm1, 1
cmpsd xmm2, [ebx], 4
