/* string_irq: long rep string instructions that bt86 runs in engine C++ code
 * (rep ins/outs through the port I/O helpers; movs/lods/stos on physical
 * memory no device claims, through the MMIO string emulation) take timer
 * interrupts between iterations, as a CPU does (SDM vol. 2, REP: "a
 * repeating string operation can be suspended by an exception or
 * interrupt"; EIP then still points at the instruction, ECX/ESI/EDI say how
 * far it got), and end with exactly the ECX, ESI, EDI (and AL, memory) the
 * architecture gives. Such loops once ran to the end in one go: no interrupt
 * while they ran, and no --timeout either.
 * Each check runs one instruction of 2^20 bytes with the PIT at ~10 kHz and
 * wants at least two interrupts taken part-way, with the registers pushed
 * there consistent with the count left. */
#include "check.h"
#include "dev.h"
#include "guest.h"
#include "idt.h"
#include "print.h"

enum {
    N = 1u << 20,
    MMIO = 0xD0000000u, /* no device: reads give all ones */
    PIT_10KHZ = 119,
};

struct string_run {
    uint32_t esi, edi, ecx, eax, df;
    uint32_t out_esi, out_edi, out_ecx, out_eax;
};
typedef void (*run_fn)(struct string_run *);
void run_outsb(struct string_run *), run_outsw(struct string_run *), run_insb(struct string_run *),
    run_movsb(struct string_run *), run_movsd(struct string_run *), run_lodsb(struct string_run *),
    run_stosw(struct string_run *);
void irq0_entry(void);
extern volatile uint32_t ticks, mid_ticks, mid_ecx, mid_esi, mid_edi;

/* RAM for the RAM side of each instruction, with a guard dword each side. */
static uint8_t buf[N + 8] __attribute__((aligned(16)));
#define RAM ((uint32_t)buf + 4)

enum { USES_ESI = 1, USES_EDI = 2 };

/* Runs one instruction of `count` elements of `width` bytes and checks the
 * interrupts it took and the registers it ended with; returns EAX after. */
static uint32_t check_run(const char *what, run_fn run, unsigned width, unsigned uses, uint32_t esi,
                      uint32_t edi, uint32_t count, int df)
{
    struct string_run r = {esi, edi, count, 0x12345600u, (uint32_t)df, 0, 0, 0, 0};
    int32_t step = df ? -(int32_t)width : (int32_t)width;
    mid_ticks = 0;
    uint32_t before = ticks;
    run(&r);
    kprintf("-- rep %s, %u elements, DF=%d: %u timer interrupts, %u of them part-way\n", what,
            count, df, ticks - before, mid_ticks);
    check_begin();
    kprintf("rep %s: interrupts taken between iterations: %u", what, mid_ticks);
    check_end(mid_ticks >= 2);
    if (mid_ticks) {
        uint32_t done = count - mid_ecx;
        check_begin();
        kprintf("rep %s: at the last of them ECX %08x ESI %08x EDI %08x", what, mid_ecx, mid_esi,
                mid_edi);
        int ok = mid_ecx > 0 && mid_ecx < count;
        if (uses & USES_ESI)
            ok &= mid_esi == esi + step * (int32_t)done;
        if (uses & USES_EDI)
            ok &= mid_edi == edi + step * (int32_t)done;
        check_end(ok);
    }
    check_eq("  ECX after", r.out_ecx, 0);
    check_eq("  ESI after", r.out_esi, (uses & USES_ESI) ? esi + step * (int32_t)count : esi);
    check_eq("  EDI after", r.out_edi, (uses & USES_EDI) ? edi + step * (int32_t)count : edi);
    return r.out_eax;
}

/* Whether buf's guards are intact and [from, from + len) holds only `v`. */
static int ram_holds(uint32_t from, uint32_t len, uint8_t v)
{
    const uint8_t *p = (const uint8_t *)from;
    for (uint32_t i = 0; i < len; i++)
        if (p[i] != v)
            return 0;
    return *(uint32_t *)buf == 0x5A5A5A5Au && *(uint32_t *)(buf + 4 + N) == 0x5A5A5A5Au;
}

static void fill(uint8_t v)
{
    for (uint32_t i = 0; i < sizeof buf; i++)
        buf[i] = i < 4 || i >= 4 + N ? 0x5A : v;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    put_str("string_irq: timer interrupts between the iterations of long rep string instructions\n");
    dev_setup();
    idt_set_gate(0x20, irq0_entry, 0);
    pit_ch0_rate(PIT_10KHZ);
    pic_set_masks(0xFE, 0xFF);

    fill(0x11);
    check_run("outsb", run_outsb, 1, USES_ESI, RAM, 0, N, 0);
    check_run("outsw", run_outsw, 2, USES_ESI, RAM + N - 2, 0, N / 2, 1);

    fill(0);
    check_run("insb", run_insb, 1, USES_EDI, 0, RAM, N, 0);
    check_eq("  RAM written by insb is all ones", ram_holds(RAM, N, 0xFF), 1);

    fill(0x22);
    check_run("movsb to MMIO", run_movsb, 1, USES_ESI | USES_EDI, RAM, MMIO, N, 0);
    check_eq("  RAM left as it was", ram_holds(RAM, N, 0x22), 1);

    fill(0);
    check_run("movsd from MMIO", run_movsd, 4, USES_ESI | USES_EDI, MMIO + N - 4, RAM + N - 4, N / 4, 1);
    check_eq("  RAM written by movsd is all ones", ram_holds(RAM, N, 0xFF), 1);

    uint32_t eax = check_run("lodsb from MMIO", run_lodsb, 1, USES_ESI, MMIO, 0, N, 0);
    check_eq("  EAX after lodsb (AL all ones)", eax, 0x123456FFu);
    check_run("stosw to MMIO", run_stosw, 2, USES_EDI, 0, MMIO, N / 2, 0);

    pic_set_masks(0xFF, 0xFF);
    check_finish();
}
