/* Running a test body that may fault, at CPL 0 or CPL 3 (needs pm_init).
 *
 * While a body runs, any vector that reaches the catcher (every IDT gate that
 * pm.c points at it) ends the body: the catcher records the event below,
 * reloads the kernel's segment registers and stack, and the catch_* call
 * returns the vector. A body that returns normally makes the call return
 * NO_FAULT (its EAX is in catch_ret). A vector outside a catch_* call is
 * reported as FAIL and ends the run. */
#pragma once
#include <stdint.h>

enum { NO_FAULT = 0xFFFFFFFFu, NO_ERROR = 0xFFFFFFFFu };

struct catch_record {
    uint32_t vector;
    uint32_t entry_esp, entry_ss; /* ESP/SS when the handler was entered */
    uint32_t handler_eflags;      /* EFLAGS inside the handler */
    uint32_t ds, es, fs, gs;      /* selectors at the event (low 16 bits) */
    uint32_t eax, ecx, edx, ebx, ebp, esi, edi; /* registers at the event */
    uint32_t words[6];            /* the stack from entry_esp: the CPU's frame */
    uint32_t count;               /* events caught so far */
};
extern volatile struct catch_record catch_rec;
extern volatile uint32_t catch_ret;

/* How catch_user enters ring 3 (iret frame and data segments). The defaults
 * are the flat DPL-3 segments, EFLAGS 0x002 and a stack of the catcher's. */
struct user_context {
    uint32_t cs, ss, ds, eflags, esp;
};
extern struct user_context user_ctx;
/* Reset user_ctx to the defaults. */
void user_ctx_reset(void);

/* What the CPU pushed when a body running at CPL 3 came back by int 0x80. */
struct user_exit {
    uint32_t eip, cs, eflags, esp, ss;
};
extern volatile struct user_exit user_exit;

typedef uint32_t (*body_fn)(uint32_t arg);

/* Runs body(arg) at CPL 0; returns the vector that ended it or NO_FAULT. */
uint32_t catch_call(body_fn body, uint32_t arg);

/* Runs body(arg) at CPL 3 (as user_ctx says); same result. */
uint32_t catch_user(body_fn body, uint32_t arg);

/* Runs body(arg) at the given CPL (0 or 3). */
uint32_t catch_at(int cpl, body_fn body, uint32_t arg);

/* The error code of the last caught event, or NO_ERROR if its frame has
 * none. (A frame with an error code starts with it; one without starts with
 * EIP, and every EIP in these kernels is above 1 MiB.) */
uint32_t catch_error(void);

/* The EIP that the last caught event pushed. */
uint32_t catch_eip(void);
