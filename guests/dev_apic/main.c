/* dev_apic: the local APIC as a guest sees it (SDM vol. 3, chapter 10).
 * A self-IPI waits while IF=0 and is taken in the window after sti's shadow
 * (sti; nop; cli takes it before the cli); several are taken highest
 * priority first, each blocking its own class until its EOI; the TPR holds
 * back classes at or below it; an illegal vector sets the ESR; the timer
 * interrupts in one-shot, periodic and TSC-deadline modes and counts down
 * by its divider; an NMI waits for the iret of the one being handled;
 * IA32_APIC_BASE moves the register page and turns the APIC off (and
 * CPUID's APIC flag with it); IA32_MISC_ENABLE can cap CPUID at leaf 2.
 * The I/O APIC and LINT0 are in ioapic.c. */
#include "apic.h"
#include "check.h"
#include "desc.h"
#include "dev.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

uint32_t apic_base = APIC_DEFAULT_BASE;
volatile struct taken taken_log[LOG_SIZE];
volatile unsigned taken_count;
volatile int eoi_in_handler = 1;
static volatile int nmi_resend; /* the NMI handler sends itself one more */
static volatile int nmi_depth, nmi_nested;

void apic_isr(uint32_t vector, uint32_t eip)
{
    if (taken_count < LOG_SIZE)
        taken_log[taken_count] = (struct taken){vector, eip, apic_read(APIC_PPR), apic_bit(APIC_ISR, vector)};
    taken_count++;
    if (vector == 2) {
        nmi_nested |= nmi_depth++;
        if (nmi_resend) {
            nmi_resend = 0;
            apic_write(APIC_ICR_LOW, ICR_NMI); /* to our own APIC ID (0) */
            for (volatile int spin = 0; spin < 1000; spin++)
                ;
        }
        nmi_depth--;
        return; /* no EOI for an NMI */
    }
    if (vector == 0x20) {
        outb(PIC1_CMD, 0x20); /* the 8259A's EOI (LINT0 ExtINT) */
        return;
    }
    if (vector == 0x91)
        rtc_read(0x0C) ; /* handled: the RTC drops its line */
    if (eoi_in_handler)
        apic_write(APIC_EOI, 0);
}

void log_reset(void)
{
    taken_count = 0;
}

void install_stubs(void)
{
    extern void stub_0x02(void), stub_0x20(void), stub_0x41(void), stub_0x42(void), stub_0x51(void),
        stub_0x61(void), stub_0x70(void), stub_0x90(void), stub_0x91(void), stub_0xE3(void), stub_0xFF(void);
    static const struct {
        unsigned vector;
        void (*stub)(void);
    } stubs[] = {{0x02, stub_0x02}, {0x20, stub_0x20}, {0x41, stub_0x41}, {0x42, stub_0x42},
                 {0x51, stub_0x51}, {0x61, stub_0x61}, {0x70, stub_0x70}, {0x90, stub_0x90},
                 {0x91, stub_0x91}, {0xE3, stub_0xE3}, {0xFF, stub_0xFF}};
    for (unsigned i = 0; i < sizeof stubs / sizeof stubs[0]; i++)
        pm_idt_entry(stubs[i].vector, stubs[i].stub, SYS_INT_GATE32, 0);
}

uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

void wait_for(unsigned n, unsigned ms)
{
    for (unsigned i = 0; i < ms && taken_count < n; i++) {
        cpu_sti();
        delay_ch2(1193); /* ~1 ms */
        cpu_cli();
    }
}

static void check_window(void)
{
    put_str("-- a self-IPI and the sti window\n");
    log_reset();
    self_ipi(0x41);
    check_eq("IF=0: the IPI waits in IRR", apic_bit(APIC_IRR, 0x41), 1);
    check_eq("IF=0: not taken", taken_count, 0);
    sti_nop_cli();
    check_eq("sti; nop; cli: taken once", taken_count, 1);
    check_eq("... vector", taken_log[0].vector, 0x41);
    check_eq("... after sti's shadow, before cli", taken_log[0].eip, (uint32_t)window_cli);
    check_eq("... in service while its handler runs", taken_log[0].in_service, 1);
    check_eq("... PPR its class in the handler", taken_log[0].ppr, 0x40);
    check_eq("ISR clear after the EOI", apic_bit(APIC_ISR, 0x41), 0);
    check_eq("PPR 0 after the EOI", apic_read(APIC_PPR), 0);
}

