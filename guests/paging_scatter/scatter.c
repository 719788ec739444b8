/* Host mapping limits: every page of guest RAM above 4 MiB mapped at a
 * scattered linear address (no two neighbours adjacent), so that each one
 * needs a host mapping of its own. With 256 MiB that is about 64,000 host
 * mappings, close to vm.max_map_count (65,530 by default): bt86 must evict
 * shadow mappings before the host refuses more, and the guest must not
 * notice. Each page is written through its scattered address, then read
 * back (after the shadows were surely recycled), and a sample is checked
 * through a second, linear mapping. */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"

enum {
    FIRST_FRAME = 0x400,         /* 4 MiB: below are this kernel and its tables */
    SCATTER_BASE = 0x40000000u,  /* 1 GiB: slot s lives at SCATTER_BASE + 8 KiB * s */
    MAX_FRAMES = 0x10000 - 0x400, /* up to 256 MiB of RAM */
    SCATTER_PTS = 2 * 0x10000 / 1024, /* 8 KiB per slot, up to 65,536 slots */
    WINDOW = 0xC0000000u,        /* a 4 MiB linear window onto any 4 MiB of RAM */
};

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t window_pt[1024] __attribute__((aligned(4096)));
static uint32_t scatter_pts[SCATTER_PTS][1024] __attribute__((aligned(4096)));

/* Frame i goes to slot perm(i): a multiplicative permutation of 0..n-1
 * (n a power of two, the factor odd), so neighbouring frames land far apart. */
static uint32_t slot_of(uint32_t i, uint32_t n) { return (i * 40503u + 7u) & (n - 1); }
static uint32_t linear_of_slot(uint32_t s) { return SCATTER_BASE + s * 2 * PAGE_SIZE; }
static uint32_t mark(uint32_t frame) { return 0x5CA70000u ^ (frame * 2654435761u); }

void kmain(uint32_t magic, uint32_t mbi)
{
    put_str("paging_scatter: all of RAM mapped at scattered addresses\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    const struct multiboot_info *info = (const struct multiboot_info *)mbi;
    uint32_t ram_frames = (1024 + info->mem_upper) / 4; /* mem_upper: KiB above 1 MiB */
    uint32_t frames = ram_frames - FIRST_FRAME;
    if (frames > MAX_FRAMES)
        frames = MAX_FRAMES;
    uint32_t n = 1;
    while (n < frames)
        n <<= 1;
    kprintf("%u frames of RAM above 4 MiB, %u slots\n", frames, n);
    load_flat_gdt();
    idt_init();

    pg_init_directory(pd, ident_pt);
    for (uint32_t t = 0; t < SCATTER_PTS; t++)
        pd[PD_INDEX(SCATTER_BASE) + t] = (uint32_t)scatter_pts[t] | PG_P | PG_RW;
    pd[PD_INDEX(WINDOW)] = (uint32_t)window_pt | PG_P | PG_RW;
    for (uint32_t i = 0; i < frames; i++) {
        uint32_t lin = linear_of_slot(slot_of(i, n));
        uint32_t *pt = scatter_pts[(lin - SCATTER_BASE) >> 22];
        pt[PT_INDEX(lin)] = (FIRST_FRAME + i) * PAGE_SIZE | PG_P | PG_RW;
    }
    pg_enable(pd);
    put_str("paging on\n");

    for (uint32_t i = 0; i < frames; i++) {
        volatile uint32_t *p = (volatile uint32_t *)linear_of_slot(slot_of(i, n));
        p[0] = mark(i);
        p[1023] = ~mark(i);
    }
    uint32_t bad = 0, first_bad = 0;
    for (uint32_t i = 0; i < frames; i++) {
        volatile uint32_t *p = (volatile uint32_t *)linear_of_slot(slot_of(i, n));
        if (p[0] != mark(i) || p[1023] != ~mark(i)) {
            if (!bad)
                first_bad = i;
            bad++;
        }
    }
    check_begin();
    kprintf("every frame reads back what its scattered address wrote (%u bad, first %u)", bad, first_bad);
    check_end(bad == 0);
    /* The same frames through a linear window: the data is in guest RAM,
     * where the scattered mappings put it. */
    bad = 0;
    for (uint32_t chunk = 0; chunk * 1024 < frames; chunk += 7) {
        for (uint32_t k = 0; k < 1024; k++)
            window_pt[k] = (FIRST_FRAME + chunk * 1024 + k) * PAGE_SIZE | PG_P | PG_RW;
        flush_tlb();
        for (uint32_t k = 0; k < 1024 && chunk * 1024 + k < frames; k++)
            if (*(volatile uint32_t *)(WINDOW + k * PAGE_SIZE) != mark(chunk * 1024 + k))
                bad++;
    }
    check_begin();
    kprintf("sampled frames read the same through a linear window (%u bad)", bad);
    check_end(bad == 0);
    check_finish();
}
