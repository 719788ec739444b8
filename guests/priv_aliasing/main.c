/* priv_aliasing: descriptors under test, then the checks (see
 * priv_aliasing.h). */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "priv_aliasing.h"
#include "tcg_gap.h"

static uint64_t ldt[2] __attribute__((aligned(8)));
static struct tss32 other_tss __attribute__((aligned(128)));

int run_quiet(int cpl, body_fn body, uint32_t arg, const char *what)
{
    uint32_t v = catch_at(cpl, body, arg);
    if (v == NO_FAULT)
        return 1;
    check_begin();
    kprintf("CPL%d %s", cpl, what);
    check_event_end(v, NO_FAULT, NO_ERROR);
    return 0;
}

static void setup(void)
{
    const unsigned flat = FL_G | FL_DB;
    ldt[0] = FLAT_DATA(3);
    pm_gdt_set(S_LDT >> 3, seg_desc((uint32_t)ldt, sizeof ldt - 1, ACC_P | SYS_LDT, 0));
    pm_gdt_set(S_CONF_XR >> 3, seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE_CONF_XR, flat));
    pm_gdt_set(S_XO >> 3, seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE_X, flat));
    pm_gdt_set(S_RO3 >> 3, seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_DPL(3) | ACC_DATA_RO, flat));
    pm_gdt_set(S_CALL_GATE >> 3,
               gate_desc(PM_KCODE, 0x1000, ACC_P | ACC_DPL(3) | SYS_CALL_GATE32, 0));
    pm_gdt_set(S_INT_GATE >> 3,
               gate_desc(PM_KCODE, 0x1000, ACC_P | ACC_DPL(3) | SYS_INT_GATE32, 0));
    pm_gdt_set(S_LIMIT0 >> 3, seg_desc(0x2000, 0x1234, ACC_P | ACC_S | ACC_DATA_RW, FL_DB));
    pm_gdt_set(S_LIMIT3 >> 3,
               seg_desc(0x2000, 0x12, ACC_P | ACC_S | ACC_DPL(3) | ACC_DATA_RW, flat));
    pm_gdt_set(S_NP3 >> 3, FLAT_DATA(3) & ~((uint64_t)ACC_P << 40));
    pm_gdt_set(S_TSS3 >> 3, seg_desc((uint32_t)&other_tss, sizeof other_tss - 1,
                                     ACC_P | ACC_DPL(3) | SYS_TSS32, 0));
    pm_gdt_set(S_RESERVED >> 3, seg_desc(0, 0xFFFF, ACC_P, 0));
    pm_gdt_set(S_CONF_XO >> 3, seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE_CONF_X, flat));
    __asm__ volatile("lldt %w0" : : "r"((uint32_t)S_LDT));
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_aliasing: sensitive and privileged instructions at CPL 0 and CPL 3\n");
    tcg_gap_init(magic, mbi);
    setup();
    check_values();
    check_selectors();
    check_flags();
    check_privileged();
    tcg_gap_summary();
    check_finish();
}
