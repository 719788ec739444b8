/* Loading DS/ES/FS/GS and SS (SDM vol. 2, MOV/POP/LDS protected-mode
 * exceptions; vol. 3, 5.6 and 5.7):
 *  - DS/ES/FS/GS take a null selector (any RPL) without fault; using it then
 *    raises #GP(0). Otherwise the selector must lie within the table, name a
 *    data or readable code segment, and for data or non-conforming code
 *    max(CPL, RPL) <= DPL; else #GP(selector). A not-present segment that
 *    passes those checks raises #NP(selector).
 *  - SS takes no null selector (#GP(0)); it needs RPL = CPL, a writable data
 *    segment and DPL = CPL, else #GP(selector); not present is #SS(selector).
 *  - The error code is the selector with its RPL bits cleared (TI kept).
 *  - A faulting load changes nothing: the register keeps its old selector,
 *    pop leaves ESP, and lds & co. leave their offset register alone.
 * Every check runs at CPL 0 and at CPL 3 where the rules differ. */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"
#include "tcg_gap.h"

const struct form mov_ds = {"mov", "ds", load_mov_ds, 0};
const struct form lgs = {"lgs", "gs", load_lgs, 1};
const struct form mov_ss = {"mov", "ss", load_mov_ss, 0};

static const struct form data_forms[] = {
    {"mov", "ds", load_mov_ds, 0}, {"mov", "es", load_mov_es, 0}, {"mov", "fs", load_mov_fs, 0},
    {"mov", "gs", load_mov_gs, 0}, {"pop", "ds", load_pop_ds, 0}, {"pop", "es", load_pop_es, 0},
    {"pop", "fs", load_pop_fs, 0}, {"pop", "gs", load_pop_gs, 0}, {"lds", "ds", load_lds, 1},
    {"les", "es", load_les, 1},    {"lfs", "fs", load_lfs, 1},    {"lgs", "gs", load_lgs, 1},
};
static const struct form ss_forms[] = {
    {"mov", "ss", load_mov_ss, 0}, {"pop", "ss", load_pop_ss, 0}, {"lss", "ss", load_lss, 1}};

/* The selector a register holds at the given CPL before a body changes it. */
static uint16_t home_selector(int cpl)
{
    return cpl ? PM_UDATA : PM_KDATA;
}

/* The register `reg` as the catcher saw it when the event happened. */
static uint32_t reg_at_event(const char *reg, int cpl)
{
    switch (reg[0]) {
    case 'd': return catch_rec.ds;
    case 'e': return catch_rec.es;
    case 'f': return catch_rec.fs;
    case 'g': return catch_rec.gs;
    default: /* ss: the interrupted SS is in the frame only after a stack switch */
        return cpl ? catch_rec.words[5] & 0xFFFF : catch_rec.entry_ss;
    }
}

static void load(int cpl, const struct form *f, const struct sel_case *c)
{
    got_gpr = 0;
    uint32_t v = catch_at(cpl, f->body, c->sel);
    check_begin();
    kprintf("CPL%d %s %s, %04x (%s)", cpl, f->insn, f->reg, c->sel, c->what);
    int ok = event_outcome(v, c->vector, c->error);
    if (v == NO_FAULT) {
        uint16_t got = (uint16_t)catch_ret;
        kprintf(", %s=%04x", f->reg, got);
        if (got != c->sel) {
            kprintf(" (want %04x)", c->sel);
            ok = 0;
        }
        if (f->far && got_gpr != 0x600DF00D) {
            kprintf(", ecx=%08x (want 600df00d)", got_gpr);
            ok = 0;
        }
    } else if (v == c->vector && catch_error() != NO_ERROR) {
        /* Nothing of the faulting instruction took effect. At CPL 3 the
         * frame holds the interrupted ESP; at CPL 0 it sits right below. */
        uint32_t esp = cpl ? catch_rec.words[4] : catch_rec.entry_esp + 16;
        if (esp != pre_esp) {
            kprintf(", esp at fault %08x (want %08x)", esp, pre_esp);
            ok = 0;
        }
        uint32_t old = reg_at_event(f->reg, cpl);
        if (old != home_selector(cpl)) {
            kprintf(", %s at fault %04x (want %04x)", f->reg, old, home_selector(cpl));
            ok = 0;
        }
        if (f->far && catch_rec.ecx != 0xBAD0BAD0) {
            kprintf(", ecx at fault %08x (want bad0bad0)", catch_rec.ecx);
            ok = 0;
        }
    }
    check_end(ok);
}

