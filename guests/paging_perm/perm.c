/* The 32-bit paging permission matrix (SDM vol. 3, 4.6 and 4.7): every
 * combination of PDE and PTE P, R/W and U/S, CR0.WP, CPL 0 or 3, and read,
 * write or instruction fetch; then the same without the PTE level for a
 * 4 MiB page. Each check says whether the access must fault and, if so, the
 * exact error code and CR2 (and the EIP the #PF reports). */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"
#include "probe.h"
#include "user.h"

enum { READ, WRITE, FETCH };
static const char *const access_names[] = {"read ", "write", "fetch"};

enum {
    TEST_LIN = 0x40005000,   /* 4 KiB page under test: PDE 256, PTE 5 */
    LARGE_LIN = 0x40400000,  /* 4 MiB page under test: PDE 257 */
    LARGE_PHYS = 0x00400000, /* where it points; also identity-mapped as PDE 1 */
    LARGE_OFFSET = 0x123000, /* the page of it that gets accessed */
    RET_FILL = 0xC3C3C3C3,   /* every test byte is `ret`, so fetches return */
};

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t test_pt[1024] __attribute__((aligned(4096)));
static uint32_t frame[1024] __attribute__((aligned(4096)));

/* Expected outcome per the SDM: without SMEP, SMAP and NX, a supervisor
 * access may read or fetch any present page and write one only if R/W is 1
 * at both levels or CR0.WP is 0; a user access needs U/S 1 at both levels,
 * and R/W 1 at both levels to write (whatever WP). Not-present comes first:
 * then the error code has P=0. Returns whether a #PF is due and its code. */
static int expect_fault(uint32_t pde, uint32_t pte, int wp, int cpl, int access,
                        uint32_t *error)
{
    *error = (access == WRITE ? PF_W : 0) | (cpl == 3 ? PF_U : 0);
    if (!(pde & PG_P) || !(pte & PG_P))
        return 1;
    int user_page = pde & pte & PG_US;
    int writable = pde & pte & PG_RW;
    int allowed;
    if (cpl == 3)
        allowed = user_page && (access != WRITE || writable);
    else
        allowed = access != WRITE || writable || !wp;
    if (allowed)
        return 0;
    *error |= PF_P;
    return 1;
}

/* Performs one access at the given CPL; returns 1 on #PF. */
static uint32_t do_access(int cpl, int access, uint32_t lin, uint32_t *value)
{
    /* The probes' pointer arguments are plain dwords at CPL 3 too. */
    uintptr_t fn = access == READ ? (uintptr_t)probe_read
                   : access == WRITE ? (uintptr_t)probe_write
                                     : (uintptr_t)probe_call;
    uint32_t arg = access == WRITE ? *value : access == READ ? (uint32_t)value : 0;
    if (cpl == 3)
        return user_call((user_fn)fn, lin, arg);
    return ((user_fn)fn)(lin, arg);
}

static void print_bits(const char *level, uint32_t e)
{
    kprintf(" %s %c%c%c", level, e & PG_P ? 'P' : '-', e & PG_RW ? 'W' : '-',
            e & PG_US ? 'U' : '-');
}

/* One check: `cell` points at the dword of the test page in the identity
 * map, so that what a write did (or did not do) can be seen. */
