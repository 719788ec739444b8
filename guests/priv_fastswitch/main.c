/* priv_fastswitch: int n from CPL 3 into a ring-0 handler and iretd back,
 * the pair bt86 carries out on a fast path (segmentation/
 * user_kernel_switch.h), and the cases that must leave it for the general
 * path, each against the architectural result (SDM vol. 2, INT n and IRET;
 * vol. 3, 6.12):
 *  - through an interrupt gate and a trap gate: the frame (EIP after the
 *    int, CS, EFLAGS, ESP, SS), the ring-0 stack from the TSS, EFLAGS in the
 *    handler (IF cleared by an interrupt gate only; NT cleared), everything
 *    back after the iretd;
 *  - a gate changed between two ints: the new handler runs;
 *  - the iretd to ring 3 nulls a data segment of DPL 0;
 *  - a gate that is not present (#NP), a gate naming a code segment that is
 *    not present (#NP), an iretd to a code segment that is not present
 *    (#NP), or whose accessed bit is clear (set by the iretd);
 *  - an iretd into a code segment with a limit: a jump past it faults, one
 *    within it does not, and an EIP past it faults at the iretd.
 * tests/guest_tests.cmake checks with --stats that the fast paths ran.
 * QEMU's TCG (7.2) sets no accessed bit on iretd and checks no CS limit
 * there: with "tcg" those three checks are not counted (tcg_gap.h). */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum { VECTOR = 0x81, LOOPS = 1000, SPARE = PM_FIRST_FREE, ARITH = 0x8D5 /* OF SF ZF AF PF CF */ };

extern volatile uint32_t fs_entry_esp, fs_frame[5], fs_handler_eflags, fs_handler_cs, fs_handler_ss, fs_count,
    fs_which;
void fs_handler_a(void), fs_handler_b(void), fs_handler_kernel_ds(void);
uint32_t user_int_loop(uint32_t), user_int_once(uint32_t), user_ds_after(uint32_t);
extern const char fs_int_return[], fs_int_once[], limited_body[];

static int expect_u32(const char *what, uint32_t got, uint32_t want)
{
    if (got == want)
        return 1;
    kprintf(", %s %08x (want %08x)", what, got, want);
    return 0;
}

/* LOOPS ints through a gate of `type` from ring 3 with EFLAGS `flags`. */
static void check_round_trips(unsigned type, uint32_t flags, uint32_t handler_flags, const char *what)
{
    pm_idt_entry(VECTOR, fs_handler_a, type, 3);
    fs_count = 0;
    user_ctx.eflags = flags;
    uint32_t v = catch_user(user_int_loop, LOOPS);
    check_begin();
    kprintf("%u x int 0x%x through %s, EFLAGS %08x", LOOPS, VECTOR, what, flags);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    if (ok) {
        ok &= expect_u32("ESP moved by", catch_ret, 0);
        ok &= expect_u32("handler runs", fs_count, LOOPS);
        ok &= expect_u32("ring-0 ESP", fs_entry_esp, pm_ring0_top - 20);
        ok &= expect_u32("pushed EIP", fs_frame[0], (uint32_t)fs_int_return);
        ok &= expect_u32("pushed CS", fs_frame[1], PM_UCODE);
        ok &= expect_u32("pushed EFLAGS", fs_frame[2], flags);
        ok &= expect_u32("pushed ESP", fs_frame[3], user_ctx.esp - 8);
        ok &= expect_u32("pushed SS", fs_frame[4], PM_UDATA);
        ok &= expect_u32("handler EFLAGS", fs_handler_eflags, handler_flags);
        ok &= expect_u32("handler CS", fs_handler_cs, PM_KCODE);
        ok &= expect_u32("handler SS", fs_handler_ss, pm_tss.ss0);
        ok &= expect_u32("EFLAGS back in ring 3 (but the body's arithmetic)", user_exit.eflags & ~ARITH, flags);
    }
    check_end(ok);
    user_ctx_reset();
}

