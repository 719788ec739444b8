/* wrap4g: accesses that wrap around the 4 GiB boundary. Linear addresses
 * are 32 bits wide: the bytes of an access at 0xFFFFFFFE past 0xFFFFFFFF
 * are at 0x00000000 and up, and with paging each part goes through its
 * own page-table translation and permissions; a part that faults raises
 * #PF with CR2 at that part. Checked, paging off (where 0xFFFFFFFE.. is
 * open bus and 0.. RAM) and on (both RAM), at CPL 0 and 3: loads, stores,
 * read-modify-write, push/pop/call with ESP near 0, pushad/popad, string
 * instructions, bt/bts whose bit offset selects an element across the
 * wrap; and #PF from either part (not present, read-only, supervisor). */
#include "check.h"
#include "fault_check.h"
#include "forms.h"
#include "guest.h"
#include "paging.h"
#include "pm.h"
#include "print.h"

static uint32_t stack_area[1024] __attribute__((aligned(16)));
#define STACK_TOP ((uint32_t)&stack_area[1024])
static uint32_t buf[16] __attribute__((aligned(16)));
#define BUF ((uint32_t)buf)

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t top_pt[1024] __attribute__((aligned(4096)));
static uint8_t hi_page[4096] __attribute__((aligned(4096))); /* at linear 0xFFFFF000 */
static uint8_t lo_page[4096] __attribute__((aligned(4096))); /* at linear 0 */

/* Where the two parts of a wrapping access live, as the kernel reaches
 * them: paging off, the top is open bus (reads all ones, writes vanish);
 * paging on, both are RAM pages of ours. */
struct layout {
    int paged;
    uint32_t hi; /* where the kernel reads linear 0xFFFFF000.. */
    uint32_t lo; /* ... and linear 0.. */
};
static struct layout L;

static uint32_t top_byte(unsigned off) /* byte at linear 0xFFFFF000 + off */
{
    return L.paged ? peek8(L.hi + off) : 0xFF;
}
static uint32_t top_dword(unsigned off)
{
    return L.paged ? peek32(L.hi + off) : 0xFFFFFFFF;
}
/* The dword at linear 0xFFFFFFFE: two top bytes, two bottom ones. */
static uint32_t wrapped_dword(void)
{
    return top_byte(0xFFE) | top_byte(0xFFF) << 8 | (uint32_t)peek8(L.lo) << 16 | (uint32_t)peek8(L.lo + 1) << 24;
}

static void set_bottom(uint32_t dword0, uint32_t dword1)
{
    poke32(L.lo, dword0);
    poke32(L.lo + 4, dword1);
}

static void set_top(uint32_t off, uint32_t dword)
{
    if (L.paged) poke32(L.hi + off, dword);
}

