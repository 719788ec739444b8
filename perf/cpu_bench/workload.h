/* cpu_bench: a CPU-bound integer workload shared, byte for byte, by the
 * bt86 guest (guest.c) and its native twin (native.c). */
#ifndef PERF_CPU_BENCH_WORKLOAD_H
#define PERF_CPU_BENCH_WORKLOAD_H

/* Scratch memory the platform hands to bench_run(), 4 KiB aligned. */
#define BENCH_ARENA_BYTES (40u << 20)

/* Platform hook: write len bytes of text to the benchmark's output. */
void bench_write(const char *s, unsigned len);

/* Runs every phase, printing one "phase ..." line each and a "total" line.
 * Returns 0 when every self-check passed, 1 otherwise. */
int bench_run(unsigned char *arena);

#endif
