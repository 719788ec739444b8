/* Targeted attempts: a snippet of code (position-independent, from an asm
 * file) copied to the code page and run as a round at CPL 0 or 3, then
 * checked against what the architecture says it must do. */
#pragma once
#include <stdint.h>

#include "hostile.h"
#include "print.h"

/* A snippet in an asm file: its bytes lie between begin and end. */
struct snippet {
    const uint8_t *begin, *end;
};
#define SNIPPET(name)                                                                              \
    extern const uint8_t name##_begin[], name##_end[];                                             \
    static const struct snippet name = {name##_begin, name##_end}

/* round_in for a CPL: flat segments of that ring, ESP near the top of the
 * round stack, EFLAGS with only IF, the other registers zero. */
void attempt_reset(int cpl);

/* Copies the snippet to U_CODE + offset (offset within the two code pages)
 * and runs it; round_in's registers are as the caller left them. Returns
 * the event that ended it (V_END for the snippets' closing int 0x80). */
uint32_t attempt_run(struct snippet s, uint32_t offset);

/* Failures so far; a failed check prints a FAIL line. */
extern int attempt_failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            put_str("FAIL: ");                                                                     \
            kprintf(__VA_ARGS__);                                                                  \
            put_char('\n');                                                                        \
            attempt_failures++;                                                                    \
        }                                                                                          \
    } while (0)
