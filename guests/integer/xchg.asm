; Exchanges and atomics: xchg, cmpxchg, cmpxchg8b, xadd (with and without
; lock), and bswap. K_CMPXCHG makes every other case's comparison succeed.
bits 32
%include "harness.inc"
%include "kinds.inc"

TEST xchg_r32_short             ; 0x93
        xchg eax, ebx
ENDT
TEST xchg_r32
        xchg ecx, edx
ENDT
TEST xchg_r16_short
        xchg ax, dx
ENDT
TEST xchg_r8h
        xchg ah, bl
        xchg ch, dh
ENDT
TEST xchg_m32                   ; implicitly locked
        xchg [membuf+4], ebx
ENDT
TEST xchg_m8h, K_PTRS
        xchg [esi+ecx+1], dh
ENDT
TEST lock_xchg_m16
        lock xchg [membuf+6], bx
ENDT

TEST cmpxchg_r32, K_CMPXCHG
        cmpxchg edx, ebx
ENDT
TEST cmpxchg_r16, K_CMPXCHG
        cmpxchg dx, bx
ENDT
TEST cmpxchg_r8h, K_CMPXCHG
        cmpxchg dl, bh
ENDT
TEST cmpxchg_m32, K_CMPXCHG
        cmpxchg [esi+ecx*4+8], ebx
ENDT
TEST lock_cmpxchg_m32, K_CMPXCHG
        lock cmpxchg [esi+ecx*4+8], ebx
ENDT
TEST lock_cmpxchg_m16, K_CMPXCHG
        lock cmpxchg [esi+ecx*4+8], bx
ENDT
TEST lock_cmpxchg_m8h, K_CMPXCHG
        lock cmpxchg [esi+ecx*4+8], bh
ENDT
TEST cmpxchg8b, K_CMPXCHG
        cmpxchg8b [esi+24]
ENDT
TEST lock_cmpxchg8b, K_CMPXCHG
        lock cmpxchg8b [esi+24]
ENDT

TEST xadd_r32
        xadd eax, ebx
ENDT
TEST xadd_r16
        xadd dx, bx
ENDT
TEST xadd_r8h
        xadd ah, bh
ENDT
TEST xadd_m32
        xadd [membuf+4], ebx
ENDT
TEST lock_xadd_m32, K_PTRS
        lock xadd [esi+ecx*4+8], edx
ENDT
TEST lock_xadd_m16, K_PTRS
        lock xadd [edi+ecx*2], ax
ENDT
TEST lock_xadd_m8h, K_PTRS
        lock xadd [edi+ecx+3], dh
ENDT

TEST bswap_all
        bswap eax
        bswap ecx
        bswap edx
        bswap ebx
        bswap ebp
        bswap esi
        bswap edi
ENDT

section .note.GNU-stack noalloc noexec nowrite progbits
