/* C side of the shared test-routine frame (see harness.inc). */
#pragma once
#include <stdint.h>

/* Register image loaded and stored by every asm test routine; the field
 * offsets are fixed in harness.inc. */
struct cpu_state {
    uint32_t eax, ecx, edx, ebx, ebp, esi, edi, flags;
};

/* One entry of the table that the asm TEST macro emits into section optab. */
struct op_entry {
    const char *name;
    void (*fn)(void);
    uint32_t kind;
    uint32_t arg;
};

enum {
    MEMBUF_SIZE = 1024,
    /* CF PF AF ZF SF OF: the arithmetic flags; everything else in EFLAGS
     * (IF, IOPL, ID...) legitimately differs between a kernel and a process. */
    FLAGS_ARITH = 0x8D5,
    FLAG_DF = 0x400,
};

extern struct cpu_state st;
extern uint8_t membuf[MEMBUF_SIZE];

/* 32-bit FNV-1a. */
#define FNV_INIT 0x811C9DC5u
static inline uint32_t fnv_byte(uint32_t h, uint8_t b)
{
    return (h ^ b) * 0x01000193u;
}
uint32_t fnv_bytes(uint32_t h, const void *data, uint32_t len);
static inline uint32_t fnv_u32(uint32_t h, uint32_t v)
{
    return fnv_bytes(h, &v, sizeof v);
}

/* Folds the result of one case into h: the registers, the arithmetic flags
 * and DF, and the first `mem_len` bytes of membuf. */
uint32_t hash_case(uint32_t h, uint32_t mem_len);

/* Runs one routine on the current st/membuf. */
void call_op(const struct op_entry *e);

/* When set (from the kernel command line "trace=<name>" or the native twin's
 * first argument), every case of that routine is printed, registers and
 * flags before and after: the way to find which case a hash mismatch is. */
extern const char *trace_name;

/* Returns the routine named `name`, or 0. */
const struct op_entry *find_op(const char *name);

/* Feeds every case of routine e, folding results into *hash; returns the
 * number of cases run. Provided by each kernel's driver. */
typedef uint32_t (*feed_fn)(const struct op_entry *e, uint32_t *hash);

/* Runs every routine of the table through `feed` and prints one line per
 * routine, "res <name>: <hash> (<n> cases)", then a "res total" line.
 * Returns the number of routines that ran no case (a driver bug). */
int run_all_ops(feed_fn feed);
