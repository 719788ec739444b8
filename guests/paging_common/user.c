/* GDT and TSS for ring-3 checks (see user.h). */
#include "user.h"

#include "idt.h"

/* The 32-bit TSS: only SS0:ESP0 matter (the ring-0 stack for interrupts from
 * ring 3); the I/O bitmap offset points past the limit, so there is none. */
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

static struct tss tss __attribute__((aligned(128)));
static uint8_t ring0_stack[16384] __attribute__((aligned(16)));
static uint64_t gdt[6] __attribute__((aligned(8)));

void user_return_entry(void); /* user.asm: the int 0x80 handler */

static uint64_t tss_descriptor(uint32_t base, uint32_t limit)
{
    uint64_t d = (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16);
    d |= (uint64_t)0x89 << 40; /* present, DPL 0, 32-bit TSS (available) */
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

void user_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00CF9A000000FFFFull; /* kernel code: flat, 32-bit, DPL 0 */
    gdt[2] = 0x00CF92000000FFFFull; /* kernel data */
    gdt[3] = 0x00CFFA000000FFFFull; /* user code: DPL 3 */
    gdt[4] = 0x00CFF2000000FFFFull; /* user data: DPL 3 */
    tss.ss0 = SEL_KERNEL_DS;
    tss.esp0 = (uint32_t)(ring0_stack + sizeof ring0_stack);
    tss.iomap_base = sizeof tss;
    gdt[5] = tss_descriptor((uint32_t)&tss, sizeof tss - 1);

    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } gdtr = {sizeof gdt - 1, (uint32_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "mov %1, %%ds\n\t"
                     "mov %1, %%es\n\t"
                     "mov %1, %%fs\n\t"
                     "mov %1, %%gs\n\t"
                     "mov %1, %%ss\n\t"
                     "ljmp %2, $1f\n"
                     "1:\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "r"(SEL_KERNEL_DS), "i"(SEL_KERNEL_CS), "r"(SEL_TSS)
                     : "memory");
    idt_set_gate(USER_RETURN_VECTOR, user_return_entry, 3);
}
