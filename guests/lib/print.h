/* Output shared by guest kernels (serial port) and their native twins (stdout). */
#pragma once
#include <stdint.h>

/* Writes one character; the guest and native runtimes each provide it. */
void put_char(char c);

void put_str(const char *s);

/* printf subset: %s %c %d %u %x %X %%, with optional '0' flag and width,
 * e.g. %08x. An 'l' length modifier is accepted and ignored. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a 64-bit value as 16 hex digits. */
void put_hex64(uint64_t value);
