/* Wall-clock timing shared by the in-guest benchmarks: the same static
 * 32-bit binaries run inside the Linux guest (on every backend) and
 * natively on the host, and each prints one line
 *     bench NAME iterations=N ns=T
 * that perf/linux_bench.sh collects. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline long bench_iterations(int argc, char **argv, long fallback)
{
    return argc > 1 ? strtol(argv[1], NULL, 0) : fallback;
}

static inline void bench_report(const char *name, long iterations, long long ns)
{
    printf("bench %s iterations=%ld ns=%lld\n", name, iterations, ns);
    fflush(stdout);
}
