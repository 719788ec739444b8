/* cpu_bench native twin: the same workload object as the guest, run as an
 * ordinary 32-bit Linux process. Output goes to stdout, exit status 0 on
 * success. */
#include <stdint.h>
#include <unistd.h>

#include "workload.h"

/* Static, so both twins use fixed, page-aligned scratch memory. */
static unsigned char arena[BENCH_ARENA_BYTES] __attribute__((aligned(4096)));

void bench_write(const char *s, unsigned len)
{
    while (len) {
        ssize_t n = write(STDOUT_FILENO, s, len);
        if (n <= 0)
            return;
        s += n;
        len -= (unsigned)n;
    }
}

int main(void)
{
    static const char banner[] = "cpu_bench: native\n";
    bench_write(banner, sizeof banner - 1);
    return bench_run(arena);
}
