/* TLB maintenance (SDM vol. 3, 4.10): after a PTE or PDE changes, invlpg or
 * a CR3 load must make the new translation visible (for global pages,
 * invlpg or toggling CR4.PGE); a not-present entry is never cached, so a
 * #PF handler may map the page and simply retry; two address spaces that
 * share the kernel's tables each see their own private pages. Nothing here
 * asserts that a stale translation is still used: a TLB may drop entries at
 * any time. */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"
#include "probe.h"

enum {
    LIN = 0x40000000,        /* PDE 256: the non-global page under test */
    GLOBAL_LIN = 0x40001000, /* its neighbour, mapped global when PGE exists */
    LARGE_LIN = 0x40400000,  /* PDE 257: a 4 MiB page */
    PRIVATE_LIN = 0x50000000, /* PDE 320: different in each address space */
    ONLY_A_LIN = 0x50001000, /* mapped in address space A only */
    CODE_LIN = 0x50002000,   /* code: another frame in each address space */
    SHARED_LIN = 0x60000000, /* PDE 384: the same page in both */
    NFRAMES = 4,
};

static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t test_pt[1024] __attribute__((aligned(4096)));
static uint32_t other_pt[1024] __attribute__((aligned(4096)));
static uint32_t private_pt_a[1024] __attribute__((aligned(4096)));
static uint32_t private_pt_b[1024] __attribute__((aligned(4096)));
static uint32_t shared_pt[1024] __attribute__((aligned(4096)));
static uint32_t frames[NFRAMES][1024] __attribute__((aligned(4096)));
static uint32_t private_a[1024] __attribute__((aligned(4096)));
static uint32_t elsewhere[1024] __attribute__((aligned(4096)));
static uint32_t private_b[1024] __attribute__((aligned(4096)));
static uint32_t shared[1024] __attribute__((aligned(4096)));
static uint8_t code_a[4096] __attribute__((aligned(4096)));
static uint8_t code_b[4096] __attribute__((aligned(4096)));

/* Two 4 MiB-aligned physical regions for the large-page remap. */
static const uint32_t large_phys[2] = {0x00400000, 0x00800000};

static uint32_t mark(unsigned frame)
{
    return 0xF4A30000 + frame;
}

static uint32_t map(unsigned frame, uint32_t flags)
{
    return phys(frames[frame]) | PG_P | PG_RW | flags;
}

/* A read that must not fault and must return `want`. */
static void check_read(const char *what, uint32_t lin, uint32_t want)
{
    uint32_t v = 0;
    if (probe_read(lin, &v))
        check_pf(what, 1, 0, 0, 0);
    else
        check_eq(what, v, want);
}

/* A write that must not fault (a fault is a failed check). */
static void must_write(const char *what, uint32_t lin, uint32_t value)
{
    if (probe_write(lin, value))
        check_pf(what, 1, 0, 0, 0);
}

static void non_global(void)
{
    put_str("-- non-global 4 KiB page\n");
    test_pt[PT_INDEX(LIN)] = map(0, 0);
    flush_tlb();
    check_read("read, first mapping", LIN, mark(0));

    test_pt[PT_INDEX(LIN)] = map(1, 0);
    invlpg(LIN);
    check_read("read after PTE change + invlpg", LIN, mark(1));

    test_pt[PT_INDEX(LIN)] = map(2, 0);
    flush_tlb();
    check_read("read after PTE change + CR3 load", LIN, mark(2));

    /* Writes go to the new frame too. */
    test_pt[PT_INDEX(LIN)] = map(1, 0);
    invlpg(LIN);
    must_write("write after PTE change + invlpg", LIN + 4, 0x0DDBA11);
    check_eq("  ...landed in the new frame", frames[1][1], 0x0DDBA11);
    check_eq("  ...not in the old one", frames[2][1], mark(2));

    test_pt[PT_INDEX(LIN)] = 0;
    invlpg(LIN);
    uint32_t v;
    check_pf("read after unmap + invlpg", probe_read(LIN + 8, &v), 1, 0, LIN + 8);

    /* Switch the PDE to another page table: paging-structure caches too. */
    test_pt[PT_INDEX(LIN)] = map(0, 0);
    other_pt[PT_INDEX(LIN)] = map(3, 0);
    invlpg(LIN);
    check_read("read, back to the first mapping", LIN, mark(0));
    pd_a[PD_INDEX(LIN)] = phys(other_pt) | PG_P | PG_RW;
    invlpg(LIN);
    check_read("read after PDE change (other page table) + invlpg", LIN, mark(3));
    pd_a[PD_INDEX(LIN)] = phys(test_pt) | PG_P | PG_RW;
    flush_tlb();
    check_read("read after PDE change back + CR3 load", LIN, mark(0));
}

/* #PF hook that maps LIN on demand (no invalidation: a not-present entry is
 * never cached, SDM 4.10.4.3). Gives up on a second fault, which would mean
 * the retry still saw the old entry. */
