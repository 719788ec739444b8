/* dev_apic, the I/O APIC (82093AA registers, the EOI of version 0x20) and
 * LINT0: ISA IRQ0 (the PIT) reaches pin 2; an edge entry sends per edge
 * and nothing while masked; a level entry (the RTC's IRQ8) is not sent
 * again until the local APIC's EOI for its vector clears its remote IRR,
 * and then again only if the line is still asserted; with the 8259A pair
 * programmed instead, its interrupts reach the CPU through LINT0 in ExtINT
 * mode (the vector is the 8259A's, the APIC's ISR untouched). */
#include "apic.h"
#include "check.h"
#include "dev.h"
#include "print.h"

enum { REDIR_MASKED = 1u << 16, REDIR_LEVEL = 1u << 15, REDIR_REMOTE_IRR = 1u << 14 };

uint32_t ioapic_read(unsigned index)
{
    *(volatile uint32_t *)IOAPIC_BASE = index;
    return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

void ioapic_write(unsigned index, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC_BASE = index;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

void ioapic_route(unsigned pin, uint32_t low)
{
    ioapic_write(0x11 + 2 * pin, 0); /* physical destination: APIC ID 0 */
    ioapic_write(0x10 + 2 * pin, low);
}

static void check_edge(void)
{
    put_str("-- the PIT on pin 2, edge\n");
    ioapic_route(2, 0x90);
    log_reset();
    pit_ch0_rate(PIT_1KHZ);
    wait_for(3, 50);
    check_eq("PIT interrupts through pin 2", taken_count >= 3, 1);
    check_eq("... vector", taken_log[0].vector, 0x90);
    check_eq("... edge: TMR clear", apic_bit(APIC_TMR, 0x90), 0);
    ioapic_route(2, REDIR_MASKED | 0x90);
    sti_nop_cli(); /* one may have been sent before the mask */
    log_reset();
    wait_for(1, 5);
    check_eq("pin 2 masked: none", taken_count, 0);
}

static void check_level(void)
{
    put_str("-- the RTC on pin 8, level\n");
    ioapic_route(8, REDIR_LEVEL | 0x91);
    log_reset();
    eoi_in_handler = 0;
    rtc_write(0x0A, 0x26);                        /* 1024 Hz periodic rate */
    rtc_write(0x0B, rtc_read(0x0B) | 0x40);       /* PIE */
    wait_for(1, 50);
    check_eq("an RTC interrupt", taken_count, 1);
    check_eq("... level: TMR set", apic_bit(APIC_TMR, 0x91), 1);
    check_eq("... remote IRR set until the EOI", ioapic_read(0x10 + 2 * 8) & REDIR_REMOTE_IRR, REDIR_REMOTE_IRR);
    wait_for(2, 5); /* periodic flags came meanwhile, the line is up again */
    check_eq("no second one before the EOI", taken_count, 1);
    eoi_in_handler = 1;
    apic_write(APIC_EOI, 0);
    check_eq("the EOI cleared remote IRR and the asserted line was sent again",
             apic_bit(APIC_IRR, 0x91), 1);
    wait_for(2, 5);
    check_eq("... and taken", taken_count >= 2, 1);
    rtc_write(0x0B, rtc_read(0x0B) & ~0x40);
    rtc_read(0x0C);
    ioapic_route(8, REDIR_MASKED);
    sti_nop_cli(); /* what was sent before the mask */
}

static void check_lint0(void)
{
    put_str("-- the 8259A through LINT0 (ExtINT)\n");
    outb(PIC1_CMD, 0x11), outb(PIC1_DATA, 0x20), outb(PIC1_DATA, 0x04), outb(PIC1_DATA, 0x01);
    outb(PIC2_CMD, 0x11), outb(PIC2_DATA, 0x28), outb(PIC2_DATA, 0x02), outb(PIC2_DATA, 0x01);
    pic_set_masks(0xFE, 0xFF); /* IRQ0 only */
    log_reset();
    wait_for(2, 50);
    check_eq("PIT interrupts through the 8259A", taken_count >= 2, 1);
    check_eq("... the 8259A's vector", taken_log[0].vector, 0x20);
    check_eq("... not in the APIC's ISR", taken_log[0].in_service, 0);
    apic_write(APIC_LVT_LINT0, LVT_MASKED | 0x700);
    sti_nop_cli();
    log_reset();
    wait_for(1, 5);
    check_eq("LINT0 masked: none", taken_count, 0);
    pic_set_masks(0xFF, 0xFF);
    apic_write(APIC_LVT_LINT0, 0x700);
}

void check_ioapic(void)
{
    put_str("-- I/O APIC registers\n");
    check_eq("ID", ioapic_read(0), 0x01000000);
    check_eq("version: 24 entries, 0x20", ioapic_read(1), 0x00170020);
    check_eq("entries masked at power-on", ioapic_read(0x10 + 2 * 5), REDIR_MASKED);
    check_edge();
    check_level();
    check_lint0();
    pit_ch0_rate(0);
}