static void data_forms(int cpl)
{
    set_bottom(0x40302010, 0x80706050);
    set_top(0xFFC, 0xDDCCBBAA);

    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFE;
    run_form(cpl, f_mov_load);
    check_cpl(cpl, "mov eax, [fffffffe]", rout.eax, wrapped_dword());

    rin.esi = 0xFFFFFFFF;
    run_form(cpl, f_mov_load);
    check_cpl(cpl, "mov eax, [ffffffff]", rout.eax, top_byte(0xFFF) | 0x302010u << 8);

    rin.esi = 0xFFFFFFFF, rin.eax = 0xEEEEEEEE;
    run_form(cpl, f_mov_load16);
    check_cpl(cpl, "mov ax, [ffffffff]", rout.eax, 0xEEEE1000u | top_byte(0xFFF));

    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFE, rin.eax = 0xAABBCCDD;
    run_form(cpl, f_mov_store);
    check_cpl(cpl, "mov [fffffffe], eax: the bottom dword", peek32(L.lo), 0x4030AABB);
    check_cpl(cpl, "  the top word", top_dword(0xFFC) >> 16, L.paged ? 0xCCDD : 0xFFFF);

    uint32_t before = wrapped_dword();
    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFE, rin.eax = 0x00010001;
    run_form(cpl, f_add_rmw);
    check_cpl(cpl, "add [fffffffe], eax", wrapped_dword(),
              L.paged ? before + 0x00010001 : (before + 0x00010001) | 0xFFFF);
    check_cpl(cpl, "  flags", rout.eflags & FL_ARITH, add_flags32(before, 0x00010001));

    set_bottom(0x40302010, 0x80706050);
    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFF;
    run_form(cpl, f_lodsd);
    check_cpl(cpl, "lodsd at ffffffff", rout.eax, top_byte(0xFFF) | 0x302010u << 8);
    check_cpl(cpl, "  ESI", rout.esi, 3);

    buf[0] = 0;
    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFE, rin.edi = BUF;
    run_form(cpl, f_movsd);
    check_cpl(cpl, "movsd from fffffffe", buf[0], wrapped_dword());

    buf[0] = 0x5A6B7C8D;
    regs_reset(STACK_TOP, 0);
    rin.esi = BUF, rin.edi = 0xFFFFFFFE;
    run_form(cpl, f_movsd);
    check_cpl(cpl, "movsd to fffffffe", wrapped_dword(), L.paged ? 0x5A6B7C8D : 0x5A6BFFFF);
    check_cpl(cpl, "  EDI", rout.edi, 2);

    buf[0] = wrapped_dword() + 1;
    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFE, rin.edi = BUF;
    run_form(cpl, f_cmpsd);
    check_cpl(cpl, "cmpsd [fffffffe], [buf]: flags", rout.eflags & FL_ARITH, cmp_flags32(wrapped_dword(), buf[0]));

    /* Byte by byte across the wrap: 4 top bytes, 4 bottom ones. */
    set_bottom(0, 0);
    regs_reset(STACK_TOP, 0);
    rin.edi = 0xFFFFFFFC, rin.ecx = 8, rin.eax = 0x77;
    run_form(cpl, f_rep_stosb);
    check_cpl(cpl, "rep stosb x8 from fffffffc: the bottom dwords", peek32(L.lo) ^ peek32(L.lo + 4), 0x77777777);
    check_cpl(cpl, "  the top dword", top_dword(0xFFC), L.paged ? 0x77777777 : 0xFFFFFFFF);
    check_cpl(cpl, "  EDI", rout.edi, 4);

    /* The element bt/bts select: [fffffff0] + 256 bits is the dword at 0x10,
     * [0x10] - 256 bits the one at fffffff0. */
    poke32(L.lo + 0x10, 0x00000002);
    set_top(0xFF0, 0x00000004);
    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFF0, rin.eax = 0x101;
    run_form(cpl, f_bt_reg);
    check_cpl(cpl, "bt [fffffff0], 0x101: CF (bit 1 at 0x10)", rout.eflags & FL_CF, FL_CF);
    rin.eax = 0x102;
    run_form(cpl, f_bts_reg);
    check_cpl(cpl, "bts [fffffff0], 0x102: the dword at 0x10", peek32(L.lo + 0x10), 0x00000006);
    rin.esi = 0x10, rin.eax = 0xFFFFFF02; /* -254: the dword at fffffff0, bit 2 */
    run_form(cpl, f_bts_reg);
    check_cpl(cpl, "bts [0x10], -254: CF (bit 2 at fffffff0)", rout.eflags & FL_CF, FL_CF);
    check_cpl(cpl, "  the dword at 0x10 (untouched)", peek32(L.lo + 0x10), 0x00000006);
}

