/* Shared set-up for the device kernels: PIC initialisation (vector base
 * 0x20/0x28), IRQ gates with per-line handlers and counters, and a 1 kHz
 * PIT channel-0 time base. */
#pragma once
#include <stdint.h>

#include "io.h"

enum {
    PIC1_CMD = 0x20, PIC1_DATA = 0x21, PIC2_CMD = 0xA0, PIC2_DATA = 0xA1,
    PIT_CH0 = 0x40, PIT_CH2 = 0x42, PIT_CMD = 0x43, PORT_61 = 0x61,
    RTC_INDEX = 0x70, RTC_DATA = 0x71,
    PIT_HZ = 1193182, PIT_1KHZ = 1193,
};

/* Per-line interrupt counts (incremented before the handler runs). */
extern volatile uint32_t irq_count[16];

/* A handler runs with interrupts off and must send the EOI itself; a line
 * without one gets a non-specific EOI (to both PICs for lines 8-15). */
typedef void (*irq_handler)(unsigned irq);
void irq_set_handler(unsigned irq, irq_handler fn);

/* GDT, exception IDT (lib/idt), gates 0x20-0x2F, PIC ICW1-4 with all lines
 * masked. Interrupts stay off. */
void dev_setup(void);

/* Sets the IMRs (bit set = masked). */
void pic_set_masks(uint8_t master, uint8_t slave);
/* Non-specific EOI for the line (slave and master for 8-15). */
void pic_eoi(unsigned irq);
/* OCW3 reads: IRR (0x0A) or ISR (0x0B) of the master (slave if 1). */
uint8_t pic_read_irr(int slave);
uint8_t pic_read_isr(int slave);

/* Channel 0, mode 2 (rate generator), lobyte/hibyte. */
void pit_ch0_rate(uint16_t count);

/* Busy-waits about `count` PIT input clocks with channel 2 (mode 0, port
 * 0x61 gate), without interrupts. Returns 0 if OUT2 never went high. */
int delay_ch2(uint16_t count);

/* CMOS/RTC register access (NMI stays enabled: bit 7 of the index clear). */
uint8_t rtc_read(uint8_t reg);
void rtc_write(uint8_t reg, uint8_t value);

static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
/* Enables interrupts and halts until one arrives (sti's shadow makes the
 * pair atomic), then disables them again. */
static inline void sti_hlt_cli(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }
