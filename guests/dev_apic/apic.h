/* dev_apic's view of the local APIC (0xFEE00000), the I/O APIC (0xFEC00000)
 * and its interrupt log. Paging stays off: physical addresses are pointers. */
#pragma once
#include <stdint.h>

enum {
    APIC_ID = 0x20, APIC_VERSION = 0x30, APIC_TPR = 0x80, APIC_PPR = 0xA0, APIC_EOI = 0xB0,
    APIC_LDR = 0xD0, APIC_DFR = 0xE0, APIC_SPIV = 0xF0, APIC_ISR = 0x100, APIC_TMR = 0x180,
    APIC_IRR = 0x200, APIC_ESR = 0x280, APIC_ICR_LOW = 0x300, APIC_ICR_HIGH = 0x310,
    APIC_LVT_TIMER = 0x320, APIC_LVT_LINT0 = 0x350, APIC_LVT_LINT1 = 0x360, APIC_LVT_ERROR = 0x370,
    APIC_TIMER_INITIAL = 0x380, APIC_TIMER_CURRENT = 0x390, APIC_TIMER_DIVIDE = 0x3E0,
    LVT_MASKED = 1u << 16, LVT_PERIODIC = 1u << 17, LVT_TSC_DEADLINE = 2u << 17,
    ICR_SELF = 1u << 18, ICR_NMI = 4u << 8, MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B, MSR_TSC_DEADLINE = 0x6E0,
    APIC_DEFAULT_BASE = 0xFEE00000u, IOAPIC_BASE = 0xFEC00000u,
};

extern uint32_t apic_base; /* where the register page is now */

static inline uint32_t apic_read(uint32_t reg) { return *(volatile uint32_t *)(apic_base + reg); }
static inline void apic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(apic_base + reg) = v; }
static inline int apic_bit(uint32_t bank, unsigned vector)
{
    return apic_read(bank + (vector / 32) * 16) >> (vector % 32) & 1;
}
static inline void self_ipi(unsigned vector) { apic_write(APIC_ICR_LOW, ICR_SELF | vector); }

uint32_t ioapic_read(unsigned index);
void ioapic_write(unsigned index, uint32_t v);
void ioapic_route(unsigned pin, uint32_t low);

/* Interrupts that reached the stubs (stubs.asm): vector, the EIP they
 * interrupted, and PPR and the vector's ISR bit as the handler saw them. */
struct taken {
    uint32_t vector, eip, ppr, in_service;
};
enum { LOG_SIZE = 64 };
extern volatile struct taken taken_log[LOG_SIZE];
extern volatile unsigned taken_count;
/* Whether handlers send the EOI (else the test does). */
extern volatile int eoi_in_handler;
void log_reset(void);
/* Gates to the stubs for the vectors dev_apic uses. */
void install_stubs(void);
/* The TSC, and sleeping with interrupts on until `n` interrupts were taken
 * or about `ms` milliseconds passed (PIT channel 2), interrupts off after. */
uint64_t rdtsc(void);
void wait_for(unsigned n, unsigned ms);

/* stubs.asm: sti; nop; cli with the cli at window_cli (IF=0 on entry). */
void sti_nop_cli(void);
extern const uint8_t window_cli[];

void check_ioapic(void);
