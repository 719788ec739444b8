/* debug_breakpoints: instruction breakpoints (SDM vol. 3, 17.2 and 17.3.1.1):
 * with DR7 enabling breakpoint n with R/W 00, executing the instruction at
 * DRn raises #DB before it runs (a fault: the pushed EIP is the
 * instruction's), with DR6.Bn set; a handler that returns with RF set in
 * the frame resumes the instruction without a second #DB, and RF clears
 * once it has run, so the next pass breaks again. A breakpoint armed by
 * the code just before it, and one on the instruction after mov ss, break
 * too (the latter as on CPUs not Intel's: Intel suppresses it while the
 * mov ss shadow lasts). A disabled breakpoint does nothing. */
#include "check.h"
#include "desc.h"
#include "guest.h"
#include "pm.h"
#include "print.h"

extern volatile uint32_t db_count, db_eip, db_dr6;
void db_handler(void);
uint32_t inc_body(void), arm_body(void), movss_body(void);
extern const uint8_t bp_inc[], bp_late[], bp_after_movss[];

static void set_dr(unsigned n, uint32_t v)
{
    switch (n) {
    case 0: __asm__ volatile("mov %0, %%dr0" : : "r"(v)); break;
    case 7: __asm__ volatile("mov %0, %%dr7" : : "r"(v)); break;
    }
}

static void run(const char *what, uint32_t (*body)(void), const uint8_t *at, unsigned want_breaks)
{
    uint32_t before = db_count;
    uint32_t ran = body();
    check_begin();
    kprintf("%s: %u #DB, the instruction ran %u time(s)", what, db_count - before, ran);
    int ok = db_count - before == want_breaks && ran == 1;
    if (want_breaks) {
        ok &= db_eip == (uint32_t)at && (db_dr6 & 0xF) == 1;
        kprintf(", at %08x, DR6 %08x", db_eip, db_dr6);
    }
    check_end(ok);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("debug_breakpoints: instruction breakpoints through DR0-DR3 and DR7\n");
    pm_idt_entry(1, db_handler, SYS_INT_GATE32, 0);
    set_dr(0, (uint32_t)bp_inc);
    run("DR7 0: no breakpoint", inc_body, bp_inc, 0);
    set_dr(7, 0x1); /* L0, R/W0 00, LEN0 00 */
    run("L0 on an instruction", inc_body, bp_inc, 1);
    run("again: RF cleared after the resumed instruction", inc_body, bp_inc, 1);
    set_dr(7, 0x2); /* G0 */
    run("G0", inc_body, bp_inc, 1);
    run("armed just before, in the same block", arm_body, bp_late, 1);
    run("after mov ss", movss_body, bp_after_movss, 1);
    set_dr(7, 0);
    run("disabled again", inc_body, bp_inc, 0);
    check_finish();
}
