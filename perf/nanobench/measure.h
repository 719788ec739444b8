/* Timing an item with rdtsc (see README): calibrate the iteration count,
 * time the loop and its empty twin, print the per-event cost. */
#pragma once
#include "nanobench.h"

/* Measures `item` and prints "nano <name> cycles=<c> iterations=<n>" (or a
 * FAIL line if the loop returned the wrong value). Returns 1 if it passed. */
int nb_measure(const struct nb_item *item);
