/* priv_softint: software interrupts against the gate's DPL, and what a fault
 * while delivering an event becomes (SDM vol. 2, INT n/INTO/INT3/INT1; vol.
 * 3, 6.12.1.1, 6.13, 6.15):
 *  - INT n, INT3 (CC) and INTO (CE, OF=1) through a gate with DPL < CPL
 *    raise #GP(vector*8 + 2): IDT bit set, EXT clear, reported at the
 *    instruction. For every vector, exception vectors included: a software
 *    interrupt is no exception, so that #GP is delivered as it is, never as
 *    #DF (int 8 must not shut the machine down);
 *  - INT1 (F1, ICEBP) skips the DPL check, and the exceptions of code (ud2,
 *    a #GP of hlt) ignore it too;
 *  - a gate that is not present: #NP(vector*8 + 2), with EXT set for INT1
 *    and exceptions, clear for INT n;
 *  - an exception whose delivery faults still follows the double-fault
 *    classes: contributory during contributory is #DF(0), a #NP while
 *    delivering the benign #UD is just #NP.
 * (16-bit gates and TSSs: guests/priv_286.) */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "snippet.h"
#include "tcg_gap.h"

static void not_present(unsigned vector)
{
    pm_idt_set(vector, gate_desc(PM_KCODE, pm_catch_entry(vector), ACC_DPL(0) | SYS_INT_GATE32, 0));
}

enum { ANYWHERE = 0 }; /* #DF: the saved EIP is undefined */

/* Ends a check line: runs body at cpl and compares the event and the EIP
 * it was reported at. */
static void expect_end(int cpl, body_fn body, uint32_t want_vector, uint32_t want_error, uint32_t want_eip)
{
    uint32_t v = catch_at(cpl, body, 0);
    int ok = event_outcome(v, want_vector, want_error);
    if (ok && want_vector != NO_FAULT && want_eip != ANYWHERE && catch_eip() != want_eip) {
        kprintf(", reported at %08x (want %08x)", catch_eip(), want_eip);
        ok = 0;
    }
    check_end(ok);
}

#define EXPECT(cpl, body, vector, error, eip, ...)                                                  \
    do {                                                                                           \
        check_begin();                                                                             \
        kprintf("CPL%d ", cpl);                                                                    \
        kprintf(__VA_ARGS__);                                                                      \
        expect_end(cpl, body, vector, error, eip);                                                 \
    } while (0)

static body_fn int_n(unsigned n)
{
    return SNIPPET(0xCD, (uint8_t)n);
}

static void check_dpl(void)
{
    put_str("-- CPL 3 through DPL 0 gates: #GP(vector*8+2) at the instruction\n");
    static const uint8_t vectors[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14,
                                      16, 17, 18, 19, 0x20, 0x7F, 0xFF};
    for (unsigned i = 0; i < sizeof vectors; i++) {
        body_fn b = int_n(vectors[i]);
        EXPECT(3, b, VEC_GP, vectors[i] * 8u + 2, (uint32_t)b, "int 0x%02x", vectors[i]);
    }
    body_fn b = SNIPPET(0xCC);
    EXPECT(3, b, VEC_GP, 3 * 8 + 2, (uint32_t)b, "int3 (cc)");
    b = SNIPPET(0xB0, 0x7F, 0x04, 0x01, 0xCE); /* mov al, 7f; add al, 1 (OF=1); into */
    EXPECT(3, b, VEC_GP, 4 * 8 + 2, (uint32_t)b + 4, "into (ce), OF=1");
    b = SNIPPET(0x30, 0xC0, 0xCE); /* xor al, al (OF=0); into */
    EXPECT(3, b, NO_FAULT, NO_ERROR, ANYWHERE, "into (ce), OF=0: nothing");
    b = SNIPPET(0xF1);
    EXPECT(3, b, VEC_DB, NO_ERROR, (uint32_t)b + 1, "int1 (f1): no DPL check, #DB after it");
    b = SNIPPET(0x0F, 0x0B);
    EXPECT(3, b, VEC_UD, NO_ERROR, (uint32_t)b, "ud2: an exception ignores the DPL");
    b = SNIPPET(0xF4);
    EXPECT(3, b, VEC_GP, 0, (uint32_t)b, "hlt: #GP(0) ignores the DPL");

    put_str("-- the same vectors through DPL 3 gates, and at CPL 0\n");
    static const uint8_t open[] = {0, 8, 13, 14};
    for (unsigned i = 0; i < sizeof open; i++) {
        unsigned n = open[i];
        pm_idt_catch(n, 3);
        b = int_n(n);
        EXPECT(3, b, n, NO_ERROR, (uint32_t)b + 2, "int %u, gate DPL 3", n);
        pm_idt_catch(n, 0);
        b = int_n(n);
        EXPECT(0, b, n, NO_ERROR, (uint32_t)b + 2, "int %u, gate DPL 0", n);
    }
}

static void check_not_present(void)
{
    put_str("-- gates that are not present: #NP, and no #DF for interrupts\n");
    static const uint8_t vectors[] = {0, 8, 13, 0x41};
    for (unsigned i = 0; i < sizeof vectors; i++) {
        unsigned n = vectors[i];
        not_present(n);
        body_fn b = int_n(n);
        EXPECT(0, b, VEC_NP, n * 8 + 2, (uint32_t)b, "int 0x%02x, gate not present", n);
        pm_idt_catch(n, 0);
    }
    not_present(VEC_DB);
    body_fn b = SNIPPET(0xF1);
    EXPECT(3, b, VEC_NP, VEC_DB * 8 + 3, (uint32_t)b, "int1 (f1), gate not present: EXT set");
    pm_idt_catch(VEC_DB, 0);

    not_present(VEC_UD);
    b = SNIPPET(0x0F, 0x0B);
    EXPECT(3, b, VEC_NP, VEC_UD * 8 + 3, (uint32_t)b, "ud2, gate not present: #NP, EXT set (#UD is benign)");
    pm_idt_catch(VEC_UD, 0);

    not_present(VEC_GP);
    b = SNIPPET(0xF4);
    EXPECT(3, b, VEC_DF, 0, ANYWHERE, "hlt (#GP), #GP gate not present: #DF(0)");
    pm_idt_catch(VEC_GP, 0);

    not_present(VEC_DE);
    b = SNIPPET(0x31, 0xC9, 0xF7, 0xF1); /* xor ecx, ecx; div ecx */
    EXPECT(0, b, VEC_DF, 0, ANYWHERE, "div by 0 (#DE), #DE gate not present: #DF(0)");
    pm_idt_catch(VEC_DE, 0);
}

static void check_idt_limit(void)
{
    put_str("-- beyond the IDT limit\n");
    pm_lidt(0x80 * 8 - 1);
    body_fn b = int_n(0x90);
    EXPECT(0, b, VEC_GP, 0x90 * 8 + 2, (uint32_t)b, "int 0x90, IDT limit 3ff");
    b = int_n(0x90);
    EXPECT(3, b, VEC_GP, 0x90 * 8 + 2, (uint32_t)b, "int 0x90, IDT limit 3ff");
    pm_lidt(sizeof pm_idt - 1);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_softint: software interrupts, gate DPL, faults while delivering\n");
    tcg_gap_init(magic, mbi);
    check_dpl();
    check_not_present();
    check_idt_limit();
    tcg_gap_summary();
    check_finish();
}
