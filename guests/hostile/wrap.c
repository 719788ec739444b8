/* kind=wrap: escape attempts at the 4 GiB boundary, at CPL 0 and CPL 3.
 * Linear 0xFFFFF000 and 0 are mapped (P_WRAP_HI, P_WRAP_LO, random
 * bytes); every access below lands near them through another addressing
 * form, and must read or write the bytes at the wrapped linear addresses:
 *  - every 32-bit form (base, base+disp8/32, base+index*scale+disp, index
 *    only, absolute, EBP and ESP bases through SS), 16-bit addressing and
 *    FS with a segment base of 0xFFFFF000, loads of 1, 2, 4 and 8 bytes,
 *    stores, read-modify-write, push/pop of memory, push/pop/call at an ESP
 *    near the wrap, bt/bts whose register bit offset reaches across it (or
 *    into an unmapped page: #PF at the wrapped address), movs and lods;
 *  - instructions placed across 0xFFFFFFFF, a jump and a call across it;
 *  - at CPL 0, a GDT and an IDT whose entries lie across the wrap.
 * An access whose bytes straddle 0xFFFFFFFF may instead raise #GP(0) or
 * #SS(0) (SDM vol. 3, 5.3: with a 4 GiB limit such accesses "may or may
 * not" fault), leaving memory unchanged; anything else is a FAIL. The seed
 * picks targets, register splits and data. */
#include "attempt.h"
#include "paging.h"

SNIPPET(w_b); SNIPPET(w_bd8); SNIPPET(w_bdm8); SNIPPET(w_bd32); SNIPPET(w_bi4);
SNIPPET(w_bi8d32); SNIPPET(w_i2d32); SNIPPET(w_abs); SNIPPET(w_bp); SNIPPET(w_sp);
SNIPPET(w_a16); SNIPPET(w_fs); SNIPPET(w_byte); SNIPPET(w_word); SNIPPET(w_store);
SNIPPET(w_rmw); SNIPPET(w_pushm); SNIPPET(w_popm); SNIPPET(w_cx8); SNIPPET(w_movq);
SNIPPET(w_push); SNIPPET(w_pop); SNIPPET(w_call); SNIPPET(w_bt); SNIPPET(w_bts);
SNIPPET(w_movs); SNIPPET(w_lods); SNIPPET(w_lgdt); SNIPPET(w_lidt);

enum op { LOAD, LOAD8, STORE, RMW, PUSH, POP, CALL };
enum base { B_EBX, B_EBP, B_ESP, B_NONE };
enum seg { FLAT, DS_WRAP16, FS_WRAP };

