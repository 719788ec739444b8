/* Ring 3 for test kernels: a GDT with ring-3 code and data segments and a
 * TSS (so that an interrupt from ring 3 switches to a ring-0 stack), and a
 * call that runs a function at CPL 3 and comes back through int 0x80. */
#pragma once
#include <stdint.h>

enum {
    SEL_KERNEL_CS = 0x08,
    SEL_KERNEL_DS = 0x10,
    SEL_USER_CS = 0x18 | 3,
    SEL_USER_DS = 0x20 | 3,
    SEL_TSS = 0x28,
    USER_RETURN_VECTOR = 0x80,
};

/* Loads the GDT and the task register and installs the int 0x80 gate (DPL 3);
 * call after idt_init(). */
void user_init(void);

/* Runs fn(a, b) at CPL 3 on a stack of its own, with interrupts off, and
 * returns its result. Every page that fn touches, its code included, must be
 * user-accessible. */
typedef uint32_t (*user_fn)(uint32_t a, uint32_t b);
uint32_t user_call(user_fn fn, uint32_t a, uint32_t b);
