/* Timing with rdtsc (see measure.h).
 *
 * The iteration count is calibrated per item and per machine: double n until
 * one run takes CALIBRATE_CYCLES, then scale it so that a run takes about
 * TARGET_CYCLES (about 110 ms at 2.4 GHz), going by the faster of two runs
 * at the last n. The calibration runs also warm up whatever the backend
 * caches (translations, shadow page tables). The body and the empty loop
 * are then each timed REPEATS times with the same n and the minimum of each
 * is kept: the least disturbed run. */
#include "measure.h"

#include "print.h"

enum {
    REPEATS = 3,
    N_MIN = 64,      /* n is a multiple of this: the checks want it even */
    N_MAX = 1u << 30,
};
#define CALIBRATE_CYCLES (1ull << 24)
#define TARGET_CYCLES (1ull << 28)

static inline uint64_t rdtsc(void)
{
    uint64_t t;
    __asm__ volatile("rdtsc" : "=A"(t));
    return t;
}

static uint64_t time_loop(nb_loop loop, uint32_t n, uint32_t *result)
{
    uint64_t t0 = rdtsc();
    *result = loop(n);
    return rdtsc() - t0;
}

static uint64_t best_of(nb_loop loop, uint32_t n, uint32_t *result)
{
    uint64_t best = ~0ull;
    for (int r = 0; r < REPEATS; r++) {
        uint64_t t = time_loop(loop, n, result);
        if (t < best)
            best = t;
    }
    return best;
}

static uint32_t calibrate(nb_loop loop)
{
    uint32_t n = N_MIN, result;
    uint64_t t;
    for (;;) {
        t = time_loop(loop, n, &result);
        if (t >= CALIBRATE_CYCLES || n >= N_MAX / 2)
            break;
        n *= 2;
    }
    /* Once more at this n: a run slowed down by the rest of the machine
     * would make n too small. */
    uint64_t again = time_loop(loop, n, &result);
    if (again < t)
        t = again;
    if (t == 0)
        t = 1;
    uint64_t scaled = (uint64_t)n * TARGET_CYCLES / t;
    if (scaled > N_MAX)
        scaled = N_MAX;
    scaled -= scaled % N_MIN;
    return scaled < N_MIN ? N_MIN : (uint32_t)scaled;
}

int nb_measure(const struct nb_item *item)
{
    uint32_t n = calibrate(item->body);
    uint32_t result, empty_result;
    uint64_t body = best_of(item->body, n, &result);
    uint64_t empty = best_of(item->empty, n, &empty_result);

    if (item->expect && result != item->expect(n)) {
        kprintf("nano %s FAIL: the loop returned %u, expected %u (iterations=%u)\n",
                item->name, result, item->expect(n), n);
        return 0;
    }
    /* Cycles per event, in tenths; noise can make the difference negative. */
    uint64_t net = body > empty ? body - empty : 0;
    uint64_t tenths = (net * 10 + n / 2) / n;
    kprintf("nano %s cycles=%u.%u iterations=%u\n", item->name, (uint32_t)(tenths / 10),
            (uint32_t)(tenths % 10), n);
    return 1;
}