static const struct form {
    const char *name;
    const struct snippet *s;
    enum base base;
    uint32_t scale, disp;
    enum seg seg;
    uint8_t size;
    enum op op;
} forms[] = {
    {"[ebx]", &w_b, B_EBX, 0, 0, FLAT, 4, LOAD},
    {"[ebx+0x7f]", &w_bd8, B_EBX, 0, 0x7F, FLAT, 4, LOAD},
    {"[ebx-0x80]", &w_bdm8, B_EBX, 0, (uint32_t)-0x80, FLAT, 4, LOAD},
    {"[ebx+0x40000000]", &w_bd32, B_EBX, 0, 0x40000000, FLAT, 4, LOAD},
    {"[ebx+esi*4]", &w_bi4, B_EBX, 4, 0, FLAT, 4, LOAD},
    {"[ebx+esi*8+0x12345678]", &w_bi8d32, B_EBX, 8, 0x12345678, FLAT, 4, LOAD},
    {"[esi*2+0x7ffffff0]", &w_i2d32, B_NONE, 2, 0x7FFFFFF0, FLAT, 4, LOAD},
    {"[0xfffffffc]", &w_abs, B_NONE, 0, 0xFFFFFFFC, FLAT, 4, LOAD},
    {"[ebp+esi+0x10]", &w_bp, B_EBP, 1, 0x10, FLAT, 4, LOAD},
    {"[esp+esi*4+0x20]", &w_sp, B_ESP, 4, 0x20, FLAT, 4, LOAD},
    {"a16 [bx+si+0x10], DS base 0xfffff000", &w_a16, B_EBX, 1, 0x10, DS_WRAP16, 4, LOAD},
    {"fs:[ebx+esi], FS base 0xfffff000", &w_fs, B_EBX, 1, 0, FS_WRAP, 4, LOAD},
    {"byte [ebx+esi]", &w_byte, B_EBX, 1, 0, FLAT, 1, LOAD},
    {"word [ebx+esi*2+3]", &w_word, B_EBX, 2, 3, FLAT, 2, LOAD},
    {"store [ebx+esi*4+0x100]", &w_store, B_EBX, 4, 0x100, FLAT, 4, STORE},
    {"add [ebx+0x7f]", &w_rmw, B_EBX, 0, 0x7F, FLAT, 4, RMW},
    {"push [ebx+esi]", &w_pushm, B_EBX, 1, 0, FLAT, 4, LOAD},
    {"pop [ebx+esi]", &w_popm, B_EBX, 1, 0, FLAT, 4, STORE},
    {"cmpxchg8b [ebx]", &w_cx8, B_EBX, 0, 0, FLAT, 8, LOAD8},
    {"movq xmm0, [ebx+esi]", &w_movq, B_EBX, 1, 0, FLAT, 8, LOAD8},
    {"push at esp", &w_push, B_ESP, 0, 0, FLAT, 4, PUSH},
    {"pop at esp", &w_pop, B_ESP, 0, 0, FLAT, 4, POP},
    {"call at esp", &w_call, B_ESP, 0, 0, FLAT, 4, CALL},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { SANE_STACK = U_STACK_TOP - 0x100, WRAP_BASE = WRAP_HI };

/* The byte at a linear address in the two wrap pages (kernel view). */
static volatile uint8_t *lin_byte(uint32_t lin)
{
    return lin >= WRAP_HI ? phys_ptr(P_WRAP_HI) + (lin & 0xFFF) : phys_ptr(P_WRAP_LO) + lin;
}

static uint32_t read_lin(uint32_t lin, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && i < 4; i++)
        v |= (uint32_t)*lin_byte(lin + i) << (8 * i);
    return v;
}

static void write_lin(uint32_t lin, const void *bytes, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        *lin_byte(lin + i) = ((const uint8_t *)bytes)[i];
}

static int straddles(uint32_t lin, unsigned size)
{
    return lin > 0xFFFFFFFFu - (size - 1);
}

/* A target for an access of `size`: in the last or first 16 bytes, or
 * across the wrap. */
static uint32_t pick_target(unsigned size, int allow_straddle)
{
    uint32_t r = rng_below(allow_straddle && size > 1 ? 10 : 7);
    if (r < 4)
        return 0xFFFFFFF0 + rng_below(16 - size + 1);
    if (r < 7)
        return rng_below(16);
    return 0xFFFFFFFF - rng_below(size - 1);
}

/* A straddling access may fault with #GP(0) or #SS(0) instead; 1 if so. */
static int allowed_fault(uint32_t v, uint32_t lin, unsigned size)
{
    return straddles(lin, size) && (v == V_GP || v == V_SS) && round_rec.error == 0;
}

