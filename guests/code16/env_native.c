/* The native twin's 16-bit segments: LDT entries made with modify_ldt (a
 * 32-bit Linux process may run 16-bit code in an LDT code segment). */
#include <asm/ldt.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

extern const uint8_t code16_start[], code16w_start[];
uint32_t code16_sel, data16_sel, code16w_sel;

static int ldt_entry(unsigned n, uint32_t base, uint32_t limit, unsigned contents)
{
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = n;
    d.base_addr = base;
    d.limit = limit;
    d.seg_32bit = 0;
    d.contents = contents;
    d.useable = 1;
    return syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
}

int code16_setup(void)
{
    code16_sel = 0 << 3 | 4 | 3; /* LDT, RPL 3 */
    data16_sel = 1 << 3 | 4 | 3;
    code16w_sel = 2 << 3 | 4 | 3;
    return ldt_entry(0, (uint32_t)code16_start, 0xFFFF, MODIFY_LDT_CONTENTS_CODE) &&
           ldt_entry(1, (uint32_t)membuf, MEMBUF_SIZE - 1, MODIFY_LDT_CONTENTS_DATA) &&
           ldt_entry(2, (uint32_t)code16w_start, 0x1FFFF, MODIFY_LDT_CONTENTS_CODE);
}
