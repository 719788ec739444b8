/* Kernel-only set-up for the integer tests. */
#include "guest.h"
#include "print.h"

void guest_prepare(void)
{
    /* les/lds/lfs and push/pop of segment registers reload selectors, which
     * needs a GDT we know to be valid. */
    load_flat_gdt();
    put_str("integer instruction tests\n");
}
