/* Kernel-only set-up for the fpu_sse tests: check the CPU has what we test
 * and turn on the FPU and SSE, as an operating system must. */
#include "guest.h"
#include "print.h"

enum {
    CR0_MP = 1u << 1,
    CR0_EM = 1u << 2,
    CR0_TS = 1u << 3,
    CR0_NE = 1u << 5,
    CR4_OSFXSR = 1u << 9,
    CR4_OSXMMEXCPT = 1u << 10,
    CPUID_FXSR = 1u << 24,
    CPUID_SSE = 1u << 25,
    CPUID_SSE2 = 1u << 26,
    CPUID_ECX_SSE3 = 1u << 0, /* fisttp */
};

void guest_prepare(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    uint32_t want = CPUID_FXSR | CPUID_SSE | CPUID_SSE2;
    if ((d & want) != want || !(c & CPUID_ECX_SSE3)) {
        kprintf("FAIL: CPUID 1 reports edx=%08x ecx=%08x: need FXSR, SSE, SSE2, SSE3\n", d, c);
        exit_qemu(1);
    }

    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));

    static const uint32_t mxcsr = 0x1F80;
    __asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
    put_str("x87/MMX/SSE/SSE2 instruction tests\n");
}
