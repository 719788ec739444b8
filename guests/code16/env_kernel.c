/* The kernel's 16-bit segments: a GDT of its own that keeps the Multiboot
 * loader's flat selectors 0x08 (code) and 0x10 (data). */
#include "guest.h"
#include "harness.h"
#include "print.h"

extern const uint8_t code16_start[], code16w_start[];
uint32_t code16_sel, data16_sel, code16w_sel;

static uint64_t descriptor(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xF) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

static uint64_t gdt[6] __attribute__((aligned(8)));

int code16_setup(void)
{
    gdt[1] = descriptor(0, 0xFFFFF, 0x9A, 0xC);                           /* 0x08: flat 32-bit code */
    gdt[2] = descriptor(0, 0xFFFFF, 0x92, 0xC);                           /* 0x10: flat 32-bit data */
    gdt[3] = descriptor((uint32_t)code16_start, 0xFFFF, 0x9A, 0);         /* 0x18: 16-bit code */
    gdt[4] = descriptor((uint32_t)membuf, MEMBUF_SIZE - 1, 0x92, 0);      /* 0x20: 16-bit data */
    gdt[5] = descriptor((uint32_t)code16w_start, 0x1FFFF, 0x9A, 0);       /* 0x28: 16-bit code past 64 KiB */
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } r = {sizeof gdt - 1, (uint32_t)gdt};
    __asm__ volatile("lgdt %0" : : "m"(r));
    code16_sel = 0x18;
    data16_sel = 0x20;
    code16w_sel = 0x28;
    return 1;
}

void guest_prepare(void)
{
    put_str("16-bit code tests (a 16-bit code segment; compared with the host CPU)\n");
}