static unsigned demand_faults;
static int demand_map(struct exc_frame *frame, uint32_t cr2)
{
    (void)frame;
    if ((cr2 & ~0xFFFu) != LIN || demand_faults++)
        return 0;
    test_pt[PT_INDEX(LIN)] = map(2, 0);
    return 1;
}

static void demand_paging(void)
{
    put_str("-- demand paging: the #PF handler maps the page and retries\n");
    test_pt[PT_INDEX(LIN)] = 0;
    invlpg(LIN);
    uint32_t before = pf_last.count;
    pf_hook = demand_map;
    check_read("read of an unmapped page, mapped by the handler", LIN + 12, mark(2));
    pf_hook = 0;
    check_eq("  ...page faults taken", pf_last.count - before, 1);
    check_eq("  ...CR2 of that fault", pf_last.cr2, LIN + 12);
}

static void large_page(void)
{
    put_str("-- 4 MiB page\n");
    pd_a[PD_INDEX(LARGE_LIN)] = large_phys[0] | PG_PS | PG_P | PG_RW;
    flush_tlb();
    check_read("read, first mapping", LARGE_LIN + 0x1000, large_phys[0] + 0x1000);
    pd_a[PD_INDEX(LARGE_LIN)] = large_phys[1] | PG_PS | PG_P | PG_RW;
    invlpg(LARGE_LIN + 0x1000);
    check_read("read after PDE change + invlpg", LARGE_LIN + 0x1000, large_phys[1] + 0x1000);
    pd_a[PD_INDEX(LARGE_LIN)] = large_phys[0] | PG_PS | PG_P | PG_RW;
    flush_tlb();
    check_read("read after PDE change + CR3 load", LARGE_LIN + 0x1000, large_phys[0] + 0x1000);
}

static void global_pages(void)
{
    put_str("-- global pages (CR4.PGE)\n");
    write_cr4(read_cr4() | CR4_PGE);
    test_pt[PT_INDEX(GLOBAL_LIN)] = map(0, PG_G);
    invlpg(GLOBAL_LIN);
    check_read("read, first global mapping", GLOBAL_LIN, mark(0));

    test_pt[PT_INDEX(GLOBAL_LIN)] = map(1, PG_G);
    invlpg(GLOBAL_LIN);
    check_read("read after global PTE change + invlpg", GLOBAL_LIN, mark(1));

    /* A CR3 load may or may not drop it: only read, assert nothing. */
    test_pt[PT_INDEX(GLOBAL_LIN)] = map(2, PG_G);
    flush_tlb();
    uint32_t v = 0;
    probe_read(GLOBAL_LIN, &v);
    kprintf("after global PTE change + CR3 load: read %08x (either frame is fine)\n", v);

    test_pt[PT_INDEX(GLOBAL_LIN)] = map(3, PG_G);
    uint32_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_PGE);
    write_cr4(cr4);
    check_read("read after global PTE change + CR4.PGE toggle", GLOBAL_LIN, mark(3));

    test_pt[PT_INDEX(LIN)] = map(1, 0);
    flush_tlb();
    check_read("non-global page with PGE on, after PTE change + CR3 load", LIN, mark(1));
}

static void switch_to(uint32_t *pd)
{
    write_cr3(phys(pd));
}

static void address_spaces(void)
{
    put_str("-- two address spaces sharing the kernel's page tables\n");
    for (int i = 0; i < 1024; i++) {
        private_a[i] = 0xAAAA0000;
        private_b[i] = 0xBBBB0000;
        shared[i] = 0x5AED0000;
    }
    pd_a[PD_INDEX(PRIVATE_LIN)] = phys(private_pt_a) | PG_P | PG_RW;
    pd_b[PD_INDEX(PRIVATE_LIN)] = phys(private_pt_b) | PG_P | PG_RW;
    pd_a[PD_INDEX(SHARED_LIN)] = phys(shared_pt) | PG_P | PG_RW;
    pd_b[PD_INDEX(SHARED_LIN)] = phys(shared_pt) | PG_P | PG_RW;
    private_pt_a[PT_INDEX(PRIVATE_LIN)] = phys(private_a) | PG_P | PG_RW;
    private_pt_a[PT_INDEX(ONLY_A_LIN)] = phys(private_a) | PG_P | PG_RW;
    private_pt_b[PT_INDEX(PRIVATE_LIN)] = phys(private_b) | PG_P | PG_RW;
    shared_pt[PT_INDEX(SHARED_LIN)] = phys(shared) | PG_P | PG_RW;

    uint32_t a_value = 0xAAAA0000, b_value = 0xBBBB0000;
    for (uint32_t round = 1; round <= 4; round++) {
        kprintf("round %u\n", round);
        switch_to(pd_a);
        check_read("A: private page", PRIVATE_LIN, a_value);
        check_read("A: shared page", SHARED_LIN, 0x5AED0000 + round - 1);
        a_value = 0xAAAA0000 + round;
        must_write("A: write private page", PRIVATE_LIN, a_value);
        must_write("A: write shared page", SHARED_LIN, 0x5AED0000 + round);

        switch_to(pd_b);
        check_read("B: private page", PRIVATE_LIN, b_value);
        check_read("B: shared page, as A left it", SHARED_LIN, 0x5AED0000 + round);
        uint32_t v;
        check_pf("B: page mapped only in A", probe_read(ONLY_A_LIN, &v), 1, 0, ONLY_A_LIN);
        b_value = 0xBBBB0000 + round;
        must_write("B: write private page", PRIVATE_LIN, b_value);

        switch_to(pd_a);
        check_read("A: private page again", PRIVATE_LIN, a_value);
        check_read("A: page mapped only in A", ONLY_A_LIN, a_value);
    }
    check_eq("A's private frame", private_a[0], a_value);
    check_eq("B's private frame", private_b[0], b_value);
}

