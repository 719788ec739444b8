/* Identity map and paging enable for test kernels (see paging.h). */
#include "paging.h"

#include "guest.h"
#include "print.h"

uint32_t cpuid1_edx(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d;
}

void pg_identity_table(uint32_t *pt, uint32_t base, uint32_t flags)
{
    for (uint32_t i = 0; i < 1024; i++)
        pt[i] = (base + i * PAGE_SIZE) | flags | PG_P;
    if (base == 0)
        pt[0] = 0;
}

void pg_init_directory(uint32_t *pd, uint32_t *pt)
{
    /* The kernel image is far below 4 MiB; so must be the tables themselves. */
    if (phys(pd) >= LARGE_PAGE_SIZE || phys(pt) >= LARGE_PAGE_SIZE) {
        put_str("FAIL: paging structures above the identity-mapped 4 MiB\n");
        exit_qemu(1);
    }
    for (int i = 0; i < 1024; i++)
        pd[i] = 0;
    pg_identity_table(pt, 0, PG_RW | PG_US);
    pd[0] = phys(pt) | PG_P | PG_RW | PG_US;
}

void pg_enable(const void *pd)
{
    write_cr3(phys(pd));
    write_cr0(read_cr0() | CR0_PG);
}
