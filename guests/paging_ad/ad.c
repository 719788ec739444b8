/* Accessed and dirty flags (SDM vol. 3, 4.8): a translation sets A in every
 * entry it uses; a write sets D in the entry that maps the page (the PTE, or
 * the PDE of a 4 MiB page); reads and fetches never set D. After software
 * clears A/D it must invalidate (invlpg) for the next access to set them
 * again. A may be set speculatively, so a clear A is never asserted. */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"
#include "probe.h"

enum {
    TEST_LIN = 0x40000000,  /* two 4 KiB pages: PDE 256, PTEs 0 and 1 */
    LARGE_LIN = 0x40400000, /* a 4 MiB page: PDE 257 */
    LARGE_PHYS = 0x00400000,
    RET_FILL = 0xC3C3C3C3,
};

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t test_pt[1024] __attribute__((aligned(4096)));
static uint32_t frames[2][1024] __attribute__((aligned(4096)));

static volatile uint32_t *const test_pde = &pd[PD_INDEX(TEST_LIN)];
static volatile uint32_t *const large_pde = &pd[PD_INDEX(LARGE_LIN)];
static volatile uint32_t *const pte0 = &test_pt[0];
static volatile uint32_t *const pte1 = &test_pt[1];

enum { ANY = -1 };

/* One check: the A and D flags of `e` (ANY: not checked). */
static void check_ad(const char *what, const char *which, uint32_t e, int want_a, int want_d)
{
    int a = (e & PG_A) != 0, d = (e & PG_D) != 0;
    check_begin();
    kprintf("%s: %s A=%d D=%d", what, which, a, d);
    int ok = (want_a == ANY || a == want_a) && (want_d == ANY || d == want_d);
    if (!ok)
        kprintf(" (want A=%c D=%c)", want_a == ANY ? '*' : '0' + want_a,
                want_d == ANY ? '*' : '0' + want_d);
    check_end(ok);
}

static void clear_ad(volatile uint32_t *e)
{
    *e &= ~(PG_A | PG_D);
}

/* Accesses that must not fault: a #PF here is a failed check of its own. */
static void must_not_fault(const char *what, uint32_t faulted)
{
    if (faulted)
        check_pf(what, faulted, 0, 0, 0);
}

/* Instruction forms, each touching the dword at `p`. */
static void op_mov_load(volatile uint32_t *p) { (void)*p; }
static void op_mov_store(volatile uint32_t *p) { *p = RET_FILL; }
static void op_movzx(volatile uint32_t *p)
{
    uint32_t v;
    __asm__ volatile("movzbl %1, %0" : "=r"(v) : "m"(*p));
}
static void op_cmp(volatile uint32_t *p)
{
    __asm__ volatile("cmpl $0, %0" : : "m"(*p) : "cc");
}
static void op_add_rmw(volatile uint32_t *p)
{
    __asm__ volatile("addl $0, %0" : "+m"(*p) : : "cc");
}
static void op_rep_stos(volatile uint32_t *p)
{
    uint32_t *d = (uint32_t *)p, n = 2;
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(RET_FILL) : "memory");
}
static void op_xchg(volatile uint32_t *p)
{
    uint32_t v = RET_FILL;
    __asm__ volatile("xchg %0, %1" : "+r"(v), "+m"(*p));
}

static const struct form {
    const char *name;
    void (*op)(volatile uint32_t *p);
    int writes;
} forms[] = {
    {"mov load", op_mov_load, 0},     {"movzx load", op_movzx, 0},
    {"cmp mem, imm", op_cmp, 0},      {"mov store", op_mov_store, 1},
    {"add mem, imm (rmw)", op_add_rmw, 1}, {"rep stosd", op_rep_stos, 1},
    {"xchg mem, reg", op_xchg, 1},
};

