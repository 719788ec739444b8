/* Privileged instructions (vol. 3, 5.9) raise #GP(0) at CPL 3; so do cli
 * and sti while CPL > IOPL, rdtsc with CR4.TSD=1 and rdpmc with CR4.PCE=0.
 * At CPL 0 the harmless ones run without a fault. */
#include "check.h"
#include "fault_check.h"
#include "paging.h"
#include "pm.h"
#include "print.h"
#include "priv_aliasing.h"

enum { CR4_TSD = 1u << 2, CR0_TS = 1u << 3 };

static const struct {
    const char *what;
    body_fn body;
    int cpl0_safe; /* also run at CPL 0, where it must not fault (2: if SEP) */
} insns[] = {
    {"hlt", p_hlt, 0},
    {"cli (IOPL 0)", p_cli, 1},
    {"sti (IOPL 0)", p_sti, 0},
    {"lgdt", p_lgdt, 1},
    {"lidt", p_lidt, 1},
    {"lldt", p_lldt, 0},
    {"ltr", p_ltr, 0},
    {"mov cr0, eax", p_write_cr0, 1},
    {"mov eax, cr0", p_read_cr0, 1},
    {"mov eax, cr2", p_read_cr2, 1},
    {"mov eax, cr3", p_read_cr3, 1},
    {"mov cr3, eax", p_write_cr3, 1},
    {"mov eax, cr4", p_read_cr4, 1},
    {"mov dr7, eax", p_write_dr7, 1},
    {"mov eax, dr7", p_read_dr7, 1},
    {"mov eax, dr6", p_read_dr6, 1},
    {"wbinvd", p_wbinvd, 1},
    {"invd", p_invd, 0},
    {"invlpg", p_invlpg, 1},
    {"rdmsr", p_rdmsr, 2},
    {"wrmsr", p_wrmsr, 2},
    {"clts", p_clts, 1},
    {"lmsw", p_lmsw, 1},
};

void check_privileged(void)
{
    put_str("-- privileged instructions\n");
    __asm__ volatile("sgdt %0\n\tsidt %1"
                     : "=m"(*(struct dtr *)gdt_image), "=m"(*(struct dtr *)idt_image));
    cr0_value = read_cr0();
    cr3_value = read_cr3();
    /* rdmsr/wrmsr at CPL 0 use IA32_SYSENTER_CS, which exists with SEP. */
    int have_msr = (pm_cpuid1_edx() & (1u << 11)) != 0;
    msr_value = have_msr ? (uint32_t)rdmsr(0x174) : 0;
    for (unsigned i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        uint32_t v = catch_user(insns[i].body, 0);
        check_begin();
        kprintf("CPL3 %s", insns[i].what);
        check_event_end(v, VEC_GP, 0);
        if (insns[i].cpl0_safe == 1 || (insns[i].cpl0_safe == 2 && have_msr)) {
            v = catch_call(insns[i].body, 0);
            check_begin();
            kprintf("CPL0 %s", insns[i].what);
            check_event_end(v, NO_FAULT, NO_ERROR);
        }
    }

    uint32_t v = catch_user(p_rdtsc, 0);
    check_event("CPL3 rdtsc, CR4.TSD=0", v, NO_FAULT, NO_ERROR);
    write_cr4(read_cr4() | CR4_TSD);
    v = catch_user(p_rdtsc, 0);
    check_event("CPL3 rdtsc, CR4.TSD=1", v, VEC_GP, 0);
    v = catch_call(p_rdtsc, 0);
    check_event("CPL0 rdtsc, CR4.TSD=1", v, NO_FAULT, NO_ERROR);
    write_cr4(read_cr4() & ~CR4_TSD);
    v = catch_user(p_rdpmc, 0);
    check_event("CPL3 rdpmc, CR4.PCE=0", v, VEC_GP, 0);

    /* mov from a control register at CPL 0 (read inline from the CPU state)
     * sees what the instructions just before it, in the same block, wrote. */
    uint32_t cr2_seen, cr0_seen, cr4_seen, cr3_seen;
    write_cr0(read_cr0() | CR0_TS);
    __asm__ volatile("mov %%cr2, %%ecx\n\t"
                     "mov $0x12345678, %%eax\n\t"
                     "mov %%eax, %%cr2\n\t"
                     "mov %%cr2, %0\n\t"
                     "mov %%ecx, %%cr2\n\t"
                     "clts\n\t"
                     "mov %%cr0, %1\n\t"
                     "mov %%cr4, %%eax\n\t"
                     "or %4, %%eax\n\t"
                     "mov %%eax, %%cr4\n\t"
                     "mov %%cr4, %2\n\t"
                     "and %5, %%eax\n\t"
                     "mov %%eax, %%cr4\n\t"
                     "mov %%cr3, %%eax\n\t"
                     "mov %%eax, %%cr3\n\t"
                     "mov %%cr3, %3"
                     : "=&r"(cr2_seen), "=&r"(cr0_seen), "=&r"(cr4_seen), "=&r"(cr3_seen)
                     : "i"(CR4_TSD), "i"(~CR4_TSD)
                     : "eax", "ecx", "memory");
    check_eq("CPL0 mov eax, cr2 right after mov cr2, eax", cr2_seen, 0x12345678);
    check_eq("CPL0 mov eax, cr0 right after clts: TS", cr0_seen & CR0_TS, 0);
    check_eq("CPL0 mov eax, cr4 right after setting TSD", cr4_seen & CR4_TSD, CR4_TSD);
    check_eq("CPL0 mov eax, cr3 right after mov cr3", cr3_seen, cr3_value);

    /* wrmsr IA32_TIME_STAMP_COUNTER sets the count rdtsc goes on from (here
     * across the 4 GiB carry), and rdtsc leaves the arithmetic flags alone. */
    if (have_msr) {
        const uint64_t base = 0xFFFFFF00ull;
        wrmsr(0x10, base);
        uint32_t lo, hi, flags;
        __asm__ volatile("pushfl\n\torl %3, (%%esp)\n\tpopfl\n\trdtsc\n\tpushfl\n\tpopl %2"
                         : "=a"(lo), "=d"(hi), "=r"(flags)
                         : "i"(0x8D5) /* CF PF AF ZF SF OF */
                         : "cc");
        uint64_t tsc = (uint64_t)hi << 32 | lo;
        check_begin();
        kprintf("rdtsc after wrmsr TSC=0_ffffff00 counts on from it");
        check_end(tsc >= base && tsc - base < (1ull << 32));
        check_begin();
        kprintf("rdtsc keeps the arithmetic flags set");
        check_end((flags & 0x8D5) == 0x8D5);
    }
}
