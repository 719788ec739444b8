/* Checks that QEMU's TCG cannot validate. TCG (7.2) does not enforce some
 * architectural checks on data accesses: segment limits, null selectors
 * and the write protection of data segments. Kernels still assert them (the
 * SDM requires them, and bt86 must get them right); booted with "tcg" on
 * the command line (qemu -append tcg), a kernel prints such a check's
 * mismatch but does not count it, so that QEMU can validate the rest. */
#pragma once
#include <stdint.h>

/* Reads the Multiboot command line (call with kmain's arguments). */
void tcg_gap_init(uint32_t magic, uint32_t mbi);

/* Whether the Multiboot command line has the space-separated word `word`. */
int cmdline_has(uint32_t magic, uint32_t mbi, const char *word);

/* check_end() for a check in that class. */
int tcg_gap_end(int ok);

/* Before check_finish(): says how many checks were not counted. */
void tcg_gap_summary(void);
