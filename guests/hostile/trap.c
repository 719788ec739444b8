/* The C side of a round's events (see trap.asm): record what ended the
 * round, or resume it for the few events a kernel would resume. */
#include "guest.h"
#include "hostile.h"
#include "io.h"
#include "paging.h"
#include "print.h"

/* What trap_common leaves on the stack (pushad, data segments, its own two
 * words, the CPU's frame; esp/ss only from CPL 3). */
struct trap_frame {
    uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
    uint32_t gs, fs, es, ds;
    uint32_t vector, error, eip, cs, eflags, esp, ss;
};

struct round_regs round_in;
volatile struct round_record round_rec;
uint32_t timer_ends_below;
extern volatile uint32_t in_round, in_handler;
extern const uint8_t round_run_end[];

enum { RESUME = 0, END = 1, MAX_DEMAND = 8, MAX_RESUMES = 32 };

static void fatal(const char *what, uint32_t vector, uint32_t eip)
{
    kprintf("\nFAIL: %s: vector %x at eip %08x\n", what, vector, eip);
    exit_qemu(1);
}

/* A #PF frame whose CS is a plausible selector: not `int 14`, whose frame
 * has no error code (its "CS" would be an EFLAGS value). */
static int real_fault_frame(const struct trap_frame *f)
{
    return f->cs && f->cs < GDT_ENTRIES * 8 && !(f->cs & 4);
}

/* A first touch of the demand area maps a fresh page of random bytes. */
static int demand_fault(const struct trap_frame *f)
{
    uint32_t cr2 = read_cr2();
    if (!real_fault_frame(f) || (f->error & PF_P) || cr2 - U_DEMAND >= DEMAND_PAGES * PAGE_SIZE ||
        round_rec.demand_maps >= MAX_DEMAND)
        return 0;
    uint32_t page = (cr2 - U_DEMAND) / PAGE_SIZE;
    rng_fill(phys_ptr(P_DEMAND + page * PAGE_SIZE), PAGE_SIZE);
    map_page(U_DEMAND + page * PAGE_SIZE, P_DEMAND + page * PAGE_SIZE,
             PG_RW | PG_US | PG_A | PG_D);
    write_cr2(0);
    round_rec.demand_maps++;
    return 1;
}

uint32_t trap_dispatch(struct trap_frame *f)
{
    if (!in_round)
        fatal("an event outside a round", f->vector, f->eip);
    volatile struct round_record *r = &round_rec;
    r->vector = f->vector;
    r->error = f->error;
    r->eip = f->eip;
    r->cs = f->cs;
    r->eflags = f->eflags;
    r->esp = (f->cs & 3) ? f->esp : f->esp_pushad + 36; /* past the frame */
    r->ss = (f->cs & 3) ? f->ss : 0;
    r->cr2 = read_cr2();
    r->eax = f->eax;
    r->ecx = f->ecx;
    r->edx = f->edx;
    r->ebx = f->ebx;
    r->ebp = f->ebp;
    r->esi = f->esi;
    r->edi = f->edi;
    r->ds = f->ds & 0xFFFF;
    if (f->cs == S_KCODE && f->eip >= (uint32_t)round_run && f->eip < (uint32_t)round_run_end) {
        r->fault = f->vector; /* round_in itself could not be loaded */
        r->vector = EV_SETUP;
        return END;
    }
    switch (f->vector) {
    case V_TIMER:
        outb(0x20, 0x20);
        ++r->ticks;
        if (timer_ends_below)
            return f->ecx < timer_ends_below || r->ticks >= 50 ? END : RESUME;
        return r->ticks < 2 ? RESUME : END;
    case V_PF:
        return demand_fault(f) ? RESUME : END;
    case V_RESUME:
        if (r->resumes >= MAX_RESUMES)
            return END;
        r->resumes++;
        f->eax = ~f->eax;
        return RESUME;
    default:
        return END;
    }
}

void record_special(uint32_t event, uint32_t error)
{
    if (!in_round)
        fatal("an event outside a round", event, 0);
    round_rec.vector = event;
    round_rec.error = error;
}

void record_nested(const struct trap_frame *f)
{
    if (!in_round)
        fatal("a fault in the handler outside a round", f->vector, f->eip);
    round_rec.vector = EV_NESTED;
    round_rec.fault = f->vector;
    round_rec.error = f->error;
    round_rec.eip = f->eip;
    round_rec.cs = f->cs;
}

static const char *const exception_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9", "#TS",
    "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *event_name(uint32_t v)
{
    static char buf[8];
    if (v < 32 && exception_names[v])
        return exception_names[v];
    switch (v) {
    case V_TIMER: return "timer";
    case V_END: return "int80";
    case EV_UTASK: return "task";
    case EV_SYSENTER: return "sysenter";
    case EV_KGATE: return "callgate";
    case EV_NESTED: return "nested";
    case EV_SETUP: return "setup";
    }
    static const char hex[] = "0123456789abcdef";
    buf[0] = 'v';
    buf[1] = hex[(v >> 4) & 15];
    buf[2] = hex[v & 15];
    buf[3] = 0;
    return buf;
}

void outcome_add(struct outcome_counts *c, uint32_t v)
{
    if (v < EV_COUNT)
        c->n[v]++;
}

void outcome_print(const struct outcome_counts *c)
{
    put_str("outcomes:");
    for (uint32_t v = 0; v < EV_COUNT; v++)
        if (c->n[v])
            kprintf(" %s=%u", event_name(v), c->n[v]);
    put_char('\n');
}
