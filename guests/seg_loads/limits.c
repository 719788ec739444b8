/* Segment limits (SDM vol. 3, 3.4.5 and 5.3): with G=0 the limit counts
 * bytes, with G=1 4 KiB units (the low 12 bits of the effective limit are
 * all ones). An expand-up segment allows offsets 0..limit; an expand-down
 * one allows limit+1..0xFFFFFFFF (B=1) or limit+1..0xFFFF (B=0). Every byte
 * of an access must be within range: else #GP(0), or #SS(0) when the access
 * goes through SS (explicitly, by EBP/ESP addressing, or by push). A read
 * that is allowed must see base + offset. */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"
#include "tcg_gap.h"

struct access {
    const char *what;
    body_fn body;
    unsigned size;
    int write;
};

static const struct access read8 = {"read byte", fs_read8, 1, 0};
static const struct access read16 = {"read word", fs_read16, 2, 0};
static const struct access read32 = {"read dword", fs_read32, 4, 0};
static const struct access write32 = {"write dword", fs_write32, 4, 1};

/* The segment base as the descriptor says. */
static uint32_t base_of(uint16_t sel)
{
    uint64_t d = pm_gdt[sel >> 3];
    return (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)((d >> 56) & 0xFF) << 24;
}

/* One access through FS at CPL 0 (or SS-based, below). */
static void fs_access(const struct access *a, uint16_t sel, uint32_t off, int want_fault,
                      const char *why)
{
    uint32_t lin = base_of(sel) + off;
    volatile uint32_t *cell = (volatile uint32_t *)lin;
    uint32_t before = 0;
    if (a->write && !want_fault)
        before = *cell;
    acc_off = off;
    uint32_t v = catch_call(a->body, sel);
    check_begin();
    kprintf("CPL0 %s [fs=%04x:%08x] (%s)", a->what, sel, off, why);
    int ok = want_fault ? event_outcome(v, GP(0)) : event_outcome(v, OK);
    if (v == NO_FAULT && !want_fault) {
        uint32_t mask = a->size == 4 ? 0xFFFFFFFF : (1u << (8 * a->size)) - 1;
        uint32_t want = a->write ? 0x3A3A3A3A : *cell & mask;
        uint32_t got = a->write ? *cell : catch_ret & mask;
        if (got != want) {
            kprintf(", %s %08x at linear %08x (want %08x)", a->write ? "memory holds" : "read", got,
                    lin, want);
            ok = 0;
        }
        if (a->write)
            *cell = before;
    }
    tcg_gap_end(ok);
}

static void check_granularity(void)
{
    put_str("-- byte and page granular limits\n");
    fs_access(&read8, S_BYTE_LIM, 1, 0, "G=0 limit 1: last byte");
    fs_access(&read8, S_BYTE_LIM, 2, 1, "G=0 limit 1: one past");
    fs_access(&read16, S_BYTE_LIM, 0, 0, "G=0 limit 1: word at 0");
    fs_access(&read16, S_BYTE_LIM, 1, 1, "G=0 limit 1: word straddles the limit");
    fs_access(&read32, S_BYTE_LIM, 0, 1, "G=0 limit 1: dword at 0");
    fs_access(&read32, S_PAGE_LIM, 0x1FFC, 0, "G=1 limit 1 = 0x1fff: last dword");
    fs_access(&read32, S_PAGE_LIM, 0x1FFD, 1, "G=1 limit 0x1fff: dword straddles");
    fs_access(&read8, S_PAGE_LIM, 0x1FFF, 0, "G=1 limit 0x1fff: last byte");
    fs_access(&read8, S_PAGE_LIM, 0x2000, 1, "G=1 limit 0x1fff: one past");
    fs_access(&write32, S_PAGE_LIM, 0x1000, 0, "G=1 limit 0x1fff: write inside");
    fs_access(&write32, S_PAGE_LIM, 0xFFFFFFFC, 1, "G=1 limit 0x1fff: offset -4");
}

