/* The hostile-guest kernel (see README.md in this folder): one Multiboot
 * kernel whose command line picks a kind of attack ("kind=ring3 seed=7").
 * This header holds the machine layout every kind shares, the round
 * mechanism (run guest code at CPL 0 or 3 until some event ends it, then
 * put the machine back together) and the seeded random source. */
#pragma once
#include <stdint.h>

#include "desc.h"

/* ---- physical pages (RAM between 4 and 8 MiB, identity-mapped for the
 * kernel, supervisor-only) ---- */
enum {
    P_CODE = 0x00400000,   /* 2 pages: the round's code */
    P_DATA = 0x00402000,   /* 4 pages */
    P_RO = 0x00406000,     /* a page user code may read only */
    P_STACK = 0x00407000,  /* 2 pages: the round's stack */
    P_WRAP_HI = 0x00409000, /* mapped at 0xFFFFF000 */
    P_WRAP_LO = 0x0040A000, /* mapped at 0x00000000 */
    P_CANARY = 0x0040B000, /* supervisor page with a pattern user code must not change */
    P_TRAP = 0x0040C000,   /* a page of int3 */
    P_DEMAND = 0x00410000, /* DEMAND_PAGES pages handed out on #PF */
    P_SPARE = 0x00440000,  /* free for the targeted kinds (up to 8 MiB) */
    P_UNBACKED = 0xF0000000, /* no RAM and no device: open bus */
    DEMAND_PAGES = 16,
};

/* ---- linear layout (PDE 0x100 holds the user area) ---- */
enum {
    U_CODE = 0x40000000,   /* P_CODE, user RW: rounds run here (and may rewrite it) */
    U_CODE_END = 0x40002000, /* not present: running off the end is #PF */
    U_ALIAS = 0x40010000,  /* P_CODE again, user RW */
    U_DATA = 0x40020000,   /* P_DATA, 4 pages user RW */
    U_RO = 0x40024000,     /* P_RO, user read-only */
    U_STACK = 0x40030000,  /* P_STACK, 2 pages user RW */
    U_STACK_TOP = 0x40032000,
    U_DEMAND = 0x40040000, /* not present until touched: #PF maps P_DEMAND pages */
    U_OPENBUS = 0x40050000, /* P_UNBACKED, user RW */
    U_CANARY = 0x40051000, /* P_CANARY, supervisor */
    U_TRAP = 0x40058000,   /* P_TRAP (int3 everywhere), user read-only */
    U_AREA_END = 0x40060000,
    WRAP_HI = 0xFFFFF000,  /* P_WRAP_HI, user RW */
    WRAP_LO = 0x00000000,  /* P_WRAP_LO, user RW */
};

/* ---- GDT ---- */
enum {
    S_KCODE = 0x08,
    S_KDATA = 0x10,
    S_UCODE = 0x18 | 3,
    S_UDATA = 0x20 | 3,
    S_TSS = 0x28,
    S_DF_TSS = 0x30,      /* #DF task */
    S_UTASK_TSS = 0x38 | 3, /* DPL 3: user code may jump to it */
    S_TINY_GATE = 0x40 | 3, /* DPL 3 task gate to S_TINY_TSS */
    S_TINY_TSS = 0x48 | 3, /* TSS whose limit is below 0x67: #TS */
    S_KGATE = 0x50 | 3,    /* DPL 3 call gate to ring 0 */
    S_WRAPDATA = 0x58 | 3, /* base 0xFFFFF000, limit 4 GiB */
    S_DOWN = 0x60 | 3,     /* expand-down, limit 0xFFF */
    S_SMALL = 0x68 | 3,    /* base U_DATA, limit 0xFFF */
    S_CODE16 = 0x70 | 3,   /* 16-bit code at U_CODE */
    S_CONF0 = 0x78 | 3,    /* conforming code, DPL 0 */
    S_RODATA = 0x80 | 3,
    S_ABSENT = 0x88 | 3,   /* not present */
    S_XONLY = 0x90 | 3,    /* execute-only code */
    S_DPL2 = 0x98 | 2,
    S_LDT = 0xA0,
    S_UGATE = 0xA8 | 3,    /* DPL 3 call gate to ring 3, 2 parameters */
    S_DATA16 = 0xB0 | 3,   /* 16-bit (B=0) data, for SS */
    GDT_FIRST_RANDOM = 23, /* entries from here on are random each round */
    GDT_ENTRIES = 32,
    L_UCODE = 0x08 | 4 | 3, /* LDT entries */
    L_UDATA = 0x10 | 4 | 3,
    LDT_FIRST_RANDOM = 3,
    LDT_ENTRIES = 8,
};

