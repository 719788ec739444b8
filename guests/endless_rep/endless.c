/* endless_rep: a rep string instruction with ECX = 0xFFFFFFFF whose
 * iterations run outside ordinary translated code (rep insb/outsb in the
 * port I/O helpers; movs/lods/stos on physical memory no device claims, in
 * a bounce block). The run must still end when --timeout says, with
 * status 124: these loops once ran until ECX was 0 without looking at a stop
 * request. The loop is named on the command line; should one ever finish,
 * the kernel says FAIL. */
#include "guest.h"
#include "print.h"

void loop_insb(void), loop_outsb(void), loop_movs_to_mmio(void), loop_movs_from_mmio(void),
    loop_lods_mmio(void), loop_stos_mmio(void);

static const struct {
    const char *name;
    void (*run)(void);
} loops[] = {
    {"insb", loop_insb},
    {"outsb", loop_outsb},
    {"movs-to-mmio", loop_movs_to_mmio},
    {"movs-from-mmio", loop_movs_from_mmio},
    {"lods-mmio", loop_lods_mmio},
    {"stos-mmio", loop_stos_mmio},
};

static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    const struct multiboot_info *mbi = (const struct multiboot_info *)mbi_addr;
    const char *want = magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & 4) ? (const char *)mbi->cmdline : "";
    for (unsigned i = 0; i < sizeof loops / sizeof loops[0]; i++)
        if (same(want, loops[i].name)) {
            kprintf("endless_rep: rep %s with ECX = 0xffffffff\n", want);
            loops[i].run();
            put_str("FAIL: the loop finished\n");
            exit_qemu(1);
        }
    kprintf("FAIL: unknown loop \"%s\" (insb, outsb, movs-to-mmio, movs-from-mmio, lods-mmio, stos-mmio)\n", want);
    exit_qemu(1);
}
