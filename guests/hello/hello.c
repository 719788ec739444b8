/* The smallest useful kernel: serial output, the multiboot hand-over, exit. */
#include "guest.h"
#include "print.h"

enum {
    MBI_FLAG_MEM = 1 << 0,
    MBI_FLAG_CMDLINE = 1 << 2,
};

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    put_str("Hello from a bt86 guest!\n");
    kprintf("multiboot magic: %08x\n", magic);
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        put_str("FAIL: EAX is not the multiboot magic 0x2BADB002\n");
        exit_qemu(1);
    }

    /* Paging is off: the info's physical address is usable as a pointer. */
    const struct multiboot_info *mbi = (const struct multiboot_info *)mbi_addr;
    kprintf("multiboot info at %08x, flags %08x\n", mbi_addr, mbi->flags);
    if (!(mbi->flags & MBI_FLAG_MEM)) {
        put_str("FAIL: no memory information although the header asked for it\n");
        exit_qemu(1);
    }
    kprintf("memory: lower %u KiB, upper %u KiB (%u MiB total)\n", mbi->mem_lower,
            mbi->mem_upper, (mbi->mem_upper + 1024) / 1024);
    if (mbi->mem_lower == 0 || mbi->mem_upper == 0) {
        put_str("FAIL: memory sizes are zero\n");
        exit_qemu(1);
    }
    if (mbi->flags & MBI_FLAG_CMDLINE)
        kprintf("command line: \"%s\"\n", (const char *)mbi->cmdline);
    else
        put_str("command line: (none)\n");

    put_str("PASS\n");
    exit_qemu(0);
}
