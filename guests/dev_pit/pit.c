/* 8254 PIT: channel 0 in mode 2 at ~1000 Hz counted against the RTC's
 * seconds (about 1000 IRQ0s per RTC second; 500..1500 are accepted, since
 * QEMU under host load coalesces ticks), and channel 2 in mode 0 gated
 * through port 0x61: OUT2 (bit 5) is low while counting and goes high once
 * the count has run out. */
#include "check.h"
#include "dev.h"
#include "guest.h"
#include "print.h"

static uint8_t rtc_seconds(void)
{
    while (rtc_read(0x0A) & 0x80) /* update in progress */
        ;
    return rtc_read(0x00);
}

/* Halts until the RTC's seconds register changes (or `limit` PIT ticks
 * pass); returns the tick count at the change. */
static uint32_t wait_second_edge(uint32_t limit, int *ok)
{
    uint8_t s = rtc_seconds();
    uint32_t start = irq_count[0];
    for (;;) {
        sti_hlt_cli();
        if (rtc_seconds() != s) {
            *ok = 1;
            return irq_count[0];
        }
        if (irq_count[0] - start > limit) {
            *ok = 0;
            return irq_count[0];
        }
    }
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("dev_pit: 8254 channel 0 against the RTC, channel 2 gate and OUT2\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    dev_setup();
    pit_ch0_rate(PIT_1KHZ);
    pic_set_masks(0xFE, 0xFF); /* IRQ0 only */

    /* Channel 0 against the RTC's seconds: one full second, edge to edge. */
    int ok1 = 0, ok2 = 0;
    wait_second_edge(5000, &ok1);
    uint32_t t0 = irq_count[0];
    uint32_t t1 = wait_second_edge(5000, &ok2);
    check_begin();
    kprintf("RTC seconds register ticks while IRQ0 runs");
    check_end(ok1 && ok2);
    uint32_t per_second = t1 - t0;
    check_begin();
    kprintf("IRQ0s per RTC second: %u (want 500..1500)", per_second);
    check_end(ok1 && ok2 && per_second >= 500 && per_second <= 1500);

    /* Channel 2, mode 0, gate low while programming. */
    outb(PORT_61, inb(PORT_61) & ~0x03); /* gate 2 off, speaker off */
    outb(PIT_CMD, 0xB0);                 /* channel 2, lobyte/hibyte, mode 0 */
    uint16_t count = 0x3000;             /* ~10.3 ms */
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    uint8_t before = inb(PORT_61);
    check_eq("OUT2 (port 0x61 bit 5) after mode 0 is set, gate low", before & 0x20, 0);
    outb(PORT_61, (inb(PORT_61) & ~0x02) | 0x01); /* gate 2 on */
    uint8_t just_after = inb(PORT_61);
    check_eq("OUT2 right after the gate opens", just_after & 0x20, 0);
    uint32_t start = irq_count[0];
    int high = 0;
    while (irq_count[0] - start < 200) {
        if (inb(PORT_61) & 0x20) {
            high = 1;
            break;
        }
        sti_hlt_cli(); /* the next IRQ0, at most ~1 ms away */
    }
    uint32_t elapsed = irq_count[0] - start;
    check_eq("OUT2 goes high after the count", high, 1);
    check_begin();
    kprintf("channel 2 count of 0x3000 ran out after %u IRQ0 ticks (want 2..100)", elapsed);
    check_end(high && elapsed >= 2 && elapsed <= 100);
    check_eq("OUT2 stays high once the count ran out", inb(PORT_61) & 0x20, 0x20);
    outb(PORT_61, inb(PORT_61) & ~0x03);

    check_finish();
}
