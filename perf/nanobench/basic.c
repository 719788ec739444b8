/* Items 1-9 (see nanobench.h): the syscall round trip from ring 3, and
 * ring-0 instructions that a translator cannot run as they are. */
#include "idt.h"
#include "nanobench.h"
#include "user.h"

uint32_t nb_empty_loop(uint32_t n);
uint32_t nb_iret_loop(uint32_t n);
uint32_t nb_out_loop(uint32_t n);
uint32_t nb_in_loop(uint32_t n);
uint32_t nb_cli_sti_loop(uint32_t n);
uint32_t nb_call_ret_loop(uint32_t n);
uint32_t nb_pushf_popf_loop(uint32_t n);
uint32_t nb_mov_ds_loop(uint32_t n);
uint32_t nb_pop_ds_loop(uint32_t n);
/* At CPL 3, through user_call: user_fn signatures, the second argument unused. */
uint32_t nb_int80_loop(uint32_t n, uint32_t unused);
uint32_t nb_ring3_empty_loop(uint32_t n, uint32_t unused);
uint32_t nb_ring3_mov_ds_loop(uint32_t n, uint32_t unused);
void nb_syscall_entry(void);

/* Both ring-3 runs pay one iret into ring 3 and one int 0x80 back, so the
 * difference is the loop's own int 0x80s. */
static uint32_t int80_at_ring3(uint32_t n)
{
    return user_call(nb_int80_loop, n, 0);
}

static uint32_t empty_at_ring3(uint32_t n)
{
    return user_call(nb_ring3_empty_loop, n, 0);
}

static uint32_t mov_ds_at_ring3(uint32_t n)
{
    return user_call(nb_ring3_mov_ds_loop, n, 0);
}

static uint32_t zero(uint32_t n)
{
    (void)n;
    return 0;
}

const struct nb_item nb_basic_items[] = {
    {"int80", int80_at_ring3, empty_at_ring3, zero},
    {"iret", nb_iret_loop, nb_empty_loop, zero},
    {"out", nb_out_loop, nb_empty_loop, zero},
    {"in", nb_in_loop, nb_empty_loop, 0},
    {"cli_sti", nb_cli_sti_loop, nb_empty_loop, zero},
    {"call_ret", nb_call_ret_loop, nb_empty_loop, zero},
    {"pushf_popf", nb_pushf_popf_loop, nb_empty_loop, zero},
    {"mov_ds", nb_mov_ds_loop, nb_empty_loop, zero},
    {"pop_ds", nb_pop_ds_loop, nb_empty_loop, zero},
    {"mov_ds_r3", mov_ds_at_ring3, empty_at_ring3, zero},
};
const unsigned nb_basic_count = sizeof nb_basic_items / sizeof nb_basic_items[0];

void nb_basic_prepare(void)
{
    idt_set_gate(USER_RETURN_VECTOR, nb_syscall_entry, 3);
}
