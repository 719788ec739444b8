/* Running the forms of forms.asm and reporting what they did. */
#include "forms.h"

#include "check.h"
#include "fault_check.h"
#include "print.h"

void regs_reset(uint32_t esp, int df)
{
    struct regs r = {0};
    r.esp = esp;
    r.eflags = 0x2 | (df ? FL_DF : 0);
    rin = r;
}

uint32_t cmp_flags32(uint32_t a, uint32_t b)
{
    uint32_t f;
    __asm__("cmpl %2, %1\n\tpushfl\n\tpopl %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
    return f & FL_ARITH;
}

uint32_t cmp_flags8(uint8_t a, uint8_t b)
{
    uint32_t f;
    __asm__("cmpb %2, %1\n\tpushfl\n\tpopl %0" : "=r"(f) : "q"(a), "q"(b) : "cc");
    return f & FL_ARITH;
}

uint32_t add_flags32(uint32_t a, uint32_t b)
{
    uint32_t f;
    __asm__("addl %2, %1\n\tpushfl\n\tpopl %0" : "=r"(f), "+r"(a) : "r"(b) : "cc");
    return f & FL_ARITH;
}

void fill(uint32_t at, unsigned bytes, uint8_t first)
{
    for (unsigned i = 0; i < bytes; i++)
        poke8(at + i, (uint8_t)(first + i));
}

void clear(uint32_t at, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        poke8(at + i, 0);
}

uint32_t run_form(int cpl, body_fn form)
{
    return catch_at(cpl, form, 0);
}

int check_cpl(int cpl, const char *what, uint32_t got, uint32_t want)
{
    check_begin();
    kprintf("CPL%d %s: %08x", cpl, what, got);
    if (got != want)
        kprintf(" (want %08x)", want);
    return check_end(got == want);
}

int check_no_event(int cpl, const char *what, uint32_t vector)
{
    check_begin();
    kprintf("CPL%d %s", cpl, what);
    return check_event_end(vector, NO_FAULT, NO_ERROR);
}

int check_page_fault(int cpl, const char *what, uint32_t vector, uint32_t want_error, uint32_t want_cr2)
{
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    check_begin();
    kprintf("CPL%d %s", cpl, what);
    int ok = event_outcome(vector, VEC_PF, want_error);
    kprintf(", CR2 %08x", cr2);
    if (cr2 != want_cr2) kprintf(" (want %08x)", want_cr2), ok = 0;
    return check_end(ok);
}

int check_trap_at(int cpl, const char *what, uint32_t vector, uint32_t want_vector, uint32_t want_eip)
{
    /* The frame's first word is the EIP (these vectors push no error code),
     * read directly: catch_eip() takes low EIPs for error codes. */
    uint32_t eip = catch_rec.words[0];
    check_begin();
    kprintf("CPL%d %s: ", cpl, what);
    put_event(vector, NO_ERROR);
    kprintf(" at %08x", eip);
    int ok = vector == want_vector && eip == want_eip;
    if (!ok) {
        put_str(" (want ");
        put_event(want_vector, NO_ERROR);
        kprintf(" at %08x)", want_eip);
    }
    return check_end(ok);
}
