/* host_flags: guest code at CPL 3 with CR0.AM and EFLAGS.AC set (alignment
 * checking on, which Linux allows user programs), DF set and odd x87/SSE
 * control words (unmasked precision exceptions, round toward zero, FTZ/DAZ)
 * works and calls port I/O while the PIT interrupts it ~10,000 times a
 * second. The guest's AC, DF and control words are live in the host CPU
 * while its code runs, so every host-side entry point that can interrupt it
 * (the engine's timer signal above all) must start with the host's own:
 * bt86 once died here with SIGBUS ("host fault outside translated code")
 * because its timer signal handler ran with the guest's AC.
 * Checks: a misaligned load at CPL 3 raises #AC(0) (so AC really is live),
 * the busy body comes back with its EFLAGS and control words intact after
 * the ticks it waited for. */
#include "check.h"
#include "dev.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"

enum {
    CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3, CR0_AM = 1u << 18,
    CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10,
    TICKS = 2000,
    MXCSR_ODD = 0xEFC0, FCW_ODD = 0x0C5F,
};

uint32_t misaligned_load(uint32_t), busy(uint32_t);
extern const uint8_t misaligned_load_insn[];
extern volatile uint32_t seen_eflags, seen_mxcsr, seen_fcw;
extern const uint32_t irq_stub_table[16]; /* dev_common/irq.asm */

static void enable_fpu_and_am(void)
{
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_AM;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    __asm__ volatile("mov %0, %%cr4; fninit" : : "r"(cr4));
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    dev_setup(); /* the PIC pair; pm_init then brings its own tables */
    pm_init();
    put_str("host_flags: CPL 3 with CR0.AM, EFLAGS.AC and DF set under a fast timer\n");
    enable_fpu_and_am();
    pm_idt_entry(0x20, (void (*)(void))irq_stub_table[0], SYS_INT_GATE32, 0);

    user_ctx.eflags = FLAG_RSVD1 | FLAG_AC;
    uint32_t v = catch_user(misaligned_load, 0);
    check_begin();
    put_str("CPL 3, AM and AC: mov eax, [odd address]");
    int ok = event_outcome(v, VEC_AC, 0);
    if (v == VEC_AC && catch_eip() != (uint32_t)misaligned_load_insn) {
        kprintf(", eip %08x (want %08x)", catch_eip(), (uint32_t)misaligned_load_insn);
        ok = 0;
    }
    check_end(ok);

    pic_set_masks(0xFE, 0xFF);
    user_ctx.eflags = FLAG_RSVD1 | FLAG_AC | FLAG_IF | FLAG_IOPL3;
    v = catch_user(busy, TICKS);
    user_ctx_reset();
    pic_set_masks(0xFF, 0xFF);
    check_event("CPL 3 busy body with AC, DF, odd control words, IF", v, NO_FAULT, NO_ERROR);
    check_begin();
    kprintf("timer interrupts while it ran: %u", catch_ret);
    check_end(catch_ret >= TICKS);
    check_eq("its EFLAGS.AC and DF at the end", seen_eflags & (FLAG_AC | FLAG_DF), FLAG_AC | FLAG_DF);
    check_eq("its MXCSR at the end", seen_mxcsr & 0xFFC0, MXCSR_ODD);
    check_eq("its x87 control word at the end", seen_fcw & 0x1F3F, FCW_ODD & 0x1F3F);
    check_finish();
}
