/* Shared device-kernel set-up (see dev.h). */
#include "dev.h"

#include "guest.h"
#include "idt.h"

volatile uint32_t irq_count[16];
static irq_handler handlers[16];
extern const uint32_t irq_stub_table[16];

void irq_set_handler(unsigned irq, irq_handler fn)
{
    handlers[irq & 15] = fn;
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

void irq_dispatch(unsigned irq)
{
    irq_count[irq]++;
    if (handlers[irq])
        handlers[irq](irq);
    else
        pic_eoi(irq);
}

void pic_set_masks(uint8_t master, uint8_t slave)
{
    outb(PIC1_DATA, master);
    outb(PIC2_DATA, slave);
}

uint8_t pic_read_irr(int slave)
{
    uint16_t cmd = slave ? PIC2_CMD : PIC1_CMD;
    outb(cmd, 0x0A);
    return inb(cmd);
}

uint8_t pic_read_isr(int slave)
{
    uint16_t cmd = slave ? PIC2_CMD : PIC1_CMD;
    outb(cmd, 0x0B);
    uint8_t v = inb(cmd);
    outb(cmd, 0x0A);
    return v;
}

void dev_setup(void)
{
    load_flat_gdt();
    idt_init();
    for (unsigned i = 0; i < 16; i++)
        idt_set_gate((uint8_t)(0x20 + i), (void (*)(void))irq_stub_table[i], 0);
    outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 needed */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, 0x20); /* ICW2: vector bases */
    outb(PIC2_DATA, 0x28);
    outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode, normal EOI */
    outb(PIC2_DATA, 0x01);
    pic_set_masks(0xFF, 0xFF);
}

void pit_ch0_rate(uint16_t count)
{
    outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2, binary */
    outb(PIT_CH0, (uint8_t)count);
    outb(PIT_CH0, (uint8_t)(count >> 8));
}

int delay_ch2(uint16_t count)
{
    outb(PORT_61, inb(PORT_61) & ~0x03);
    outb(PIT_CMD, 0xB0);
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    outb(PORT_61, (inb(PORT_61) & ~0x02) | 0x01);
    for (uint32_t i = 0; i < 200000000u; i++)
        if (inb(PORT_61) & 0x20) {
            outb(PORT_61, inb(PORT_61) & ~0x03);
            return 1;
        }
    return 0;
}

uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

void rtc_write(uint8_t reg, uint8_t value)
{
    outb(RTC_INDEX, reg);
    outb(RTC_DATA, value);
}