static void try_form(const struct form *f, int cpl, uint32_t round)
{
    int stack_op = f->op == PUSH || f->op == POP || f->op == CALL || f->base == B_ESP;
    /* At CPL 0 a fault at a straddling ESP would straddle again while the
     * CPU pushes its frame: stack forms straddle only at CPL 3. */
    uint32_t t = f->base == B_NONE && !f->scale ? f->disp
                 : pick_target(f->size, !(stack_op && cpl == 0));
    attempt_reset(cpl);
    round_in.edi = SANE_STACK;
    uint32_t index = f->base == B_EBP || f->base == B_ESP ? rng_below(8) : rng();
    if (f->base == B_NONE && f->scale) { /* index * scale + disp must be t */
        t -= (t - f->disp) % f->scale;
        index = (t - f->disp) / f->scale + rng() * (0x80000000u / f->scale * 2);
    }
    uint32_t base = t - index * f->scale - f->disp;
    if (f->seg == FS_WRAP) {
        round_in.fs = S_WRAPDATA;
        base -= WRAP_BASE;
    } else if (f->seg == DS_WRAP16) {
        round_in.ds = S_WRAPDATA;
        uint32_t off16 = t - WRAP_BASE; /* < 0x10000 for every target */
        index = (rng() & 0xFFFF0000) | (index & 0xFFFF);
        base = (rng() & 0xFFFF0000) | ((off16 - index - f->disp) & 0xFFFF);
    }
    round_in.esi = index;
    round_in.edx = rng();
    if (f->base == B_EBX) round_in.ebx = base;
    if (f->base == B_EBP) round_in.ebp = base;
    if (f->base == B_ESP) round_in.ebp = base; /* the snippet moves it to ESP */
    if (f->op == PUSH || f->op == CALL) round_in.ebp = t + 4;
    if (f->op == POP) round_in.ebp = t;
    uint32_t before_lo = read_lin(t, 4), before_hi = read_lin(t + 4, 4);
    if (f->op == LOAD8) { /* cmpxchg8b: never equal, so it loads */
        round_in.eax = ~before_lo;
        round_in.edx = ~before_hi;
    }
    uint32_t offset = rng_below(0x1F00);
    uint32_t v = attempt_run(*f->s, offset);
    const volatile struct round_record *r = &round_rec;
    uint32_t after = read_lin(t, f->size);
    if (allowed_fault(v, t, f->size)) {
        CHECK(read_lin(t, 4) == before_lo && read_lin(t + 4, 4) == before_hi,
              "wrap %u cpl %d %s at %08x: faulted (%s) but memory changed", round, cpl, f->name, t,
              event_name(v));
        return;
    }
    CHECK(v == V_END, "wrap %u cpl %d %s at %08x: %s error %x at %08x (cr2 %08x)", round, cpl,
          f->name, t, event_name(v), r->error, r->eip, r->cr2);
    if (v != V_END)
        return;
    uint32_t mask = f->size >= 4 ? 0xFFFFFFFF : (1u << (8 * f->size)) - 1;
    switch (f->op) {
    case LOAD:
        CHECK(r->eax == (before_lo & mask), "wrap %u cpl %d %s at %08x: read %08x, memory %08x",
              round, cpl, f->name, t, r->eax, before_lo & mask);
        break;
    case LOAD8:
        CHECK(r->eax == before_lo && r->edx == before_hi,
              "wrap %u cpl %d %s at %08x: read %08x:%08x, memory %08x:%08x", round, cpl, f->name,
              t, r->edx, r->eax, before_hi, before_lo);
        break;
    case STORE:
        CHECK(after == round_in.edx, "wrap %u cpl %d %s at %08x: memory %08x, stored %08x",
              round, cpl, f->name, t, after, round_in.edx);
        break;
    case RMW:
        CHECK(after == before_lo + round_in.edx && r->eax == after,
              "wrap %u cpl %d %s at %08x: memory %08x eax %08x, want %08x", round, cpl, f->name,
              t, after, r->eax, before_lo + round_in.edx);
        break;
    case PUSH:
    case CALL: {
        uint32_t want = f->op == PUSH ? round_in.edx : U_CODE + offset + 2 + 5; /* mov esp, ebp; call */
        CHECK(after == want && r->ecx == t, "wrap %u cpl %d %s: memory %08x esp %08x, want %08x %08x",
              round, cpl, f->name, after, r->ecx, want, t);
        break;
    }
    case POP:
        CHECK(r->eax == before_lo && r->ecx == t + 4,
              "wrap %u cpl %d %s: eax %08x esp %08x, want %08x %08x", round, cpl, f->name, r->eax,
              r->ecx, before_lo, t + 4);
        break;
    }
}

/* bt/bts with a register bit offset: the dword at ebx + 4 * (esi sar 5). */
static void try_bit(int cpl, int set, uint32_t round)
{
    static const uint32_t unmapped[] = {0xF0000010, 0x10000000, 0x80000ffc, 0xFFC00000};
    int far = one_in(4);
    uint32_t t = far ? unmapped[rng_below(COUNT(unmapped))] : pick_target(4, 0) & ~3u;
    int32_t k = (int32_t)(rng() >> 5) - (1 << 26); /* dwords from EBX, either way */
    attempt_reset(cpl);
    round_in.edi = SANE_STACK;
    round_in.esi = ((uint32_t)k << 5) | rng_below(32);
    round_in.ebx = t - 4 * (uint32_t)k;
    uint32_t bit = round_in.esi & 31, before = far ? 0 : read_lin(t, 4);
    uint32_t v = attempt_run(set ? w_bts : w_bt, rng_below(0x1F00));
    const char *name = set ? "bts" : "bt";
    if (far) {
        CHECK(v == V_PF && round_rec.cr2 - t < 4,
              "wrap %u cpl %d %s [%08x], %08x -> %08x: %s cr2 %08x, want #PF there", round, cpl,
              name, round_in.ebx, round_in.esi, t, event_name(v), round_rec.cr2);
        return;
    }
    uint32_t after = read_lin(t, 4), want_after = set ? before | 1u << bit : before;
    CHECK(v == V_END && round_rec.eax == ((before >> bit) & 1) && after == want_after,
          "wrap %u cpl %d %s [%08x], %08x -> %08x bit %u: %s cf %u memory %08x, want cf %u %08x",
          round, cpl, name, round_in.ebx, round_in.esi, t, bit, event_name(v), round_rec.eax,
          after, (before >> bit) & 1, want_after);
}

