/* cpu_bench native twin: the same workload object as the guest, run as an
 * ordinary 32-bit Linux process. Output goes to stdout, exit status 0 on
 * success. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
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
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = bench_run(arena);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* Wall time too, for perf/linux_bench.sh, where this binary also runs
     * inside a Linux guest and cycle counts of different TSCs don't compare. */
    printf("bench cpu iterations=1 ns=%lld\n",
           (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
    return status;
}
