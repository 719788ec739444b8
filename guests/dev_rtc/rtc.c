/* MC146818 RTC: the periodic interrupt at rate 6 (1024 Hz) on IRQ8, counted
 * over 250 PIT ticks (~0.25 s: about 256 interrupts); register C reports the
 * periodic flag and clears on read; the BCD time and date are plausible. */
#include "check.h"
#include "dev.h"
#include "guest.h"
#include "print.h"

static volatile uint8_t first_c, last_c;

static void irq8_handler(unsigned irq)
{
    uint8_t c = rtc_read(0x0C);
    if (irq_count[8] == 1)
        first_c = c;
    last_c = c;
    pic_eoi(irq);
}

static int bcd_ok(uint8_t v, uint8_t max)
{
    return (v & 0x0F) <= 9 && (v >> 4) <= 9 && v <= max;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("dev_rtc: MC146818 periodic interrupt, register C, BCD time\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    dev_setup();
    pit_ch0_rate(PIT_1KHZ);
    irq_set_handler(8, irq8_handler);

    check_eq("register D: valid RAM and time (VRT)", rtc_read(0x0D) & 0x80, 0x80);

    /* Periodic interrupt: rate 6, PIE on. */
    rtc_write(0x0A, (rtc_read(0x0A) & 0xF0) | 0x06);
    check_eq("register A rate select reads back", rtc_read(0x0A) & 0x0F, 0x06);
    rtc_write(0x0B, rtc_read(0x0B) | 0x40);
    rtc_read(0x0C);
    pic_set_masks(0xFA, 0xFE); /* IRQ0, IRQ2 (cascade), IRQ8 */
    /* Start on a PIT tick edge, then count IRQ8s over 250 ticks. */
    uint32_t t = irq_count[0];
    while (irq_count[0] == t)
        sti_hlt_cli();
    uint32_t t0 = irq_count[0], r0 = irq_count[8];
    while (irq_count[0] - t0 < 250)
        sti_hlt_cli();
    uint32_t n = irq_count[8] - r0;
    check_begin();
    kprintf("IRQ8s in 250 PIT ticks: %u (want 180..330)", n);
    check_end(n >= 180 && n <= 330);
    check_eq("register C in the handler: IRQF and PF set", first_c & 0xC0, 0xC0);
    check_eq("register C in the last handler: IRQF and PF set", last_c & 0xC0, 0xC0);

    /* Stop the periodic interrupt and its flag: rate 0, PIE off. */
    rtc_write(0x0B, rtc_read(0x0B) & ~0x40);
    rtc_write(0x0A, rtc_read(0x0A) & 0xF0);
    uint32_t before = irq_count[8];
    t = irq_count[0];
    while (irq_count[0] - t < 20)
        sti_hlt_cli();
    check_eq("IRQ8s after PIE is cleared", irq_count[8] - before, 0);
    rtc_read(0x0C);
    check_eq("register C PF/IRQF after a read (cleared on read)", rtc_read(0x0C) & 0xC0, 0);

    /* BCD time. */
    uint8_t b = rtc_read(0x0B);
    check_eq("register B data mode is BCD (DM clear)", b & 0x04, 0);
    while (rtc_read(0x0A) & 0x80)
        ;
    uint8_t sec = rtc_read(0x00), min = rtc_read(0x02), hour = rtc_read(0x04);
    uint8_t day = rtc_read(0x07), mon = rtc_read(0x08), year = rtc_read(0x09);
    check_begin();
    kprintf("seconds register is BCD 00..59");
    check_end(bcd_ok(sec, 0x59));
    check_begin();
    kprintf("minutes register is BCD 00..59");
    check_end(bcd_ok(min, 0x59));
    check_begin();
    kprintf("hours register is BCD (%s mode)", (b & 0x02) ? "24-hour" : "12-hour");
    if (b & 0x02)
        check_end(bcd_ok(hour, 0x23));
    else
        check_end(bcd_ok(hour & 0x7F, 0x12) && (hour & 0x7F) != 0);
    check_begin();
    kprintf("date registers are BCD (day 01..31, month 01..12, year 00..99)");
    check_end(bcd_ok(day, 0x31) && day && bcd_ok(mon, 0x12) && mon && bcd_ok(year, 0x99));
    check_finish();
}
