/* Check reporting for the paging kernels: one numbered line per check, and a
 * last line PASS, or FAIL naming how many checks failed and the first one. */
#pragma once
#include <stdint.h>

/* Starts a check line ("#<n> "); the caller prints its description. */
void check_begin(void);

/* Ends the line started by check_begin: ": ok" or ": FAILED"; returns ok. */
int check_end(int ok);

/* A whole check line: "<what>: <got>" compared with want. */
int check_eq(const char *what, uint32_t got, uint32_t want);

/* Whole check line for a probe (see probe.h): `faulted` is its result;
 * want_fault says whether a #PF is expected, and then with which error code
 * and CR2. Prints the outcome either way. */
int check_pf(const char *what, uint32_t faulted, int want_fault, uint32_t want_error,
             uint32_t want_cr2);

/* Prints the #PF outcome of a probe, " -> no fault" or " -> #PF err <e> cr2
 * <a>", and returns whether it matches the expectation (as check_pf). */
int pf_outcome(uint32_t faulted, int want_fault, uint32_t want_error, uint32_t want_cr2);

/* Ends the run: PASS and exit 0, or FAIL and exit 1. */
void check_finish(void) __attribute__((noreturn));