static void check_expand_down(void)
{
    uint32_t da = (uint32_t)data_area;
    put_str("-- expand-down data segments\n");
    fs_access(&read32, S_DOWN_LOW, 0x80000, 0, "B=1 limit 0x7ffff: first valid dword");
    fs_access(&read32, S_DOWN_LOW, 0x7FFFC, 1, "B=1 limit 0x7ffff: dword below");
    fs_access(&read32, S_DOWN_LOW, 0x7FFFE, 1, "B=1 limit 0x7ffff: dword straddles");
    fs_access(&read8, S_DOWN_LOW, 0x7FFFF, 1, "B=1 limit 0x7ffff: the limit itself");
    fs_access(&read8, S_DOWN_LOW, 0, 1, "B=1 limit 0x7ffff: offset 0");
    fs_access(&read32, S_DOWN_LOW, da, 0, "B=1 limit 0x7ffff: offset in the kernel");
    fs_access(&write32, S_DOWN_LOW, da + 0x100, 0, "B=1 limit 0x7ffff: write");
    fs_access(&read8, S_DOWN_ZERO, 0, 1, "B=1 limit 0: offset 0");
    fs_access(&read32, S_DOWN_ZERO, 4, 0, "B=1 limit 0: offset 4");
    fs_access(&read32, S_DOWN_PAGE, 0, 1, "B=1 G=1, valid from data_area: offset 0");
    fs_access(&read8, S_DOWN_PAGE, da - 1, 1, "B=1 G=1: last invalid byte");
    fs_access(&read32, S_DOWN_PAGE, da - 2, 1, "B=1 G=1: dword straddles");
    fs_access(&read32, S_DOWN_PAGE, da, 0, "B=1 G=1: first valid dword");
    fs_access(&read32, S_DOWN16, 0xF000, 0, "B=0 limit 0xefff: first valid dword");
    fs_access(&read32, S_DOWN16, 0xFFFC, 0, "B=0: last dword below 0x10000");
    fs_access(&read32, S_DOWN16, 0xFFFD, 1, "B=0: dword past the 0xffff upper bound");
    fs_access(&read8, S_DOWN16, 0x10000, 1, "B=0: offset 0x10000");
    fs_access(&read8, S_DOWN16, 0xEFFF, 1, "B=0: the limit itself");
}

/* Accesses through SS, on a stack of the segment's own. */
static void stack_access(int cpl, const char *what, body_fn body, uint16_t sel, uint32_t esp,
                         uint32_t off, int want_fault, const char *why)
{
    stack_esp = esp;
    acc_off = off;
    uint32_t v = catch_at(cpl, body, sel);
    check_begin();
    kprintf("CPL%d %s ss=%04x esp=%08x off=%08x (%s)", cpl, what, sel, esp, off, why);
    int ok = want_fault ? event_outcome(v, SSF(0)) : event_outcome(v, OK);
    if (v == NO_FAULT && body == ss_read32) {
        uint32_t want = *(volatile uint32_t *)(base_of(sel & ~3) + off);
        if (catch_ret != want) {
            kprintf(", read %08x (want %08x)", catch_ret, want);
            ok = 0;
        }
    }
    tcg_gap_end(ok);
}

static void check_stack_limits(void)
{
    uint32_t sa = (uint32_t)ss_area;
    uint32_t top = sa + 0x3000;
    put_str("-- stack segment limits: #SS(0)\n");
    /* Expand-down, G=1, valid offsets from ss_area + 0x1000. */
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        uint16_t down = cpl ? S_STACK_DOWN3 | 3 : S_STACK_DOWN0;
        stack_access(cpl, "read", ss_read32, down, top, sa + 0x1000, 0, "first valid dword");
        stack_access(cpl, "read", ss_read32, down, top, sa + 0xFFC, 1, "below the limit");
        stack_access(cpl, "read", ss_read32, down, top, sa + 0xFFE, 1, "straddles the limit");
        stack_access(cpl, "write", ss_write32, down, top, sa + 0x2000, 0, "inside");
        stack_access(cpl, "read [ebp]", ss_read_ebp, down, top, sa + 0xFF0, 1, "below the limit");
        stack_access(cpl, "read [ebp]", ss_read_ebp, down, top, sa + 0x1FF0, 0, "inside");
    }
    /* Pushes that cross the limit: only at CPL 3, where the #SS frame goes
     * to the ring-0 stack instead of the stack at fault. */
    stack_access(3, "push", ss_push, S_STACK_DOWN3 | 3, sa + 0x1004, 0, 0, "lands on the first valid dword");
    stack_access(3, "push", ss_push, S_STACK_DOWN3 | 3, sa + 0x1002, 0, 1, "straddles the limit");
    stack_access(3, "push", ss_push, S_STACK_DOWN3 | 3, sa + 0x1000, 0, 1, "below the limit");
    /* Expand-up, base ss_area, byte limit 0x3fff. */
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        uint16_t up = cpl ? S_STACK_UP3 | 3 : S_STACK_UP0;
        stack_access(cpl, "read", ss_read32, up, 0x3000, 0x3FFC, 0, "last dword");
        stack_access(cpl, "read", ss_read32, up, 0x3000, 0x3FFD, 1, "straddles the limit");
        stack_access(cpl, "read", ss_read32, up, 0x3000, 0x4000, 1, "past the limit");
        stack_access(cpl, "read [ebp]", ss_read_ebp, up, 0x3000, 0x4000, 1, "past the limit");
    }
    stack_access(3, "push", ss_push, S_STACK_UP3 | 3, 0x4000, 0, 0, "into the last dword");
    stack_access(3, "push", ss_push, S_STACK_UP3 | 3, 0x4002, 0, 1, "straddles the limit");
    stack_access(3, "push", ss_push, S_STACK_UP3 | 3, 0x0002, 0, 1, "wraps below offset 0");
}

void check_limits(void)
{
    check_granularity();
    check_expand_down();
    check_stack_limits();
}
