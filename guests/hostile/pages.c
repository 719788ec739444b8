/* kind=pages: wild page tables. Each round fills the directory entries of
 * 0x80000000-0x81FFFFFF (32-bit paging, CR4.PSE on or off, or PAE) with
 * random entries: not present, large pages (some with reserved bits set),
 * tables that are random pages of entries, the directory itself, scratch
 * RAM or memory no device claims; the tables' entries point at scratch RAM,
 * at tables, at the kernel's pages (read-only), at unclaimed memory, with
 * random P, R/W, U/S, A, D. Then loads, stores and jumps at CPL 0 and 3 go
 * through them, and a model of the page walk (SDM vol. 3, 4.3 and 4.4)
 * says what each must do: #PF with that error code and CR2, or the access
 * at that physical address (unclaimed memory reads all ones), with A and D
 * set in the entries used. Walks through tables in unclaimed memory are
 * not judged (only survived). In PAE rounds, a PDPTE with reserved bits
 * makes mov cr3 raise #GP(0). Writable entries only ever lead to scratch
 * RAM, tables of this test or unclaimed memory, and stores write values
 * whose R/W bit is clear, so no walk can reach the kernel to write it. */
#include "attempt.h"
#include "paging.h"

SNIPPET(w_b); SNIPPET(w_store); SNIPPET(w_movq); SNIPPET(p_jump); SNIPPET(p_cr3);

enum {
    WILD_LIN = 0x80000000, WILD_SPAN = 32u << 20,
    WILD_TABLES = P_SPARE, WILD_TABLE_PAGES = 8,
    SCRATCH = 0x00800000, SCRATCH_SIZE = 4u << 20,
    SCRATCH_VIEW = 0xFC000000, /* the kernel's window onto SCRATCH */
    UNBACKED = 0xC0000000,
    SANE_STACK = U_STACK_TOP - 0x100,
    ATTEMPTS = 8,
};
enum { OK, FAULT, UNSURE };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* PAE tables for the kernel's own mappings (the 32-bit ones converted). */
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd[4][512] __attribute__((aligned(4096)));
static uint64_t pae_pt[6][512] __attribute__((aligned(4096)));
static uint32_t window_pt[1024] __attribute__((aligned(4096)));

static int pae, pse;

/* Where the kernel sees physical p, or 0 if it cannot (unclaimed memory,
 * or RAM it does not map). */
static volatile uint8_t *view(uint64_t p)
{
    if (p >= PAGE_SIZE && p < 0x800000) /* (linear page 0 maps P_WRAP_LO) */
        return (volatile uint8_t *)(uint32_t)p;
    if (p - SCRATCH < SCRATCH_SIZE)
        return (volatile uint8_t *)(uint32_t)(SCRATCH_VIEW + (p - SCRATCH));
    return 0;
}

/* No RAM and no device there: above RAM, and the VGA window (bt86 has RAM
 * at 0xC0000-0xFFFFF, as PCs shadow their ROMs there). */
static int unclaimed(uint64_t p)
{
    return p >= ram_end || (p >= 0xA0000 && p < 0xC0000);
}

static uint64_t read_phys(uint64_t p, unsigned size, int *unsure)
{
    volatile uint8_t *v = view(p);
    if (!v || unclaimed(p)) {
        *unsure = 1;
        return 0;
    }
    return size == 8 ? *(volatile uint64_t *)v : *(volatile uint32_t *)v;
}

/* ---- the wild tables ---- */

/* A 4 KiB frame for a leaf entry; *safe says whether it may be writable. */
static uint64_t leaf_frame(int *safe)
{
    *safe = 1;
    switch (rng_below(8)) {
    case 0: case 1: case 2: return SCRATCH + rng_below(SCRATCH_SIZE / PAGE_SIZE) * PAGE_SIZE;
    case 3: return WILD_TABLES + rng_below(WILD_TABLE_PAGES) * PAGE_SIZE;
    case 4: return UNBACKED + (rng() & 0x0FFFF000);
    case 5: return pae && one_in(2) ? (uint64_t)(1 + rng_below(15)) << 32 : UNBACKED;
    default: *safe = 0; return 0x100000 + rng_below(0x700) * PAGE_SIZE; /* the kernel */
    }
}

static uint64_t random_flags(int safe)
{
    uint64_t f = rng() & (PG_P | PG_RW | PG_US | PG_PWT | PG_PCD | PG_A | PG_D | PG_G);
    if (!one_in(4))
        f |= PG_P;
    if (!safe)
        f &= ~(uint64_t)PG_RW;
    if (pae && one_in(16))
        f |= one_in(2) ? 1ull << 63 : 1ull << (36 + rng_below(27)); /* reserved */
    return f;
}

