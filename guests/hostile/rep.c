/* kind=rep: string instructions with ECX = 0xFFFFFFFF, over RAM (every
 * 4 MiB page of 0x50000000-0xBFFFFFFF aliases one scratch page at 8 MiB),
 * over memory no device claims (0xC0000000-0xFFBFFFFF: open bus, reads
 * all ones) and over ports (0x80, and 0x1F0, which no device claims).
 *
 * variant=interrupted (the default): with the PIT ticking and IF set, each
 * loop at CPL 0 and CPL 3 must be interrupted between iterations (SDM
 * vol. 1, 7.3.9.1): the first tick that finds ECX lower ends the round (at
 * most 50 ticks may find it unchanged) and the state it saw must be an
 * iteration boundary: EIP on the rep instruction, ESI/EDI moved by exactly
 * what ECX says was done.
 *
 * variant=endless-<op>-<memory>[-user] (e.g. endless-insb-ram): the same
 * loop with no interrupt that could end it (CPL 0 with IF clear, or CPL 3
 * with the PIC masked), plus endless-jmp (jmp $ with IF clear). Nothing in
 * the guest ends it: bt86 must stop it at --timeout (status 124). A loop
 * that ends prints FAIL. endless-newcode jumps through ever new linear
 * aliases of the same code, so bt86 holds a full translation cache when the
 * timeout comes (and must still end within a second). */
#include "attempt.h"
#include "paging.h"

SNIPPET(r_movsb); SNIPPET(r_movsd); SNIPPET(r_stosb); SNIPPET(r_stosd); SNIPPET(r_lodsb);
SNIPPET(r_lodsd); SNIPPET(r_cmpsb); SNIPPET(r_scasb); SNIPPET(r_scasb_ne); SNIPPET(r_insb);
SNIPPET(r_insw); SNIPPET(r_outsb); SNIPPET(r_outsd); SNIPPET(r_jmp); SNIPPET(r_newcode);

enum { SI = 1, DI = 2, PORT = 4 };
enum memory { RAM, UNBACKED };
enum {
    RAM_LIN = 0x50000000,      /* PDEs 0x140-0x2FF: the scratch page */
    UNBACKED_LIN = 0xC0000000, /* PDEs 0x300-0x3FE: physical 0xC0000000-0xFFBFFFFF */
    SCRATCH_PHYS = 0x00800000,
    LARGE = 4u << 20,
    PORT_UNCLAIMED = 0x1F0,
    PORT_POST = 0x80,
};

