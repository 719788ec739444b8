/* An IDT for test kernels: every CPU exception is fatal (prints FAIL with the
 * vector, EIP and error code, then exits) except a #PF that the kernel has
 * asked to survive, either by resuming at a recovery address or through a
 * hook that repairs the mapping and retries. */
#pragma once
#include <stdint.h>

/* What the entry stubs push: pushad, the vector, the error code (0 when the
 * CPU pushes none), then the CPU's frame. esp/ss exist only when the
 * exception came from ring 3. */
struct exc_frame {
    uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};

/* The last #PF that was survived. count increases by one per #PF. */
struct pf_record {
    uint32_t count, error, cr2, eip, cs;
};
extern volatile struct pf_record pf_last;

/* If nonzero, the next #PF is recorded in pf_last and returns to this address
 * (in the interrupted privilege level); the handler then clears it. */
extern volatile uint32_t pf_resume;

/* If set, called first for every #PF (after recording it); returning 1 means
 * "fixed, retry the faulting instruction". */
typedef int (*pf_hook_fn)(struct exc_frame *frame, uint32_t cr2);
extern volatile pf_hook_fn pf_hook;

/* Loads an IDT whose vectors 0-31 go to the handlers above (interrupt gates,
 * DPL 0, code selector 0x08) and whose other vectors are not present. */
void idt_init(void);

/* Points `vector` at a raw entry point: a 32-bit interrupt gate with the given
 * DPL (3 lets ring 3 reach it with `int`). */
void idt_set_gate(uint8_t vector, void (*entry)(void), unsigned dpl);
