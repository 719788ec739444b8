/* The descriptor tables are read at every load (SDM vol. 3, 3.4.3 and 3.5.1:
 * a segment register load reads the descriptor from the GDT or LDT in
 * memory; only the segment register's hidden part caches it). So a
 * descriptor rewritten in memory, by any mapping, takes effect at the next
 * load; lgdt and lldt switch tables at once; the GDT is addressed linearly,
 * through paging, so remapping its page and flushing the TLB (invlpg, a CR3
 * load) makes the next load read the new page; and a load sets the
 * accessed bit in memory whenever it is clear. An emulator that keeps
 * copies of descriptors must be invisible in all of this. */
#include "check.h"
#include "fault_check.h"
#include "paging.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"

#define GDT_ENTRY(sel) (&pm_gdt[(sel) >> 3])

static uint64_t area_desc(uint32_t offset, uint32_t limit, unsigned type)
{
    return seg_desc((uint32_t)data_area + offset, limit, ACC_P | ACC_S | type, FL_DB);
}

static uint32_t word_at(uint32_t offset)
{
    return *(volatile uint32_t *)(data_area + offset);
}

/* Loads FS with sel and reads [fs:0]: wants no fault and the dword at
 * data_area + offset. */
static void check_read(const char *what, uint16_t sel, uint32_t offset)
{
    uint32_t v = catch_call(fs_read_base, sel);
    check_begin();
    kprintf("%s: fs=%04x, [fs:0]", what, sel);
    int ok = event_outcome(v, OK);
    if (v == NO_FAULT && catch_ret != word_at(offset)) {
        kprintf(", read %08x (want data_area+%x: %08x)", catch_ret, offset, word_at(offset));
        ok = 0;
    }
    check_end(ok);
}

static void check_outcome(const char *what, body_fn body, uint16_t sel, uint32_t vector, uint32_t error)
{
    acc_off = 0;
    uint32_t v = catch_call(body, sel);
    check_begin();
    kprintf("%s: fs=%04x", what, sel);
    check_event_end(v, vector, error);
}

static void rewritten_gdt(void)
{
    put_str("-- GDT entries rewritten between loads\n");
    *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_DATA_RW);
    check_read("base data_area", S_TMP, 0);
    *GDT_ENTRY(S_TMP) = area_desc(0x100, 0xFFF, ACC_DATA_RW);
    check_read("base rewritten to data_area+0x100", S_TMP, 0x100);
    *GDT_ENTRY(S_TMP) = area_desc(0, 2, ACC_DATA_RW);
    check_outcome("limit rewritten to 2, dword at 0", fs_read32, S_TMP, GP(0));
    *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_DATA_RO);
    check_outcome("type rewritten to read-only, write", fs_write32, S_TMP, GP(0));
    *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_CODE_X);
    check_outcome("type rewritten to execute-only code, load", fs_read_base, S_TMP, GP(S_TMP));
    *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_DATA_RW) & ~((uint64_t)ACC_P << 40);
    check_outcome("rewritten not present, load", fs_read_base, S_TMP, NP(S_TMP));
    *GDT_ENTRY(S_TMP) = area_desc(0x200, 0xFFF, ACC_DATA_RW);
    check_read("present again at data_area+0x200", S_TMP, 0x200);

    put_str("-- the accessed bit\n");
    for (int round = 0; round < 2; round++) {
        *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_DATA_RW);
        catch_call(fs_read_base, S_TMP);
        check_eq(round ? "A set again after clearing it" : "A set by the load",
                 (uint32_t)(*GDT_ENTRY(S_TMP) >> 40) & ACC_ACCESSED, ACC_ACCESSED);
    }
}

static uint64_t ldt_a[1] __attribute__((aligned(8))), ldt_b[1] __attribute__((aligned(8)));

