/* The kernel command line: "skip=<name>[,<name>...]" tokens, where a name is
 * an item or a group ("paging"). Other tokens (QEMU puts the kernel's path
 * first) are ignored. */
#pragma once
#include <stdint.h>

/* Reads the command line from the Multiboot information, if it has one. */
void nb_cmdline_parse(uint32_t mbi);

/* Whether `name` (an item or group) was named in a skip= token. */
int nb_skipped(const char *name);

/* The command line as passed, or "" (for the log). */
const char *nb_cmdline(void);
