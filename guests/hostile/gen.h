/* Random guest code and values for the chaos rounds (gen.c). */
#pragma once
#include <stdint.h>

/* Where code is being generated: bytes go to [start, end) of a kernel
 * buffer that will run at linear address lin. */
struct gen {
    uint8_t *start, *p, *end;
    uint32_t lin;
    int cpl;
};

/* Fills len bytes at buf (to run at lin, at CPL cpl) with random code. */
void gen_code(uint8_t *buf, uint32_t lin, uint32_t len, int cpl);

/* A register value: random, or an address or selector this kernel set up. */
uint32_t gen_value(void);
/* A selector: of this GDT or LDT (any RPL), null, or random. */
uint16_t gen_selector(void);
/* User EFLAGS: IF, random arithmetic flags, sometimes DF, AC, TF, NT, RF. */
uint32_t gen_eflags(void);
/* A random descriptor; user_safe leaves out 286 system descriptors and
 * every present one that could take CPL 3 to CPL 0 (TSS, task/call gate). */
uint64_t gen_descriptor(int user_safe);