static void set_entry(uint32_t table, unsigned index, uint64_t v)
{
    if (pae)
        ((uint64_t *)table)[index] = v;
    else
        ((uint32_t *)table)[index] = (uint32_t)v;
}

static uint32_t wild_directory(void)
{
    return pae ? (uint32_t)pae_pd[2] : (uint32_t)kernel_pd;
}

static unsigned wild_first_index(void)
{
    return pae ? 0 : PD_INDEX(WILD_LIN);
}

static void fill_wild_tables(void)
{
    unsigned per_table = pae ? 512 : 1024;
    for (unsigned t = 0; t < WILD_TABLE_PAGES; t++)
        for (unsigned i = 0; i < per_table; i++) {
            int safe;
            uint64_t frame = leaf_frame(&safe);
            set_entry(WILD_TABLES + t * PAGE_SIZE, i, frame | random_flags(safe));
        }
    unsigned entries = WILD_SPAN >> (pae ? 21 : 22);
    for (unsigned i = 0; i < entries; i++) {
        uint64_t d;
        int safe = 1;
        switch (rng_below(8)) {
        case 0: /* a large page, maybe with reserved bits, maybe of the kernel */
        case 1: {
            /* (not 4 MiB: with PSE off that is a table in the code page,
             * which each attempt rewrites before it runs) */
            static const uint32_t frames[] = {0, SCRATCH, UNBACKED, UNBACKED + 0x400000};
            uint32_t frame = frames[rng_below(COUNT(frames))];
            safe = frame >= SCRATCH;
            /* Reserved bits only where PS counts: with PSE off they are
             * address bits of a table (0 + 1 MiB would be the kernel). */
            d = frame | PG_PS | ((pae || pse) && one_in(4) ? (rng() & 0x1FE000) : 0);
            break;
        }
        case 2: d = wild_directory(); safe = 0; break; /* the directory as a table */
        case 3: d = one_in(2) ? UNBACKED : SCRATCH + rng_below(SCRATCH_SIZE / PAGE_SIZE) * PAGE_SIZE; break;
        default: d = WILD_TABLES + rng_below(WILD_TABLE_PAGES) * PAGE_SIZE;
        }
        set_entry(wild_directory(), wild_first_index() + i, d | random_flags(safe));
    }
}

/* ---- the model ---- */

struct walk {
    int result;
    uint32_t error;
    uint64_t phys, entry[2]; /* entry[1] = the leaf (the PDE for a large page) */
    int large;
};

static uint64_t reserved_bits(int large)
{
    if (!pae)
        return large ? 0x003FE000u : 0; /* bits 21:13 without PSE-36 */
    uint64_t r = 0xFFFFFFF000000000ull; /* 63 (no NX) and 62:36 (MAXPHYADDR 36) */
    return large ? r | 0x001FE000u : r;
}

static struct walk model(uint32_t lin, int write, int user)
{
    struct walk w = {FAULT, (write ? PF_W : 0) | (user ? PF_U : 0), 0, {0, 0}, 0};
    uint64_t mask = pae ? 0x0000000FFFFFF000ull : 0xFFFFF000u;
    unsigned es = pae ? 8 : 4;
    int unsure = 0;
    uint64_t table = pae ? pdpt[lin >> 30] & mask : (uint32_t)kernel_pd;
    w.entry[0] = table + ((lin >> (pae ? 21 : 22)) & (pae ? 511 : 1023)) * es;
    uint64_t d = read_phys(w.entry[0], es, &unsure);
    if (unsure)
        return w.result = UNSURE, w;
    if (!(d & PG_P))
        return w;
    w.large = (d & PG_PS) && (pae || pse);
    if (d & reserved_bits(w.large))
        return w.error |= PF_P | PF_RSVD, w;
    uint64_t leaf = d;
    if (w.large) {
        w.entry[1] = w.entry[0];
        w.phys = (d & mask & ~(uint64_t)((pae ? 0x1FFFFF : 0x3FFFFF))) |
                 (lin & (pae ? 0x1FFFFF : 0x3FFFFF));
    } else {
        w.entry[1] = (d & mask) + ((lin >> 12) & (pae ? 511 : 1023)) * es;
        leaf = read_phys(w.entry[1], es, &unsure);
        if (unsure)
            return w.result = UNSURE, w;
        if (!(leaf & PG_P))
            return w;
        if (leaf & reserved_bits(0))
            return w.error |= PF_P | PF_RSVD, w;
        w.phys = (leaf & mask) | (lin & 0xFFF);
    }
    uint64_t both = w.large ? d : d & leaf;
    if ((user && !(both & PG_US)) || (write && !(both & PG_RW)))
        return w.error |= PF_P, w; /* CR0.WP is set: CPL 0 writes need R/W too */
    w.result = OK;
    return w;
}

