/* IDT set-up and the C side of exception handling (see idt.h). */
#include "idt.h"

#include "guest.h"
#include "print.h"

volatile struct pf_record pf_last;
volatile uint32_t pf_resume;
volatile pf_hook_fn pf_hook;

extern const uint32_t exc_stub_table[32];

static uint64_t idt[256] __attribute__((aligned(8)));

enum { KERNEL_CS = 0x08, GATE_INT32 = 0x8E00 /* P, DPL 0, 32-bit interrupt gate */ };

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "(9)", "#TS",
    "#NP", "#SS", "#GP", "#PF", "(15)", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void idt_set_gate(uint8_t vector, void (*entry)(void), unsigned dpl)
{
    uint32_t off = (uint32_t)entry;
    uint32_t low = (KERNEL_CS << 16) | (off & 0xFFFF);
    uint32_t high = (off & 0xFFFF0000u) | GATE_INT32 | ((dpl & 3) << 13);
    idt[vector] = ((uint64_t)high << 32) | low;
}

void idt_init(void)
{
    for (unsigned v = 0; v < 32; v++)
        idt_set_gate((uint8_t)v, (void (*)(void))exc_stub_table[v], 0);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } idtr = {sizeof idt - 1, (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static uint32_t read_cr2(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

void exc_dispatch(struct exc_frame *f)
{
    if (f->vector == 14) {
        uint32_t cr2 = read_cr2();
        pf_last.count++;
        pf_last.error = f->error;
        pf_last.cr2 = cr2;
        pf_last.eip = f->eip;
        pf_last.cs = f->cs;
        pf_hook_fn hook = pf_hook;
        if (hook && hook(f, cr2))
            return; /* retry */
        if (pf_resume) {
            f->eip = pf_resume;
            pf_resume = 0;
            return;
        }
    }
    static int reporting;
    if (reporting++) /* faulted while reporting a fault: just stop */
        exit_qemu(1);
    const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?";
    kprintf("FAIL: unexpected %s (vector %u) at eip %08x cs %04x, error code %08x", name,
            f->vector, f->eip, f->cs & 0xFFFF, f->error);
    if (f->vector == 14)
        kprintf(", cr2 %08x", read_cr2());
    put_char('\n');
    exit_qemu(1);
}
