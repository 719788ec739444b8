/* A guest that never exits by itself, for the engine's own stop paths.
 * Command line "halt": cli; hlt (nothing can ever wake it).
 * Command line "idle": sti; hlt forever with every interrupt masked, as an
 * idle tickless kernel waits: it should cost the host no CPU.
 * Otherwise: spin forever in a loop with no exit, so only --timeout ends it. */
#include "guest.h"
#include "print.h"

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    const struct multiboot_info *mbi = (const struct multiboot_info *)mbi_addr;
    const char *cmdline = (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & 4)) ? (const char *)mbi->cmdline : "";
    if (streq(cmdline, "halt")) {
        put_str("stuck: halting with interrupts off\n");
        __asm__ volatile("cli; hlt");
    }
    if (streq(cmdline, "idle")) {
        put_str("stuck: idling\n");
        for (;;)
            __asm__ volatile("sti; hlt");
    }
    put_str("stuck: spinning\n");
    for (volatile uint32_t n = 0;; n++)
        ;
}
