/* nanobench: the cost of single events that a virtual machine handles
 * specially (privileged instructions, port I/O, interrupts and faults,
 * paging), one line per item. See perf/README.md.
 *
 * Items that turn paging on come last, and each line is printed as soon as
 * it is measured, so a backend that cannot run paging still reports the
 * rest; "skip=paging" on the command line leaves them out. */
#include "cmdline.h"
#include "guest.h"
#include "idt.h"
#include "io.h"
#include "measure.h"
#include "nanobench.h"
#include "print.h"
#include "user.h"

enum { PIC1_DATA = 0x21, PIC2_DATA = 0xA1 };

/* Runs the items of one group that were not skipped; returns the failures. */
static int run_group(const struct nb_item *items, unsigned count, int group_skipped)
{
    int failures = 0;
    for (unsigned i = 0; i < count; i++) {
        if (group_skipped || nb_skipped(items[i].name))
            kprintf("nano %s skipped\n", items[i].name);
        else if (!nb_measure(&items[i]))
            failures++;
    }
    return failures;
}

/* The order the items run in, for a script that must tell which item a
 * crashed run was measuring: the first one with no line of its own. */
static void print_items(const struct nb_item *items, unsigned count, const char *sep)
{
    for (unsigned i = 0; i < count; i++)
        kprintf("%s%s", i ? "," : sep, items[i].name);
}

/* Whether every item of a group is skipped (then its set-up is too). */
static int all_skipped(const struct nb_item *items, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        if (!nb_skipped(items[i].name))
            return 0;
    return 1;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    nb_cmdline_parse(mbi);
    kprintf("nanobench: cycles per event, rdtsc, empty loop subtracted; command line \"%s\"\n",
            nb_cmdline());
    put_str("nanobench: items");
    print_items(nb_basic_items, nb_basic_count, " ");
    print_items(nb_paging_items, nb_paging_count, ",");
    put_char('\n');

    load_flat_gdt();
    idt_init();
    user_init();
    /* cli_sti opens the interrupt window: keep every IRQ masked at the PICs
     * (the vectors a BIOS left them on would reach the exception stubs). */
    outb(PIC1_DATA, 0xFF);
    outb(PIC2_DATA, 0xFF);
    nb_basic_prepare();

    int failures = run_group(nb_basic_items, nb_basic_count, nb_skipped("basic"));
    int skip_paging = nb_skipped("paging");
    if (!skip_paging && !all_skipped(nb_paging_items, nb_paging_count)) {
        /* Announced, so that a run that dies here is seen to fail the set-up
         * shared by these items, not the first of them alone. */
        put_str("nanobench: set-up paging for");
        print_items(nb_paging_items, nb_paging_count, " ");
        put_char('\n');
        nb_paging_prepare();
    }
    failures += run_group(nb_paging_items, nb_paging_count, skip_paging);
    guest_finish(failures);
}
