/* The kernel tests/gdb_session.sh debugs with Debian's gdb (built with -g
 * -O0, so gdb sees its functions, arguments and variables): gdb stops at a
 * breakpoint on gdb_target_function, reads registers and variables, steps,
 * watches `watched`, steps into this kernel's own int3 handler, detaches.
 * The kernel checks what must stay its own while gdb is there: its code
 * (no int3 written into it for gdb's breakpoints) and its int3, whose
 * handler it counts. PASS only if both held. */
#include <stdint.h>

#include "guest.h"
#include "idt.h"
#include "print.h"

volatile int watched;    /* gdb sets a watchpoint on it */
volatile int calls;      /* gdb prints it at the breakpoint */
volatile int int3_count; /* incremented by this kernel's own #BP handler */

void int3_entry(void);
__asm__(".pushsection .text\n"
        ".globl int3_entry\n"
        "int3_entry:\n"
        "  incl int3_count\n"
        "  iret\n"
        ".popsection\n");

__attribute__((noinline)) int gdb_target_function(int x)
{
    int y = x * 3;
    y += 1;
    calls += 1;
    return y;
}

__attribute__((noinline)) void raise_int3(void)
{
    __asm__ volatile(".globl at_int3\nat_int3: int3");
}

void kmain(void)
{
    load_flat_gdt();
    idt_init();
    idt_set_gate(3, int3_entry, 0);
    int failures = 0;

    /* A debugger's breakpoint must not be an int3 in guest memory. */
    const uint8_t first = *(volatile const uint8_t *)(uintptr_t)gdb_target_function;
    if (first == 0xCC) {
        put_str("FAIL: gdb_target_function starts with int3: a breakpoint was written into guest memory\n");
        ++failures;
    }
    int y = gdb_target_function(14);
    kprintf("gdb_target_function(14) = %d\n", y);
    if (y != 43) ++failures;

    raise_int3();
    watched = 42;
    if (int3_count != 1) {
        kprintf("FAIL: the kernel's own int3 handler ran %d times, not once\n", int3_count);
        ++failures;
    }
    guest_finish(failures);
}
