/* x86 paging for test kernels: entry bits, control registers, TLB control,
 * CPUID feature bits, and the identity map every paging kernel starts from. */
#pragma once
#include <stdint.h>

/* Bits of 32-bit and PAE paging-structure entries (SDM vol. 3, 4.3 and 4.4). */
enum {
    PG_P = 1u << 0,
    PG_RW = 1u << 1,
    PG_US = 1u << 2,
    PG_PWT = 1u << 3,
    PG_PCD = 1u << 4,
    PG_A = 1u << 5,
    PG_D = 1u << 6,
    PG_PS = 1u << 7, /* in a PDE: maps a 4 MiB (PAE: 2 MiB) page */
    PG_G = 1u << 8,
};

/* #PF error code bits. */
enum {
    PF_P = 1u << 0, /* 0: not present; 1: protection violation */
    PF_W = 1u << 1, /* the access was a write */
    PF_U = 1u << 2, /* the access was made at CPL 3 */
    PF_RSVD = 1u << 3,
    PF_ID = 1u << 4, /* instruction fetch, only with NX or SMEP enabled */
};

enum {
    CR0_WP = 1u << 16,
    CR0_PG = 1u << 31,
    CR4_PSE = 1u << 4,
    CR4_PAE = 1u << 5,
    CR4_PGE = 1u << 7,
};

/* CPUID leaf 1 EDX feature bits. */
enum {
    CPUID1_PSE = 1u << 3,
    CPUID1_PAE = 1u << 6,
    CPUID1_PGE = 1u << 13,
};

enum { PAGE_SIZE = 4096, LARGE_PAGE_SIZE = 4u << 20 };

#define PD_INDEX(lin) ((uint32_t)(lin) >> 22)
#define PT_INDEX(lin) (((uint32_t)(lin) >> 12) & 0x3FF)

#define DEFINE_CR(n)                                                                               \
    static inline uint32_t read_cr##n(void)                                                        \
    {                                                                                              \
        uint32_t v;                                                                                \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                          \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(uint32_t v)                                                     \
    {                                                                                              \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                                 \
    }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void invlpg(uint32_t lin)
{
    __asm__ volatile("invlpg (%0)" : : "r"(lin) : "memory");
}

/* Reloads CR3: drops every TLB entry that is not global. */
static inline void flush_tlb(void)
{
    write_cr3(read_cr3());
}

/* EDX of CPUID leaf 1. */
uint32_t cpuid1_edx(void);

/* Fills `pt` so that it maps [base, base + 4 MiB) onto itself with 4 KiB
 * pages and `flags`; page 0 stays not present when base is 0, to catch null
 * pointers. */
void pg_identity_table(uint32_t *pt, uint32_t base, uint32_t flags);

/* Clears `pd` and maps the first 4 MiB (where the kernel lives) onto itself
 * through `pt`, user-accessible and writable at every level, so that ring-3
 * test code can run the kernel's own functions. */
void pg_init_directory(uint32_t *pd, uint32_t *pt);

/* Loads CR3 with `pd` and sets CR0.PG (CR4 must already be as wanted). */
void pg_enable(const void *pd);

/* The physical address of a kernel object: identity-mapped, so its address. */
static inline uint32_t phys(const volatile void *p)
{
    return (uint32_t)p;
}