void load_all(int cpl, const struct form *f, const struct sel_case *cases, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        load(cpl, f, &cases[i]);
}

static const struct sel_case data_cpl0[] = {
    {0x0000, OK, "null"},
    {0x0003, OK, "null, RPL 3"},
    {PM_KDATA, OK, "DPL 0 data"},
    {PM_KDATA | 3, GP(PM_KDATA), "DPL 0 data, RPL 3"},
    {S_DATA1 | 1, OK, "DPL 1 data, RPL 1"},
    {S_DATA1 | 2, GP(S_DATA1), "DPL 1 data, RPL 2"},
    {S_DATA2 | 2, OK, "DPL 2 data, RPL 2"},
    {S_DATA2 | 3, GP(S_DATA2), "DPL 2 data, RPL 3"},
    {PM_UDATA, OK, "DPL 3 data, RPL 3"},
    {PM_UDATA & ~3, OK, "DPL 3 data, RPL 0"},
    {S_RO0, OK, "read-only data"},
    {S_XO0, GP(S_XO0), "execute-only code"},
    {S_XR0, OK, "readable code"},
    {S_XR0 | 3, GP(S_XR0), "DPL 0 readable code, RPL 3"},
    {S_CONF_XR0 | 3, OK, "DPL 0 conforming readable code, RPL 3"},
    {S_CONF_XO0, GP(S_CONF_XO0), "conforming execute-only code"},
    {S_NP0, NP(S_NP0), "not present"},
    {S_NP0 | 3, GP(S_NP0), "not present, RPL 3 > DPL 0: privilege first"},
    {S_NP3 | 3, NP(S_NP3), "DPL 3, not present"},
    {S_LDT, GP(S_LDT), "LDT descriptor"},
    {PM_TSS, GP(PM_TSS), "TSS descriptor"},
    {S_GATE, GP(S_GATE), "call gate"},
    {S_LAST, OK, "last entry within the GDT limit"},
    {S_BEYOND, GP(S_BEYOND), "first entry beyond the GDT limit"},
    {0xFFFB, GP(0xFFF8), "index 0x1fff, RPL 3"},
};

static const struct sel_case data_cpl3[] = {
    {0x0000, OK, "null"},
    {0x0003, OK, "null, RPL 3"},
    {PM_UDATA, OK, "DPL 3 data"},
    {PM_UDATA & ~3, OK, "DPL 3 data, RPL 0"},
    {PM_KDATA | 3, GP(PM_KDATA), "DPL 0 data"},
    {PM_KDATA, GP(PM_KDATA), "DPL 0 data, RPL 0"},
    {S_DATA1 | 3, GP(S_DATA1), "DPL 1 data"},
    {S_DATA2 | 2, GP(S_DATA2), "DPL 2 data, RPL 2"},
    {S_RO3 | 3, OK, "DPL 3 read-only data"},
    {S_XR3 | 3, OK, "DPL 3 readable code"},
    {S_XR0 | 3, GP(S_XR0), "DPL 0 readable code"},
    {S_CONF_XR0 | 3, OK, "DPL 0 conforming readable code"},
    {S_CONF_XR0, OK, "DPL 0 conforming readable code, RPL 0"},
    {S_XO0 | 3, GP(S_XO0), "DPL 0 execute-only code"},
    {S_NP3 | 3, NP(S_NP3), "DPL 3, not present"},
    {S_NP0 | 3, GP(S_NP0), "DPL 0, not present"},
    {S_LDT | 3, GP(S_LDT), "LDT descriptor"},
    {PM_TSS | 3, GP(PM_TSS), "TSS descriptor"},
    {S_GATE | 3, GP(S_GATE), "DPL 3 call gate"},
    {S_BEYOND | 3, GP(S_BEYOND), "beyond the GDT limit"},
};

