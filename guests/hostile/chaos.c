/* The chaos kinds: rounds of random code at CPL 0 ("ring0") or CPL 3
 * ("ring3"). Each round fills the code pages with random bytes and random
 * instructions (gen.c), gives the random GDT and LDT entries new contents,
 * picks registers, segments and EFLAGS, and runs until an event ends it: an
 * exception, an interrupt through a DPL-3 gate, sysenter, a call gate, a
 * task switch, or the second timer tick. At CPL 3 the kernel must survive
 * every round with its image, tables and protected pages unchanged; at
 * CPL 0 the round may wreck the machine, and only the host's fate counts. */
#include "attempt.h"
#include "gen.h"
#include "guest.h"
#include "hostile.h"
#include "print.h"

SNIPPET(r_jmp); /* rep.asm */

enum { CODE_BYTES = 0x2000, DEFAULT_ROUNDS = 2000, CHECK_EVERY = 256 };

static uint32_t pick_data_selector(int cpl)
{
    static const uint16_t user[] = {S_UDATA, S_UDATA, S_UDATA, S_UDATA, 0, S_WRAPDATA, S_DOWN,
                                    S_SMALL, S_RODATA, S_CODE16, S_UCODE, L_UDATA, S_DATA16,
                                    S_CONF0};
    if (one_in(64)) /* most of these cannot be loaded: the round ends before it starts */
        return gen_selector();
    if (cpl == 0 && one_in(2))
        return S_KDATA;
    return user[rng_below(sizeof user / sizeof user[0])];
}

static void pick_code_and_stack(int cpl, uint32_t start)
{
    round_in.eip = U_CODE + start;
    round_in.cs = cpl ? S_UCODE : S_KCODE;
    round_in.ss = cpl ? S_UDATA : S_KDATA;
    round_in.esp = U_STACK + 0x1000 + (rng_below(0xF00) & ~3u);
    switch (rng_below(cpl ? 24 : 40)) {
    case 0: if (cpl) round_in.cs = S_CODE16, round_in.eip = start; break;
    case 1: round_in.cs = cpl ? L_UCODE : S_CONF0 & ~3; break;
    case 2: round_in.cs = cpl ? S_CONF0 : S_KCODE; break;
    case 3: round_in.cs = cpl ? S_XONLY : S_KCODE; break;
    case 4: if (cpl) round_in.ss = S_DATA16; break;
    case 5: if (cpl) round_in.ss = S_DOWN; break;
    case 6: if (cpl) round_in.ss = L_UDATA; break;
    case 7: round_in.esp = gen_value(); break;
    }
}

static void new_round(int cpl)
{
    /* The code: random bytes everywhere, random instructions somewhere. */
    uint8_t *code = phys_ptr(P_CODE);
    rng_fill(code, CODE_BYTES);
    uint32_t len = 32 + rng_below(224), start = rng_below(CODE_BYTES - len);
    gen_code(code + start, U_CODE + start, len, cpl);
    if (!cpl) /* what an iret pops at CPL 0: not a virtual-8086 EFLAGS (not run yet) */
        for (uint32_t *w = (uint32_t *)phys_ptr(P_STACK); w < (uint32_t *)phys_ptr(P_STACK + 0x2000); w++)
            *w = 0;
    for (unsigned i = GDT_FIRST_RANDOM; i < GDT_ENTRIES; i++)
        gdt[i] = gen_descriptor(cpl != 0);
    for (unsigned i = LDT_FIRST_RANDOM; i < LDT_ENTRIES; i++)
        ldt[i] = gen_descriptor(cpl != 0);

    round_in.eax = gen_value();
    round_in.ecx = gen_value();
    round_in.edx = gen_value();
    round_in.ebx = gen_value();
    round_in.ebp = gen_value();
    round_in.esi = gen_value();
    round_in.edi = gen_value();
    pick_code_and_stack(cpl, start);
    round_in.eflags = gen_eflags();
    round_in.ds = pick_data_selector(cpl);
    round_in.es = pick_data_selector(cpl);
    round_in.fs = pick_data_selector(cpl);
    round_in.gs = pick_data_selector(cpl);
    round_rec = (struct round_record){0};
}

static void print_round(uint32_t i, uint32_t v)
{
    kprintf("round %u: %s", i, event_name(v));
    if (v == EV_SETUP || v == EV_NESTED)
        kprintf(" (%s)", event_name(round_rec.fault));
    kprintf(" error %x at %04x:%08x eflags %08x cr2 %08x ticks %u\n", round_rec.error,
            round_rec.cs & 0xFFFF, round_rec.eip, round_rec.eflags, round_rec.cr2,
            round_rec.ticks);
}

/* Before the rounds at CPL 3: jmp $ with EFLAGS.AC (CR0.AM is set), the
 * timer started only now, so that the host takes its very first timer
 * signals while the guest's AC is live (a host signal handler that runs with
 * it faults on the first misaligned access it makes). Two ticks end it. */
static int ac_spin(void)
{
    attempt_reset(3);
    round_in.eflags |= FLAG_AC;
    round_in.edi = U_STACK_TOP - 0x100;
    timer_enable(1);
    uint32_t v = attempt_run(r_jmp, 0);
    timer_enable(0);
    CHECK(v == V_TIMER, "jmp $ at CPL 3 with AC set: %s, want the timer", event_name(v));
    return attempt_failures;
}

int chaos_run(int cpl)
{
    uint32_t rounds = opt.rounds ? opt.rounds : DEFAULT_ROUNDS, done = 0;
    struct outcome_counts counts = {0};
    int failures = cpl && opt.first == 0 ? ac_spin() : 0;
    for (uint32_t i = opt.first; i < opt.first + rounds; i++) {
        rng_seed(opt.seed, i);
        new_round(cpl);
        if (opt.verbose)
            kprintf("round %u: starts at %04x:%08x\n", i, round_in.cs, round_in.eip);
        timer_enable(1); /* masked in between: no ticks owed from kernel time */
        uint32_t v = round_run();
        timer_enable(0);
        outcome_add(&counts, v);
        if (opt.verbose)
            print_round(i, v);
        done++;
        if (cpl && done % CHECK_EVERY == 0 && machine_intact()) {
            kprintf("after round %u\n", i);
            failures++;
            break;
        }
    }
    if (cpl && !failures)
        failures += machine_intact();
    kprintf("hostile ring%d: seed %u: %u of %u rounds completed\n", cpl, opt.seed, done, rounds);
    outcome_print(&counts);
    return failures;
}
