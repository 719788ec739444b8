/* i8042 reset: after a few PIT ticks (so the PIC and IDT are live), writes
 * 0xFE to port 0x64. The machine must reset: bt86 ends the run with status
 * 0 and "the guest reset the machine"; QEMU with -no-reboot exits with 0.
 * Still running 500 ticks later is a failure. */
#include "dev.h"
#include "guest.h"
#include "print.h"

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("dev_reset: i8042 command 0xFE (pulse the reset line)\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    dev_setup();
    pit_ch0_rate(PIT_1KHZ);
    pic_set_masks(0xFE, 0xFF);
    while (irq_count[0] < 10)
        sti_hlt_cli();
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++) /* input buffer full */
        ;
    put_str("resetting\n");
    outb(0x64, 0xFE);
    uint32_t t = irq_count[0];
    while (irq_count[0] - t < 500)
        sti_hlt_cli();
    put_str("FAIL: still running 500 ms after the reset command\n");
    exit_qemu(1);
}