/* Page-table writes made while an address space is not current: the next
 * CR3 load of it must see them (shadow contexts kept across switches must
 * not show what the tables said before). */
static void tables_written_while_away(void)
{
    put_str("-- page tables written while their address space is not current\n");
    for (int i = 0; i < 1024; i++)
        elsewhere[i] = 0xE15E0000;
    for (uint32_t round = 1; round <= 3; round++) {
        switch_to(pd_a);
        check_read("A: private page", PRIVATE_LIN, private_a[0]);
        switch_to(pd_b);
        private_pt_a[PT_INDEX(PRIVATE_LIN)] = phys(elsewhere) | PG_P | PG_RW; /* A's PTE, from B */
        switch_to(pd_a);
        check_read("A: PTE changed from B, now another frame", PRIVATE_LIN, 0xE15E0000);
        switch_to(pd_b);
        pd_a[PD_INDEX(PRIVATE_LIN)] = 0; /* A's PDE, from B */
        switch_to(pd_a);
        uint32_t v;
        check_pf("A: PDE cleared from B", probe_read(PRIVATE_LIN, &v), 1, 0, PRIVATE_LIN);
        switch_to(pd_b);
        pd_a[PD_INDEX(PRIVATE_LIN)] = phys(private_pt_a) | PG_P | PG_RW;
        private_pt_a[PT_INDEX(PRIVATE_LIN)] = phys(private_a) | PG_P | PG_RW;
        switch_to(pd_a);
        check_read("A: both restored from B", PRIVATE_LIN, private_a[0]);
    }
}

/* "mov eax, value; ret" at the start of page. */
static void put_code(uint8_t *page, uint32_t value)
{
    page[0] = 0xB8;
    for (int i = 0; i < 4; i++)
        page[1 + i] = (uint8_t)(value >> (8 * i));
    page[5] = 0xC3;
}

/* The same linear code address runs other code after a CR3 load: what
 * indirect calls and returns remember of it must not outlive the load. */
static void code_in_address_spaces(void)
{
    put_str("-- the same code address in two address spaces, called indirectly\n");
    put_code(code_a, 0xC0DE000A);
    put_code(code_b, 0xC0DE000B);
    private_pt_a[PT_INDEX(CODE_LIN)] = phys(code_a) | PG_P | PG_RW;
    private_pt_b[PT_INDEX(CODE_LIN)] = phys(code_b) | PG_P | PG_RW;
    for (uint32_t round = 1; round <= 3; round++) {
        uint32_t r = 0;
        switch_to(pd_a);
        probe_call(CODE_LIN, &r);
        check_eq("A: code at CODE_LIN", r, 0xC0DE000A);
        r = 0;
        switch_to(pd_b);
        probe_call(CODE_LIN, &r);
        check_eq("B: code at CODE_LIN", r, 0xC0DE000B);
    }
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("paging_tlb: invlpg, CR3 loads, global pages, address spaces\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    load_flat_gdt();
    idt_init();

    uint32_t features = cpuid1_edx();
    int pse = (features & CPUID1_PSE) != 0, pge = (features & CPUID1_PGE) != 0;
    kprintf("CPUID: PSE %s, PGE %s\n", pse ? "yes" : "no", pge ? "yes" : "no");

    for (unsigned f = 0; f < NFRAMES; f++)
        for (int i = 0; i < 1024; i++)
            frames[f][i] = mark(f);
    /* Paging is still off: tag the large-page regions through their
     * physical addresses, each dword with its own address. */
    for (int r = 0; r < 2; r++)
        for (uint32_t off = 0; off < 0x2000; off += 4)
            *(volatile uint32_t *)(large_phys[r] + off) = large_phys[r] + off;

    pg_init_directory(pd_a, ident_pt);
    pg_init_directory(pd_b, ident_pt);
    pd_a[PD_INDEX(LIN)] = phys(test_pt) | PG_P | PG_RW;
    if (pse)
        write_cr4(read_cr4() | CR4_PSE);
    pg_enable(pd_a);
    put_str("paging on\n");

    non_global();
    demand_paging();
    if (pse)
        large_page();
    else
        put_str("4 MiB page skipped: CPUID reports no PSE\n");
    if (pge)
        global_pages();
    else
        put_str("global pages skipped: CPUID reports no PGE\n");
    address_spaces();
    code_in_address_spaces();
    tables_written_while_away();
    check_finish();
}
