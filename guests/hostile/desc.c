/* kind=desc: garbage descriptors, selectors and frames, at CPL 0 and 3.
 * Each round gives the random GDT and LDT entries new contents (code and
 * data segments of every type, TSS and LDT descriptors, call, task,
 * interrupt and trap gates, reserved types; present or not, any DPL) and
 * fills two garbage TSSs; then, with random selectors:
 *  - lar, lsl, verr, verw, loads of DS/ES/FS/GS/SS, ltr and lldt, each
 *    checked against the SDM's rules (desc_model.c; variant=types runs
 *    them over every type of descriptor instead; variant=tiny-tss checks
 *    task switches to a TSS whose limit is below 0x67);
 *  - far jmp/call through random far pointers, retf, retf 8, iretd and
 *    o16 iret of random frames, int through a garbage IDT gate: these are
 *    only survived. Every place they can land holds int3 or is not mapped
 *    (code segments are based at 0 or at the int3 page, gates and frames
 *    point there, page 0, the last page and the code pages are int3 in
 *    this kind), so even at CPL 0 nothing runs that could hurt the kernel,
 *    and the timer ends what still loops; tasks it switches to keep the
 *    kernel's CR3 and stacks that can be pushed on safely.
 * 286 (16-bit) TSSs, call gates and interrupt/trap gates are valid, but bt86
 * does not run them yet (it ends the run saying so): only variant=types has
 * such descriptors, and no ltr or transfer uses them there. */
#include "attempt.h"
#include "desc_model.h"
#include "gen.h"
#include "paging.h"

SNIPPET(d_lar); SNIPPET(d_lsl); SNIPPET(d_verr); SNIPPET(d_verw); SNIPPET(d_ds); SNIPPET(d_es);
SNIPPET(d_fs); SNIPPET(d_gs); SNIPPET(d_ss); SNIPPET(d_ltr); SNIPPET(d_lldt); SNIPPET(d_jmpf);
SNIPPET(d_callf); SNIPPET(d_retf); SNIPPET(d_retf_imm); SNIPPET(d_iret); SNIPPET(d_iret16);
SNIPPET(d_int);

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
enum { SANE_STACK = U_STACK_TOP - 0x100, SENTINEL = 0x5EA7, GATE_VECTOR = 0x40, FRAME = 0x800 };

static struct tss32 garbage_tss[2] __attribute__((aligned(128)));

/* Where a transfer may land: int3 or nothing mapped. */
static uint32_t safe_eip(void)
{
    switch (rng_below(4)) {
    case 0: return U_TRAP + rng_below(PAGE_SIZE);
    case 1: return rng_below(PAGE_SIZE); /* page 0: int3 here */
    case 2: return WRAP_HI + rng_below(PAGE_SIZE);
    default: return U_AREA_END + rng_below(0x10000);
    }
}

/* A stack pointer that pushes cannot take into the kernel with any base
 * this kind gives a data segment. */
static uint32_t safe_esp(void)
{
    switch (rng_below(3)) {
    case 0: return SANE_STACK - rng_below(0x800);
    case 1: return 0x80000000 + (rng() & 0x3FFFFFFF);
    default: return rng_below(8) * 4; /* pushes wrap into the last page */
    }
}

static uint64_t random_gate(unsigned type, unsigned access_rest)
{
    return gate_desc(gen_selector(), safe_eip(), access_rest | type, rng_below(32));
}

