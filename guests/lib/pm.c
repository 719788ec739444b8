/* The protected-mode environment (see pm.h). */
#include "pm.h"

#include "catch.h"
#include "io.h"

volatile uint64_t pm_gdt[PM_GDT_ENTRIES] __attribute__((aligned(8)));
volatile uint64_t pm_idt[256] __attribute__((aligned(8)));
struct tss32 pm_tss __attribute__((aligned(128)));
uint32_t pm_ring0_top;

/* 64 bytes past the top stay unused, so that reading a frame a little
 * beyond what was pushed never leaves the array. */
static uint8_t ring0_stack[16384 + 64] __attribute__((aligned(16)));

extern const uint32_t catch_stub_table[256]; /* catch.asm */
void catch_return_entry(void);               /* catch.asm: int 0x80 from ring 3 */

uint32_t pm_catch_entry(unsigned vector)
{
    return catch_stub_table[vector & 0xFF];
}

uint16_t pm_gdt_set(unsigned index, uint64_t desc)
{
    pm_gdt[index] = desc;
    return (uint16_t)(index << 3);
}

void pm_idt_set(unsigned vector, uint64_t gate)
{
    pm_idt[vector & 0xFF] = gate;
}

void pm_idt_entry(unsigned vector, void (*entry)(void), unsigned type, unsigned dpl)
{
    pm_idt_set(vector, gate_desc(PM_KCODE, (uint32_t)entry, ACC_P | ACC_DPL(dpl) | type, 0));
}

void pm_idt_catch(unsigned vector, unsigned dpl)
{
    pm_idt_set(vector, gate_desc(PM_KCODE, pm_catch_entry(vector),
                                 ACC_P | ACC_DPL(dpl) | SYS_INT_GATE32, 0));
}

void pm_lgdt(uint16_t limit)
{
    struct dtr r = {limit, (uint32_t)pm_gdt};
    __asm__ volatile("lgdt %0" : : "m"(r) : "memory");
}

void pm_lidt(uint16_t limit)
{
    struct dtr r = {limit, (uint32_t)pm_idt};
    __asm__ volatile("lidt %0" : : "m"(r) : "memory");
}

uint32_t pm_cpuid1_edx(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d;
}

void pm_enable_sse(void)
{
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(1u << 2 | 1u << 3)) | 1u << 1 | 1u << 5;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 1u << 9 | 1u << 10;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    __asm__ volatile("fninit");
}

void pm_init(void)
{
    for (unsigned i = 0; i < PM_GDT_ENTRIES; i++)
        pm_gdt[i] = 0;
    pm_gdt[1] = FLAT_CODE(0);
    pm_gdt[2] = FLAT_DATA(0);
    pm_gdt[3] = FLAT_CODE(3);
    pm_gdt[4] = FLAT_DATA(3);
    pm_ring0_top = (uint32_t)ring0_stack + sizeof ring0_stack - 64;
    pm_tss.ss0 = PM_KDATA;
    pm_tss.esp0 = pm_ring0_top;
    pm_tss.iomap_base = sizeof pm_tss; /* no I/O bitmap */
    pm_gdt[PM_TSS >> 3] =
        seg_desc((uint32_t)&pm_tss, sizeof pm_tss - 1, ACC_P | SYS_TSS32, 0);

    for (unsigned v = 0; v < 256; v++)
        pm_idt_catch(v, 0);
    pm_idt_entry(PM_RETURN_VECTOR, catch_return_entry, SYS_INT_GATE32, 3);

    pm_lgdt(sizeof pm_gdt - 1);
    pm_lidt(sizeof pm_idt - 1);
    __asm__ volatile("mov %0, %%ds\n\t"
                     "mov %0, %%es\n\t"
                     "mov %0, %%fs\n\t"
                     "mov %0, %%gs\n\t"
                     "mov %0, %%ss\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "ltr %w2\n\t"
                     "lldt %w3"
                     :
                     : "r"((uint32_t)PM_KDATA), "i"(PM_KCODE), "r"((uint32_t)PM_TSS), "r"(0u)
                     : "memory");

    /* No device interrupt may arrive while a test sets IF. */
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}