static void check_priority(void)
{
    put_str("-- priorities\n");
    log_reset();
    self_ipi(0x41);
    self_ipi(0x61);
    self_ipi(0x51);
    self_ipi(0x42);
    sti_nop_cli();
    check_eq("four taken", taken_count, 4);
    check_eq("first the highest class", taken_log[0].vector, 0x61);
    check_eq("then", taken_log[1].vector, 0x51);
    check_eq("then the higher vector of class 4", taken_log[2].vector, 0x42);
    check_eq("last", taken_log[3].vector, 0x41);

    /* Without EOIs: a handler's class blocks its own and lower classes. */
    log_reset();
    eoi_in_handler = 0;
    self_ipi(0x51);
    self_ipi(0x41);
    sti_nop_cli();
    check_eq("no EOI: only the higher one taken", taken_count, 1);
    check_eq("PPR = the class in service", apic_read(APIC_PPR), 0x50);
    self_ipi(0x61);
    sti_nop_cli();
    check_eq("a higher class nests", taken_count, 2);
    check_eq("... vector", taken_log[1].vector, 0x61);
    apic_write(APIC_EOI, 0); /* ends 0x61, the highest in service */
    check_eq("EOI ends the highest in service", apic_bit(APIC_ISR, 0x61) << 1 | apic_bit(APIC_ISR, 0x51), 1);
    apic_write(APIC_EOI, 0);
    eoi_in_handler = 1;
    sti_nop_cli();
    check_eq("the held one comes after both EOIs", taken_count, 3);
    check_eq("... vector", taken_log[2].vector, 0x41);

    /* The TPR holds back its class and those below. */
    log_reset();
    apic_write(APIC_TPR, 0x51);
    self_ipi(0x51);
    self_ipi(0x61);
    sti_nop_cli();
    check_eq("TPR 0x51: class 6 taken, class 5 held", taken_count, 1);
    check_eq("PPR = TPR", apic_read(APIC_PPR), 0x51);
    apic_write(APIC_TPR, 0);
    sti_nop_cli();
    check_eq("TPR 0: the held one taken", taken_count, 2);
    check_eq("... vector", taken_log[1].vector, 0x51);
}

/* QEMU's TCG (7.2) sends illegal vectors as if they were legal: booted
 * with "tcg" this part is left out. */
static void check_errors(uint32_t magic, uint32_t mbi)
{
    if (cmdline_has(magic, mbi, "tcg")) {
        put_str("-- the ESR: not checked (tcg)\n");
        return;
    }
    put_str("-- the ESR\n");
    log_reset();
    apic_write(APIC_LVT_ERROR, 0xE3);
    apic_write(APIC_ESR, 0);
    self_ipi(0x05); /* vectors 0-15 are illegal */
    apic_write(APIC_ESR, 0);
    check_eq("send illegal vector", apic_read(APIC_ESR), 0x20);
    sti_nop_cli();
    check_eq("the error LVT's interrupt", taken_count == 1 ? taken_log[0].vector : taken_count, 0xE3);
    apic_write(APIC_ESR, 0);
    check_eq("ESR clear after the next write", apic_read(APIC_ESR), 0);
    apic_write(APIC_LVT_ERROR, LVT_MASKED | 0xE3);
}

static void check_timer(void)
{
    put_str("-- the timer\n");
    apic_write(APIC_TIMER_DIVIDE, 0x3); /* divide by 16 */
    apic_write(APIC_LVT_TIMER, 0x70);
    log_reset();
    apic_write(APIC_TIMER_INITIAL, 0x7FFFFFFF);
    /* Against the ACPI PM timer (3.579545 MHz, port 0x608), read right
     * next to it: a host that stops bt86 meanwhile stops neither less. */
    uint32_t c1 = apic_read(APIC_TIMER_CURRENT), p1 = inl(0x608);
    delay_ch2(5966); /* ~5 ms */
    uint32_t c2 = apic_read(APIC_TIMER_CURRENT), p2 = inl(0x608);
    uint64_t apic_ns = (uint64_t)(c1 - c2) * 16, pm_ns = (uint64_t)(p2 - p1) * 1000000000ull / 3579545;
    check_begin();
    kprintf("one-shot counts down by 1 GHz / 16: %u ns by the APIC, %u ns by the PM timer", (uint32_t)apic_ns,
            (uint32_t)pm_ns);
    check_end(c1 > c2 && apic_ns * 100 > pm_ns * 97 && apic_ns * 100 < pm_ns * 103);
    apic_write(APIC_TIMER_INITIAL, 62500); /* ~1 ms */
    wait_for(1, 50);
    check_eq("one-shot: interrupt", taken_count == 1 ? taken_log[0].vector : taken_count, 0x70);
    check_eq("one-shot: count 0 after it", apic_read(APIC_TIMER_CURRENT), 0);
    wait_for(2, 5);
    check_eq("one-shot: once", taken_count, 1);

    log_reset();
    apic_write(APIC_LVT_TIMER, LVT_PERIODIC | 0x70);
    apic_write(APIC_TIMER_INITIAL, 62500);
    wait_for(3, 100);
    check_eq("periodic: three interrupts (or more)", taken_count >= 3, 1);
    apic_write(APIC_LVT_TIMER, LVT_PERIODIC | LVT_MASKED | 0x70);
    sti_nop_cli(); /* one may have been accepted before the mask */
    log_reset();
    wait_for(1, 5);
    check_eq("masked: none", taken_count, 0);
    apic_write(APIC_TIMER_INITIAL, 0);

    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    check_eq("CPUID announces TSC-deadline", c >> 24 & 1, 1);
    apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | 0x70);
    log_reset();
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2000000);
    check_eq("TSC-deadline: armed", rdmsr(MSR_TSC_DEADLINE) != 0, 1);
    wait_for(1, 50);
    check_eq("TSC-deadline: interrupt", taken_count == 1 ? taken_log[0].vector : taken_count, 0x70);
    check_eq("TSC-deadline: the MSR reads 0 after", (uint32_t)rdmsr(MSR_TSC_DEADLINE), 0);
    /* The deadline is compared with the TSC the guest reads now, however
     * it got there: here the guest moved its TSC back by 2^40 (bt86 also
     * moves it back by the time it hides from the guest). A deadline 2^31
     * cycles ahead is still armed right after it was written (however
     * loaded the host); one 200,000 cycles ahead then fires. */
    log_reset();
    wrmsr(MSR_TSC, rdtsc() - (1ull << 40));
    const uint64_t deadline = rdtsc() + (1ull << 31);
    wrmsr(MSR_TSC_DEADLINE, deadline);
    check_eq("TSC-deadline after a TSC write: still armed", rdmsr(MSR_TSC_DEADLINE) == deadline, 1);
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 200000);
    wait_for(1, 50);
    check_eq("... then the interrupt", taken_count == 1 ? taken_log[0].vector : taken_count, 0x70);
    wrmsr(MSR_TSC, rdtsc() + (1ull << 40));
    log_reset();
    wrmsr(MSR_TSC_DEADLINE, rdtsc() - 1); /* already passed */
    sti_nop_cli();
    check_eq("a deadline already passed: at once", taken_count, 1);
    apic_write(APIC_LVT_TIMER, LVT_MASKED);
}

