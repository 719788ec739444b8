/* kind=smc: code that rewrites what it is about to run, at CPL 0 and 3.
 * The code page is mapped twice (U_CODE, U_ALIAS); each snippet runs at
 * one and writes through the same or the other mapping: the imm32 of the
 * very next instruction, its opcode, an instruction 24 bytes on, the imm8
 * of an add on every pass of a loop, nops over ud2s with rep stosb and with
 * a push whose stack lies in the code. Half are placed across the page
 * boundary of the two code pages; some run again without being copied
 * anew (so they rewrite code that was rewritten before). At CPL 0 a
 * snippet also remaps the page it jumps to (PTE write, invlpg) after that
 * page's old code ran. On x86 every such store is seen by the instructions
 * after it (SDM vol. 3, 11.6): each must end with the new code's result. */
#include "attempt.h"
#include "paging.h"

SNIPPET(s_imm); SNIPPET(s_opcode); SNIPPET(s_far); SNIPPET(s_loop); SNIPPET(s_stos);
SNIPPET(s_push); SNIPPET(s_remap);

enum kind { IMM, OPCODE, LOOP, NOPS };
static const struct {
    const char *name;
    const struct snippet *s;
    enum kind kind;
    uint32_t want; /* EAX, for LOOP and NOPS */
} snippets[] = {
    {"next imm32", &s_imm, IMM, 0},      {"next opcode", &s_opcode, OPCODE, 0},
    {"imm32 24 bytes on", &s_far, IMM, 0}, {"loop rewriting its add", &s_loop, LOOP, 36},
    {"rep stosb of nops", &s_stos, NOPS, 0x600D}, {"push of nops", &s_push, NOPS, 0x900D},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { ALIAS_DELTA = U_ALIAS - U_CODE, SANE_STACK = U_STACK_TOP - 0x100 };

static uint32_t snippet_len(const struct snippet *s)
{
    return (uint32_t)(s->end - s->begin);
}

static void try_snippet(unsigned k, int cpl, uint32_t round)
{
    const struct snippet *s = snippets[k].s;
    uint32_t len = snippet_len(s);
    uint32_t offset = one_in(2) ? 0x1000 - 1 - rng_below(len - 1) : rng_below(0x2000 - len);
    int at_alias = one_in(2), via_other = one_in(2);
    uint32_t base = at_alias ? U_ALIAS : U_CODE;
    uint32_t esi = via_other ? (at_alias ? -ALIAS_DELTA : ALIAS_DELTA) : 0;
    uint32_t runs = snippets[k].kind == IMM ? 1 + rng_below(3) : 1;
    uint8_t *code = phys_ptr(P_CODE) + offset;
    for (const uint8_t *p = s->begin; p < s->end; p++)
        *code++ = *p;
    for (uint32_t run = 0; run < runs; run++) {
        attempt_reset(cpl);
        round_in.eip = base + offset;
        round_in.esi = esi;
        round_in.ebp = SANE_STACK;
        round_in.eax = rng();
        round_in.edx = rng();
        round_in.ecx = 0;
        round_rec = (struct round_record){0};
        uint32_t v = round_run();
        const volatile struct round_record *r = &round_rec;
        int ok = v == V_END;
        switch (snippets[k].kind) {
        case IMM: ok = ok && r->eax == round_in.edx; break;
        case OPCODE: ok = ok && r->ecx == 0x22222222 && r->eax == round_in.eax; break;
        default: ok = ok && r->eax == snippets[k].want;
        }
        CHECK(ok, "smc %u cpl %d: %s at %08x, written through %s (run %u): %s at %08x, eax %08x "
              "ecx %08x (edx was %08x)",
              round, cpl, snippets[k].name, base + offset, via_other ? "the alias" : "itself", run,
              event_name(v), r->eip, r->eax, r->ecx, round_in.edx);
    }
}

/* Writes `mov eax, imm32; mov esp, ebp; int 0x80` at p. */
static void put_mov_eax(uint8_t *p, uint32_t imm)
{
    const uint8_t tail[] = {0x89, 0xEC, 0xCD, 0x80};
    p[0] = 0xB8;
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(imm >> (8 * i));
    for (unsigned i = 0; i < sizeof tail; i++)
        p[5 + i] = tail[i];
}

/* CPL 0: the second code page runs its old code, then a snippet on the
 * first page points its PTE at another page and jumps there. */
static void try_remap(uint32_t round)
{
    int alias = one_in(2);
    uint32_t base = alias ? U_ALIAS : U_CODE, k = rng_below(0x1000 - 16);
    uint32_t old_imm = rng(), new_imm = rng(), other = P_SPARE;
    put_mov_eax(phys_ptr(P_CODE + 0x1000) + k, old_imm);
    put_mov_eax(phys_ptr(other) + k, new_imm);
    attempt_reset(0);
    round_in.eip = base + 0x1000 + k;
    round_in.ebp = SANE_STACK;
    round_rec = (struct round_record){0};
    uint32_t v = round_run();
    CHECK(v == V_END && round_rec.eax == old_imm, "smc %u: the old page at %08x: %s eax %08x",
          round, base + 0x1000 + k, event_name(v), round_rec.eax);

    volatile uint32_t *pte = &user_pt[PT_INDEX(base) + 1];
    uint32_t saved = *pte;
    attempt_reset(0);
    round_in.ebx = (uint32_t)pte;
    round_in.edx = other | (saved & 0xFFF);
    round_in.ecx = base + 0x1000 + k;
    round_in.ebp = SANE_STACK;
    v = attempt_run(s_remap, rng_below(0x1000 - snippet_len(&s_remap)));
    CHECK(v == V_END && round_rec.eax == new_imm,
          "smc %u: remapped %08x and jumped there: %s at %08x, eax %08x (old code %08x, new %08x)",
          round, base + 0x1000, event_name(v), round_rec.eip, round_rec.eax, old_imm, new_imm);
    *pte = saved;
    invlpg(base + 0x1000);
}

int smc_run(void)
{
    uint32_t rounds = opt.rounds ? opt.rounds : 64;
    timer_enable(0);
    for (uint32_t i = opt.first; i < opt.first + rounds; i++) {
        rng_seed(opt.seed, i);
        for (int cpl = 0; cpl <= 3; cpl += 3)
            for (unsigned k = 0; k < COUNT(snippets); k++)
                try_snippet(k, cpl, i);
        try_remap(i);
    }
    attempt_failures += machine_intact();
    kprintf("hostile smc: seed %u: %u rounds, %d failures\n", opt.seed, rounds, attempt_failures);
    return attempt_failures;
}