static const struct op {
    const char *name;
    const struct snippet *s;
    uint8_t size, uses;
    int unbacked_only; /* needs memory that reads the same everywhere */
} ops[] = {
    {"movsb", &r_movsb, 1, SI | DI, 0},   {"movsd", &r_movsd, 4, SI | DI, 0},
    {"stosb", &r_stosb, 1, DI, 0},        {"stosd", &r_stosd, 4, DI, 0},
    {"lodsb", &r_lodsb, 1, SI, 0},        {"lodsd", &r_lodsd, 4, SI, 0},
    {"cmpsb", &r_cmpsb, 1, SI | DI, 0},   {"scasb", &r_scasb, 1, DI, 1},
    {"scasb-ne", &r_scasb_ne, 1, DI, 0},  {"insb", &r_insb, 1, DI | PORT, 0},
    {"insw", &r_insw, 2, DI | PORT, 0},   {"outsb", &r_outsb, 1, SI | PORT, 0},
    {"outsd", &r_outsd, 4, SI | PORT, 0},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void map_areas(void)
{
    const uint32_t large = PG_PS | PG_P | PG_RW | PG_US | PG_A | PG_D;
    for (uint32_t i = PD_INDEX(RAM_LIN); i < PD_INDEX(UNBACKED_LIN); i++)
        kernel_pd[i] = SCRATCH_PHYS | large;
    for (uint32_t i = PD_INDEX(UNBACKED_LIN); i < 1023; i++)
        kernel_pd[i] = (UNBACKED_LIN + (i - PD_INDEX(UNBACKED_LIN)) * LARGE) | large;
    write_cr3(read_cr3());
    /* Zero: stos stores 0, ins 0xFF; scasb-ne looks for 0x5A, never there. */
    for (uint32_t *p = (uint32_t *)RAM_LIN; p < (uint32_t *)(RAM_LIN + LARGE); p++)
        *p = 0;
}

/* Registers for op over mem: ESI and EDI the same distance into two
 * aliases of the scratch page (so cmpsb compares a byte with itself). */
static void set_up(const struct op *o, enum memory mem, int cpl, int down)
{
    uint32_t base = mem == RAM ? RAM_LIN + 0x10000000 : UNBACKED_LIN + 0x10000000;
    attempt_reset(cpl);
    round_in.ecx = 0xFFFFFFFF;
    round_in.esi = base + rng_below(LARGE) - LARGE / 2;
    round_in.edi = round_in.esi + (mem == RAM ? 8 * LARGE : 0x100000);
    /* repe scasb over open bus looks for all ones; repne scasb for 0x5A */
    round_in.eax = o->s == &r_scasb_ne ? 0x5A : mem == UNBACKED ? 0xFFFFFFFF : 0;
    round_in.edx = one_in(2) ? PORT_POST : PORT_UNCLAIMED;
    if (down)
        round_in.eflags |= FLAG_DF;
}

static int interrupted(const struct op *o, enum memory mem, int cpl)
{
    int down = one_in(2);
    set_up(o, mem, cpl, down);
    uint32_t offset = rng_below(0x1F00);
    /* Unmasked only now: no ticks owed from the kernel's own time (the PIC
     * catches up missed ticks) end the loop before it starts. */
    timer_enable(1);
    timer_ends_below = round_in.ecx; /* a tick ends it once it made progress */
    uint32_t v = attempt_run(*o->s, offset);
    timer_ends_below = 0;
    timer_enable(0);
    const volatile struct round_record *r = &round_rec;
    uint32_t done = 0xFFFFFFFF - r->ecx, moved = done * o->size;
    if (down)
        moved = 0 - moved;
    int ok = v == V_TIMER && r->eip == U_CODE + offset && done > 0 && r->ecx > 0;
    if (o->uses & SI)
        ok = ok && r->esi == round_in.esi + moved;
    if (o->uses & DI)
        ok = ok && r->edi == round_in.edi + moved;
    CHECK(ok, "rep %s over %s, cpl %d, df %d: %s (tick %u) at %08x (rep at %08x), ecx %08x, "
          "esi %08x->%08x, edi %08x->%08x",
          o->name, mem == RAM ? "ram" : "unbacked memory", cpl, down, event_name(v), r->ticks,
          r->eip, U_CODE + offset, r->ecx, round_in.esi, r->esi, round_in.edi, r->edi);
    return !ok;
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* "<op>-<ram|unbacked>[-user]": the name of an attempt in variants. */
static const char *attempt_name(const struct op *o, enum memory mem, int cpl)
{
    static char name[32];
    char *p = name;
    for (const char *q = o->name; *q; q++) *p++ = *q;
    for (const char *q = mem == RAM ? "-ram" : "-unbacked"; *q; q++) *p++ = *q;
    for (const char *q = cpl ? "-user" : ""; *q; q++) *p++ = *q;
    *p = 0;
    return name;
}

/* variant=endless-<op>-<ram|unbacked>[-user] or endless-jmp */
static int endless(const char *what)
{
    for (unsigned i = 0; i < COUNT(ops); i++)
        for (int mem = RAM; mem <= UNBACKED; mem++)
            for (int cpl = 0; cpl <= 3; cpl += 3) {
                const char *name = attempt_name(&ops[i], (enum memory)mem, cpl);
                if (!str_eq(what, name))
                    continue;
                set_up(&ops[i], (enum memory)mem, cpl, 0);
                if (!cpl)
                    round_in.eflags &= ~FLAG_IF;
                kprintf("rep: %s with ecx %08x: must end only at the timeout\n", name,
                        round_in.ecx);
                uint32_t v = attempt_run(*ops[i].s, 0x100);
                kprintf("FAIL: it ended: %s, ecx %08x\n", event_name(v), round_rec.ecx);
                return 1;
            }
    if (str_eq(what, "newcode")) { /* a translation cache that keeps growing */
        for (uint32_t *p = (uint32_t *)RAM_LIN; p < (uint32_t *)(RAM_LIN + LARGE); p += 4)
            *p = 0xE3FFC889; /* mov eax, ecx; jmp ebx */
        attempt_reset(0);
        round_in.eflags &= ~FLAG_IF;
        round_in.edi = RAM_LIN;
        round_in.esi = UNBACKED_LIN;
        put_str("rep: new code at every pass with interrupts off: must end only at the timeout\n");
        uint32_t v = attempt_run(r_newcode, 0x100);
        kprintf("FAIL: it ended: %s\n", event_name(v));
        return 1;
    }
    if (str_eq(what, "jmp")) {
        attempt_reset(0);
        round_in.eflags &= ~FLAG_IF;
        put_str("rep: jmp $ with interrupts off: must end only at the timeout\n");
        uint32_t v = attempt_run(r_jmp, 0x100);
        kprintf("FAIL: it ended: %s\n", event_name(v));
        return 1;
    }
    kprintf("FAIL: unknown variant endless-%s\n", what);
    return 1;
}

/* variant=<op>-<memory>[-user] runs only that interrupted attempt. */
int rep_run(void)
{
    map_areas();
    const char *v = opt.variant;
    if (v[0] == 'e' && v[1] == 'n') /* endless-... */
        return endless(v + 8);
    uint32_t rounds = opt.rounds ? opt.rounds : 2;
    for (uint32_t i = opt.first; i < opt.first + rounds; i++) {
        rng_seed(opt.seed, i);
        for (unsigned k = 0; k < COUNT(ops); k++)
            for (int cpl = 0; cpl <= 3; cpl += 3)
                for (int mem = ops[k].unbacked_only ? UNBACKED : RAM; mem <= UNBACKED; mem++)
                    if (!*v || str_eq(v, attempt_name(&ops[k], (enum memory)mem, cpl)))
                        interrupted(&ops[k], (enum memory)mem, cpl);
    }
    attempt_failures += machine_intact();
    kprintf("hostile rep: seed %u: %u rounds of interrupted loops, %d failures\n", opt.seed, rounds,
            attempt_failures);
    return attempt_failures;
}
