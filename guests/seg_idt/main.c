/* seg_idt: the test descriptors, then the checks (see seg_idt.h). */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_idt.h"
#include "tcg_gap.h"

static int check_frame(const struct event_case *c);

int run_case(const struct event_case *c)
{
    uint32_t v = catch_at(c->cpl, c->body, c->arg);
    check_begin();
    kprintf("CPL%d %s", c->cpl, c->what);
    int ok = event_outcome(v, c->vector, c->error);
    if (v != NO_FAULT && v == c->vector)
        ok &= check_frame(c);
    return c->tcg_gap ? tcg_gap_end(ok) : check_end(ok);
}

/* The frame of the event just caught, printed and compared. */
static int check_frame(const struct event_case *c)
{
    int ok = 1;
    int has_error = catch_error() != NO_ERROR;
    uint32_t eip = catch_rec.words[has_error];
    uint32_t cs = catch_rec.words[has_error + 1] & 0xFFFF;
    uint32_t want_cs = c->cpl ? PM_UCODE : PM_KCODE;
    kprintf(", eip %08x", eip);
    if (eip != (uint32_t)c->eip) {
        kprintf(" (want %08x)", (uint32_t)c->eip);
        ok = 0;
    }
    kprintf(", cs %04x", cs);
    if (cs != want_cs) {
        kprintf(" (want %04x)", want_cs);
        ok = 0;
    }
    /* Without a privilege change the frame lies below the interrupted ESP;
     * with one it starts at the TSS's ESP0 and holds the old SS:ESP. */
    uint32_t top = c->cpl ? pm_ring0_top : pre_esp;
    uint32_t size = top - catch_rec.entry_esp;
    uint32_t want_size = (has_error ? 16 : 12) + (c->cpl ? 8 : 0);
    kprintf(", frame %u bytes", size);
    if (size != want_size) {
        kprintf(" (want %u)", want_size);
        ok = 0;
    }
    if (c->cpl) {
        uint32_t esp = catch_rec.words[has_error + 3];
        uint32_t ss = catch_rec.words[has_error + 4] & 0xFFFF;
        kprintf(", ss:esp %04x:%08x", ss, esp);
        if (ss != PM_UDATA || esp != pre_esp) {
            kprintf(" (want %04x:%08x)", PM_UDATA, pre_esp);
            ok = 0;
        }
    }
    return ok;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("seg_idt: exception and interrupt delivery through the IDT\n");
    tcg_gap_init(magic, mbi);
    pm_gdt_set(S_CODE_NP >> 3, FLAT_CODE(0) & ~((uint64_t)ACC_P << 40));
    pm_gdt_set(S_CODE_64K >> 3, seg_desc(0, 0xFFFF, ACC_P | ACC_S | ACC_CODE_XR, FL_DB));
    pm_gdt_set(S_NP_DATA >> 3, FLAT_DATA(0) & ~((uint64_t)ACC_P << 40));
    check_exceptions();
    check_gates();
    check_task_return_fault();
    tcg_gap_summary();
    check_finish();
}