static void small_pages(void)
{
    uint32_t v;
    put_str("-- 4 KiB page\n");
    clear_ad(test_pde);
    clear_ad(pte0);
    flush_tlb();
    must_not_fault("first read", probe_read(TEST_LIN, &v));
    check_ad("first read", "pde", *test_pde, 1, ANY);
    check_ad("first read", "pte", *pte0, 1, 0);
    must_not_fault("second read", probe_read(TEST_LIN + 8, &v));
    check_ad("second read", "pte", *pte0, 1, 0);

    /* The TLB may now hold a clean entry: the first write must still set D. */
    must_not_fault("write after reads", probe_write(TEST_LIN + 4, RET_FILL));
    check_ad("write after reads", "pte", *pte0, 1, 1);

    clear_ad(test_pde);
    clear_ad(pte0);
    invlpg(TEST_LIN);
    must_not_fault("read after clear+invlpg", probe_read(TEST_LIN, &v));
    check_ad("read after clear+invlpg", "pde", *test_pde, 1, ANY);
    check_ad("read after clear+invlpg", "pte", *pte0, 1, 0);

    clear_ad(test_pde);
    clear_ad(pte0);
    invlpg(TEST_LIN);
    must_not_fault("write after clear+invlpg", probe_write(TEST_LIN + 12, RET_FILL));
    check_ad("write after clear+invlpg", "pde", *test_pde, 1, ANY);
    check_ad("write after clear+invlpg", "pte", *pte0, 1, 1);

    clear_ad(test_pde);
    clear_ad(pte0);
    invlpg(TEST_LIN);
    must_not_fault("fetch after clear+invlpg", probe_call(TEST_LIN + 16, 0));
    check_ad("fetch after clear+invlpg", "pde", *test_pde, 1, ANY);
    check_ad("fetch after clear+invlpg", "pte", *pte0, 1, 0);

    /* D belongs to the page written, not its neighbour. */
    clear_ad(pte0);
    clear_ad(pte1);
    invlpg(TEST_LIN);
    invlpg(TEST_LIN + PAGE_SIZE);
    must_not_fault("write to the next page", probe_write(TEST_LIN + PAGE_SIZE, RET_FILL));
    check_ad("write to the next page", "its pte", *pte1, 1, 1);
    check_ad("write to the next page", "this pte", *pte0, ANY, 0);

    put_str("-- 4 KiB page, instruction forms (clear A/D + invlpg before each)\n");
    for (unsigned i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        clear_ad(test_pde);
        clear_ad(pte0);
        invlpg(TEST_LIN);
        forms[i].op((volatile uint32_t *)(TEST_LIN + 0x100));
        check_ad(forms[i].name, "pde", *test_pde, 1, ANY);
        check_ad(forms[i].name, "pte", *pte0, 1, forms[i].writes);
    }
}

static void large_page(void)
{
    uint32_t v;
    put_str("-- 4 MiB page (A and D in the PDE)\n");
    clear_ad(large_pde);
    flush_tlb();
    must_not_fault("4M first read", probe_read(LARGE_LIN + 0x2000, &v));
    check_ad("4M first read", "pde", *large_pde, 1, 0);
    must_not_fault("4M write after read", probe_write(LARGE_LIN + 0x2004, v));
    check_ad("4M write after read", "pde", *large_pde, 1, 1);

    clear_ad(large_pde);
    invlpg(LARGE_LIN + 0x2000);
    must_not_fault("4M read after clear+invlpg", probe_read(LARGE_LIN + 0x3FF000, &v));
    check_ad("4M read after clear+invlpg", "pde", *large_pde, 1, 0);

    clear_ad(large_pde);
    invlpg(LARGE_LIN + 0x3FF000);
    must_not_fault("4M write after clear+invlpg", probe_write(LARGE_LIN + 0x10, v));
    check_ad("4M write after clear+invlpg", "pde", *large_pde, 1, 1);

    for (unsigned i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        clear_ad(large_pde);
        invlpg(LARGE_LIN);
        forms[i].op((volatile uint32_t *)(LARGE_LIN + 0x40));
        check_ad(forms[i].name, "4M pde", *large_pde, 1, forms[i].writes);
    }
}

/* Demand paging: a #PF handler that makes the page present and returns to
 * the faulting instruction, which then completes with A (and for a write
 * D) set. The first handler run of the write case maps the page read-only,
 * so the retried write faults again (P|W) before the second run maps it
 * writable (CR0.WP on): the retry must see exactly what the handler left. */
