/* A protected-mode environment for the segmentation and privilege kernels:
 * a 64-entry GDT whose first six entries are fixed (below), a TSS with a
 * ring-0 stack for events from ring 3, and a 256-entry IDT whose every gate
 * leads to the fault catcher (catch.h), except vector 0x80, the way back
 * from ring 3. Entries from PM_FIRST_FREE on are the kernel's own. */
#pragma once
#include <stdint.h>

#include "desc.h"

enum {
    PM_KCODE = 0x08, /* flat code, DPL 0 */
    PM_KDATA = 0x10, /* flat data, DPL 0 */
    PM_UCODE = 0x18 | 3, /* flat code, DPL 3 */
    PM_UDATA = 0x20 | 3, /* flat data, DPL 3 */
    PM_TSS = 0x28,
    PM_FIRST_FREE = 6,
    PM_GDT_ENTRIES = 64,
    PM_RETURN_VECTOR = 0x80,
};

extern volatile uint64_t pm_gdt[PM_GDT_ENTRIES];
extern volatile uint64_t pm_idt[256];
extern struct tss32 pm_tss;
/* The ring-0 stack top that pm_tss.esp0 holds after pm_init. */
extern uint32_t pm_ring0_top;

/* Loads the GDT (limit covering all 64 entries), the TSS (ltr) and the IDT,
 * reloads every segment register and masks both PICs. */
void pm_init(void);

/* Sets a GDT entry; returns its selector (RPL 0). */
uint16_t pm_gdt_set(unsigned index, uint64_t desc);

/* Sets IDT gate `vector`. */
void pm_idt_set(unsigned vector, uint64_t gate);

/* Gate `vector` back to the catcher (32-bit interrupt gate, DPL as given). */
void pm_idt_catch(unsigned vector, unsigned dpl);

/* A 32-bit interrupt or trap gate (type SYS_INT_GATE32/SYS_TRAP_GATE32) to a
 * ring-0 entry point. */
void pm_idt_entry(unsigned vector, void (*entry)(void), unsigned type, unsigned dpl);

/* Loads GDTR / IDTR with the tables above and the given limit. */
void pm_lgdt(uint16_t limit);
void pm_lidt(uint16_t limit);

/* The catcher's entry point for a vector (its address goes in gates). */
uint32_t pm_catch_entry(unsigned vector);

/* EDX of CPUID leaf 1. */
uint32_t pm_cpuid1_edx(void);

/* Turns on the FPU and SSE as an operating system does: CR0.EM and TS
 * clear, MP and NE set, CR4.OSFXSR and OSXMMEXCPT set, fninit. */
void pm_enable_sse(void);
