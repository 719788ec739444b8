/* The native twin of a test kernel: a Linux 32-bit program running the very
 * same test code, so the host CPU serves as the oracle. */
#include <stdio.h>

#include "harness.h"
#include "print.h"

int run_tests(void);

void put_char(char c)
{
    putchar(c);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        trace_name = argv[1]; /* see harness.h */
    int failures = run_tests();
    if (failures)
        kprintf("FAIL: %d failure(s)\n", failures);
    else
        put_str("PASS\n");
    return failures ? 1 : 0;
}
