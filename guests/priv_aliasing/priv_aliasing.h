/* priv_aliasing: instructions that reveal privileged state without being
 * privileged (SDM vol. 3, 2.8 and 5.10; vol. 2 per instruction), seen from
 * CPL 0 and CPL 3, and instructions that are privileged (CPL 3: #GP(0)). */
#pragma once
#include <stdint.h>

#include "catch.h"

/* GDT selectors (RPL 0) of the descriptors under test. */
enum {
    S_LDT = 0x30,         /* an LDT, DPL 0 */
    S_CONF_XR = 0x38,     /* conforming readable code, DPL 0 */
    S_XO = 0x40,          /* execute-only code, DPL 0 */
    S_RO3 = 0x48,         /* read-only data, DPL 3 */
    S_CALL_GATE = 0x50,   /* a call gate, DPL 3 */
    S_INT_GATE = 0x58,    /* an interrupt gate in the GDT, DPL 3 */
    S_LIMIT0 = 0x60,      /* data, DPL 0, byte limit 0x1234 */
    S_LIMIT3 = 0x68,      /* data, DPL 3, G=1, limit field 0x12: 0x12fff */
    S_NP3 = 0x70,         /* data, DPL 3, not present */
    S_TSS3 = 0x78,        /* an available 32-bit TSS descriptor, DPL 3 */
    S_RESERVED = 0x80,    /* system type 0 (reserved), present */
    S_CONF_XO = 0x88,     /* conforming execute-only code, DPL 0 */
    S_BEYOND = 0x200,     /* past the GDT limit */
};

extern volatile uint8_t dt_buf[8], gdt_image[8], idt_image[8];
extern volatile uint32_t zf_out, cr0_value, cr3_value, msr_value;
uint32_t mov_cs16(uint32_t), mov_cs32(uint32_t), mov_ss16(uint32_t), mov_ss32(uint32_t),
    push_cs(uint32_t), push_ss(uint32_t), do_sgdt(uint32_t), do_sidt(uint32_t), sldt16(uint32_t),
    sldt32(uint32_t), str16(uint32_t), str32(uint32_t), smsw32(uint32_t), smsw_mem(uint32_t);
uint32_t lar_body(uint32_t), lsl_body(uint32_t), verr_body(uint32_t), verw_body(uint32_t);
uint32_t popf_body(uint32_t), iret_body(uint32_t), pushf_body(uint32_t);
uint32_t p_hlt(uint32_t), p_cli(uint32_t), p_sti(uint32_t), p_lgdt(uint32_t), p_lidt(uint32_t),
    p_lldt(uint32_t), p_ltr(uint32_t), p_write_cr0(uint32_t), p_read_cr0(uint32_t),
    p_read_cr2(uint32_t), p_read_cr3(uint32_t), p_write_cr3(uint32_t), p_read_cr4(uint32_t),
    p_write_dr7(uint32_t), p_read_dr7(uint32_t), p_read_dr6(uint32_t), p_wbinvd(uint32_t),
    p_invd(uint32_t), p_invlpg(uint32_t), p_rdmsr(uint32_t), p_wrmsr(uint32_t), p_clts(uint32_t),
    p_lmsw(uint32_t), p_rdpmc(uint32_t), p_rdtsc(uint32_t);

/* Runs body(arg) at cpl, expecting no fault; prints a failed check line and
 * returns 0 if one happens. */
int run_quiet(int cpl, body_fn body, uint32_t arg, const char *what);

void check_values(void);     /* values.c: mov/push of CS and SS, sgdt & co. */
void check_flags(void);      /* flags.c: pushf, popf, iret and IF/IOPL */
void check_selectors(void);  /* selectors.c: lar, lsl, verr, verw */
void check_privileged(void); /* privileged.c: #GP(0) at CPL 3 */
