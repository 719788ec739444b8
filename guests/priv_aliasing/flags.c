/* EFLAGS from CPL 3 and CPL 0 (vol. 2, PUSHF, POPF, IRET; vol. 3, 2.3):
 *  - pushf stores EFLAGS with VM and RF clear, IF and IOPL as they are;
 *  - popf and a same-privilege iret change IF only if CPL <= IOPL and IOPL
 *    only at CPL 0; otherwise those bits keep their values, without a
 *    fault; arithmetic flags, DF and AC change at any CPL; popf never
 *    changes VM. */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "priv_aliasing.h"

enum { WATCHED = FLAG_IF | FLAG_IOPL3 | FLAG_CF | FLAG_DF | FLAG_AC | FLAG_VM | FLAG_RF | FLAG_RSVD1 };

static void put_flags(uint32_t f)
{
    kprintf("IF=%u IOPL=%u CF=%u DF=%u AC=%u", !!(f & FLAG_IF), (f >> 12) & 3, !!(f & FLAG_CF),
            !!(f & FLAG_DF), !!(f & FLAG_AC));
    if (f & FLAG_VM)
        put_str(" VM=1");
    if (f & FLAG_RF)
        put_str(" RF=1");
}

/* Runs body(image) at cpl with EFLAGS `start` (at CPL 0: set around it);
 * the watched bits of what it returns must equal `want`. */
static void flags_check(int cpl, uint32_t start, const char *what, body_fn body, uint32_t image,
                        uint32_t want)
{
    uint32_t saved = read_eflags();
    uint32_t v;
    if (cpl) {
        user_ctx.eflags = start;
        v = catch_user(body, image);
        user_ctx_reset();
    } else {
        write_eflags(start);
        v = catch_call(body, image);
        write_eflags(saved);
    }
    check_begin();
    kprintf("CPL%d IOPL=%u IF=%u, %s", cpl, (start >> 12) & 3, !!(start & FLAG_IF), what);
    if (v != NO_FAULT) {
        check_event_end(v, NO_FAULT, NO_ERROR);
        return;
    }
    uint32_t got = catch_ret & WATCHED;
    put_str(": ");
    put_flags(got);
    if (got != (want & WATCHED)) {
        put_str(" (want ");
        put_flags(want & WATCHED);
        put_char(')');
    }
    check_end(got == (want & WATCHED));
}

void check_flags(void)
{
    put_str("-- pushf, popf, iret: IF and IOPL\n");
    const uint32_t base = FLAG_RSVD1;
    const uint32_t set_all = base | FLAG_IOPL3 | FLAG_CF | FLAG_DF | FLAG_AC; /* IF=0 */

    flags_check(3, base | FLAG_IF, "pushf", pushf_body, 0, base | FLAG_IF);
    flags_check(3, base, "pushf", pushf_body, 0, base);
    flags_check(3, base | FLAG_IF | FLAG_IOPL3, "pushf", pushf_body, 0,
                base | FLAG_IF | FLAG_IOPL3);
    flags_check(0, base, "pushf", pushf_body, 0, base);

    /* CPL 3, IOPL 0: IF and IOPL stay, the rest follows the image. */
    flags_check(3, base | FLAG_IF, "popf IF=0 IOPL=3 CF DF AC", popf_body, set_all,
                base | FLAG_IF | FLAG_CF | FLAG_DF | FLAG_AC);
    flags_check(3, base, "popf IF=1 IOPL=3", popf_body, base | FLAG_IF | FLAG_IOPL3, base);
    flags_check(3, base | FLAG_IF, "iret IF=0 IOPL=3 CF DF AC", iret_body, set_all,
                base | FLAG_IF | FLAG_CF | FLAG_DF | FLAG_AC);
    flags_check(3, base, "iret IF=1 IOPL=3", iret_body, base | FLAG_IF | FLAG_IOPL3, base);

    /* CPL 3, IOPL 3: IF follows, IOPL stays. */
    flags_check(3, base | FLAG_IF | FLAG_IOPL3, "popf IF=0 IOPL=0", popf_body, base,
                base | FLAG_IOPL3);
    flags_check(3, base | FLAG_IOPL3, "popf IF=1 IOPL=1", popf_body,
                base | FLAG_IF | FLAG_IOPL(1), base | FLAG_IF | FLAG_IOPL3);
    flags_check(3, base | FLAG_IF | FLAG_IOPL3, "iret IF=0 IOPL=0", iret_body, base,
                base | FLAG_IOPL3);

    /* CPL 0: both follow; VM never does. */
    flags_check(0, base, "popf IF=1 IOPL=2 CF", popf_body, base | FLAG_IF | FLAG_IOPL(2) | FLAG_CF,
                base | FLAG_IF | FLAG_IOPL(2) | FLAG_CF);
    flags_check(0, base, "iret IF=1 IOPL=1", iret_body, base | FLAG_IF | FLAG_IOPL(1),
                base | FLAG_IF | FLAG_IOPL(1));
    flags_check(0, base, "popf VM=1 RF=1", popf_body, base | FLAG_VM | FLAG_RF, base);
}
