/* seg_loads: what loading a data or stack segment register checks, and what
 * an access through it checks (SDM vol. 3, 5.4-5.6; vol. 2, MOV, POP,
 * LDS/LES/LFS/LGS/LSS). The descriptors are set up in main.c. */
#pragma once
#include <stdint.h>

#include "catch.h"

/* GDT selectors (RPL 0) of the test descriptors. */
enum {
    S_DATA0 = 0x30,      /* RW data, DPL 0, flat */
    S_DATA1 = 0x38,      /* RW data, DPL 1 */
    S_DATA2 = 0x40,      /* RW data, DPL 2 */
    S_RO0 = 0x48,        /* read-only data, DPL 0 */
    S_RO3 = 0x50,        /* read-only data, DPL 3 */
    S_XO0 = 0x58,        /* execute-only code, DPL 0 */
    S_XR0 = 0x60,        /* execute/read code, DPL 0 */
    S_CONF_XR0 = 0x68,   /* conforming execute/read code, DPL 0 */
    S_CONF_XO0 = 0x70,   /* conforming execute-only code, DPL 0 */
    S_NP0 = 0x78,        /* RW data, DPL 0, not present */
    S_NP3 = 0x80,        /* RW data, DPL 3, not present */
    S_LDT = 0x88,        /* the LDT (system descriptor) */
    S_GATE = 0x90,       /* a call gate, DPL 3 (system descriptor) */
    S_XR3 = 0x98,        /* execute/read code, DPL 3 */
    S_BYTE_LIM = 0xA0,   /* RW data at data_area, limit 1, G=0 */
    S_PAGE_LIM = 0xA8,   /* RW data at data_area, limit field 1, G=1: 0x1FFF */
    S_DOWN_LOW = 0xB0,   /* expand-down RW, base 0, limit 0x7FFFF, B=1 */
    S_DOWN16 = 0xB8,     /* expand-down RW, base data_area - 0xF000, limit 0xEFFF, B=0 */
    S_DOWN_PAGE = 0xC0,  /* expand-down RW, base 0, G=1, valid from data_area */
    S_DOWN_ZERO = 0xC8,  /* expand-down RW, base data_area - 4, limit 0, B=1 */
    S_STACK_DOWN3 = 0xD0, /* expand-down RW, DPL 3, base 0, G=1, valid from ss_area + 0x1000 */
    S_STACK_UP3 = 0xD8,  /* RW, DPL 3, base ss_area, limit 0x3FFF, G=0 */
    S_RO_DOWN0 = 0xE0,   /* expand-down read-only, DPL 0 */
    S_STACK_DOWN0 = 0xE8, /* as S_STACK_DOWN3 with DPL 0 */
    S_STACK_UP0 = 0xF0,  /* as S_STACK_UP3 with DPL 0 */
    S_LDT_NP = 0xF8,     /* an LDT descriptor, not present */
    S_CODE_LIM = 0x100,  /* execute/read code, base 0, limit at the end of a page (cs_limit.c) */
    S_TMP = 0x108,       /* rewritten by tables.c */
    S_LDT_A = 0x110,     /* two LDT descriptors for tables.c */
    S_LDT_B = 0x118,
    S_LAST = 0x1F8,      /* RW data, DPL 0, the last entry the GDT limit covers */
    S_BEYOND = 0x200,    /* just past the GDT limit */
};

/* data_area (8 KiB) and ss_area (16 KiB), page aligned, each with a 4 KiB
 * guard on both sides: where an access that must fault does not, it lands
 * in a guard. data_area holds a byte pattern. */
extern uint8_t area_block[0x9000];
#define data_area (area_block + 0x1000)
#define ss_area (area_block + 0x4000)
enum { DATA_AREA_SIZE = 0x2000 };
uint8_t pattern_byte(uint32_t i);

/* bodies.asm */
extern volatile uint32_t pre_esp, got_gpr, acc_off, stack_esp;
uint32_t load_mov_ds(uint32_t), load_mov_es(uint32_t), load_mov_fs(uint32_t),
    load_mov_gs(uint32_t), load_mov_ss(uint32_t);
uint32_t load_pop_ds(uint32_t), load_pop_es(uint32_t), load_pop_fs(uint32_t),
    load_pop_gs(uint32_t), load_pop_ss(uint32_t);
uint32_t load_lds(uint32_t), load_les(uint32_t), load_lfs(uint32_t), load_lgs(uint32_t),
    load_lss(uint32_t);
uint32_t use_read_ds(uint32_t), use_read_es(uint32_t), use_read_fs(uint32_t),
    use_read_gs(uint32_t), use_stos_es(uint32_t);
uint32_t fs_read8(uint32_t), fs_read16(uint32_t), fs_read32(uint32_t), fs_write32(uint32_t);
uint32_t do_lldt(uint32_t), do_sldt(uint32_t), cached_read(uint32_t);
extern volatile uint32_t patch_ptr, patch_val, cache_before, cache_stale, cache_reloaded;
/* cs_bodies.asm */
uint32_t far_call_lim(uint32_t), fs_read_base(uint32_t);
extern char far_call_site[];
uint32_t ss_read32(uint32_t), ss_write32(uint32_t), ss_read_ebp(uint32_t), ss_push(uint32_t);

/* Expected outcomes. */
#define OK NO_FAULT, NO_ERROR
#define GP(e) 13, (e)
#define NP(e) 11, (e)
#define SSF(e) 12, (e)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A segment-register load instruction under test. */
struct form {
    const char *insn, *reg;
    body_fn body;
    int far; /* lds & co.: also loads ECX with 0x600DF00D */
};
extern const struct form mov_ds, lgs, mov_ss;

/* A selector and what loading it must do. */
struct sel_case {
    uint16_t sel;
    uint32_t vector, error;
    const char *what;
};

/* One check line per case: the outcome, and that a successful load holds
 * the selector and a fault changed nothing. */
void load_all(int cpl, const struct form *f, const struct sel_case *cases, unsigned n);

void check_loads(void);  /* loads.c: selector and descriptor checks */
void check_limits(void); /* limits.c: limits, granularity, expand-down */
void check_ldt(void);    /* ldt.c: TI=1 selectors, lldt, descriptor caching */
void check_forms(void);
void check_tables(void);   /* tables.c: descriptor tables rewritten, switched, remapped */
void check_cs_limit(void); /* cs_limit.c: instruction fetch against the CS limit */  /* forms.c: string, ALU and stack forms through checked segments */
