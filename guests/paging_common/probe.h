/* Memory accesses that survive a page fault, for checking what faults. Each
 * returns 0 if the access completed and 1 if it raised a #PF (recorded in
 * pf_last, see idt.h). They touch only their arguments and a few globals, so
 * they can also run at CPL 3 (through user_call). */
#pragma once
#include <stdint.h>

/* *value = the dword at lin. */
uint32_t probe_read(uint32_t lin, uint32_t *value);

/* The dword at lin = value. */
uint32_t probe_write(uint32_t lin, uint32_t value);

/* Calls the code at lin (an instruction fetch); *result = its EAX if result
 * is not null. */
uint32_t probe_call(uint32_t lin, uint32_t *result);

/* The load in probe_read and the store in probe_write: the EIP that a #PF
 * raised by them reports. */
extern const uint8_t probe_read_insn[], probe_write_insn[];
