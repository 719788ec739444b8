/* Selectors with TI=1 go through the LDT (SDM vol. 3, 3.5.1 and 7.x LLDT):
 * with a null LDTR any of them is #GP(selector); lldt needs an LDT
 * descriptor in the GDT (#GP(selector) otherwise, #NP(selector) if not
 * present). Entry 0 of an LDT is an ordinary descriptor, not a null one. The
 * same type, privilege and presence rules as for the GDT apply, and the
 * error codes keep TI. Last, descriptor caching: rewriting a descriptor does
 * not change a segment register that already holds it; reloading does. */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"

static uint64_t ldt[5] __attribute__((aligned(8)));

enum {
    L_DATA3 = 0x04, /* LDT 0: RW data, DPL 3 */
    L_DATA0 = 0x0C, /* LDT 1: RW data, DPL 0 */
    L_NP = 0x14,    /* LDT 2: not present */
    L_XO = 0x1C,    /* LDT 3: execute-only code */
    L_AREA = 0x24,  /* LDT 4: RW data at data_area, limit 0xfff */
    L_BEYOND = 0x2C,
};

static const struct sel_case ldt_cpl0[] = {
    {L_DATA3, OK, "LDT entry 0: DPL 3 data"},
    {L_DATA0, OK, "DPL 0 data"},
    {L_DATA0 | 3, GP(L_DATA0), "DPL 0 data, RPL 3"},
    {L_NP, NP(L_NP), "not present"},
    {L_XO, GP(L_XO), "execute-only code"},
    {L_BEYOND, GP(L_BEYOND), "beyond the LDT limit"},
};
static const struct sel_case ldt_cpl3[] = {
    {L_DATA3 | 3, OK, "DPL 3 data"},
    {L_DATA0 | 3, GP(L_DATA0), "DPL 0 data"},
    {L_BEYOND | 3, GP(L_BEYOND), "beyond the LDT limit"},
};
static const struct sel_case ldt_ss_cpl0[] = {
    {L_DATA0, OK, "DPL 0 data"},
    {L_NP, SSF(L_NP), "not present"},
    {L_BEYOND, GP(L_BEYOND), "beyond the LDT limit"},
};
static const struct sel_case ldt_ss_cpl3[] = {
    {L_DATA3 | 3, OK, "DPL 3 data"},
    {L_DATA0 | 3, GP(L_DATA0), "DPL 0 data"},
};
static const struct sel_case no_ldt[] = {
    {L_DATA0, GP(L_DATA0), "TI=1 while LDTR is null"},
};

static void check_lldt(const char *what, uint16_t sel, uint32_t want_vector, uint32_t want_error)
{
    uint32_t v = catch_call(do_lldt, sel);
    check_begin();
    kprintf("CPL0 lldt %04x (%s)", sel, what);
    check_event_end(v, want_vector, want_error);
}

static void check_sldt(uint16_t want)
{
    catch_call(do_sldt, 0);
    check_eq("sldt", catch_ret & 0xFFFF, want);
}

/* Descriptor caching, for a descriptor at `desc` that `sel` selects. */
static void check_cache(const char *table, uint16_t sel, volatile uint64_t *desc)
{
    uint64_t saved = *desc;
    uint32_t new_base = (uint32_t)data_area + 0x100;
    patch_ptr = (uint32_t)desc;
    patch_val = ((uint32_t)saved & 0xFFFF) | (new_base << 16);
    uint32_t v = catch_call(cached_read, sel);
    *desc = saved;
    uint32_t old_word = *(volatile uint32_t *)data_area;
    uint32_t new_word = *(volatile uint32_t *)(data_area + 0x100);
    check_begin();
    kprintf("%s fs=%04x, base rewritten, fs reloaded", table, sel);
    int ok = event_outcome(v, OK);
    if (v == NO_FAULT) {
        kprintf(": reads %08x then %08x", cache_before, cache_reloaded);
        ok = cache_before == old_word && cache_reloaded == new_word;
        if (!ok)
            kprintf(" (want %08x then %08x)", old_word, new_word);
    }
    check_end(ok);
    if (v == NO_FAULT)
        NOTE("before the reload [fs:0] read %08x: %s", cache_stale,
             cache_stale == old_word ? "the cached (old) base"
             : cache_stale == new_word ? "the new base" : "neither base");
}

void check_ldt(void)
{
    put_str("-- LDT\n");
    check_sldt(0);
    load_all(0, &mov_ds, no_ldt, N(no_ldt));
    check_lldt("a data segment", PM_KDATA, GP(PM_KDATA));
    check_lldt("TI=1", S_LDT | SEL_TI, GP(S_LDT | SEL_TI));
    check_lldt("not present", S_LDT_NP, NP(S_LDT_NP));
    check_lldt("beyond the GDT limit", S_BEYOND, GP(S_BEYOND));
    /* System type 0 is reserved: only type 2 is an LDT. */
    pm_gdt_set(S_TMP >> 3, seg_desc((uint32_t)ldt, sizeof ldt - 1, ACC_P, 0));
    check_lldt("a reserved system type (0)", S_TMP, GP(S_TMP));

    ldt[0] = FLAT_DATA(3);
    ldt[1] = FLAT_DATA(0);
    ldt[2] = FLAT_DATA(0) & ~((uint64_t)ACC_P << 40);
    ldt[3] = seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE_X, FL_G | FL_DB);
    ldt[4] = seg_desc((uint32_t)data_area, 0xFFF, ACC_P | ACC_S | ACC_DATA_RW, FL_DB);
    pm_gdt_set(S_LDT >> 3, seg_desc((uint32_t)ldt, sizeof ldt - 1, ACC_P | SYS_LDT, 0));
    check_lldt("the LDT", S_LDT, OK);
    check_sldt(S_LDT);

    load_all(0, &mov_ds, ldt_cpl0, N(ldt_cpl0));
    load_all(0, &lgs, ldt_cpl0, N(ldt_cpl0));
    load_all(3, &mov_ds, ldt_cpl3, N(ldt_cpl3));
    load_all(0, &mov_ss, ldt_ss_cpl0, N(ldt_ss_cpl0));
    load_all(3, &mov_ss, ldt_ss_cpl3, N(ldt_ss_cpl3));

    put_str("-- descriptor caching\n");
    check_cache("LDT", L_AREA, &ldt[L_AREA >> 3]);
    check_cache("GDT", S_PAGE_LIM, &pm_gdt[S_PAGE_LIM >> 3]);

    check_lldt("null", 0, OK);
    check_sldt(0);
}
