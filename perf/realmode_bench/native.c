/* realmode_bench's native side: the 16-bit workloads (work16.inc) in an LDT
 * code segment of this 32-bit process (modify_ldt), DS and ES a 16-bit data
 * segment over a 64 KiB buffer, timed with rdtsc. Prints what the ROM does.
 * CRC16_PASSES, SIEVE_PASSES and FIB_N come from perf/CMakeLists.txt, which
 * gives the ROM the same. */
#include <asm/ldt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern const uint8_t work16_start[], entry_crc16[], entry_sieve[], entry_fib[];
uint32_t run16(uint32_t offset, uint32_t code_sel, uint32_t data_sel, uint32_t bx);
static uint8_t buffer[0x10000] __attribute__((aligned(4096)));

static int ldt_entry(unsigned n, uint32_t base, unsigned contents)
{
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = n;
    d.base_addr = base;
    d.limit = 0xFFFF;
    d.contents = contents;
    d.useable = 1;
    return syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

int main(void)
{
    if (!ldt_entry(0, (uint32_t)work16_start, MODIFY_LDT_CONTENTS_CODE) ||
        !ldt_entry(1, (uint32_t)buffer, MODIFY_LDT_CONTENTS_DATA)) {
        perror("modify_ldt");
        return 1;
    }
    const struct { const char *name; const uint8_t *entry; uint32_t bx; } phases[] = {
        {"crc16", entry_crc16, CRC16_PASSES}, {"sieve", entry_sieve, SIEVE_PASSES}, {"fib", entry_fib, FIB_N}};
    for (unsigned i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        uint64_t t0 = rdtsc();
        uint32_t check = run16((uint32_t)(phases[i].entry - work16_start), 0x07, 0x0F, phases[i].bx);
        uint64_t t1 = rdtsc();
        printf("phase %s cycles=0x%016llx check=0x%04x\n", phases[i].name, (unsigned long long)(t1 - t0), check);
    }
    return 0;
}
