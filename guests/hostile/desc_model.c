/* The SDM's rules for selectors (see desc_model.h). The LDTR is S_LDT (our
 * ldt[]) while the attempts run. */
#include "desc_model.h"

#include "hostile.h"

struct fields {
    uint64_t d;
    unsigned type, s, dpl, present;
    uint32_t limit; /* scaled by G */
};

/* The descriptor a selector names, or 0 if it is null or past its table. */
static int lookup(uint16_t sel, struct fields *f)
{
    unsigned index = sel >> 3;
    int local = sel & 4;
    if (!local && index == 0)
        return 0;
    if (index >= (local ? LDT_ENTRIES : GDT_ENTRIES))
        return 0;
    f->d = local ? ldt[index] : gdt[index];
    f->type = (unsigned)(f->d >> 40) & 0xF;
    f->s = (unsigned)(f->d >> 44) & 1;
    f->dpl = (unsigned)(f->d >> 45) & 3;
    f->present = (unsigned)(f->d >> 47) & 1;
    f->limit = (uint32_t)(f->d & 0xFFFF) | (uint32_t)((f->d >> 48) & 0xF) << 16;
    if (f->d & (1ull << 55))
        f->limit = f->limit << 12 | 0xFFF;
    return 1;
}

static int is_code(const struct fields *f) { return f->s && (f->type & 8); }
static int conforming(const struct fields *f) { return is_code(f) && (f->type & 4); }
static int readable(const struct fields *f) { return f->s && (!(f->type & 8) || (f->type & 2)); }
static int writable_data(const struct fields *f) { return f->s && !(f->type & 8) && (f->type & 2); }

static int privileged_enough(const struct fields *f, uint16_t sel, int cpl)
{
    return conforming(f) || (f->dpl >= (unsigned)cpl && f->dpl >= (sel & 3u));
}

static struct expect fault(uint32_t vector, uint16_t sel)
{
    return (struct expect){vector, sel & 0xFFFCu, 0, 0};
}

static const struct expect NO_FAULT = {V_END, 0, 0, 0};

struct expect model_selector(enum check_op op, uint16_t sel, int cpl)
{
    struct fields f = {0};
    int found = lookup(sel, &f);
    struct expect e = NO_FAULT;
    switch (op) {
    case OP_LAR:
    case OP_LSL: {
        /* system types they accept: LAR also gates */
        unsigned ok_lar = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 9 | 1u << 11 |
                          1u << 12;
        unsigned ok_lsl = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 9 | 1u << 11;
        int type_ok = found && (f.s || ((op == OP_LAR ? ok_lar : ok_lsl) >> f.type & 1));
        e.zf = type_ok && privileged_enough(&f, sel, cpl);
        if (e.zf)
            e.value = op == OP_LAR ? (uint32_t)(f.d >> 32) & 0x00F0FF00 : f.limit;
        return e;
    }
    case OP_VERR:
        e.zf = found && readable(&f) && privileged_enough(&f, sel, cpl);
        return e;
    case OP_VERW:
        e.zf = found && writable_data(&f) && privileged_enough(&f, sel, cpl);
        return e;
    case OP_LOAD_DS:
        if ((sel & ~3u) == 0)
            return e; /* a null selector loads */
        if (!found || !readable(&f) || !privileged_enough(&f, sel, cpl))
            return fault(V_GP, sel);
        return f.present ? e : fault(V_NP, sel);
    case OP_LOAD_SS:
        if ((sel & ~3u) == 0)
            return fault(V_GP, 0);
        if (!found || (sel & 3u) != (unsigned)cpl || !writable_data(&f) || f.dpl != (unsigned)cpl)
            return fault(V_GP, sel);
        return f.present ? e : fault(V_SS, sel);
    case OP_LTR:
        if ((sel & ~3u) == 0)
            return fault(V_GP, 0);
        if ((sel & 4) || !found || f.s || (f.type != 1 && f.type != 9))
            return fault(V_GP, sel);
        return f.present ? e : fault(V_NP, sel);
    case OP_LLDT:
        if ((sel & ~3u) == 0)
            return e; /* LDTR becomes null */
        if ((sel & 4) || !found || f.s || f.type != 2)
            return fault(V_GP, sel);
        return f.present ? e : fault(V_NP, sel);
    }
    return e;
}