static void check_fast_pair(void)
{
    put_str("-- int n from ring 3 and iretd back\n");
    check_round_trips(SYS_INT_GATE32, FLAG_RSVD1 | FLAG_IF | FLAG_NT, FLAG_RSVD1, "an interrupt gate");
    check_round_trips(SYS_TRAP_GATE32, FLAG_RSVD1 | FLAG_IF | FLAG_NT, FLAG_RSVD1 | FLAG_IF, "a trap gate");

    pm_idt_entry(VECTOR, fs_handler_a, SYS_INT_GATE32, 3);
    uint32_t v = catch_user(user_int_once, 0);
    int ok = v == NO_FAULT && fs_which == 1;
    pm_idt_entry(VECTOR, fs_handler_b, SYS_INT_GATE32, 3);
    v = catch_user(user_int_once, 0);
    check_begin();
    put_str("the gate changed between two ints: the new handler runs");
    ok = ok && event_outcome(v, NO_FAULT, NO_ERROR) && expect_u32("handler", fs_which, 2);
    check_end(ok);

    pm_idt_entry(VECTOR, fs_handler_kernel_ds, SYS_INT_GATE32, 3);
    v = catch_user(user_ds_after, 0);
    check_begin();
    put_str("iretd to ring 3 with DS of DPL 0: DS null");
    ok = event_outcome(v, NO_FAULT, NO_ERROR) && expect_u32("DS", catch_ret, 0);
    check_end(ok);
}

static void check_int_fallbacks(void)
{
    put_str("-- int n that the general path must take\n");
    pm_idt_set(VECTOR, gate_desc(PM_KCODE, (uint32_t)fs_handler_a, ACC_DPL(3) | SYS_INT_GATE32, 0));
    uint32_t v = catch_user(user_int_once, 0);
    check_begin();
    put_str("gate not present");
    check_end(event_outcome(v, VEC_NP, VECTOR * 8 + 2) &&
              expect_u32("reported at", catch_eip(), (uint32_t)fs_int_once));

    uint16_t absent = pm_gdt_set(SPARE, seg_desc(0, 0xFFFFF, ACC_S | ACC_DPL(0) | ACC_CODE_XR, FL_G | FL_DB));
    pm_idt_set(VECTOR, gate_desc(absent, (uint32_t)fs_handler_a, ACC_P | ACC_DPL(3) | SYS_INT_GATE32, 0));
    v = catch_user(user_int_once, 0);
    check_event("gate to a code segment that is not present", v, VEC_NP, absent);
    pm_gdt_set(SPARE, 0);
    pm_idt_catch(VECTOR, 0);
}

/* catch_user's iretd to ring 3 through code segment `desc` at EIP `eip`. */
static uint32_t iret_into(uint64_t desc, uint32_t eip)
{
    user_ctx.cs = pm_gdt_set(SPARE, desc) | 3;
    uint32_t v = catch_user((body_fn)eip, 0);
    user_ctx_reset();
    return v;
}

static void check_iret_fallbacks(void)
{
    put_str("-- iretd to ring 3 that the general path must take\n");
    const unsigned code3 = ACC_P | ACC_S | ACC_DPL(3) | ACC_CODE_XR;
    uint32_t v = iret_into(seg_desc(0, 0xFFFFF, code3 & ~ACC_P, FL_G | FL_DB), (uint32_t)user_int_once);
    check_event("code segment not present", v, VEC_NP, SPARE * 8);

    pm_idt_entry(VECTOR, fs_handler_a, SYS_INT_GATE32, 3);
    v = iret_into(seg_desc(0, 0xFFFFF, code3, FL_G | FL_DB), (uint32_t)user_int_once);
    check_begin();
    put_str("code segment not yet accessed: runs, accessed bit set");
    tcg_gap_end(event_outcome(v, NO_FAULT, NO_ERROR) &&
                expect_u32("accessed", (uint32_t)(pm_gdt[SPARE] >> 40) & ACC_ACCESSED, ACC_ACCESSED));

    put_str("-- iretd into a code segment with a limit (based at limited_body)\n");
    const uint32_t base = (uint32_t)limited_body;
    v = iret_into(seg_desc(base, 0x0F, code3 | ACC_ACCESSED, FL_DB), 0);
    check_begin();
    put_str("limit 0x0f: the jump to 0x20 faults");
    tcg_gap_end(event_outcome(v, VEC_GP, 0) && expect_u32("reported at", catch_eip(), 5));
    v = iret_into(seg_desc(base, 0x3F, code3 | ACC_ACCESSED, FL_DB), 0);
    check_begin();
    put_str("limit 0x3f: it does not");
    check_end(event_outcome(v, NO_FAULT, NO_ERROR) && expect_u32("EAX", catch_ret, 1));
    v = iret_into(seg_desc(base, 0x0F, code3 | ACC_ACCESSED, FL_DB), 0x20);
    check_begin();
    put_str("limit 0x0f, EIP 0x20: the iretd faults");
    tcg_gap_end(event_outcome(v, VEC_GP, 0));
    pm_gdt_set(SPARE, 0);
    pm_idt_catch(VECTOR, 0);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_fastswitch: int n from ring 3, iretd back, and their fall-backs\n");
    tcg_gap_init(magic, mbi);
    check_fast_pair();
    check_int_fallbacks();
    check_iret_fallbacks();
    tcg_gap_summary();
    check_finish();
}