static void stack_forms(int cpl)
{
    set_bottom(0, 0);
    set_top(0xFFC, 0);
    regs_reset(2, 0);
    run_form(cpl, f_push_imm);
    check_cpl(cpl, "push imm32 with ESP=2: ESP", rout.esp, 0xFFFFFFFE);
    check_cpl(cpl, "  the dword at fffffffe", wrapped_dword(), L.paged ? 0x11223344 : 0x1122FFFF);

    regs_reset(0xFFFFFFFE, 0);
    run_form(cpl, f_pop_reg);
    check_cpl(cpl, "pop eax with ESP=fffffffe", rout.eax, L.paged ? 0x11223344 : 0x1122FFFF);
    check_cpl(cpl, "  ESP", rout.esp, 2);

    regs_reset(2, 0);
    run_form(cpl, f_call_rel);
    check_cpl(cpl, "call rel32 with ESP=2: the return address",
              wrapped_dword(), L.paged ? (uint32_t)f_call_rel_ret : ((uint32_t)f_call_rel_ret | 0xFFFF));

    regs_reset(2, 0);
    rin.ebp = 0x51525354;
    run_form(cpl, f_enter);
    check_cpl(cpl, "enter 16, 0 with ESP=2: EBP pushed", wrapped_dword(), L.paged ? 0x51525354 : 0x5152FFFF);
    check_cpl(cpl, "  EBP", rout.ebp, 0xFFFFFFFE);

    regs_reset(STACK_TOP, 0);
    rin.ebp = 0xFFFFFFFE;
    run_form(cpl, f_leave);
    check_cpl(cpl, "leave with EBP=fffffffe: EBP", rout.ebp, L.paged ? 0x51525354 : 0x5152FFFF);
    check_cpl(cpl, "  ESP", rout.esp, 2);

    regs_reset(2, 0);
    rin.eflags = 0x8D7;
    run_form(cpl, f_pushfd);
    check_cpl(cpl, "pushfd with ESP=2", wrapped_dword(), L.paged ? 0x8D7 : 0xFFFF);

    regs_reset(STACK_TOP, 0);
    rin.edi = 0xFFFFFFFE, rin.eax = wrapped_dword();
    run_form(cpl, f_scasd);
    check_cpl(cpl, "scasd at fffffffe: ZF", rout.eflags & FL_ZF, FL_ZF);

    if (L.paged) {
        /* A whole dword to return to, and flags to pop. */
        poke8(L.hi + 0xFFE, (uint8_t)(uint32_t)f_ret_target);
        poke8(L.hi + 0xFFF, (uint8_t)((uint32_t)f_ret_target >> 8));
        poke8(L.lo, (uint8_t)((uint32_t)f_ret_target >> 16));
        poke8(L.lo + 1, (uint8_t)((uint32_t)f_ret_target >> 24));
        regs_reset(0xFFFFFFFE, 0);
        uint32_t v = run_form(cpl, f_ret);
        check_no_event(cpl, "ret with ESP=fffffffe", v);
        check_cpl(cpl, "  ESP", rout.esp, 2);

        poke32(L.hi + 0xFFC, 0x0CD50000); /* 0x8D5 | DF at fffffffe */
        poke32(L.lo, 0);
        regs_reset(0xFFFFFFFE, 0);
        run_form(cpl, f_popfd);
        check_cpl(cpl, "popfd with ESP=fffffffe: flags", rout.eflags & (FL_ARITH | FL_DF), 0x8D5 | FL_DF);
    }

    regs_reset(8, 0);
    rin.eax = 0xA0A0A0A0, rin.ecx = 0xC1C1C1C1, rin.edx = 0xD2D2D2D2, rin.ebx = 0xB3B3B3B3;
    rin.ebp = 0xE5E5E5E5, rin.esi = 0x56565656, rin.edi = 0x07070707;
    run_form(cpl, f_pushad);
    check_cpl(cpl, "pushad with ESP=8: ECX at 0", peek32(L.lo), 0xC1C1C1C1);
    check_cpl(cpl, "  EAX at 4", peek32(L.lo + 4), 0xA0A0A0A0);
    check_cpl(cpl, "  EDI at ffffffe8", top_dword(0xFE8), L.paged ? 0x07070707 : 0xFFFFFFFF);
    check_cpl(cpl, "  EDX at fffffffc", top_dword(0xFFC), L.paged ? 0xD2D2D2D2 : 0xFFFFFFFF);
    check_cpl(cpl, "  ESP", rout.esp, 0xFFFFFFE8);

    regs_reset(0xFFFFFFE8, 0);
    run_form(cpl, f_popad);
    check_cpl(cpl, "popad with ESP=ffffffe8: ECX", rout.ecx, 0xC1C1C1C1);
    check_cpl(cpl, "  EAX", rout.eax, 0xA0A0A0A0);
    check_cpl(cpl, "  EDI", rout.edi, L.paged ? 0x07070707 : 0xFFFFFFFF);
    check_cpl(cpl, "  ESP", rout.esp, 8);
}

