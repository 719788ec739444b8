/* Items 10-14 (see nanobench.h): a #PF the guest resolves, a PTE change, and
 * address-space switches. Two page directories share the kernel's identity
 * map of the first 4 MiB; each maps its own 64 frames at TOUCH_LIN. The
 * first also maps PF_LIN (on demand) and PTEMOD_LIN. */
#include "idt.h"
#include "nanobench.h"
#include "paging.h"

enum {
    TOUCH_LIN = 0x40000000,  /* PDE 256 */
    TOUCH_PAGES = 64,        /* as TOUCHES in paging_loops.asm */
    PF_LIN = 0x50000000,     /* PDE 320 */
    PTEMOD_LIN = 0x50001000, /* the next page */
    /* The byte at the start of each frame, which the loops add up. */
    TAG_A = 1,
    TAG_B = 2,
    TAG_PF = 3,
    TAG_PTEMOD_0 = 5,
    TAG_PTEMOD_1 = 7,
    PF_VECTOR = 14,
};

#define PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))
static uint32_t pd[2][1024] PAGE_ALIGNED;
static uint32_t ident_pt[1024] PAGE_ALIGNED;
static uint32_t touch_pt[2][1024] PAGE_ALIGNED;
static uint32_t test_pt[1024] PAGE_ALIGNED;
static uint8_t touch_frames[2][TOUCH_PAGES][PAGE_SIZE] PAGE_ALIGNED;
static uint8_t pf_frame[PAGE_SIZE] PAGE_ALIGNED;
static uint8_t ptemod_frames[2][PAGE_SIZE] PAGE_ALIGNED;

/* Read (and the fault count written) by paging_loops.asm. */
uint32_t nb_touch_lin = TOUCH_LIN;
uint32_t nb_cr3[2];
uint32_t nb_pf_lin = PF_LIN;
uint32_t *nb_pf_pte;
uint32_t nb_pf_pte_value;
volatile uint32_t nb_pf_count;
uint32_t nb_ptemod_lin = PTEMOD_LIN;
uint32_t *nb_ptemod_pte;
uint32_t nb_ptemod_values[2];

void nb_pf_entry(void);
uint32_t nb_empty_loop(uint32_t n);
uint32_t nb_pagefault_loop(uint32_t n);
uint32_t nb_ptemod_loop(uint32_t n);
uint32_t nb_touch64_loop(uint32_t n);
uint32_t nb_ctxsw64_loop(uint32_t n);

static uint32_t map(const void *frame)
{
    return phys(frame) | PG_P | PG_RW;
}

void nb_paging_prepare(void)
{
    static const uint8_t touch_tags[2] = {TAG_A, TAG_B};
    for (int s = 0; s < 2; s++) {
        pg_init_directory(pd[s], ident_pt);
        pd[s][PD_INDEX(TOUCH_LIN)] = map(touch_pt[s]);
        for (int i = 0; i < TOUCH_PAGES; i++) {
            touch_frames[s][i][0] = touch_tags[s];
            touch_pt[s][i] = map(touch_frames[s][i]);
        }
        nb_cr3[s] = phys(pd[s]);
    }

    pd[0][PD_INDEX(PF_LIN)] = map(test_pt);
    pf_frame[0] = TAG_PF;
    nb_pf_pte = &test_pt[PT_INDEX(PF_LIN)];
    nb_pf_pte_value = map(pf_frame);

    ptemod_frames[0][0] = TAG_PTEMOD_0;
    ptemod_frames[1][0] = TAG_PTEMOD_1;
    nb_ptemod_pte = &test_pt[PT_INDEX(PTEMOD_LIN)];
    nb_ptemod_values[0] = map(ptemod_frames[0]);
    nb_ptemod_values[1] = map(ptemod_frames[1]);
    *nb_ptemod_pte = nb_ptemod_values[0];

    idt_set_gate(PF_VECTOR, nb_pf_entry, 0);
    pg_enable(pd[0]);
}

/* What each loop returns for n iterations (n is even). */
static uint32_t faults(uint32_t n)
{
    return n;
}

static uint32_t ptemod_sum(uint32_t n)
{
    return n / 2 * (TAG_PTEMOD_0 + TAG_PTEMOD_1);
}

static uint32_t touch_sum(uint32_t n)
{
    return n * TOUCH_PAGES * TAG_A;
}

static uint32_t ctxsw_sum(uint32_t n)
{
    return n / 2 * TOUCH_PAGES * (TAG_A + TAG_B);
}

uint32_t nb_mov_ds_loop(uint32_t n);

const struct nb_item nb_paging_items[] = {
    {"pagefault", nb_pagefault_loop, nb_empty_loop, faults},
    {"ptemod", nb_ptemod_loop, nb_empty_loop, ptemod_sum},
    {"touch64", nb_touch64_loop, nb_empty_loop, touch_sum},
    {"ctxsw64", nb_ctxsw64_loop, nb_empty_loop, ctxsw_sum},
    {"mov_ds_pg", nb_mov_ds_loop, nb_empty_loop, 0},
};
const unsigned nb_paging_count = sizeof nb_paging_items / sizeof nb_paging_items[0];