/* ---- the attempts ---- */

static void use_paging(int use_pae, int use_pse)
{
    pae = use_pae;
    pse = use_pse;
    k_cr4 = (k_cr4 & ~(CR4_PAE | CR4_PSE)) | (pae ? CR4_PAE : 0) | (pse ? CR4_PSE : 0);
    k_cr3 = pae ? (uint32_t)pdpt : (uint32_t)kernel_pd;
    write_cr0(k_cr0 & ~CR0_PG);
    write_cr4(k_cr4);
    write_cr3(k_cr3);
    write_cr0(k_cr0);
}

static int check_bits(const struct walk *w, int write)
{
    int unsure = 0;
    unsigned es = pae ? 8 : 4;
    uint64_t leaf = read_phys(w->entry[1], es, &unsure);
    uint64_t dir = read_phys(w->entry[0], es, &unsure);
    if (unsure)
        return 1;
    return (dir & PG_A) && (leaf & PG_A) && (!write || (leaf & PG_D));
}

static void try_access(uint32_t round, unsigned n)
{
    static const char *const names[] = {"load", "store", "movq load", "jump"};
    int cpl = one_in(2) ? 3 : 0, kind = (int)rng_below(4), size = kind == 2 ? 8 : 4;
    uint32_t lin = WILD_LIN + (rng_below(WILD_SPAN) & ~(uint32_t)(size - 1));
    struct walk w = model(lin, kind == 1, cpl == 3);
    uint8_t first = 0;
    if (kind == 3 && w.result == OK) {
        volatile uint8_t *v = view(w.phys);
        first = v ? *v : unclaimed(w.phys) ? 0xFF : 0;
        /* At CPL 0 run only int3 (scratch) or all ones (#UD) */
        if (cpl == 0 && first != 0xCC && first != 0xFF)
            return;
    }
    if (kind == 3 && w.result == UNSURE && cpl == 0)
        return;
    attempt_reset(cpl);
    round_in.edi = SANE_STACK;
    round_in.ebx = kind == 1 ? lin - 0x100 : lin;
    round_in.edx = rng() & ~(uint32_t)PG_RW; /* as an entry: never writable */
    write_cr3(read_cr3()); /* the model has no TLB */
    static const struct snippet *const snippets[] = {&w_b, &w_store, &w_movq, &p_jump};
    uint32_t v = attempt_run(*snippets[kind], rng_below(0x1F00));
    const volatile struct round_record *r = &round_rec;
    const char *mode = pae ? "pae" : pse ? "pse" : "4k";
    if (w.result == UNSURE)
        return;
    int unsure = 0;
    uint64_t d = read_phys(w.entry[0], 8, &unsure), t = read_phys(w.entry[1], 8, &unsure);
    if (w.result == FAULT) {
        CHECK(v == V_PF && r->error == w.error && r->cr2 == lin,
              "pages %u.%u (%s) cpl %d %s at %08x: %s error %x cr2 %08x, want #PF error %x "
              "(entries %x%08x, %x%08x)",
              round, n, mode, cpl, names[kind], lin, event_name(v), r->error, r->cr2, w.error,
              (uint32_t)(d >> 32), (uint32_t)d, (uint32_t)(t >> 32), (uint32_t)t);
        return;
    }
    unsure = 0;
    uint64_t mem = unclaimed(w.phys) ? 0xFFFFFFFFFFFFFFFFull : read_phys(w.phys, 8, &unsure);
    if (unsure && !unclaimed(w.phys))
        return; /* RAM this kernel cannot see */
    int ok;
    switch (kind) {
    case 0: ok = v == V_END && r->eax == (uint32_t)mem; break;
    case 1: ok = v == V_END && (unclaimed(w.phys) || (uint32_t)mem == round_in.edx); break;
    case 2: ok = v == V_END && r->eax == (uint32_t)mem && r->edx == (uint32_t)(mem >> 32); break;
    default: /* int3 traps after it; otherwise only: no fetch fault at the target */
        ok = first == 0xCC ? v == V_BP && r->eip == lin + 1
                           : !(v == V_PF && r->cr2 == lin && r->eip == lin);
    }
    CHECK(ok, "pages %u.%u (%s) cpl %d %s at %08x -> phys %x%08x: %s eax %08x edx %08x cr2 %08x, "
          "memory %08x%08x, error %x (entries %x%08x, %x%08x)",
          round, n, mode, cpl, names[kind], lin, (uint32_t)(w.phys >> 32), (uint32_t)w.phys,
          event_name(v), r->eax, r->edx, r->cr2, (uint32_t)(mem >> 32), (uint32_t)mem, r->error,
          (uint32_t)(d >> 32), (uint32_t)d, (uint32_t)(t >> 32), (uint32_t)t);
    if (ok && v == V_END)
        CHECK(check_bits(&w, kind == 1), "pages %u.%u (%s) %s at %08x: A/D bits not set", round, n,
              mode, names[kind], lin);
}

