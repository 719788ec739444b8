/* seg_idt: delivering exceptions and interrupts through the IDT at one
 * privilege level (SDM vol. 3, 6.10-6.15). */
#pragma once
#include <stdint.h>

#include "catch.h"

/* One event under test: run `body(arg)` at `cpl`; it must raise `vector`
 * (NO_FAULT: nothing) with `error` (NO_ERROR: none pushed), and the frame
 * must hold `eip`: the faulting instruction for a fault, the next one for a
 * trap or int n. */
struct event_case {
    const char *what;
    body_fn body;
    uint32_t arg;
    int cpl;
    uint32_t vector, error;
    const uint8_t *eip;
    int tcg_gap; /* a check QEMU's TCG is known to fail (see tcg_gap.h) */
};

/* One check line: outcome, pushed EIP and CS, and the frame's size (12 or
 * 16 bytes without a privilege change, 20 or 24 with one). */
int run_case(const struct event_case *c);

extern volatile uint32_t pre_esp, mxcsr_value;

#define BODY(name) uint32_t name(uint32_t); extern const uint8_t name##_insn[], name##_next[];
BODY(div0) BODY(idiv_overflow) BODY(single_step) BODY(icebp) BODY(int3) BODY(int_3)
BODY(into_of) BODY(into_no_of) BODY(bound_check) BODY(ud2_body) BODY(lock_nop) BODY(fnop_body)
BODY(iret_nt) BODY(load_ds) BODY(load_ss) BODY(read_at) BODY(write_at)
BODY(fwait_body) BODY(divss_body)
BODY(int_0x0D) BODY(int_0x0E) BODY(int_0x40) BODY(int_0x41) BODY(int_0x42) BODY(int_0x43)
BODY(int_0x44) BODY(int_0x45) BODY(int_0x46) BODY(int_0x47) BODY(int_0x48) BODY(int_0x49)
BODY(int_0x40_if) BODY(int_0x41_if)
#undef BODY
uint32_t reset_mxcsr(uint32_t);

enum {
    S_CODE_NP = 0x30,   /* code, DPL 0, not present */
    S_NP_DATA = 0x38,   /* data, DPL 0, not present */
    S_CODE_64K = 0x40,  /* code, DPL 0, base 0, limit 0xffff: below the kernel */
    S_BEYOND = 0x200,   /* past the GDT limit */
};

void check_exceptions(void); /* exceptions.c: vectors 0-19 */
void check_gates(void);
void check_task_return_fault(void); /* exceptions.c: #TS from iret with NT=1 */      /* gates.c: gate types, presence, IDT limit */
