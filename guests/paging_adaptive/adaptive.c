/* Instructions that keep faulting: probe_read and probe_write (one load and
 * one store each, paging_common/probe.asm) take #PFs, MMIO and the accesses
 * to a page whose mapping churns through invlpg over and over, which is what
 * makes bt86 translate them again with their accesses redirected (adaptive
 * translation) and, once their accesses settle, back. Every check here is
 * architectural, so it holds on any CPU; the ctest around it also asserts
 * from --stats that bt86 took both turns. Among them the redirected cases
 * that must fall back: an access across two pages, a store into a page
 * table another address space uses, a store into code that has run. */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"
#include "probe.h"

enum {
    LIN = 0x40000000,     /* PDE 256: the page whose mapping churns */
    NEXT_LIN = 0x40001000, /* its neighbour, for accesses across both */
    CALM_LIN = 0x40002000, /* mapped once and left alone */
    MMIO_LIN = 0x40003000, /* pc-testdev's memory window */
    PRIVATE_LIN = 0x50000000, /* PDE 320: address space B's own page */
    DEMAND_LIN = 0x50400000,  /* PDE 321: pages mapped at their first #PF */
    DEMAND_PAGES = 16,
    MMIO_PHYS = 0xFF000000,
    ROUNDS = 24,
    CALM_READS = 200,
};

static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t test_pt[1024] __attribute__((aligned(4096)));
static uint32_t private_pt_b[1024] __attribute__((aligned(4096)));
static uint32_t frames[2][1024] __attribute__((aligned(4096)));
static uint32_t private_b[1024] __attribute__((aligned(4096)));
static uint32_t elsewhere[1024] __attribute__((aligned(4096)));
static uint8_t code[4096] __attribute__((aligned(4096)));
static uint32_t demand_pt[1024] __attribute__((aligned(4096)));
static uint32_t demand_frames[DEMAND_PAGES][1024] __attribute__((aligned(4096)));

static uint32_t mark(unsigned frame)
{
    return 0xADA00000 + frame;
}

static uint32_t map(const void *frame)
{
    return phys(frame) | PG_P | PG_RW;
}

static void point(uint32_t lin, uint32_t pte)
{
    test_pt[PT_INDEX(lin)] = pte;
    invlpg(lin);
}

/* Reads and writes through a mapping that alternates between two frames. */
static void churning(void)
{
    put_str("-- a mapping that churns\n");
    unsigned bad_reads = 0, bad_writes = 0, faults = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        point(LIN, map(frames[i % 2]));
        uint32_t v = 0;
        faults += probe_read(LIN + 8, &v);
        bad_reads += v != mark(i % 2);
        faults += probe_write(LIN + 12, 0x1000 + i);
        bad_writes += frames[i % 2][3] != 0x1000 + i;
    }
    check_eq("faults", faults, 0);
    check_eq("reads from the wrong frame", bad_reads, 0);
    check_eq("writes that missed their frame", bad_writes, 0);
}

/* Not present, #PF, mapped, retried: each #PF exact. */
static void page_faults(void)
{
    put_str("-- #PF after #PF at the same instruction\n");
    unsigned bad = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        point(LIN, 0);
        uint32_t v = 0;
        uint32_t faulted = probe_read(LIN + 256 + 4 * i, &v);
        if (!faulted || pf_last.cr2 != LIN + 256 + 4 * i || pf_last.error != 0 ||
            pf_last.eip != (uint32_t)probe_read_insn)
            bad++, kprintf("read %u: fault %u cr2 %08x error %x eip %08x\n", i, faulted, pf_last.cr2,
                           pf_last.error, pf_last.eip);
        test_pt[PT_INDEX(LIN)] = map(frames[1]); /* not present is never cached */
        if (probe_read(LIN + 256 + 4 * i, &v) || v != mark(1))
            bad++, kprintf("retry %u: %08x\n", i, v);
        point(LIN, map(frames[1]) & ~PG_RW);
        faulted = probe_write(LIN, 0);
        if (!faulted || pf_last.cr2 != LIN || pf_last.error != 3 || pf_last.eip != (uint32_t)probe_write_insn)
            bad++, kprintf("write %u: fault %u cr2 %08x error %x eip %08x\n", i, faulted, pf_last.cr2,
                           pf_last.error, pf_last.eip);
    }
    check_eq("#PFs wrong or missing (CR2, error code, EIP) or bad retries", bad, 0);
}

/* A dword across LIN and NEXT_LIN: two frames, not contiguous. */
static void across_pages(void)
{
    put_str("-- an access across two pages\n");
    point(LIN, map(frames[0]));
    point(NEXT_LIN, map(frames[1]));
    frames[0][1023] = 0x44332211;
    frames[1][0] = 0x88776655;
    uint32_t v = 0;
    uint32_t faulted = probe_read(LIN + 4094, &v);
    check_eq("read across: faults", faulted, 0);
    check_eq("read across: value", v, 0x66554433);
    faulted = probe_write(LIN + 4094, 0xDDCCBBAA);
    check_eq("write across: faults", faulted, 0);
    check_eq("write across: first frame", frames[0][1023], 0xBBAA2211);
    check_eq("write across: second frame", frames[1][0], 0x8877DDCC);
}

