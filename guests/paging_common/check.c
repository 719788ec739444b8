/* Check reporting (see check.h). */
#include "check.h"

#include "guest.h"
#include "idt.h"
#include "print.h"

static unsigned checks, failures, first_failure;

void check_begin(void)
{
    kprintf("#%03u ", ++checks);
}

int check_end(int ok)
{
    put_str(ok ? ": ok\n" : ": FAILED\n");
    if (!ok && failures++ == 0)
        first_failure = checks;
    return ok;
}

int check_eq(const char *what, uint32_t got, uint32_t want)
{
    check_begin();
    kprintf("%s: %08x", what, got);
    if (got != want)
        kprintf(" (want %08x)", want);
    return check_end(got == want);
}

int pf_outcome(uint32_t faulted, int want_fault, uint32_t want_error, uint32_t want_cr2)
{
    if (!faulted)
        put_str(" -> no fault");
    else
        kprintf(" -> #PF err %x cr2 %08x", pf_last.error, pf_last.cr2);
    if (!faulted != !want_fault) {
        if (want_fault)
            kprintf(" (want #PF err %x cr2 %08x)", want_error, want_cr2);
        else
            put_str(" (want no fault)");
        return 0;
    }
    if (faulted && (pf_last.error != want_error || pf_last.cr2 != want_cr2)) {
        kprintf(" (want err %x cr2 %08x)", want_error, want_cr2);
        return 0;
    }
    return 1;
}

int check_pf(const char *what, uint32_t faulted, int want_fault, uint32_t want_error,
             uint32_t want_cr2)
{
    check_begin();
    put_str(what);
    return check_end(pf_outcome(faulted, want_fault, want_error, want_cr2));
}

void check_finish(void)
{
    if (failures) {
        kprintf("FAIL: %u of %u checks failed, the first is #%03u\n", failures, checks,
                first_failure);
        exit_qemu(1);
    }
    kprintf("all %u checks passed\n", checks);
    put_str("PASS\n");
    exit_qemu(0);
}
