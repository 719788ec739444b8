/* A kernel with a bug, for the suite runner's failure directories: it takes
 * PIT ticks (vector 0x20) and `int 0x30` calls like a healthy kernel, then
 * loads a new IDT whose limit it computes in entries instead of bytes (0x30
 * instead of 0x30 * 8 - 1: only vectors 0-5 fit), and its statistics code
 * divides by a sample count that is zero. The #DE finds its gate, but the
 * handler's own `int 0x30` lies past the limit: #GP, whose gate lies past
 * it too, then #DF, likewise: a triple fault, which ends the run (exit
 * status 2) with the state dump. Whatever prints PASS here is a bug. */
#include "dev.h"
#include "guest.h"
#include "idt.h"
#include "print.h"

enum { TICKS = 5, SYSCALLS = 3, SYSCALL_VECTOR = 0x30 };

void syscall_entry(void);
__asm__(".globl syscall_entry\n"
        "syscall_entry: incl syscall_count\n"
        "  iret\n");
volatile uint32_t syscall_count;

static struct {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed)) idtr;

/* #DE: the kernel reports it through its own system call. */
void divide_error_entry(void);
__asm__(".globl divide_error_entry\n"
        "divide_error_entry: int $0x30\n"
        "  hlt\n");

static uint32_t average(uint32_t total, volatile uint32_t *samples)
{
    return total / *samples;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    put_str("broken: taking timer ticks and system calls\n");
    dev_setup();
    idt_set_gate(SYSCALL_VECTOR, syscall_entry, 0);
    pit_ch0_rate(PIT_1KHZ);
    pic_set_masks(0xFE, 0xFF);
    while (irq_count[0] < TICKS)
        sti_hlt_cli();
    pic_set_masks(0xFF, 0xFF);
    for (int i = 0; i < SYSCALLS; i++)
        __asm__ volatile("int $0x30" ::: "memory");
    kprintf("broken: %u ticks, %u system calls\n", irq_count[0], syscall_count);

    /* The bug: the limit counts entries, not bytes. */
    __asm__ volatile("sidt %0" : "=m"(idtr));
    idt_set_gate(0, divide_error_entry, 0);
    idtr.limit = SYSCALL_VECTOR;
    __asm__ volatile("lidt %0" ::"m"(idtr));
    put_str("broken: new IDT loaded, computing the average\n");

    static volatile uint32_t samples;
    kprintf("average: %u\n", average(1000, &samples));
    put_str("PASS\n");
    exit_qemu(0);
}
