/* Reading CS, SS and the system registers without privilege:
 *  - mov r, CS/SS and push CS/SS give the selector, whose RPL is the CPL;
 *    with a 32-bit destination the upper half is zero on P6 and later but
 *    implementation dependent in general, and a 32-bit push of a segment
 *    register may leave the upper half of the stack slot alone (vol. 2,
 *    MOV and PUSH): those halves are printed only;
 *  - sgdt, sidt, sldt, str and smsw work at CPL 3 (CR4.UMIP=0) and return
 *    what the kernel loaded; str to a 32-bit register clears the upper
 *    half; sldt's and smsw's upper halves are implementation dependent;
 *    16-bit and memory forms leave the rest of the destination alone;
 *  - with CR4.UMIP=1 they raise #GP(0) at CPL 3 (where CPUID has UMIP). */
#include "check.h"
#include "fault_check.h"
#include "paging.h"
#include "pm.h"
#include "print.h"
#include "priv_aliasing.h"

static void check_low(int cpl, const char *what, body_fn body, uint32_t want_low, int upper_kept)
{
    if (!run_quiet(cpl, body, 0, what))
        return;
    uint32_t got = catch_ret;
    check_begin();
    kprintf("CPL%d %s: %08x", cpl, what, got);
    int ok = (got & 0xFFFF) == want_low;
    if (upper_kept)
        ok &= (got >> 16) == 0xDEAD;
    if (!ok)
        kprintf(" (want %s%04x)", upper_kept ? "dead" : "....", want_low);
    check_end(ok);
    if (!upper_kept && ok)
        NOTE("upper half %04x (implementation dependent)", got >> 16);
}

static void check_dtr(int cpl, const char *what, body_fn body, uint16_t limit, uint32_t base)
{
    if (!run_quiet(cpl, body, 0, what))
        return;
    struct dtr got;
    for (unsigned i = 0; i < sizeof got; i++)
        ((uint8_t *)&got)[i] = dt_buf[i];
    check_begin();
    kprintf("CPL%d %s: limit %04x base %08x", cpl, what, got.limit, got.base);
    int ok = got.limit == limit && got.base == base;
    if (!ok)
        kprintf(" (want %04x %08x)", limit, base);
    check_end(ok);
}

static uint32_t cpuid7_ecx(void)
{
    uint32_t a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    if (a < 7)
        return 0;
    a = 7;
    c = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return c;
}

static void check_umip(void)
{
    enum { CPUID7_UMIP = 1u << 2, CR4_UMIP = 1u << 11 };
    if (!(cpuid7_ecx() & CPUID7_UMIP)) {
        put_str("no UMIP: CR4.UMIP checks skipped\n");
        return;
    }
    put_str("-- CR4.UMIP=1\n");
    write_cr4(read_cr4() | CR4_UMIP);
    static const struct {
        const char *what;
        body_fn body;
    } insns[] = {{"sgdt", do_sgdt}, {"sidt", do_sidt}, {"sldt", sldt16}, {"str", str16},
                 {"smsw", smsw32}};
    for (unsigned i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        for (int cpl = 0; cpl <= 3; cpl += 3) {
            uint32_t v = catch_at(cpl, insns[i].body, 0);
            check_begin();
            kprintf("CPL%d %s with UMIP", cpl, insns[i].what);
            if (cpl)
                check_event_end(v, VEC_GP, 0);
            else
                check_event_end(v, NO_FAULT, NO_ERROR);
        }
    }
    write_cr4(read_cr4() & ~CR4_UMIP);
}

void check_values(void)
{
    put_str("-- CS, SS and the system registers\n");
    uint16_t msw = (uint16_t)read_cr0();
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        uint16_t cs = cpl ? PM_UCODE : PM_KCODE, ss = cpl ? PM_UDATA : PM_KDATA;
        check_low(cpl, "mov ax, cs", mov_cs16, cs, 1);
        check_low(cpl, "mov eax, cs", mov_cs32, cs, 0);
        check_low(cpl, "mov ax, ss", mov_ss16, ss, 1);
        check_low(cpl, "mov eax, ss", mov_ss32, ss, 0);
        check_low(cpl, "push cs (32-bit)", push_cs, cs, 0);
        check_low(cpl, "push ss (32-bit)", push_ss, ss, 0);
        check_dtr(cpl, "sgdt", do_sgdt, sizeof pm_gdt - 1, (uint32_t)pm_gdt);
        check_dtr(cpl, "sidt", do_sidt, sizeof pm_idt - 1, (uint32_t)pm_idt);
        check_low(cpl, "sldt ax", sldt16, S_LDT, 1);
        check_low(cpl, "sldt eax", sldt32, S_LDT, 0);
        check_low(cpl, "str ax", str16, PM_TSS, 1);
        if (run_quiet(cpl, str32, 0, "str eax")) {
            check_begin();
            kprintf("CPL%d str eax (upper half cleared): %08x", cpl, catch_ret);
            if (catch_ret != PM_TSS)
                kprintf(" (want %08x)", PM_TSS);
            check_end(catch_ret == PM_TSS);
        }
        check_low(cpl, "smsw eax", smsw32, msw, 0);
        check_low(cpl, "smsw [mem16]", smsw_mem, msw, 1);
    }
    check_umip();
}