static void switched_ldt(void)
{
    put_str("-- lldt between two LDTs\n");
    ldt_a[0] = area_desc(0x300, 0xFFF, ACC_DATA_RW);
    ldt_b[0] = area_desc(0x400, 0xFFF, ACC_DATA_RW);
    pm_gdt_set(S_LDT_A >> 3, seg_desc((uint32_t)ldt_a, sizeof ldt_a - 1, ACC_P | SYS_LDT, 0));
    pm_gdt_set(S_LDT_B >> 3, seg_desc((uint32_t)ldt_b, sizeof ldt_b - 1, ACC_P | SYS_LDT, 0));
    catch_call(do_lldt, S_LDT_A);
    check_read("LDT A", 0x04, 0x300);
    catch_call(do_lldt, S_LDT_B);
    check_read("LDT B", 0x04, 0x400);
    catch_call(do_lldt, S_LDT_A);
    check_read("LDT A again", 0x04, 0x300);
    ldt_a[0] = area_desc(0x500, 0xFFF, ACC_DATA_RW);
    check_read("LDT A, entry rewritten", 0x04, 0x500);
    /* The LDT descriptor itself, rewritten in the GDT, takes effect at lldt. */
    pm_gdt_set(S_LDT_A >> 3, seg_desc((uint32_t)ldt_b, sizeof ldt_b - 1, ACC_P | SYS_LDT, 0));
    catch_call(do_lldt, S_LDT_A);
    check_read("GDT's LDT descriptor rewritten to LDT B, lldt", 0x04, 0x400);
    catch_call(do_lldt, 0);
}

static void lgdt_at(uint32_t base)
{
    struct dtr r = {sizeof pm_gdt - 1, base};
    __asm__ volatile("lgdt %0" : : "m"(r) : "memory");
}

static uint64_t gdt_copy[PM_GDT_ENTRIES] __attribute__((aligned(4096)));

static void switched_gdt(void)
{
    put_str("-- lgdt to another GDT\n");
    *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_DATA_RW);
    check_read("GDT", S_TMP, 0);
    for (int i = 0; i < PM_GDT_ENTRIES; i++)
        gdt_copy[i] = pm_gdt[i];
    gdt_copy[S_TMP >> 3] = area_desc(0x600, 0xFFF, ACC_DATA_RW);
    lgdt_at((uint32_t)gdt_copy);
    check_read("lgdt to a copy whose entry differs", S_TMP, 0x600);
    lgdt_at((uint32_t)pm_gdt);
    check_read("lgdt back", S_TMP, 0);
}

/* Paging: the identity map of the first 4 MiB, and at ALIAS one page that
 * maps either the GDT's page or a copy of it. */
enum { ALIAS = 0x00800000 };
static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));
static uint32_t pt_alias[1024] __attribute__((aligned(4096)));
static uint8_t gdt_page_copy[4096] __attribute__((aligned(4096)));

static void map_alias(uint32_t frame)
{
    pt_alias[0] = frame | PG_P | PG_RW;
}

static void paged_gdt(void)
{
    put_str("-- the GDT through paging\n");
    uint32_t gdt_page = (uint32_t)pm_gdt & ~0xFFFu, in_page = (uint32_t)pm_gdt & 0xFFF;
    volatile uint64_t *alias_gdt = (volatile uint64_t *)(ALIAS + in_page);
    pg_init_directory(pd, pt);
    for (int i = 0; i < 1024; i++)
        pt_alias[i] = 0;
    pd[PD_INDEX(ALIAS)] = phys(pt_alias) | PG_P | PG_RW;
    map_alias(gdt_page);
    pg_enable(pd);

    *GDT_ENTRY(S_TMP) = area_desc(0, 0xFFF, ACC_DATA_RW);
    check_read("paging on", S_TMP, 0);
    alias_gdt[S_TMP >> 3] = area_desc(0x700, 0xFFF, ACC_DATA_RW);
    check_read("entry rewritten through an alias mapping", S_TMP, 0x700);

    lgdt_at(ALIAS + in_page);
    check_read("GDTR at the alias", S_TMP, 0x700);
    for (int i = 0; i < 4096; i++)
        gdt_page_copy[i] = ((volatile uint8_t *)gdt_page)[i];
    ((volatile uint64_t *)(gdt_page_copy + in_page))[S_TMP >> 3] = area_desc(0x800, 0xFFF, ACC_DATA_RW);
    map_alias(phys(gdt_page_copy));
    invlpg(ALIAS);
    check_read("GDT page remapped to a copy, invlpg", S_TMP, 0x800);
    map_alias(gdt_page);
    flush_tlb();
    check_read("GDT page mapped back, CR3 reloaded", S_TMP, 0x700);
    map_alias(phys(gdt_page_copy));
    flush_tlb();
    check_read("remapped to the copy again, CR3 reloaded", S_TMP, 0x800);

    lgdt_at((uint32_t)pm_gdt);
    write_cr0(read_cr0() & ~CR0_PG);
    check_read("paging off, GDTR back", S_TMP, 0x700);
}

void check_tables(void)
{
    rewritten_gdt();
    switched_ldt();
    switched_gdt();
    paged_gdt();
}
