/* Entry for kernels whose tests are shared with a native twin: check the
 * boot, let the kernel prepare the machine, run the tests, report. */
#include "guest.h"
#include "harness.h"
#include "print.h"

int run_tests(void);

/* Machine set-up that only a kernel may do (segments, FPU enables...). */
void guest_prepare(void);

/* "trace=<name>" on the command line selects a routine to trace; the name
 * ends at the next space, which is overwritten (paging is off, so the
 * command line's physical address is a pointer). */
static void parse_cmdline(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & (1u << 2)))
        return;
    for (char *p = (char *)mbi->cmdline; *p; p++) {
        const char *key = "trace=";
        unsigned k = 0;
        while (key[k] && p[k] == key[k])
            k++;
        if (key[k])
            continue;
        char *name = p + k, *end = name;
        while (*end && *end != ' ')
            end++;
        *end = '\0';
        trace_name = name;
        return;
    }
}

void kmain(uint32_t magic, uint32_t mbi)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    parse_cmdline((const struct multiboot_info *)mbi);
    guest_prepare();
    guest_finish(run_tests());
}
