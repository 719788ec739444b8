/* nanobench: one timed item, and the two groups of items (see README). */
#pragma once
#include <stdint.h>

/* A loop of n >= 1 iterations, cdecl: each iteration performs the event once
 * (or, for an empty loop, nothing). Returns a value the item may check. */
typedef uint32_t (*nb_loop)(uint32_t n);

struct nb_item {
    const char *name;
    nb_loop body;  /* n events */
    nb_loop empty; /* the same loop without the event: subtracted */
    /* What body(n) must return, or 0 if its result means nothing. */
    uint32_t (*expect)(uint32_t n);
};

/* Items 1-9: no paging; ring 3 through user_call (paging_common). */
extern const struct nb_item nb_basic_items[];
extern const unsigned nb_basic_count;
/* Installs the int 0x80 gate the syscall item needs; after user_init(). */
void nb_basic_prepare(void);

/* Items 10-14: they turn paging on, so they run last. */
extern const struct nb_item nb_paging_items[];
extern const unsigned nb_paging_count;
/* Builds the page tables and the #PF handler, and turns paging on. */
void nb_paging_prepare(void);