static uint64_t random_descriptor(void)
{
    static const uint32_t data_bases[] = {0, U_DATA, WRAP_HI, U_AREA_END, 0x80000000, 0xFFFFFFF0};
    unsigned rest = (one_in(8) ? 0 : ACC_P) | ACC_DPL(rng_below(4));
    uint32_t limit = rng() & 0xFFFFF;
    unsigned flags = rng_below(16);
    switch (rng_below(8)) {
    case 0: case 1: { /* code: based where only int3 or nothing is */
        uint32_t base = !(flags & FL_DB) || one_in(2) ? U_TRAP : 0;
        return seg_desc(base, limit, rest | ACC_S | 8 | rng_below(8), flags);
    }
    case 2: case 3: /* data */
        return seg_desc(data_bases[rng_below(COUNT(data_bases))] + rng_below(16) * 0x1000 * one_in(2),
                        limit, rest | ACC_S | rng_below(8), flags);
    case 4: /* TSS, available or busy */
        return seg_desc((uint32_t)&garbage_tss[rng_below(2)],
                        one_in(4) ? rng_below(0x67) : 0x67 + rng_below(0x100),
                        rest | (one_in(2) ? SYS_TSS32 : SYS_TSS32_BUSY), flags);
    case 5: /* LDT: ours, or the GDT read as one */
        return seg_desc(one_in(2) ? (uint32_t)ldt : (uint32_t)gdt, rng_below(0x100), rest | SYS_LDT, flags);
    case 6: { /* gates: call, task, interrupt, trap */
        static const unsigned types[] = {5, 12, 14, 15};
        return random_gate(types[rng_below(COUNT(types))], rest);
    }
    default: { /* reserved system types */
        static const unsigned types[] = {0, 8, 10, 13};
        return seg_desc(rng(), limit, rest | types[rng_below(4)], flags);
    }
    }
}

static void fill_garbage_tss(struct tss32 *t)
{
    uint32_t *w = (uint32_t *)t;
    for (unsigned i = 0; i < sizeof *t / 4; i++)
        w[i] = rng();
    t->cr3 = k_cr3;
    t->eip = safe_eip();
    t->eflags = (t->eflags & ~FLAG_VM) | FLAG_RSVD1; /* no virtual-8086 task */
    t->esp = safe_esp();
    t->esp0 = safe_esp();
    t->esp1 = safe_esp();
    t->esp2 = safe_esp();
    t->cs = gen_selector();
    t->ss = gen_selector();
    t->ss0 = gen_selector();
    t->ds = gen_selector();
    t->es = gen_selector();
    t->fs = gen_selector();
    t->gs = gen_selector();
    t->ldt = one_in(2) ? S_LDT : gen_selector();
    t->iomap_base = 0x68 + rng_below(0x100);
}

/* ---- checked attempts ---- */

static const struct {
    const char *name;
    const struct snippet *s;
    enum check_op op;
} checked[] = {
    {"lar", &d_lar, OP_LAR},       {"lsl", &d_lsl, OP_LSL},         {"verr", &d_verr, OP_VERR},
    {"verw", &d_verw, OP_VERW},    {"mov ds", &d_ds, OP_LOAD_DS},   {"mov es", &d_es, OP_LOAD_DS},
    {"mov fs", &d_fs, OP_LOAD_DS}, {"mov gs", &d_gs, OP_LOAD_DS},   {"mov ss", &d_ss, OP_LOAD_SS},
    {"ltr", &d_ltr, OP_LTR},       {"lldt", &d_lldt, OP_LLDT},
};

