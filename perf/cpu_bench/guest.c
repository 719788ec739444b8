/* cpu_bench guest platform: a minimal Multiboot v1 kernel around the
 * workload. Self-contained on purpose (it does not use guests/lib), so the
 * benchmark does not change when the test-kernel runtime does.
 *
 * Machine contract: loaded at 1 MiB by a Multiboot loader (bt86, QEMU);
 * 32-bit protected mode, paging off, interrupts off; output on COM1; exit
 * through isa-debug-exit at port 0xF4 (the run ends with status (v<<1)|1). */
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_HEADER_FLAGS 0x00000002u /* bit 1: loader must give memory info */
#define MB_LOADER_MAGIC 0x2BADB002u

#define STACK_BYTES 65536
#define STR_(x) #x
#define STR(x) STR_(x)

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4

/* Scratch memory: a fixed region well above the kernel image, so it needs
 * no allocator and stays clear of the loader's Multiboot info. */
#define ARENA_BASE (16u << 20)

__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t multiboot_header[3] = {
    MB_HEADER_MAGIC, MB_HEADER_FLAGS, -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)
};

/* Entry: eax = loader magic, ebx = Multiboot info. Zero .bss (the loader
 * should already have, but it costs nothing), switch to our own stack,
 * 16-byte aligned as gcc expects, and call guest_main(magic, info). */
__asm__(".section .text.entry, \"ax\", @progbits\n"
        ".globl _start\n"
        "_start:\n"
        "    cld\n"
        "    mov %eax, %esi\n"
        "    mov $__bss_start, %edi\n"
        "    mov $__bss_end, %ecx\n"
        "    sub %edi, %ecx\n"
        "    xor %eax, %eax\n"
        "    rep stosb\n"
        "    mov $guest_stack + " STR(STACK_BYTES) ", %esp\n"
        "    and $-16, %esp\n"
        "    sub $8, %esp\n"
        "    push %ebx\n"
        "    push %esi\n"
        "    call guest_main\n"
        "    push %eax\n"
        "    call guest_exit\n"
        ".previous\n");

__attribute__((aligned(16), used)) uint8_t guest_stack[STACK_BYTES];

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB, valid if flags bit 0 */
    uint32_t mem_upper; /* KiB above 1 MiB, valid if flags bit 0 */
};

extern char _end[];

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no UART interrupts */
    outb(COM1 + 3, 0x80); /* DLAB on */
    outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1, DLAB off */
    outb(COM1 + 2, 0x07); /* enable and clear FIFOs */
}

static void serial_putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20)) /* LSR bit 5: transmit holding empty */
        ;
    outb(COM1, (uint8_t)c);
}

void bench_write(const char *s, unsigned len)
{
    while (len--)
        serial_putc(*s++);
}

static void say(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    bench_write(s, n);
}

__attribute__((noreturn, used)) void guest_exit(uint32_t v)
{
    outl(DEBUG_EXIT_PORT, v);
    for (;;)
        __asm__ volatile("cli; hlt");
}

__attribute__((used)) int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
    serial_init();
    say("cpu_bench: bt86 guest\n");
    if (magic != MB_LOADER_MAGIC) {
        say("cpu_bench: not started by a Multiboot loader\n");
        return 2;
    }
    if (!(mbi->flags & 1) ||
        (uint64_t)mbi->mem_upper * 1024 + (1u << 20) < ARENA_BASE + (uint64_t)BENCH_ARENA_BYTES) {
        say("cpu_bench: not enough memory for the arena at 16 MiB\n");
        return 2;
    }
    if ((uintptr_t)_end > ARENA_BASE) {
        say("cpu_bench: kernel image overlaps the arena\n");
        return 2;
    }
    return bench_run((unsigned char *)ARENA_BASE);
}

/* gcc may emit calls to these even in freestanding code (struct copies,
 * large initialisers); the workload itself is built so that it does not.
 * This file is built with -fno-tree-loop-distribute-patterns, otherwise gcc
 * would turn these loops back into calls to themselves. */
void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