/* Through the churning page, rewrite a page table that only address space
 * B uses: B must see its new mapping after its CR3 load. */
static void other_address_space(void)
{
    put_str("-- a store into another address space's page table\n");
    /* B's reads are plain loads (not the probe, which is redirected and
     * so walks the tables itself): they see what B's mappings hold. */
    write_cr3(phys(pd_b));
    uint32_t v = *(volatile uint32_t *)PRIVATE_LIN;
    check_eq("B before", v, mark(7));
    write_cr3(phys(pd_a));
    point(LIN, map(private_pt_b));
    uint32_t faulted = probe_write(LIN + 4 * PT_INDEX(PRIVATE_LIN), map(elsewhere));
    check_eq("store into B's page table: faults", faulted, 0);
    write_cr3(phys(pd_b));
    v = *(volatile uint32_t *)PRIVATE_LIN;
    write_cr3(phys(pd_a));
    check_eq("B after", v, mark(8));
}

/* Through the churning page, patch code that has run: the patched code runs. */
static void code_becomes_data(void)
{
    put_str("-- a store into code that has run\n");
    static const uint8_t mov_eax_ret[] = {0xB8, 1, 0, 0, 0, 0xC3}; /* mov eax, 1; ret */
    for (unsigned i = 0; i < sizeof mov_eax_ret; i++)
        code[i] = mov_eax_ret[i];
    uint32_t result = 0;
    probe_call(phys(code), &result);
    check_eq("before", result, 1);
    point(LIN, map(code));
    uint32_t faulted = probe_write(LIN + 1, 2);
    check_eq("store: faults", faulted, 0);
    probe_call(phys(code), &result);
    check_eq("after", result, 2);
}

/* A device: every access faults natively. */
static void mmio(void)
{
    put_str("-- MMIO over and over\n");
    point(MMIO_LIN, MMIO_PHYS | PG_P | PG_RW | PG_PCD);
    unsigned bad = 0;
    for (unsigned i = 0; i < ROUNDS; i++)
        bad += probe_write(MMIO_LIN + 256 + 4 * i, 0x5000 + i);
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint32_t v = 0;
        bad += probe_read(MMIO_LIN + 256 + 4 * i, &v) || v != 0x5000 + i;
    }
    check_eq("MMIO values wrong", bad, 0);
}

/* Demand paging: one load faults once on each of many fresh pages. That is
 * not an instruction that keeps faulting on its page (the ctest bounds
 * the promotions: this one must stay native). */
static int demand_map(struct exc_frame *frame, uint32_t cr2)
{
    (void)frame;
    uint32_t page = (cr2 - DEMAND_LIN) >> 12;
    if (cr2 < DEMAND_LIN || page >= DEMAND_PAGES || demand_pt[page])
        return 0;
    demand_pt[page] = map(demand_frames[page]);
    return 1;
}

static void demand_paging(void)
{
    put_str("-- demand paging\n");
    for (unsigned i = 0; i < DEMAND_PAGES; i++)
        demand_frames[i][0] = 0xDE000 + i;
    uint32_t before = pf_last.count, bad = 0;
    pf_hook = demand_map;
    for (unsigned i = 0; i < DEMAND_PAGES; i++)
        bad += *(volatile uint32_t *)(DEMAND_LIN + i * 4096) != 0xDE000 + i;
    pf_hook = 0;
    check_eq("values wrong", bad, 0);
    check_eq("page faults", pf_last.count - before, DEMAND_PAGES);
}

/* A page mapped once: the redirected reads settle (bt86 demotes them). */
static void calm(void)
{
    put_str("-- a page that stays mapped\n");
    point(CALM_LIN, map(frames[0]));
    frames[0][5] = 0xCA1;
    unsigned bad = 0;
    for (unsigned i = 0; i < CALM_READS; i++) {
        uint32_t v = 0;
        bad += probe_read(CALM_LIN + 20, &v) || v != 0xCA1;
    }
    check_eq("reads wrong", bad, 0);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("paging_adaptive: instructions that keep faulting\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    load_flat_gdt();
    idt_init();
    for (unsigned f = 0; f < 2; f++)
        for (int i = 0; i < 1024; i++)
            frames[f][i] = mark(f);
    for (int i = 0; i < 1024; i++) {
        private_b[i] = mark(7);
        elsewhere[i] = mark(8);
    }
    pg_init_directory(pd_a, ident_pt);
    pg_init_directory(pd_b, ident_pt);
    pd_a[PD_INDEX(LIN)] = phys(test_pt) | PG_P | PG_RW;
    pd_b[PD_INDEX(PRIVATE_LIN)] = phys(private_pt_b) | PG_P | PG_RW;
    pd_a[PD_INDEX(DEMAND_LIN)] = phys(demand_pt) | PG_P | PG_RW;
    private_pt_b[PT_INDEX(PRIVATE_LIN)] = map(private_b);
    pg_enable(pd_a);
    write_cr0(read_cr0() | CR0_WP); /* supervisor stores obey read-only pages */

    churning();
    page_faults();
    across_pages();
    other_address_space();
    code_becomes_data();
    mmio();
    demand_paging();
    calm();
    check_finish();
}
