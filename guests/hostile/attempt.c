/* Targeted attempts (see attempt.h). */
#include "attempt.h"

int attempt_failures;

void attempt_reset(int cpl)
{
    round_in = (struct round_regs){0};
    round_in.cs = cpl ? S_UCODE : S_KCODE;
    round_in.ss = round_in.ds = round_in.es = round_in.fs = round_in.gs =
        cpl ? S_UDATA : S_KDATA;
    round_in.esp = U_STACK_TOP - 0x100;
    round_in.eflags = FLAG_RSVD1 | FLAG_IF;
}

uint32_t attempt_run(struct snippet s, uint32_t offset)
{
    uint8_t *code = phys_ptr(P_CODE) + offset;
    for (const uint8_t *p = s.begin; p < s.end; p++)
        *code++ = *p;
    round_in.eip = U_CODE + offset;
    round_rec = (struct round_record){0};
    if (opt.verbose)
        kprintf("attempt: %u bytes at %04x:%08x, eax %08x ebx %08x esi %08x\n",
                (uint32_t)(s.end - s.begin), round_in.cs, round_in.eip, round_in.eax, round_in.ebx,
                round_in.esi);
    uint32_t v = round_run();
    if (opt.verbose)
        kprintf("attempt: %s error %x at %04x:%08x\n", event_name(v), round_rec.error,
                round_rec.cs & 0xFFFF, round_rec.eip);
    return v;
}
