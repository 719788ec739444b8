/* A kernel that dies: it takes three software interrupts of its own, turns
 * paging on (control-register writes, a mode change), then loads an empty
 * IDT and divides by zero: #DE cannot be delivered (a #GP, which with #DE
 * makes a #DF), nor can the double fault: a triple fault. bt86 must end
 * with status 2 and show, before the state dump, the last interrupts: int
 * 0x30 three times, #DE, #DF (tests/trace_check.sh). Also the subject of
 * --trace's test. */
#include <stdint.h>

#include "guest.h"
#include "idt.h"
#include "print.h"

void soft_entry(void);
__asm__(".pushsection .text\n.globl soft_entry\nsoft_entry: iret\n.popsection\n");

static uint32_t page_directory[1024] __attribute__((aligned(4096)));

void kmain(void)
{
    load_flat_gdt();
    idt_init();
    idt_set_gate(0x30, soft_entry, 0);
    for (int i = 0; i < 3; ++i) __asm__ volatile("int $0x30");

    /* The first 4 MiB identity-mapped by one large page. */
    page_directory[0] = 0x83; /* present, writable, 4 MiB */
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | 0x10)); /* PSE */
    __asm__ volatile("mov %0, %%cr3" ::"r"((uint32_t)page_directory));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | 0x80000000u)); /* PG */
    put_str("paging on; now an empty IDT and a division by zero\n");

    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } empty_idt = {0, 0};
    __asm__ volatile("lidt %0\n xor %%ecx, %%ecx\n div %%ecx" ::"m"(empty_idt) : "eax", "ecx", "edx");
    put_str("FAIL: a division by zero with an empty IDT came back\n");
    exit_qemu(1);
}
