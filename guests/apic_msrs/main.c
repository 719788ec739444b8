/* apic_msrs: the MSRs bt86's model defines and the local APIC behind them,
 * checked the same way on both backends (on KVM they exit to bt86's model
 * through KVM's MSR filter): IA32_APIC_BASE, IA32_MCG_CAP, IA32_MISC_ENABLE,
 * a K7-style counter, and APIC timer interrupts in
 * one-shot and TSC-deadline mode through dev_common's gates. Handlers
 * return without iretd (IRQ_RETURN_WITHOUT_IRETD), so KVMs that cannot
 * emulate it run this too; no check needs a fault. */
#include "check.h"
#include "desc.h"
#include "dev.h"
#include "guest.h"
#include "print.h"

enum {
    APIC = 0xFEE00000u, SPIV = 0xF0, EOI = 0xB0, LVT_TIMER = 0x320, TIMER_INITIAL = 0x380, TIMER_DIVIDE = 0x3E0,
    TIMER_IRQ = 14, TIMER_VECTOR = 0x20 + TIMER_IRQ, /* dev_common's gate for line 14 */
};

static void apic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(APIC + reg) = v; }

static void timer_handler(unsigned irq)
{
    (void)irq;
    apic_write(EOI, 0);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* Waits with interrupts on until the timer line counted one more, or ~50 ms. */
static int timer_fired(uint32_t before)
{
    for (int i = 0; i < 50 && irq_count[TIMER_IRQ] == before; i++) {
        cpu_sti();
        delay_ch2(1193);
        cpu_cli();
    }
    return irq_count[TIMER_IRQ] != before;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("apic_msrs: the model's MSRs and the local APIC timer\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        put_str("FAIL: bad multiboot magic\n");
        check_finish();
    }
    dev_setup();
    irq_set_handler(TIMER_IRQ, timer_handler);
    check_eq("IA32_APIC_BASE", (uint32_t)rdmsr(0x1B), 0xFEE00900);
    check_eq("IA32_MCG_CAP: five banks", (uint32_t)rdmsr(0x179), 5);
    uint64_t misc = rdmsr(0x1A0);
    check_eq("IA32_MISC_ENABLE at power-on", (uint32_t)misc, 0x1801);
    wrmsr(0x1A0, misc | 1u << 3);
    check_eq("IA32_MISC_ENABLE keeps a written bit", (uint32_t)rdmsr(0x1A0), 0x1809);
    wrmsr(0x1A0, misc);
    wrmsr(0xC0010004, 0x123456789ull);
    check_eq("K7 counter 0 holds what was written", (uint32_t)rdmsr(0xC0010004), 0x23456789);

    apic_write(SPIV, 0x1FF);
    apic_write(TIMER_DIVIDE, 0xB);                /* by 1 */
    apic_write(LVT_TIMER, TIMER_VECTOR);
    uint32_t before = irq_count[TIMER_IRQ];
    apic_write(TIMER_INITIAL, 2000000);           /* 2 ms */
    check_eq("one-shot timer interrupt", timer_fired(before), 1);
    apic_write(LVT_TIMER, 2u << 17 | TIMER_VECTOR);  /* TSC-deadline */
    before = irq_count[TIMER_IRQ];
    wrmsr(0x6E0, rdtsc() + 2000000);
    check_eq("TSC-deadline interrupt", timer_fired(before), 1);
    check_eq("IA32_TSC_DEADLINE reads 0 after it", (uint32_t)rdmsr(0x6E0), 0);
    check_finish();
}