/* ---- vectors and the pseudo-vectors of events that are not interrupts ---- */
enum {
    V_DE = 0, V_DB = 1, V_BP = 3, V_OF = 4, V_UD = 6, V_NM = 7, V_DF = 8, V_TS = 10,
    V_NP = 11, V_SS = 12, V_GP = 13, V_PF = 14, V_AC = 17, V_TIMER = 0x20,
    V_END = 0x80,         /* DPL 3: ends the round */
    V_RESUME = 0x81,      /* DPL 3 trap gate: returns to the caller */
    V_UTASK_GATE = 0x90,  /* DPL 3 task gate to the user task */
    V_ABSENT_FIRST = 0xF0, /* 0xF0-0xF7: DPL 3, not present */
    EV_UTASK = 0x101,     /* the user task ran */
    EV_SYSENTER = 0x102,
    EV_KGATE = 0x103,     /* the ring-0 call gate ran */
    EV_NESTED = 0x104,    /* a fault inside the handler itself */
    EV_SETUP = 0x105,     /* the round could not start (its state faulted) */
    EV_COUNT = 0x106,
};

/* What a round starts with. Selectors with RPL 3 in cs mean CPL 3. */
struct round_regs {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t eip, cs, eflags, ss, ds, es, fs, gs;
};

/* How it ended: the vector or EV_*, the error code, the interrupted frame
 * (from the stub's view: an `int n` of an exception vector that has an
 * error code shifts these), CR2, the registers; for EV_SETUP and EV_NESTED
 * `fault` is the vector that ended it. */
struct round_record {
    uint32_t vector, error, eip, cs, eflags, esp, ss, cr2, fault;
    uint32_t eax, ecx, edx, ebx, ebp, esi, edi, ds;
    uint32_t ticks, demand_maps, resumes;
};

extern struct round_regs round_in;
extern volatile struct round_record round_rec;

/* A timer tick resumes the round once and ends it the second time; if this
 * is not 0, a tick ends it once ECX is below this value (or at the 50th). */
extern uint32_t timer_ends_below;

/* Runs round_in; returns the vector (or EV_*) that ended it, with the
 * machine as the kernel set it up again (rescue_c). */
uint32_t round_run(void);

/* ---- the machine (machine.c) ---- */
enum hostile_kind { K_RING0, K_RING3, K_WRAP, K_PAGES, K_DESC, K_SMC, K_REP };
extern enum hostile_kind hostile_kind;

extern volatile uint64_t gdt[GDT_ENTRIES], ldt[LDT_ENTRIES], idt[256];
extern uint32_t kernel_pd[1024], user_pt[1024];
/* The control registers every rescue loads (a kind may change them). */
extern uint32_t k_cr0, k_cr3, k_cr4;
/* Where RAM ends (Multiboot's upper memory): memory above it is unclaimed. */
extern uint32_t ram_end;

/* Sets up GDT, LDT, IDT, TSSs, paging (CR0.WP, CR0.AM), the PIC, the
 * SYSENTER MSRs; remembers all of it for rescue_c. */
void machine_init(void);
/* The current GDT/LDT become what every rescue restores. */
void machine_commit_tables(void);
/* Maps `lin` to `phys` (flags PG_*; 0 = not present) in the kernel's page
 * tables (the PDE must exist) and drops the TLB entry. */
void map_page(uint32_t lin, uint32_t phys, uint32_t flags);
/* Identity-mapped kernel pointer to a physical page below 8 MiB. */
static inline uint8_t *phys_ptr(uint32_t p) { return (uint8_t *)p; }
/* 0 when the kernel image, the tables and the canary are as machine_init
 * left them; else prints what changed and returns 1. */
int machine_intact(void);
/* Masks or unmasks the timer (IRQ0); the first unmask starts the PIT
 * (1 kHz). Unmasked only while a round runs: the PIC owes ticks that came
 * while it was unmasked but not taken, and would deliver them all at the
 * start of the next round. */
void timer_enable(int on);

/* ---- the seeded random source (xorshift128) ---- */
extern uint32_t rng_state[4];
void rng_seed(uint32_t seed, uint32_t stream);
static inline uint32_t rng(void)
{
    uint32_t t = rng_state[3], s = rng_state[0];
    rng_state[3] = rng_state[2];
    rng_state[2] = rng_state[1];
    rng_state[1] = s;
    t ^= t << 11;
    t ^= t >> 8;
    rng_state[0] = t ^ s ^ (s >> 19);
    return rng_state[0];
}
static inline uint32_t rng_below(uint32_t n) { return n ? rng() % n : 0; }
/* 1 with probability 1/n. */
static inline int one_in(uint32_t n) { return rng_below(n) == 0; }
void rng_fill(uint8_t *p, uint32_t n);

/* ---- the command line ---- */
struct options {
    uint32_t seed, rounds, first; /* rounds first .. first+rounds-1 */
    int verbose;
    const char *variant;          /* kind-specific ("variant=...") */
};
extern struct options opt;

/* The kinds. Each returns the number of failures. */
int chaos_run(int cpl);
int wrap_run(void);
int pages_run(void);
int desc_run(void);
int smc_run(void);
int rep_run(void);

/* Names an outcome ("#PF", "timer", ...). */
const char *event_name(uint32_t v);
/* Counts outcomes per vector and prints them in one line. */
struct outcome_counts { uint32_t n[EV_COUNT]; };
void outcome_add(struct outcome_counts *c, uint32_t v);
void outcome_print(const struct outcome_counts *c);
