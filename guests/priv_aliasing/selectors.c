/* lar, lsl, verr and verw (vol. 2): none of them faults on a bad selector;
 * each sets ZF when the descriptor is visible at max(CPL, RPL) (a
 * conforming code segment always is) and of a type it accepts, else clears
 * ZF and (lar, lsl) leaves the destination alone. lar accepts code, data,
 * LDT, TSS, call and task gates, and returns descriptor bits 23:8 of the
 * high dword, masked with 00FxFF00 (bits 19:16 undefined: not compared);
 * lsl accepts code, data, LDT and TSS and returns the limit in bytes; verr
 * wants a readable code or data segment, verw a writable data segment. */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "priv_aliasing.h"

enum { NO = 0, YES = 1 };

struct sel_case {
    uint16_t sel;
    const char *what;
    /* visible and valid for lar, lsl, verr, verw: [cpl 0, cpl 3] */
    uint8_t lar[2], lsl[2], verr[2], verw[2];
};

static const struct sel_case cases[] = {
    {0x0000, "null", {NO, NO}, {NO, NO}, {NO, NO}, {NO, NO}},
    {PM_KCODE, "DPL 0 code", {YES, NO}, {YES, NO}, {YES, NO}, {NO, NO}},
    {PM_KDATA, "DPL 0 data", {YES, NO}, {YES, NO}, {YES, NO}, {YES, NO}},
    {PM_KDATA | 3, "DPL 0 data, RPL 3", {NO, NO}, {NO, NO}, {NO, NO}, {NO, NO}},
    {PM_UCODE, "DPL 3 code", {YES, YES}, {YES, YES}, {YES, YES}, {NO, NO}},
    {PM_UDATA, "DPL 3 data", {YES, YES}, {YES, YES}, {YES, YES}, {YES, YES}},
    {PM_TSS, "busy TSS, DPL 0", {YES, NO}, {YES, NO}, {NO, NO}, {NO, NO}},
    {S_TSS3 | 3, "available TSS, DPL 3", {YES, YES}, {YES, YES}, {NO, NO}, {NO, NO}},
    {S_LDT, "LDT, DPL 0", {YES, NO}, {YES, NO}, {NO, NO}, {NO, NO}},
    {S_CONF_XR | 3, "conforming readable code, DPL 0", {YES, YES}, {YES, YES}, {YES, YES}, {NO, NO}},
    {S_CONF_XO | 3, "conforming execute-only code, DPL 0", {YES, YES}, {YES, YES}, {NO, NO}, {NO, NO}},
    {S_XO, "execute-only code, DPL 0", {YES, NO}, {YES, NO}, {NO, NO}, {NO, NO}},
    {S_RO3 | 3, "read-only data, DPL 3", {YES, YES}, {YES, YES}, {YES, YES}, {NO, NO}},
    {S_CALL_GATE | 3, "call gate, DPL 3", {YES, YES}, {NO, NO}, {NO, NO}, {NO, NO}},
    {S_INT_GATE | 3, "interrupt gate, DPL 3", {NO, NO}, {NO, NO}, {NO, NO}, {NO, NO}},
    {S_LIMIT0, "data, DPL 0, byte limit 0x1234", {YES, NO}, {YES, NO}, {YES, NO}, {YES, NO}},
    {S_LIMIT3 | 3, "data, DPL 3, G=1 limit 0x12fff", {YES, YES}, {YES, YES}, {YES, YES}, {YES, YES}},
    {S_NP3 | 3, "data, DPL 3, not present", {YES, YES}, {YES, YES}, {2, 2}, {2, 2}},
    {S_RESERVED, "reserved system type 0", {NO, NO}, {NO, NO}, {NO, NO}, {NO, NO}},
    {S_BEYOND | 3, "beyond the GDT limit", {NO, NO}, {NO, NO}, {NO, NO}, {NO, NO}},
};

static uint32_t desc_high(uint16_t sel)
{
    return (uint32_t)(pm_gdt[sel >> 3] >> 32);
}

static uint32_t desc_limit(uint16_t sel)
{
    uint64_t d = pm_gdt[sel >> 3];
    uint32_t limit = (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16;
    return (d >> 55) & 1 ? limit << 12 | 0xFFF : limit;
}

/* want: YES/NO, or 2 = print only (the SDM does not say whether verr and
 * verw look at the present bit). */
static void one(int cpl, const char *insn, body_fn body, const struct sel_case *c, int want,
                uint32_t want_value)
{
    uint32_t v = catch_at(cpl, body, c->sel);
    if (v != NO_FAULT) {
        check_begin();
        kprintf("CPL%d %s %04x (%s)", cpl, insn, c->sel, c->what);
        check_end(0);
        return;
    }
    uint32_t zf = zf_out, got = catch_ret;
    int is_lar = body == lar_body, loads = is_lar || body == lsl_body;
    if (want == 2) {
        NOTE("CPL%d %s %04x (%s): ZF=%u", cpl, insn, c->sel, c->what, zf);
        return;
    }
    check_begin();
    kprintf("CPL%d %s %04x (%s): ZF=%u", cpl, insn, c->sel, c->what, zf);
    int ok = zf == (uint32_t)want;
    if (loads)
        kprintf(", %08x", got);
    if (loads && want) {
        uint32_t mask = is_lar ? 0x00F0FF00 : 0xFFFFFFFF;
        if ((got & mask) != (want_value & mask)) {
            kprintf(" (want %08x%s)", want_value & mask, is_lar ? " & 00f0ff00" : "");
            ok = 0;
        }
    } else if (loads && got != 0xDEADBEEF) {
        put_str(" (want the destination unchanged: deadbeef)");
        ok = 0;
    }
    if (zf != (uint32_t)want)
        kprintf(" (want ZF=%u)", want);
    check_end(ok);
}

void check_selectors(void)
{
    put_str("-- lar, lsl, verr, verw\n");
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct sel_case *c = &cases[i];
        for (int k = 0; k < 2; k++) {
            int cpl = k ? 3 : 0;
            uint32_t hi = c->sel >> 3 < PM_GDT_ENTRIES ? desc_high(c->sel) : 0;
            uint32_t limit = c->sel >> 3 < PM_GDT_ENTRIES ? desc_limit(c->sel) : 0;
            one(cpl, "lar", lar_body, c, c->lar[k], hi);
            one(cpl, "lsl", lsl_body, c, c->lsl[k], limit);
            one(cpl, "verr", verr_body, c, c->verr[k], 0);
            one(cpl, "verw", verw_body, c, c->verw[k], 0);
        }
    }
}
