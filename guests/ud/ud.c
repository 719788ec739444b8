/* Executes ud2 with no IDT: the emulator has nowhere to deliver #UD and must
 * stop with an error that names the instruction and its address, which this
 * kernel prints first so that the test can compare. */
#include "guest.h"
#include "print.h"

extern const char ud2_insn[];
void execute_ud2(void);

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    put_str("about to execute ud2\n");
    kprintf("ud2 at 0x%08x\n", (uint32_t)(uintptr_t)ud2_insn);
    execute_ud2();
    put_str("FAIL: execution continued after ud2\n");
    exit_qemu(1);
}