static void try_strings(int cpl, uint32_t round)
{
    int down = one_in(2), into_wrap = one_in(2);
    uint32_t n = 1 + rng_below(32), t = pick_target(1, 0);
    uint32_t buf = U_DATA + 0x100 + rng_below(0x100), buf_phys = P_DATA + (buf - U_DATA);
    attempt_reset(cpl);
    if (down)
        round_in.eflags |= FLAG_DF;
    round_in.ecx = n;
    round_in.esi = into_wrap ? buf : t;
    round_in.edi = into_wrap ? t : buf;
    uint8_t src[32];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = round_in.esi + (down ? -i : i);
        src[i] = into_wrap ? phys_ptr(buf_phys)[s - buf] : *lin_byte(s);
    }
    uint32_t v = attempt_run(w_movs, rng_below(0x1F00));
    uint32_t step = down ? -n : n;
    int ok = v == V_END && round_rec.ecx == 0 && round_rec.esi == round_in.esi + step &&
             round_rec.edi == round_in.edi + step;
    for (uint32_t i = 0; ok && i < n; i++) {
        uint32_t d = round_in.edi + (down ? -i : i);
        ok = src[i] == (into_wrap ? *lin_byte(d) : phys_ptr(buf_phys)[d - buf]);
    }
    CHECK(ok, "wrap %u cpl %d rep movsb esi %08x edi %08x ecx %u df %d: %s ecx %u", round, cpl,
          round_in.esi, round_in.edi, n, down, event_name(v), round_rec.ecx);

    t = pick_target(4, 1);
    attempt_reset(cpl);
    round_in.esi = t;
    uint32_t before = read_lin(t, 4);
    v = attempt_run(w_lods, rng_below(0x1F00));
    CHECK(allowed_fault(v, t, 4) || (v == V_END && round_rec.eax == before),
          "wrap %u cpl %d lodsd at %08x: %s eax %08x, memory %08x", round, cpl, t, event_name(v),
          round_rec.eax, before);
}

/* Code across the wrap, written byte by byte: each piece ends in
 * `mov esp, edi; int 0x80`. */
static const uint8_t END_BYTES[] = {0x89, 0xFC, 0xCD, 0x80};

static void place(uint32_t lin, const uint8_t *bytes, unsigned n)
{
    write_lin(lin, bytes, n);
    write_lin(lin + n, END_BYTES, sizeof END_BYTES);
}

static uint32_t run_at(uint32_t eip)
{
    round_in.edi = SANE_STACK;
    round_in.eip = eip;
    round_rec = (struct round_record){0};
    return round_run();
}

