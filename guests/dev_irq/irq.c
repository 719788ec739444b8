/* External interrupts from the PIT through the 8259A, run long enough to
 * be moved between backends hundreds of times: ticks are counted while
 * halted, interrupted computation gives the same result as uninterrupted
 * computation (the frame restores every register and flag), handlers run
 * with IF clear, and a masked line stays quiet. Handlers return without
 * iretd (dev_common/irq.asm built with IRQ_RETURN_WITHOUT_IRETD), so KVMs
 * whose emulator lacks it run this too. */
#include "check.h"
#include "dev.h"
#include "guest.h"
#include "print.h"

enum { TICKS = 200, ROUNDS = 40, ROUND_ITERATIONS = 2000 };

static volatile uint32_t handler_eflags_or, last_irq = 99;

static void tick_handler(unsigned irq)
{
    uint32_t flags;
    __asm__ volatile("pushfl; popl %0" : "=r"(flags));
    handler_eflags_or |= flags;
    last_irq = irq;
    pic_eoi(irq);
}

/* FNV-1a over a little arithmetic: flags-heavy code for interrupts to hit. */
static uint32_t work(uint32_t seed)
{
    uint32_t h = 2166136261u ^ seed;
    for (uint32_t i = 0; i < ROUND_ITERATIONS; i++) {
        uint32_t x = h + i;
        x = (x << 7 | x >> 25) ^ (x * 2654435761u);
        h = (h ^ (x & 0xFF)) * 16777619u;
        if (x & 1)
            h += i;
    }
    return h;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("dev_irq: PIT ticks through the PIC while halted and while computing\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    dev_setup();
    irq_set_handler(0, tick_handler);

    uint32_t quiet = 0;
    for (int r = 0; r < ROUNDS; r++)
        quiet += work((uint32_t)r);

    pit_ch0_rate(PIT_1KHZ);
    pic_set_masks(0xFE, 0xFF);
    uint32_t spins = 0;
    while (irq_count[0] < TICKS && spins++ < 100 * TICKS)
        sti_hlt_cli();
    check_eq("ticks counted while halting", irq_count[0] >= TICKS, 1);
    check_eq("line the handler saw", last_irq, 0);
    check_eq("IF inside the handler (interrupt gate)", handler_eflags_or & 0x200, 0);

    uint32_t before = irq_count[0], busy = 0;
    cpu_sti();
    for (int r = 0; r < ROUNDS; r++)
        busy += work((uint32_t)r);
    cpu_cli();
    check_eq("same result with interrupts as without", busy, quiet);
    kprintf("(%u ticks during the computation)\n", irq_count[0] - before);

    pic_set_masks(0xFF, 0xFF);
    uint32_t masked = irq_count[0];
    cpu_sti();
    delay_ch2(0x6000); /* ~20 ms: many PIT periods */
    cpu_cli();
    check_eq("no ticks while IRQ0 is masked", irq_count[0] - masked, 0);
    check_finish();
}
