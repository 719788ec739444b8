/* 8259A pair: a masked IRQ0 stays in the IRR and is delivered only once
 * unmasked; with IRQ0 and IRQ8 (through the cascade on IRQ2) both pending,
 * IRQ0 is serviced first; ISR bits read back through OCW3 while a handler
 * runs and a specific EOI clears exactly that bit. */
#include "check.h"
#include "dev.h"
#include "guest.h"
#include "print.h"

static volatile unsigned order[4], norder;
static volatile uint8_t isr_in0, isr_after0, isr_in8_master, isr_in8_slave;
static volatile uint8_t isr_after8_master, isr_after8_slave;

/* Each line masks itself after its first interrupt, so each fires once. */
static void irq0_handler(unsigned irq)
{
    (void)irq;
    if (norder < 4)
        order[norder++] = 0;
    outb(PIC1_DATA, inb(PIC1_DATA) | 0x01);
    isr_in0 = pic_read_isr(0);
    outb(PIC1_CMD, 0x60); /* specific EOI, level 0 */
    isr_after0 = pic_read_isr(0);
}

static void irq8_handler(unsigned irq)
{
    (void)irq;
    if (norder < 4)
        order[norder++] = 8;
    rtc_read(0x0C); /* acknowledge the RTC */
    outb(PIC2_DATA, inb(PIC2_DATA) | 0x01);
    isr_in8_master = pic_read_isr(0);
    isr_in8_slave = pic_read_isr(1);
    outb(PIC2_CMD, 0x60); /* specific EOI on the slave, level 0 */
    outb(PIC1_CMD, 0x62); /* specific EOI on the master, level 2 */
    isr_after8_master = pic_read_isr(0);
    isr_after8_slave = pic_read_isr(1);
}

/* With IRQ0 unmasked and pending, IF=0: sti, spin briefly, cli. Returns
 * whether the interrupt was taken meanwhile. */
static __attribute__((noinline)) int sti_with_irq_waiting(void)
{
    delay_ch2(0x3000); /* ~10 ms with IRQ0 masked: IRR bit 0 set again */
    uint32_t before = irq_count[0];
    pic_set_masks(0xFE, 0xFF); /* unmasked while IF=0: stays pending */
    __asm__ volatile("sti; nop" ::: "memory");
    for (volatile int spin = 0; spin < 100; spin++)
        ;
    cpu_cli();
    pic_set_masks(0xFF, 0xFF);
    return irq_count[0] != before;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("dev_pic: 8259A masking, priority, specific EOI, IRR/ISR readback\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    dev_setup();
    check_eq("IMR master after set-up", inb(PIC1_DATA), 0xFF);
    check_eq("IMR slave after set-up", inb(PIC2_DATA), 0xFF);
    outb(PIC1_DATA, 0xA5);
    check_eq("IMR master reads back what was written", inb(PIC1_DATA), 0xA5);
    outb(PIC1_DATA, 0xFF);
    check_eq("ISR master idle", pic_read_isr(0), 0);
    check_eq("ISR slave idle", pic_read_isr(1), 0);

    /* Masking: the PIT runs, IRQ0 is masked, interrupts are on. */
    pit_ch0_rate(PIT_1KHZ);
    cpu_sti();
    int waited = delay_ch2(0xC000); /* ~41 ms: dozens of PIT periods */
    cpu_cli();
    check_eq("channel-2 delay ran out", waited, 1);
    check_eq("masked IRQ0 delivered while masked (count)", irq_count[0], 0);
    check_eq("IRR master bit 0 set while IRQ0 masked", pic_read_irr(0) & 0x01, 0x01);
    pic_set_masks(0xFE, 0xFF);
    uint32_t start_spins = 0;
    while (irq_count[0] == 0 && start_spins++ < 1000)
        sti_hlt_cli();
    check_eq("IRQ0 arrives once unmasked", irq_count[0] != 0, 1);
    pic_set_masks(0xFF, 0xFF);

    /* sti with IRQ0 already waiting: it is taken once sti's one-instruction
     * shadow has passed, without a hlt and long before the next PIT tick.
     * Twice: the second time the code is translated and chained already, so
     * nothing but sti itself can make the engine look at the PIC. */
    check_eq("IRQ0 pending at sti taken (first run)", sti_with_irq_waiting(), 1);
    check_eq("IRQ0 pending at sti taken (translated, chained)", sti_with_irq_waiting(), 1);

    /* Priority: IRQ0 and IRQ8 pending together, interrupts off. */
    rtc_write(0x0A, (rtc_read(0x0A) & 0xF0) | 0x06); /* 1024 Hz */
    rtc_write(0x0B, rtc_read(0x0B) | 0x40);          /* PIE */
    rtc_read(0x0C);
    irq_set_handler(0, irq0_handler);
    irq_set_handler(8, irq8_handler);
    pic_set_masks(0xFF, 0xFE); /* the slave passes IRQ8 on; the master masks all */
    delay_ch2(0x3000); /* ~10 ms: both lines raise again */
    uint8_t irr_m = pic_read_irr(0), irr_s = pic_read_irr(1);
    check_eq("IRR master bits 0 and 2 with IRQ0 and IRQ8 pending (all masked)", irr_m & 0x05, 0x05);
    check_eq("IRR slave bit 0 with IRQ8 pending", irr_s & 0x01, 0x01);
    norder = 0;
    pic_set_masks(0xFA, 0xFE); /* IRQ0, IRQ2 (cascade), IRQ8 */
    for (int i = 0; i < 100 && norder < 2; i++)
        sti_hlt_cli();
    rtc_write(0x0B, rtc_read(0x0B) & ~0x40);
    rtc_read(0x0C);
    check_eq("interrupts taken", norder, 2);
    check_eq("first serviced (IRQ0 beats IRQ8)", order[0], 0);
    check_eq("second serviced", order[1], 8);
    check_eq("ISR master inside IRQ0 handler", isr_in0, 0x01);
    check_eq("ISR master after specific EOI 0x60", isr_after0, 0x00);
    check_eq("ISR master inside IRQ8 handler (cascade line)", isr_in8_master, 0x04);
    check_eq("ISR slave inside IRQ8 handler", isr_in8_slave, 0x01);
    check_eq("ISR master after specific EOI 0x62", isr_after8_master, 0x00);
    check_eq("ISR slave after specific EOI 0x60", isr_after8_slave, 0x00);
    check_eq("ISR master at the end", pic_read_isr(0), 0);
    check_eq("ISR slave at the end", pic_read_isr(1), 0);
    check_finish();
}