/* The short list every load instruction goes through. */
static const struct sel_case data_short_cpl0[] = {
    {S_DATA0, OK, "DPL 0 data"},
    {0x0000, OK, "null"},
    {S_BEYOND, GP(S_BEYOND), "beyond the GDT limit"},
    {S_NP0, NP(S_NP0), "not present"},
    {S_XO0, GP(S_XO0), "execute-only code"},
};
static const struct sel_case data_short_cpl3[] = {
    {PM_UDATA, OK, "DPL 3 data"},
    {0x0003, OK, "null"},
    {S_DATA0 | 3, GP(S_DATA0), "DPL 0 data"},
    {S_NP3 | 3, NP(S_NP3), "not present"},
};

static const struct sel_case ss_cpl0[] = {
    {S_DATA0, OK, "DPL 0 writable data"},
    {PM_KDATA, OK, "DPL 0 writable data"},
    {0x0000, GP(0), "null"},
    {PM_KDATA | 3, GP(PM_KDATA), "RPL 3 != CPL"},
    {PM_UDATA, GP(PM_UDATA & ~3), "DPL 3 data, RPL 3"},
    {PM_UDATA & ~3, GP(PM_UDATA & ~3), "DPL 3 != CPL, RPL 0"},
    {S_DATA1 | 1, GP(S_DATA1), "DPL 1, RPL 1"},
    {S_RO0, GP(S_RO0), "read-only data"},
    {S_RO_DOWN0, GP(S_RO_DOWN0), "read-only expand-down data"},
    {S_STACK_DOWN0, OK, "writable expand-down data"},
    {S_XR0, GP(S_XR0), "readable code"},
    {S_NP0, SSF(S_NP0), "not present"},
    {S_LDT, GP(S_LDT), "LDT descriptor"},
    {S_BEYOND, GP(S_BEYOND), "beyond the GDT limit"},
};

static const struct sel_case ss_cpl3[] = {
    {PM_UDATA, OK, "DPL 3 writable data"},
    {0x0003, GP(0), "null, RPL 3"},
    {0x0000, GP(0), "null"},
    {PM_UDATA & ~3, GP(PM_UDATA & ~3), "RPL 0 != CPL"},
    {PM_KDATA | 3, GP(PM_KDATA), "DPL 0 data"},
    {S_RO3 | 3, GP(S_RO3), "DPL 3 read-only data"},
    {S_XR3 | 3, GP(S_XR3), "DPL 3 readable code"},
    {S_NP3 | 3, SSF(S_NP3), "DPL 3, not present"},
    {S_NP0 | 3, GP(S_NP0), "DPL 0, not present"},
    {S_BEYOND | 3, GP(S_BEYOND), "beyond the GDT limit"},
};

static const struct sel_case ss_short_cpl0[] = {
    {S_DATA0, OK, "DPL 0 writable data"},
    {0x0000, GP(0), "null"},
    {S_RO0, GP(S_RO0), "read-only data"},
    {S_NP0, SSF(S_NP0), "not present"},
};

/* Using a null selector: any memory access through it is #GP(0). */
static void check_null_use(int cpl)
{
    static const struct {
        const char *what;
        body_fn body;
    } uses[] = {
        {"read [ds:x]", use_read_ds}, {"read [es:x]", use_read_es}, {"stosd (es:edi)", use_stos_es},
        {"read [fs:x]", use_read_fs}, {"read [gs:x]", use_read_gs},
    };
    acc_off = (uint32_t)data_area;
    for (unsigned i = 0; i < N(uses); i++) {
        for (uint16_t rpl = 0; rpl <= 3; rpl += 3) {
            uint32_t v = catch_at(cpl, uses[i].body, rpl);
            check_begin();
            kprintf("CPL%d null selector %04x, then %s", cpl, rpl, uses[i].what);
            tcg_gap_end(event_outcome(v, GP(0)));
        }
    }
    /* The same bodies through a usable selector do not fault. */
    uint32_t v = catch_at(cpl, use_read_gs, home_selector(cpl));
    check_begin();
    kprintf("CPL%d gs=%04x, then read [gs:x]", cpl, home_selector(cpl));
    int ok = event_outcome(v, OK);
    uint32_t want = *(volatile uint32_t *)data_area;
    if (v == NO_FAULT && catch_ret != want) {
        kprintf(", read %08x (want %08x)", catch_ret, want);
        ok = 0;
    }
    check_end(ok);
}