/* PAE: a PDPTE with a reserved bit set makes mov cr3 fault (SDM vol. 3,
 * 4.4.1), and the old PDPTEs stay. */
static void try_bad_pdpte(uint32_t round)
{
    uint64_t saved = pdpt[2];
    static const uint64_t bad[] = {1u << 1, 1u << 2, 1u << 5, 1u << 8, 1ull << 40, 1ull << 63};
    pdpt[2] = saved | bad[rng_below(COUNT(bad))];
    attempt_reset(0);
    round_in.edi = SANE_STACK;
    round_in.ebx = (uint32_t)pdpt;
    uint32_t v = attempt_run(p_cr3, rng_below(0x1F00));
    CHECK(v == V_GP && round_rec.error == 0,
          "pages %u: mov cr3 with PDPTE %x%08x: %s error %x, want #GP(0)", round,
          (uint32_t)(pdpt[2] >> 32), (uint32_t)pdpt[2], event_name(v), round_rec.error);
    pdpt[2] = saved;
}

static void build_tables(void)
{
    /* 32-bit: the window onto the scratch RAM, through a table (PSE may be off) */
    for (unsigned i = 0; i < 1024; i++)
        window_pt[i] = (SCRATCH + i * PAGE_SIZE) | PG_P | PG_RW | PG_A | PG_D;
    kernel_pd[PD_INDEX(SCRATCH_VIEW)] = (uint32_t)window_pt | PG_P | PG_RW | PG_A;
    /* PAE: the kernel's 32-bit tables, two PAE tables each, and the window */
    static const struct { uint32_t lin; const uint32_t *half; } parts[] = {
        {0x00000000, 0}, {0x00200000, 0}, {0x00400000, 0}, {0x00600000, 0},
        {U_CODE, 0}, {0xFFE00000, 0},
    };
    for (unsigned p = 0; p < COUNT(parts); p++) {
        uint32_t lin = parts[p].lin;
        const uint32_t *pt = (const uint32_t *)(kernel_pd[PD_INDEX(lin)] & ~0xFFFu);
        for (unsigned i = 0; i < 512; i++)
            pae_pt[p][i] = pt[PT_INDEX(lin) + i];
        pae_pd[lin >> 30][(lin >> 21) & 511] =
            (uint32_t)pae_pt[p] | (kernel_pd[PD_INDEX(lin)] & 0xFFF);
    }
    for (unsigned i = 0; i < 2; i++)
        pae_pd[3][((SCRATCH_VIEW >> 21) & 511) + i] =
            (SCRATCH + i * (2u << 20)) | PG_PS | PG_P | PG_RW | PG_A | PG_D;
    for (unsigned i = 0; i < 4; i++)
        pdpt[i] = (uint32_t)pae_pd[i] | PG_P;
    write_cr3(read_cr3());
    for (uint32_t *p = (uint32_t *)SCRATCH_VIEW; p < (uint32_t *)(SCRATCH_VIEW + SCRATCH_SIZE); p++)
        *p = 0xCCCCCCCC; /* int3 */
}

/* variant=pdpte: only the PDPTE check, in every round. */
int pages_run(void)
{
    uint32_t rounds = opt.rounds ? opt.rounds : 200;
    int only_pdpte = opt.variant[0] == 'p';
    timer_enable(0);
    build_tables();
    for (uint32_t i = opt.first; i < opt.first + rounds; i++) {
        rng_seed(opt.seed, i);
        use_paging(one_in(3) || only_pdpte, one_in(4) == 0);
        if (only_pdpte) {
            try_bad_pdpte(i);
            continue;
        }
        fill_wild_tables();
        for (unsigned n = 0; n < ATTEMPTS; n++)
            try_access(i, n);
        if (pae && one_in(4))
            try_bad_pdpte(i);
    }
    use_paging(0, 1);
    attempt_failures += machine_intact();
    kprintf("hostile pages: seed %u: %u rounds of %u accesses, %d failures\n", opt.seed, rounds,
            ATTEMPTS, attempt_failures);
    return attempt_failures;
}