static void check_one(uint32_t pde, uint32_t pte, int large, int wp, int cpl, int access,
                      uint32_t lin, volatile uint32_t *cell)
{
    uint32_t want_error;
    int want_fault = expect_fault(pde, pte, wp, cpl, access, &want_error);
    uint32_t value = 0x5A000000 | lin >> 8; /* what a write stores */

    check_begin();
    kprintf("wp%d cpl%d", wp, cpl);
    print_bits(large ? "pde(4M)" : "pde", pde);
    if (!large)
        print_bits("pte", pte);
    kprintf(" %s", access_names[access]);

    uint32_t faulted = do_access(cpl, access, lin, &value);
    int ok = pf_outcome(faulted, want_fault, want_error, lin);
    if (faulted) {
        uint32_t want_eip = access == READ    ? (uint32_t)probe_read_insn
                            : access == WRITE ? (uint32_t)probe_write_insn
                                              : lin;
        if (pf_last.eip != want_eip || (pf_last.cs & 3) != (uint32_t)cpl) {
            kprintf(" (eip %08x cs %x, want eip %08x cpl %d)", pf_last.eip, pf_last.cs,
                    want_eip, cpl);
            ok = 0;
        }
    }
    if (access == READ && !faulted && value != RET_FILL) {
        kprintf(" (read %08x, want %08x)", value, RET_FILL);
        ok = 0;
    }
    if (access == WRITE) {
        uint32_t want = faulted ? RET_FILL : value;
        if (*cell != want) {
            kprintf(" (memory holds %08x, want %08x)", *cell, want);
            ok = 0;
        }
        *cell = RET_FILL;
    }
    check_end(ok);
}

static void set_wp(int wp)
{
    uint32_t cr0 = read_cr0();
    write_cr0(wp ? cr0 | CR0_WP : cr0 & ~CR0_WP);
}

static void small_page_matrix(void)
{
    put_str("-- 4 KiB pages: PDE and PTE P/RW/US x CR0.WP x CPL x access\n");
    unsigned n = 0;
    for (int wp = 0; wp <= 1; wp++) {
        set_wp(wp);
        for (int cpl = 0; cpl <= 3; cpl += 3)
            for (uint32_t pde = 0; pde < 8; pde++)
                for (uint32_t pte = 0; pte < 8; pte++)
                    for (int access = READ; access <= FETCH; access++) {
                        /* A different dword each time, so that CR2 tells checks apart. */
                        uint32_t off = (n++ * 52) & 0xFFC;
                        pd[PD_INDEX(TEST_LIN)] = phys(test_pt) | pde;
                        test_pt[PT_INDEX(TEST_LIN)] = phys(frame) | pte;
                        flush_tlb();
                        check_one(pde, pte, 0, wp, cpl, access, TEST_LIN + off,
                                  &frame[off / 4]);
                    }
    }
}

static void large_page_matrix(void)
{
    put_str("-- 4 MiB pages: PDE P/RW/US x CR0.WP x CPL x access\n");
    /* The identity map of the same 4 MiB (PDE 1) shows what the accesses did. */
    volatile uint32_t *page = (volatile uint32_t *)(LARGE_PHYS + LARGE_OFFSET);
    for (int i = 0; i < 1024; i++)
        page[i] = RET_FILL;
    unsigned n = 0;
    for (int wp = 0; wp <= 1; wp++) {
        set_wp(wp);
        for (int cpl = 0; cpl <= 3; cpl += 3)
            for (uint32_t pde = 0; pde < 8; pde++)
                for (int access = READ; access <= FETCH; access++) {
                    uint32_t off = (n++ * 84) & 0xFFC;
                    pd[PD_INDEX(LARGE_LIN)] = LARGE_PHYS | PG_PS | pde;
                    flush_tlb();
                    /* No PTE level: treat it as all-permissive. */
                    check_one(pde, PG_P | PG_RW | PG_US, 1, wp, cpl, access,
                              LARGE_LIN + LARGE_OFFSET + off, &page[off / 4]);
                }
    }
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("paging_perm: 32-bit paging access rights and #PF error codes\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    idt_init();
    user_init();

    for (int i = 0; i < 1024; i++)
        frame[i] = RET_FILL;
    pg_init_directory(pd, ident_pt);
    int pse = (cpuid1_edx() & CPUID1_PSE) != 0;
    kprintf("CPUID: PSE %s\n", pse ? "yes" : "no");
    if (pse) {
        write_cr4(read_cr4() | CR4_PSE);
        pd[PD_INDEX(LARGE_PHYS)] = LARGE_PHYS | PG_PS | PG_P | PG_RW | PG_US;
    }
    pg_enable(pd);
    put_str("paging on\n");

    small_page_matrix();
    if (pse)
        large_page_matrix();
    else
        put_str("4 MiB pages skipped: CPUID reports no PSE\n");
    check_finish();
}