static void try_checked(unsigned k, int cpl, uint32_t round, uint16_t sel)
{
    uint64_t d = sel & 4 ? ldt[(sel >> 3) % LDT_ENTRIES] : gdt[(sel >> 3) % GDT_ENTRIES];
    /* 286 TSSs are valid, but bt86 does not run them yet (see the top) */
    if (checked[k].op == OP_LTR && cpl == 0 && !(sel & 4) && ((d >> 40) & 0x1D) == 1)
        return;
    attempt_reset(cpl);
    round_in.edi = SANE_STACK;
    round_in.ebx = sel | (rng() & 0xFFFF0000);
    round_in.eax = SENTINEL;
    round_in.edx = cpl ? S_UDATA : S_KDATA;
    uint32_t v = attempt_run(*checked[k].s, rng_below(0x1F00));
    struct expect e = model_selector(checked[k].op, sel, cpl);
    if (cpl && (checked[k].op == OP_LTR || checked[k].op == OP_LLDT))
        e = (struct expect){V_GP, 0, 0, 0}; /* privileged */
    const volatile struct round_record *r = &round_rec;
    int ok = v == e.vector && (v == V_END || r->error == e.error);
    if (ok && v == V_END && checked[k].op <= OP_VERW) {
        int zf = r->ecx & 1;
        ok = zf == e.zf;
        if (checked[k].op <= OP_LSL)
            ok = ok && (e.zf ? (checked[k].op == OP_LAR ? r->eax & 0x00F0FF00 : r->eax) == e.value
                             : r->eax == SENTINEL);
    }
    CHECK(ok, "desc %u cpl %d %s %04x (descriptor %08x%08x): %s error %x zf %u eax %08x, want %s "
          "error %x zf %d value %08x",
          round, cpl, checked[k].name, sel, (uint32_t)(d >> 32), (uint32_t)d, event_name(v), r->error,
          r->ecx & 1, r->eax, event_name(e.vector), e.error, e.zf, e.value);
}

/* ---- survived attempts ---- */

static void try_transfer(int cpl)
{
    static const struct snippet *const snippets[] = {&d_jmpf, &d_callf, &d_retf, &d_retf_imm,
                                                     &d_iret, &d_iret16, &d_int};
    unsigned k = rng_below(COUNT(snippets));
    /* a far pointer or a frame of five words: EIP CS EFLAGS ESP SS */
    volatile uint32_t *frame = (volatile uint32_t *)phys_ptr(P_DATA + FRAME);
    uint32_t flags = gen_eflags() | (rng() & (FLAG_IOPL3 | FLAG_NT | FLAG_AC));
    uint32_t words[] = {safe_eip(), gen_selector(), flags & ~FLAG_VM, safe_esp(), gen_selector(),
                        safe_esp(), gen_selector()};
    if (snippets[k] == &d_retf || snippets[k] == &d_retf_imm) { /* EIP CS [8 bytes] ESP SS */
        words[2] = safe_esp();
        words[3] = gen_selector();
    }
    for (unsigned i = 0; i < COUNT(words); i++)
        frame[i] = words[i];
    if (snippets[k] == &d_iret16) { /* IP CS FLAGS SP SS, 16 bits each */
        volatile uint16_t *f16 = (volatile uint16_t *)frame;
        f16[0] = (uint16_t)rng_below(PAGE_SIZE);
        f16[1] = gen_selector();
        f16[2] = (uint16_t)flags;
        f16[3] = (uint16_t)safe_esp();
        f16[4] = gen_selector();
    }
    idt[GATE_VECTOR] = random_gate(one_in(2) ? 14 : one_in(2) ? 15 : 5,
                                   (one_in(8) ? 0 : ACC_P) | ACC_DPL(rng_below(4)));
    /* Nothing but int3 where the snippet is not (S_CODE16 is based at the
     * code page), and the timer on, so that no transfer can loop. */
    for (unsigned i = 0; i < 2 * PAGE_SIZE; i++)
        phys_ptr(P_CODE)[i] = 0xCC;
    attempt_reset(cpl);
    round_in.edi = SANE_STACK;
    round_in.esi = U_DATA + FRAME;
    timer_enable(1);
    attempt_run(*snippets[k], rng_below(0x1F00));
    timer_enable(0);
}

/* variant=types: every type (system or not), present or not, at DPL 0 and
 * 3, in one GDT entry, under every checked instruction, at CPL 0 and 3. */
static int every_type(void)
{
    uint16_t sel = GDT_FIRST_RANDOM << 3;
    for (unsigned type = 0; type < 32; type++)
        for (unsigned present = 0; present < 2; present++)
            for (unsigned dpl = 0; dpl <= 3; dpl += 3) {
                gdt[GDT_FIRST_RANDOM] = seg_desc(U_DATA, 0x1234, present * ACC_P | ACC_DPL(dpl) | type, 0);
                machine_commit_tables();
                for (int cpl = 0; cpl <= 3; cpl += 3)
                    for (unsigned k = 0; k < COUNT(checked); k++)
                        try_checked(k, cpl, type, (uint16_t)(sel | (unsigned)cpl));
            }
    attempt_failures += machine_intact();
    kprintf("hostile desc: every type: %d failures\n", attempt_failures);
    return attempt_failures;
}

