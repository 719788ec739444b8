/* The instruction forms of forms.asm and how a kernel runs them. */
#pragma once
#include <stdint.h>

#include "catch.h"

/* Every register as a form loads it (rin) and leaves it (rout). */
struct regs {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, eflags;
};
extern struct regs rin, rout;

#define FORMS(X)                                                                                   \
    X(f_push_imm) X(f_push_reg16) X(f_push_mem) X(f_tf_push_mem) X(f_pop_reg) X(f_pop_mem) X(f_call_rel)            \
    X(f_call_mem) X(f_jmp_mem) X(f_ret) X(f_ret_imm) X(f_enter) X(f_leave) X(f_pushad) X(f_popad)  \
    X(f_pushfd) X(f_popfd) X(f_movsd) X(f_rep_movsb) X(f_rep_movsd) X(f_stosd) X(f_rep_stosb)      \
    X(f_lodsd) X(f_rep_lodsw) X(f_cmpsd) X(f_repe_cmpsb) X(f_scasd) X(f_repne_scasb)               \
    X(f_a16_rep_movsb) X(f_es_rep_stosb) X(f_xlatb) X(f_mov_load) X(f_mov_load16) X(f_mov_store) X(f_add_rmw)       \
    X(f_xchg) X(f_mov_ah) X(f_cmpxchg8b) X(f_bt_reg) X(f_bts_reg) X(f_call_eax) \
    X(f_maskmovq) X(f_leave16)
#define DECLARE_FORM(name) uint32_t name(uint32_t);
FORMS(DECLARE_FORM)
#undef DECLARE_FORM
extern const uint8_t f_tf_push_mem_next[], f_call_rel_ret[], f_call_mem_ret[], f_call_mem_target[], f_jmp_mem_target[],
    f_ret_target[], f_ret_imm_target[];

enum {
    FL_CF = 1u << 0, FL_PF = 1u << 2, FL_AF = 1u << 4, FL_ZF = 1u << 6, FL_SF = 1u << 7,
    FL_TF = 1u << 8, FL_IF = 1u << 9, FL_DF = 1u << 10, FL_OF = 1u << 11,
    FL_ARITH = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF,
};

/* rin := every register zero but ESP = esp, EFLAGS = bit 1 (plus DF if
 * asked); the caller then sets what the form uses. */
void regs_reset(uint32_t esp, int df);

/* The arithmetic flags of a - b and a + b, computed by the CPU. */
uint32_t cmp_flags32(uint32_t a, uint32_t b);
uint32_t cmp_flags8(uint8_t a, uint8_t b);
uint32_t add_flags32(uint32_t a, uint32_t b);

/* Bytes first, first + 1, ... (or zeros) at linear `at`. */
void fill(uint32_t at, unsigned bytes, uint8_t first);
void clear(uint32_t at, unsigned bytes);

/* Runs the form at CPL 0 or 3 and returns the event that ended it
 * (NO_FAULT when it returned). */
uint32_t run_form(int cpl, body_fn form);

/* One check line: "<cpl> <what>: <got>" against want. */
int check_cpl(int cpl, const char *what, uint32_t got, uint32_t want);
/* One check line: the form ran without an event. */
int check_no_event(int cpl, const char *what, uint32_t vector);
/* One check line: the form ended in #PF with this error code and CR2. */
int check_page_fault(int cpl, const char *what, uint32_t vector, uint32_t want_error, uint32_t want_cr2);
/* One check line: the form ended in `want_vector` (no error code) at
 * `want_eip`. */
int check_trap_at(int cpl, const char *what, uint32_t vector, uint32_t want_vector, uint32_t want_eip);

/* Bytes and dwords at a linear address (where the kernel can reach it; in
 * asm, since C may not touch address 0). */
static inline uint32_t peek32(uint32_t addr)
{
    uint32_t v;
    __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
    return v;
}
static inline uint8_t peek8(uint32_t addr)
{
    uint8_t v;
    __asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(addr) : "memory");
    return v;
}
static inline void poke32(uint32_t addr, uint32_t v)
{
    __asm__ volatile("movl %1, (%0)" : : "r"(addr), "r"(v) : "memory");
}
static inline void poke8(uint32_t addr, uint8_t v)
{
    __asm__ volatile("movb %1, (%0)" : : "r"(addr), "q"(v) : "memory");
}
