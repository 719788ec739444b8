/* Test bodies made of raw instruction bytes, for encodings an assembler will
 * not write (or many of one kind): each call copies the bytes into a fresh
 * slot of a code pool, followed by a ret, and returns the slot as a body for
 * catch_at() (its arg is at [esp+4]). Slots are never reused, so no earlier
 * translation of a slot can go stale. */
#pragma once
#include <stdint.h>

#include "catch.h"

enum { SNIPPET_MAX = 60 };

body_fn snippet(const uint8_t *bytes, unsigned len);
#define SNIPPET(...) snippet((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

/* The same at a fixed address (which the caller gives each snippet once),
 * e.g. below 64 KiB, where 16-bit transfers land. */
body_fn snippet_at(uint32_t addr, const uint8_t *bytes, unsigned len);
#define SNIPPET_AT(addr, ...)                                                                      \
    snippet_at(addr, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))
