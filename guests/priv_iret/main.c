/* priv_iret: which EFLAGS bits iretd and popfd load, by CPL and IOPL (SDM
 * vol. 2, IRET and POPF; vol. 3, 2.3 and 20.2):
 *  - iretd loads the arithmetic flags, TF, NT, RF, AC and ID; IF only where
 *    CPL <= IOPL; IOPL only at CPL 0; VIF and VIP only at CPL 0;
 *  - VM in the image means a return to virtual-8086 mode only at CPL 0: at
 *    CPL 3 it is ignored and the iret returns in protected mode;
 *  - popfd never changes VM, VIF, VIP; IF only where CPL <= IOPL, IOPL only
 *    at CPL 0; popf (16 bits) changes the low half only; neither faults.
 * (iretd into virtual-8086 mode at CPL 0: guests/priv_v86.) */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum {
    ARITH = 0x8D5, /* OF SF ZF AF PF CF */
    FLAG_ID = 1u << 21,
    FLAG_VIF = 1u << 19,
    FLAG_VIP = 1u << 20,
};

uint32_t iret_to_self(uint32_t), iret_to_self_and_back(uint32_t), popfd_body(uint32_t),
    popf16_body(uint32_t);
uint32_t iretd_to_cs(uint32_t), retf_to_cs(uint32_t), iretd_outer_to_cs(uint32_t);

/* Runs body(image) at cpl with starting EFLAGS `start`; checks it returns
 * and that pushfd then shows `want`. */
static void expect_flags(int cpl, body_fn body, uint32_t start, uint32_t image, uint32_t want, const char *what)
{
    user_ctx.eflags = start;
    uint32_t v = catch_at(cpl, body, image);
    user_ctx_reset();
    check_begin();
    kprintf("CPL%d IOPL%u %s, image %08x", cpl, (start >> 12) & 3, what, image);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    if (ok) {
        kprintf(", EFLAGS %08x", catch_ret);
        if (catch_ret != want) {
            kprintf(" (want %08x)", want);
            ok = 0;
        }
    }
    check_end(ok);
}

static void check_iret(void)
{
    put_str("-- iretd to the same level\n");
    const uint32_t base = FLAG_RSVD1;
    uint32_t image = FLAG_VM | FLAG_IF | FLAG_IOPL3 | ARITH | FLAG_AC | FLAG_ID | FLAG_VIF | FLAG_VIP;
    expect_flags(3, iret_to_self, base, image, base | ARITH | FLAG_AC | FLAG_ID,
                 "VM set: ignored, IF/IOPL/VIF/VIP kept");
    expect_flags(3, iret_to_self, base | FLAG_IOPL3, image & ~FLAG_IOPL3,
                 base | FLAG_IOPL3 | FLAG_IF | ARITH | FLAG_AC | FLAG_ID, "VM set, IOPL 0 image: IF loaded, IOPL kept");
    expect_flags(3, iret_to_self, base | FLAG_IF, FLAG_VM | base, base | FLAG_IF, "VM only: IF kept");
    expect_flags(0, iret_to_self_and_back, base, FLAG_IF | FLAG_IOPL3 | FLAG_VIF | FLAG_VIP | ARITH | FLAG_ID,
                 FLAG_IF | FLAG_IOPL3 | FLAG_VIF | FLAG_VIP | ARITH | FLAG_ID | base,
                 "everything but VM: loaded");
}

static void check_popf(void)
{
    put_str("-- popfd and popf\n");
    const uint32_t base = FLAG_RSVD1;
    uint32_t image = FLAG_VM | FLAG_IF | FLAG_IOPL3 | ARITH | FLAG_AC | FLAG_ID | FLAG_VIF | FLAG_VIP;
    expect_flags(3, popfd_body, base, image, base | ARITH | FLAG_AC | FLAG_ID, "popfd: IF, IOPL, VM, VIF, VIP kept");
    expect_flags(3, popfd_body, base | FLAG_IOPL3, image & ~FLAG_IOPL3,
                 base | FLAG_IOPL3 | FLAG_IF | ARITH | FLAG_AC | FLAG_ID, "popfd: IF loaded, IOPL kept");
    expect_flags(0, popfd_body, base, image & ~FLAG_AC, base | FLAG_IF | FLAG_IOPL3 | ARITH | FLAG_ID,
                 "popfd: IF and IOPL loaded, VM, VIF, VIP kept");
    expect_flags(3, popf16_body, base | FLAG_AC, FLAG_IF | FLAG_IOPL3 | ARITH, base | FLAG_AC | ARITH,
                 "popf (16-bit): the low half, IF and IOPL kept");
}

/* A return (iretd, far ret) to CPL RPL: a non-conforming code segment's DPL
 * must equal the RPL, a conforming one's must not exceed it, else #GP(CS);
 * the new CPL is the RPL, also in a conforming segment. bt86 once returned
 * from CPL 3 to CPL 0 through CS = kernel code | 3 (the hostile suite's
 * ring3 kind, seed 727). */
static void check_return_privilege(void)
{
    put_str("-- the privilege a return goes to\n");
    const uint16_t conforming = pm_gdt_set(PM_FIRST_FREE, seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_DPL(0) |
                                                                       ACC_CODE_CONF_XR, FL_G | FL_DB));
    uint32_t v = catch_user(iretd_to_cs, PM_KCODE | 3);
    check_event("CPL3 iretd to DPL-0 code with RPL 3", v, VEC_GP, PM_KCODE);
    v = catch_user(retf_to_cs, PM_KCODE | 3);
    check_event("CPL3 retf to DPL-0 code with RPL 3", v, VEC_GP, PM_KCODE);
    v = catch_user(iretd_to_cs, PM_KCODE);
    check_event("CPL3 iretd to DPL-0 code with RPL 0", v, VEC_GP, PM_KCODE);
    v = catch_user(iretd_to_cs, conforming | 3);
    check_event("CPL3 iretd to conforming DPL-0 code: CPL stays 3 (cli faults)", v, VEC_GP, 0);
    v = catch_call(iretd_outer_to_cs, conforming | 3);
    check_event("CPL0 iretd to conforming DPL-0 code with RPL 3: CPL 3 (cli faults)", v, VEC_GP, 0);
    v = catch_call(iretd_outer_to_cs, PM_UCODE);
    check_event("CPL0 iretd to DPL-3 code: CPL 3 (cli faults)", v, VEC_GP, 0);
    pm_gdt_set(PM_FIRST_FREE, 0);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_iret: the EFLAGS bits iretd and popfd load\n");
    tcg_gap_init(magic, mbi);
    check_iret();
    check_popf();
    check_return_privilege();
    tcg_gap_summary();
    check_finish();
}