static void check_nmi(void)
{
    put_str("-- NMI\n");
    log_reset();
    nmi_resend = 1;
    apic_write(APIC_ICR_HIGH, 0);
    apic_write(APIC_ICR_LOW, ICR_NMI); /* with IF=0 */
    for (volatile int spin = 0; spin < 1000; spin++)
        ;
    check_eq("two NMIs", taken_count, 2);
    check_eq("the second after the first's iret, not nested", nmi_nested, 0);
}

static void check_base(void)
{
    put_str("-- IA32_APIC_BASE\n");
    uint64_t base = rdmsr(MSR_APIC_BASE);
    check_eq("power-on: 0xFEE00000, enabled, BSP", (uint32_t)base, 0xFEE00900);
    wrmsr(MSR_APIC_BASE, 0xFED00800);
    uint32_t old_version = *(volatile uint32_t *)(APIC_DEFAULT_BASE + APIC_VERSION);
    apic_base = 0xFED00000;
    check_eq("moved: the version register at the new base", apic_read(APIC_VERSION), 0x00050014);
    check_eq("moved: the old base is open bus", old_version, 0xFFFFFFFF);
    check_eq("moved: state kept (SPIV)", apic_read(APIC_SPIV), 0x1FF);
    wrmsr(MSR_APIC_BASE, 0xFEE00000); /* hardware disable */
    apic_base = APIC_DEFAULT_BASE;
    check_eq("disabled: CPUID.1:EDX.APIC clear", pm_cpuid1_edx() >> 9 & 1, 0);
    check_eq("disabled: no registers", apic_read(APIC_VERSION), 0xFFFFFFFF);
    wrmsr(MSR_APIC_BASE, 0xFEE00800);
    check_eq("enabled again: CPUID.1:EDX.APIC set", pm_cpuid1_edx() >> 9 & 1, 1);
    check_eq("enabled again: power-up state (SPIV)", apic_read(APIC_SPIV), 0xFF);
    check_eq("enabled again: LVT masked", apic_read(APIC_LVT_LINT0), LVT_MASKED);
    /* IA32_MISC_ENABLE's "limit CPUID maxval" caps leaf 0 at 2. */
    uint64_t misc = rdmsr(0x1A0);
    wrmsr(0x1A0, misc | 1u << 22);
    uint32_t a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    check_eq("MISC_ENABLE limits CPUID: leaf 0 reports 2", a, 2);
    wrmsr(0x1A0, misc);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("dev_apic: the local APIC and the I/O APIC\n");
    if (!(pm_cpuid1_edx() >> 9 & 1)) {
        put_str("FAIL: CPUID.1:EDX.APIC is 0\n");
        check_finish();
    }
    install_stubs();
    check_eq("LINT0 as the firmware leaves it: ExtINT, unmasked", apic_read(APIC_LVT_LINT0) & 0x10700, 0x700);
    check_eq("LINT1: NMI, unmasked", apic_read(APIC_LVT_LINT1) & 0x10700, 0x400);
    apic_write(APIC_SPIV, 0x1FF);
    check_window();
    check_priority();
    check_errors(magic, mbi);
    check_timer();
    check_nmi();
    check_ioapic();
    check_base();
    check_finish();
}