/* ---- paging ---------------------------------------------------------------- */

static void paging_on(void)
{
    pg_init_directory(pd, ident_pt);
    pd[1023] = phys(top_pt) | PG_P | PG_RW | PG_US;
    top_pt[1023] = phys(hi_page) | PG_P | PG_RW | PG_US;
    ident_pt[0] = phys(lo_page) | PG_P | PG_RW | PG_US;
    pg_enable(pd);
    L = (struct layout){1, phys(hi_page), phys(lo_page)};
}

static void set_pte(uint32_t *pte, uint32_t value, uint32_t linear)
{
    *pte = value;
    invlpg(linear);
}

static void fault_forms(int cpl)
{
    const uint32_t u = cpl == 3 ? PF_U : 0;
    const uint32_t lo_pte = ident_pt[0], hi_pte = top_pt[1023];
    uint32_t v;

    set_pte(&ident_pt[0], 0, 0);
    regs_reset(STACK_TOP, 0);
    rin.esi = 0xFFFFFFFE;
    v = run_form(cpl, f_mov_load);
    check_page_fault(cpl, "mov eax, [fffffffe], page 0 not present", v, u, 0);
    set_pte(&ident_pt[0], lo_pte, 0);

    set_pte(&top_pt[1023], 0, 0xFFFFF000);
    v = run_form(cpl, f_mov_load);
    check_page_fault(cpl, "mov eax, [fffffffe], page fffff000 not present", v, u, 0xFFFFFFFE);
    set_pte(&top_pt[1023], hi_pte, 0xFFFFF000);

    if (cpl == 3) {
        /* The frame goes to the TSS stack: ESP may point anywhere. */
        set_pte(&ident_pt[0], lo_pte & ~PG_RW, 0);
        set_top(0xFFC, 0x12121212);
        regs_reset(2, 0);
        v = run_form(cpl, f_push_imm);
        check_page_fault(cpl, "push with ESP=2, page 0 read-only", v, PF_P | PF_W | PF_U, 0);
        check_cpl(cpl, "  ESP in the frame", catch_rec.words[4], 2);
        check_cpl(cpl, "  the top part (not written)", top_dword(0xFFC), 0x12121212);
        set_pte(&ident_pt[0], lo_pte, 0);

        set_pte(&top_pt[1023], hi_pte & ~PG_US, 0xFFFFF000);
        regs_reset(STACK_TOP, 0);
        rin.esi = 0xFFFFFFFE;
        v = run_form(cpl, f_mov_load);
        check_page_fault(cpl, "mov eax, [fffffffe], page fffff000 supervisor", v, PF_P | PF_U, 0xFFFFFFFE);
        set_pte(&top_pt[1023], hi_pte, 0xFFFFF000);
    } else {
        write_cr0(read_cr0() | CR0_WP);
        set_pte(&ident_pt[0], lo_pte & ~PG_RW, 0);
        regs_reset(STACK_TOP, 0);
        rin.esi = 0xFFFFFFFE, rin.eax = 0x99999999;
        v = run_form(cpl, f_mov_store);
        check_page_fault(cpl, "mov [fffffffe], eax, CR0.WP, page 0 read-only", v, PF_P | PF_W, 0);
        set_pte(&ident_pt[0], lo_pte, 0);
        write_cr0(read_cr0() & ~CR0_WP);
    }
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("wrap4g: accesses that wrap around 4 GiB\n");
    L = (struct layout){0, 0xFFFFF000, 0};
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        kprintf("-- paging off (fffffffe.. is open bus), CPL %d\n", cpl);
        data_forms(cpl);
        stack_forms(cpl);
    }
    paging_on();
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        kprintf("-- paging on (both ends RAM), CPL %d\n", cpl);
        data_forms(cpl);
        stack_forms(cpl);
        fault_forms(cpl);
    }
    check_finish();
}