static void try_fetch(int cpl, uint32_t round)
{
    uint32_t imm = rng();
    uint8_t mov[5] = {0xB8, (uint8_t)imm, (uint8_t)(imm >> 8), (uint8_t)(imm >> 16),
                      (uint8_t)(imm >> 24)};
    /* mov eax, imm32 across the wrap, after nops (its last byte at 0..3) */
    uint32_t at = 0xFFFFFFFC + rng_below(4);
    for (uint32_t p = 0xFFFFFFF0; p != at; p++)
        *lin_byte(p) = 0x90;
    place(at, mov, 5);
    attempt_reset(cpl);
    uint32_t v = run_at(0xFFFFFFF0);
    CHECK((v == V_GP && round_rec.error == 0) || (v == V_END && round_rec.eax == imm),
          "wrap %u cpl %d: mov eax, imm32 at %08x: %s eax %08x", round, cpl, at, event_name(v),
          round_rec.eax);

    /* jmp rel32 from 0x10 to 0xFFFFFFF0: nothing crosses, so it must run */
    uint32_t rel = 0xFFFFFFF0 - 0x15;
    uint8_t jmp[5] = {0xE9, (uint8_t)rel, (uint8_t)(rel >> 8), (uint8_t)(rel >> 16),
                      (uint8_t)(rel >> 24)};
    write_lin(0x10, jmp, 5);
    place(0xFFFFFFF0, mov, 5);
    attempt_reset(cpl);
    v = run_at(0x10);
    CHECK(v == V_END && round_rec.eax == imm, "wrap %u cpl %d: jmp from 0x10 to 0xfffffff0: %s eax %08x",
          round, cpl, event_name(v), round_rec.eax);

    /* call rel32 at 0xFFFFFFF0 to 0x20, which pops its return address */
    uint8_t call[5] = {0xE8, 0x2B, 0, 0, 0}, pop[1] = {0x58};
    write_lin(0xFFFFFFF0, call, 5);
    place(0x20, pop, 1);
    attempt_reset(cpl);
    v = run_at(0xFFFFFFF0);
    CHECK(v == V_END && round_rec.eax == 0xFFFFFFF5,
          "wrap %u cpl %d: call from 0xfffffff0 to 0x20: %s, return address %08x", round, cpl,
          event_name(v), round_rec.eax);
}

/* CPL 0: descriptor tables whose entries lie across the wrap. */
static void try_tables(uint32_t round)
{
    static const uint32_t gdt_bases[] = {0xFFFFFFF8, 0xFFFFFFF4, 0xFFFFFFE8, 0xFFFFFFFC};
    uint32_t gbase = gdt_bases[rng_below(COUNT(gdt_bases))];
    uint64_t code = gdt[S_KCODE >> 3], data = gdt[S_KDATA >> 3];
    uint64_t odd = seg_desc(0, 0x12345, ACC_P | ACC_S | ACC_DATA_RW | ACC_ACCESSED, 0);
    write_lin(gbase + 8, &code, 8);
    write_lin(gbase + 16, &data, 8);
    write_lin(gbase + 24, &odd, 8);
    struct dtr image = {0x1F, gbase};
    uint32_t image_lin = U_DATA + 0x800;
    *(volatile struct dtr *)phys_ptr(P_DATA + 0x800) = image;
    attempt_reset(0);
    round_in.edi = SANE_STACK;
    round_in.ebx = image_lin;
    uint32_t v = attempt_run(w_lgdt, rng_below(0x1F00));
    CHECK(v == V_END && round_rec.eax == 0x5A && round_rec.ecx == 0x12345 &&
              (round_rec.edx & 0xFF) == 1,
          "wrap %u: GDT at %08x: %s eax %08x, lsl %08x zf %u", round, gbase, event_name(v),
          round_rec.eax, round_rec.ecx, round_rec.edx & 0xFF);

    /* the gate of vector 1 at G: in the last page, at 0, or across */
    static const uint32_t gates[] = {0xFFFFFFF8, 0, 0xFFFFFFFC, 0xFFFFFFFE, 0xFFFFFFF9};
    uint32_t g = gates[rng_below(COUNT(gates))];
    uint64_t gate = idt[V_DB];
    write_lin(g, &gate, 8);
    *(volatile struct dtr *)phys_ptr(P_DATA + 0x800) = (struct dtr){0xFF, g - 8};
    attempt_reset(0);
    round_in.ebx = image_lin;
    v = attempt_run(w_lidt, rng_below(0x1F00));
    CHECK(v == V_DB, "wrap %u: int 1 through an IDT gate at %08x: %s", round, g, event_name(v));
}

int wrap_run(void)
{
    uint32_t rounds = opt.rounds ? opt.rounds : 64;
    timer_enable(0);
    for (uint32_t i = opt.first; i < opt.first + rounds; i++) {
        rng_seed(opt.seed, i);
        for (int cpl = 0; cpl <= 3; cpl += 3) {
            for (unsigned f = 0; f < COUNT(forms); f++)
                try_form(&forms[f], cpl, i);
            try_bit(cpl, 0, i);
            try_bit(cpl, 1, i);
            try_strings(cpl, i);
            try_fetch(cpl, i);
        }
        try_tables(i);
    }
    attempt_failures += machine_intact();
    kprintf("hostile wrap: seed %u: %u rounds of %u attempts, %d failures\n", opt.seed, rounds,
            (unsigned)(2 * (COUNT(forms) + 8) + 2), attempt_failures);
    return attempt_failures;
}
