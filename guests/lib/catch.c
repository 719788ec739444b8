/* The C side of the fault catcher (see catch.h). */
#include "catch.h"

#include "guest.h"
#include "print.h"

extern uint8_t catch_user_stack_top[]; /* catch.asm */

void user_ctx_reset(void)
{
    user_ctx.cs = 0x18 | 3;
    user_ctx.ss = 0x20 | 3;
    user_ctx.ds = 0x20 | 3;
    user_ctx.eflags = 0x002;
    user_ctx.esp = (uint32_t)catch_user_stack_top;
}

uint32_t catch_at(int cpl, body_fn body, uint32_t arg)
{
    return cpl ? catch_user(body, arg) : catch_call(body, arg);
}

uint32_t catch_error(void)
{
    return catch_rec.words[0] < 0x100000 ? catch_rec.words[0] : NO_ERROR;
}

uint32_t catch_eip(void)
{
    return catch_error() == NO_ERROR ? catch_rec.words[0] : catch_rec.words[1];
}

/* catch.asm: an event while no body runs. */
void catch_unexpected(void)
{
    kprintf("\nFAIL: unexpected vector %u outside a test body; frame %08x %08x %08x %08x, "
            "eax %08x\n",
            catch_rec.vector, catch_rec.words[0], catch_rec.words[1], catch_rec.words[2],
            catch_rec.words[3], catch_rec.eax);
    exit_qemu(1);
}