static volatile uint32_t demand_faults, demand_first_read_only;
extern const uint32_t exc_stub_table[32]; /* lib/idt.asm: the reporting stubs */

uint32_t demand_fix(uint32_t cr2, uint32_t error);
uint32_t demand_fix(uint32_t cr2, uint32_t error)
{
    if ((cr2 & ~0xFFFu) != TEST_LIN + 0x1000)
        return 0; /* not ours: the reporting stub */
    demand_faults++;
    const int read_only = demand_first_read_only && demand_faults == 1;
    *pte1 = phys(frames[1]) | PG_P | (read_only ? 0 : PG_RW);
    (void)error;
    return 1;
}

__asm__(".text\n"
        "demand_pf:\n"
        "    pusha\n"
        "    push 32(%esp)\n" /* the error code */
        "    mov %cr2, %eax\n"
        "    push %eax\n"
        "    call demand_fix\n"
        "    add $8, %esp\n"
        "    test %eax, %eax\n"
        "    popa\n"
        "    jz 1f\n"
        "    add $4, %esp\n" /* the error code */
        "    iret\n"
        "1:  jmp *exc_stub_table + 14 * 4\n");
extern void demand_pf(void);

static void demand_paging(void)
{
    put_str("-- a #PF handler maps the page, the access is retried\n");
    volatile uint32_t *const p = (volatile uint32_t *)(TEST_LIN + 0x1000 + 8);
    idt_set_gate(14, demand_pf, 0);
    write_cr0(read_cr0() | CR0_WP); /* a supervisor write to a read-only page faults */
    for (int write_first_read_only = 0; write_first_read_only < 2; write_first_read_only++) {
        *pte1 = 0;
        invlpg(TEST_LIN + 0x1000);
        demand_faults = 0;
        demand_first_read_only = (uint32_t)write_first_read_only;
        *p = 0xD0D0CAFE + (uint32_t)write_first_read_only;
        check_eq(write_first_read_only ? "write after a read-only fix: faults" : "write: faults", demand_faults,
                 write_first_read_only ? 2 : 1);
        check_eq("the value written", frames[1][2], 0xD0D0CAFE + (uint32_t)write_first_read_only);
        check_ad("write retried", "PTE", *pte1, 1, 1);
    }
    *pte1 = 0;
    invlpg(TEST_LIN + 0x1000);
    demand_faults = 0;
    demand_first_read_only = 0;
    check_eq("read: the value", *p, 0xD0D0CAFF);
    check_eq("read: faults", demand_faults, 1);
    check_ad("read retried", "PTE", *pte1, 1, 0);
    idt_set_gate(14, (void (*)(void))exc_stub_table[14], 0);
    write_cr0(read_cr0() & ~CR0_WP);
    *pte1 = phys(frames[1]) | PG_P | PG_RW;
    invlpg(TEST_LIN + 0x1000);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("paging_ad: accessed and dirty flags\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    load_flat_gdt();
    idt_init();

    for (int i = 0; i < 1024; i++)
        frames[0][i] = frames[1][i] = RET_FILL;
    pg_init_directory(pd, ident_pt);
    pd[PD_INDEX(TEST_LIN)] = phys(test_pt) | PG_P | PG_RW;
    test_pt[0] = phys(frames[0]) | PG_P | PG_RW;
    test_pt[1] = phys(frames[1]) | PG_P | PG_RW;
    int pse = (cpuid1_edx() & CPUID1_PSE) != 0;
    kprintf("CPUID: PSE %s\n", pse ? "yes" : "no");
    if (pse) {
        write_cr4(read_cr4() | CR4_PSE);
        pd[PD_INDEX(LARGE_LIN)] = LARGE_PHYS | PG_PS | PG_P | PG_RW;
    }
    pg_enable(pd);
    put_str("paging on\n");

    small_pages();
    demand_paging();
    if (pse)
        large_page();
    else
        put_str("4 MiB page skipped: CPUID reports no PSE\n");
    check_finish();
}