/* variant=tiny-tss: a task switch to a TSS whose limit is below 0x67, by
 * jmp and call (to it and through a task gate) and by int through a task
 * gate, at CPL 0 and 3: #TS(TSS) (SDM vol. 3, 7.3 and table 7-1). */
static int tiny_tss(void)
{
    static const uint16_t targets[] = {S_TINY_TSS, S_TINY_GATE};
    static const struct snippet *const how[] = {&d_jmpf, &d_callf, &d_int};
    volatile uint32_t *pointer = (volatile uint32_t *)phys_ptr(P_DATA + FRAME);
    for (int cpl = 0; cpl <= 3; cpl += 3)
        for (unsigned t = 0; t < COUNT(targets); t++)
            for (unsigned h = 0; h < COUNT(how); h++) {
                pointer[0] = U_TRAP;
                pointer[1] = targets[t];
                idt[GATE_VECTOR] = gate_desc(S_TINY_TSS & ~3, 0, ACC_P | ACC_DPL(3) | SYS_TASK_GATE, 0);
                attempt_reset(cpl);
                round_in.edi = SANE_STACK;
                round_in.esi = U_DATA + FRAME;
                uint32_t v = attempt_run(*how[h], 0x100);
                static const char *const names[] = {"jmp far", "call far", "int 0x40"};
                CHECK(v == V_TS && round_rec.error == (S_TINY_TSS & ~3u),
                      "cpl %d %s to %04x (a TSS of limit 0x2f): %s error %x, want #TS(%x)", cpl,
                      names[h], h == 2 ? 0x40 : targets[t], event_name(v), round_rec.error,
                      S_TINY_TSS & ~3u);
            }
    attempt_failures += machine_intact();
    kprintf("hostile desc: tiny TSS: %d failures\n", attempt_failures);
    return attempt_failures;
}

int desc_run(void)
{
    if (opt.variant[0] == 't' && opt.variant[1] == 'y')
        return every_type();
    if (opt.variant[0] == 't' && opt.variant[1] == 'i')
        return tiny_tss();
    uint32_t rounds = opt.rounds ? opt.rounds : 200;
    struct outcome_counts counts = {0};
    timer_enable(0);
    for (unsigned i = 0; i < PAGE_SIZE; i++) /* where transfers may land */
        phys_ptr(P_WRAP_LO)[i] = phys_ptr(P_WRAP_HI)[i] = 0xCC;
    for (uint32_t i = opt.first; i < opt.first + rounds; i++) {
        rng_seed(opt.seed, i);
        for (unsigned g = GDT_FIRST_RANDOM; g < GDT_ENTRIES; g++)
            gdt[g] = random_descriptor();
        for (unsigned l = LDT_FIRST_RANDOM; l < LDT_ENTRIES; l++)
            ldt[l] = random_descriptor();
        machine_commit_tables(); /* each rescue puts back this round's tables */
        fill_garbage_tss(&garbage_tss[0]);
        fill_garbage_tss(&garbage_tss[1]);
        for (int cpl = 0; cpl <= 3; cpl += 3) {
            for (unsigned k = 0; k < COUNT(checked); k++)
                try_checked(k, cpl, i, gen_selector());
            for (unsigned n = 0; n < 8; n++) {
                try_transfer(cpl);
                outcome_add(&counts, round_rec.vector);
            }
        }
    }
    attempt_failures += machine_intact();
    kprintf("hostile desc: seed %u: %u rounds, %d failures\n", opt.seed, rounds, attempt_failures);
    put_str("transfers: ");
    outcome_print(&counts);
    return attempt_failures;
}
