/* openbus_repeat: one instruction reads open bus 1.3 million times. Each
 * such access once left a translation of its own behind, never reused, and
 * the 64 MiB translation cache filled up after about a million of them
 * ("translation cache full while emulating MMIO"); an access to open bus
 * or a device must cost no cache space that the next one does not reuse. */
#include "check.h"
#include "guest.h"
#include "print.h"

enum { OPEN_BUS = 0x40000000, READS = 1300000 };

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    put_str("openbus_repeat: 1.3 million reads of open bus by one instruction\n");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < READS; i++)
        sum += *(volatile uint32_t *)(OPEN_BUS + (i & 0xFF) * 4);
    check_eq("the sum of what they read", sum, 0u - READS);
    check_finish();
}
