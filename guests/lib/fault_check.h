/* Reporting caught events in check lines (with paging_common/check.h). */
#pragma once
#include <stdint.h>

#include "catch.h"
#include "print.h"

enum {
    VEC_DE = 0, VEC_DB = 1, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5, VEC_UD = 6, VEC_NM = 7,
    VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16,
    VEC_AC = 17, VEC_XM = 19,
};

/* Prints an event: "no fault", "#GP(0010)", "#BP" (no error code pushed) or
 * "vector 0x41". */
void put_event(uint32_t vector, uint32_t error);

/* Prints " -> <event>" for a catch_* result and, if it is not the wanted
 * one, what was wanted; returns whether it was. */
int event_outcome(uint32_t vector, uint32_t want_vector, uint32_t want_error);

/* Ends a check line begun with check_begin(): prints " -> <event>" for the
 * last catch_* result `vector` and, if it differs from the wanted one, what
 * was wanted. want_error NO_ERROR means "no error code pushed". */
int check_event_end(uint32_t vector, uint32_t want_vector, uint32_t want_error);

/* A whole check line. */
int check_event(const char *what, uint32_t vector, uint32_t want_vector, uint32_t want_error);

/* A line that is printed but not counted: behaviour the SDM leaves to the
 * processor. */
void note_begin(void);
#define NOTE(...)                                                                                  \
    do {                                                                                           \
        note_begin();                                                                              \
        kprintf(__VA_ARGS__);                                                                      \
        put_char('\n');                                                                            \
    } while (0)
