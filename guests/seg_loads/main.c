/* seg_loads: the descriptors under test, then the checks (see seg_loads.h). */
#include "check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"
#include "tcg_gap.h"

uint8_t area_block[0x9000] __attribute__((aligned(4096)));

uint8_t pattern_byte(uint32_t i)
{
    return (uint8_t)(i * 7 + (i >> 8) + 0x21);
}

static uint64_t data(uint32_t base, uint32_t limit, unsigned dpl, unsigned type, unsigned flags)
{
    return seg_desc(base, limit, ACC_P | ACC_S | ACC_DPL(dpl) | type, flags);
}

static void setup_descriptors(void)
{
    const unsigned flat = FL_G | FL_DB;
    uint32_t da = (uint32_t)data_area, sa = (uint32_t)ss_area;
    pm_gdt_set(S_DATA0 >> 3, data(0, 0xFFFFF, 0, ACC_DATA_RW, flat));
    pm_gdt_set(S_DATA1 >> 3, data(0, 0xFFFFF, 1, ACC_DATA_RW, flat));
    pm_gdt_set(S_DATA2 >> 3, data(0, 0xFFFFF, 2, ACC_DATA_RW, flat));
    pm_gdt_set(S_RO0 >> 3, data(0, 0xFFFFF, 0, ACC_DATA_RO, flat));
    pm_gdt_set(S_RO3 >> 3, data(0, 0xFFFFF, 3, ACC_DATA_RO, flat));
    pm_gdt_set(S_XO0 >> 3, data(0, 0xFFFFF, 0, ACC_CODE_X, flat));
    pm_gdt_set(S_XR0 >> 3, data(0, 0xFFFFF, 0, ACC_CODE_XR, flat));
    pm_gdt_set(S_CONF_XR0 >> 3, data(0, 0xFFFFF, 0, ACC_CODE_CONF_XR, flat));
    pm_gdt_set(S_CONF_XO0 >> 3, data(0, 0xFFFFF, 0, ACC_CODE_CONF_X, flat));
    pm_gdt_set(S_NP0 >> 3, FLAT_DATA(0) & ~((uint64_t)ACC_P << 40));
    pm_gdt_set(S_NP3 >> 3, FLAT_DATA(3) & ~((uint64_t)ACC_P << 40));
    /* S_LDT is filled in by ldt.c; until then it is an empty LDT. */
    pm_gdt_set(S_LDT >> 3, seg_desc(0, 0, ACC_P | SYS_LDT, 0));
    pm_gdt_set(S_GATE >> 3, gate_desc(PM_KCODE, 0, ACC_P | ACC_DPL(3) | SYS_CALL_GATE32, 0));
    pm_gdt_set(S_XR3 >> 3, data(0, 0xFFFFF, 3, ACC_CODE_XR, flat));
    pm_gdt_set(S_BYTE_LIM >> 3, data(da, 1, 0, ACC_DATA_RW, FL_DB));
    pm_gdt_set(S_PAGE_LIM >> 3, data(da, 1, 0, ACC_DATA_RW, FL_G | FL_DB));
    pm_gdt_set(S_DOWN_LOW >> 3, data(0, 0x7FFFF, 0, ACC_DATA_RW_DOWN, FL_DB));
    pm_gdt_set(S_DOWN16 >> 3, data(da - 0xF000, 0xEFFF, 0, ACC_DATA_RW_DOWN, 0));
    pm_gdt_set(S_DOWN_PAGE >> 3, data(0, (da >> 12) - 1, 0, ACC_DATA_RW_DOWN, FL_G | FL_DB));
    pm_gdt_set(S_DOWN_ZERO >> 3, data(da - 4, 0, 0, ACC_DATA_RW_DOWN, FL_DB));
    pm_gdt_set(S_STACK_DOWN3 >> 3, data(0, sa >> 12, 3, ACC_DATA_RW_DOWN, FL_G | FL_DB));
    pm_gdt_set(S_STACK_UP3 >> 3, data(sa, 0x3FFF, 3, ACC_DATA_RW, FL_DB));
    pm_gdt_set(S_RO_DOWN0 >> 3, data(0, 0, 0, ACC_DATA_RO_DOWN, FL_DB));
    pm_gdt_set(S_STACK_DOWN0 >> 3, data(0, sa >> 12, 0, ACC_DATA_RW_DOWN, FL_G | FL_DB));
    pm_gdt_set(S_STACK_UP0 >> 3, data(sa, 0x3FFF, 0, ACC_DATA_RW, FL_DB));
    pm_gdt_set(S_LDT_NP >> 3, seg_desc(0, 0, SYS_LDT, 0));
    pm_gdt_set(S_LAST >> 3, FLAT_DATA(0));
    for (uint32_t i = 0; i < DATA_AREA_SIZE; i++)
        data_area[i] = pattern_byte(i);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("seg_loads: segment register loads and segment limits\n");
    tcg_gap_init(magic, mbi);
    setup_descriptors();
    check_loads();
    check_limits();
    check_forms();
    check_ldt();
    check_tables();
    check_cs_limit();
    tcg_gap_summary();
    check_finish();
}