/* Writes through a read-only data or a readable code segment: #GP(0). */
static void check_write_protection(void)
{
    static const struct {
        uint16_t sel;
        const char *what;
    } cases[] = {{S_RO0, "read-only data"}, {S_XR0, "readable code"}};
    acc_off = (uint32_t)data_area;
    for (unsigned i = 0; i < N(cases); i++) {
        uint32_t v = catch_call(fs_read32, cases[i].sel);
        check_begin();
        kprintf("CPL0 fs=%04x (%s), read [fs:x]", cases[i].sel, cases[i].what);
        check_event_end(v, OK);
        v = catch_call(fs_write32, cases[i].sel);
        check_begin();
        kprintf("CPL0 fs=%04x (%s), write [fs:x]", cases[i].sel, cases[i].what);
        tcg_gap_end(event_outcome(v, GP(0)));
    }
}

/* The descriptor's accessed bit is set by a load (vol. 3, 3.4.5.1). */
static void check_accessed_bit(void)
{
    const uint64_t accessed = (uint64_t)ACC_ACCESSED << 40;
    pm_gdt[S_DATA2 >> 3] &= ~accessed;
    uint32_t before = (uint32_t)(pm_gdt[S_DATA2 >> 3] >> 40) & 0xFF;
    catch_call(load_mov_ds, S_DATA2 | 2);
    uint32_t after = (uint32_t)(pm_gdt[S_DATA2 >> 3] >> 40) & 0xFF;
    check_begin();
    kprintf("mov ds, %04x sets the accessed bit: access byte %02x -> %02x", S_DATA2 | 2, before,
            after);
    check_end(!(before & ACC_ACCESSED) && (after & ACC_ACCESSED));
}

/* A GDT limit that stops one byte short of an entry excludes it. */
static void check_gdt_limit(void)
{
    static const uint16_t limits[] = {0x1FF, 0x1FE, 0x1F7};
    for (unsigned i = 0; i < N(limits); i++) {
        pm_lgdt(limits[i]);
        uint32_t v = catch_call(load_mov_ds, S_LAST);
        pm_lgdt(sizeof pm_gdt - 1);
        check_begin();
        kprintf("CPL0 GDT limit %03x, mov ds, %04x", limits[i], S_LAST);
        if (limits[i] >= S_LAST + 7)
            check_event_end(v, OK);
        else
            check_event_end(v, GP(S_LAST));
    }
}

void check_loads(void)
{
    put_str("-- DS/ES/FS/GS loads\n");
    load_all(0, &mov_ds, data_cpl0, N(data_cpl0));
    load_all(0, &lgs, data_cpl0, N(data_cpl0));
    load_all(3, &mov_ds, data_cpl3, N(data_cpl3));
    load_all(3, &lgs, data_cpl3, N(data_cpl3));
    for (unsigned f = 0; f < N(data_forms); f++) {
        load_all(0, &data_forms[f], data_short_cpl0, N(data_short_cpl0));
        load_all(3, &data_forms[f], data_short_cpl3, N(data_short_cpl3));
    }
    put_str("-- SS loads\n");
    load_all(0, &mov_ss, ss_cpl0, N(ss_cpl0));
    load_all(3, &mov_ss, ss_cpl3, N(ss_cpl3));
    for (unsigned f = 0; f < N(ss_forms); f++) {
        load_all(0, &ss_forms[f], ss_short_cpl0, N(ss_short_cpl0));
        load_all(3, &ss_forms[f], ss_cpl3, 4);
    }
    put_str("-- using what was loaded\n");
    check_null_use(0);
    check_null_use(3);
    check_write_protection();
    check_accessed_bit();
    check_gdt_limit();
}
