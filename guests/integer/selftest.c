/* Known answers for a few routines, so that a kernel also checks itself
 * rather than only producing hashes for comparison with the native twin. */
#include "harness.h"
#include "kinds.h"
#include "print.h"

enum { CF = 0x001, PF = 0x004, AF = 0x010, ZF = 0x040, SF = 0x080, OF = 0x800 };

static int checks, failed;

static void check(const char *what, uint32_t got, uint32_t want)
{
    checks++;
    if (got != want) {
        kprintf("FAIL: selftest %s: got %08x, want %08x\n", what, got, want);
        failed++;
    }
}

/* Runs routine `name` from the given registers; esi/edi/ebp point into
 * membuf as K_PTRS routines expect, membuf is cleared. */
static int run(const char *name, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx,
               uint32_t flags)
{
    const struct op_entry *e = find_op(name);
    if (!e) {
        check(name, 0, 1);
        return 0;
    }
    for (unsigned k = 0; k < MEMBUF_SIZE; k++)
        membuf[k] = 0;
    uint32_t b = (uint32_t)(uintptr_t)membuf;
    st = (struct cpu_state){eax, ecx, edx, ebx, b + 32, b, b + 16, flags | 2};
    call_op(e);
    return 1;
}

static uint32_t arith(void)
{
    return st.flags & FLAGS_ARITH;
}

static void arithmetic(void)
{
    if (run("add_r32", 0xFFFFFFFF, 1, 0, 0, 0)) {
        check("add result", st.eax, 0);
        check("add flags", arith(), CF | PF | AF | ZF);
    }
    if (run("sub_r32", 0, 1, 0, 0, 0)) {
        check("sub result", st.eax, 0xFFFFFFFF);
        check("sub flags", arith(), CF | PF | AF | SF);
    }
    if (run("adc_r32", 1, 2, 0, 0, CF))
        check("adc carry in", st.eax, 4);
    if (run("add_r8h", 0x7F00, 0, 0x0100, 0, 0)) /* ah += ch: signed overflow */
        check("add ah,ch", st.eax, 0x8000);
    if (run("mul_r32", 0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 0)) {
        check("mul low", st.eax, 1);
        check("mul high", st.edx, 0xFFFFFFFE);
        check("mul flags", arith() & (CF | OF), CF | OF);
    }
    if (run("div_r32", 0, 3, 0, 1, 0)) { /* 2^32 / 3 */
        check("div quotient", st.eax, 0x55555555);
        check("div remainder", st.edx, 1);
    }
    if (run("idiv_r32", (uint32_t)-7, 2, 0, 0xFFFFFFFF, 0)) {
        check("idiv quotient", st.eax, (uint32_t)-3);
        check("idiv remainder", st.edx, (uint32_t)-1);
    }
    if (run("shl_r32_cl", 0, 0x80000001, 1, 0, 0)) {
        check("shl result", st.ebx, 2);
        check("shl carry", arith() & CF, CF);
    }
    if (run("bsr_r32", 0, 0x80000000, 0, 0, 0))
        check("bsr", st.eax, 31);
    if (run("bswap_all", 0x12345678, 0, 0, 0, 0))
        check("bswap", st.eax, 0x78563412);
}

static void legacy(void)
{
    if (run("daa", 0x3A, 0, 0, 0, 0)) {
        check("daa result", st.eax & 0xFF, 0x40);
        check("daa AF", arith() & AF, AF);
    }
    if (run("aam_16", 0xAB, 0, 0, 0, 0))
        check("aam 16", st.eax & 0xFFFF, 0x0A0B);
    if (run("aad", 0x0307, 0, 0, 0, 0))
        check("aad", st.eax & 0xFFFF, 37);
    if (run("salc", 0x1234, 0, 0, 0, CF))
        check("salc", st.eax, 0x12FF);
    if (run("les_lds_lfs", 0, 0, 0, 0, 0)) {
        check("les/lfs selector", st.eax & 0xFFFF, 0x0101);
        check("lds selector", st.ecx & 0xFFFF, 0x0101);
    }
    if (run("push_pop_seg", 0, 0, 0, 0, 0)) {
        check("push es/pop, push cs/pop", st.ebx & 0xFFFF, 0x0101);
        check("o16 push/pop", st.ecx, 1);
    }
}

static void control_and_stack(void)
{
    if (run("setcc_cmp", 1, 2, 0, 0, 0)) {
        check("setb", membuf[2], 1);
        check("sete", membuf[4], 0);
        check("setl", membuf[12], 1);
    }
    if (run("jcc_flags", 0, 0, 0, 0, ZF)) {
        check("je forward", membuf[4], 2);
        check("jne backward", membuf[16 + 5], 1);
    }
    if (run("loop_count", 5, 3, 4, 0, 0)) {
        check("loop sum", st.eax, 17);
        check("loop ecx", st.ecx, 0);
    }
    if (run("call_ret", 1, 2, 0, 0, 0)) {
        check("call return address", st.ecx, 0);
        check("call body", st.eax, 3);
    }
    if (run("lea_esp", 0, 0, 5, 0, 0))
        check("lea [esp+ecx*2+8]", st.eax, 5 * 2 + 8 + 4);
    if (run("pushad_popad", 0x11, 0x22, 0x33, 0x44, 0)) {
        check("pushad esp slot", ((uint32_t *)membuf)[3], 0);
        check("popad eax<-edi", st.eax, (uint32_t)(uintptr_t)membuf + 16);
    }
    if (run("enter_3", 0, 0, 0, 0, 0)) {
        check("enter frame pointer copy", st.edx, 0);
        check("enter saved ebp", st.esi, 48);
        check("enter frame size", st.edi, 24);
        check("leave", st.ebp, 48);
    }
    if (run("rep_movsb_fwd", 0, 0, 5, 0, 0)) {
        check("rep movsb count", st.ecx, 0);
        check("rep movsb esi", st.esi - (uint32_t)(uintptr_t)membuf, 5);
    }
}

int run_selftests(void)
{
    arithmetic();
    legacy();
    control_and_stack();
    kprintf("selftest: %d checks, %d failed\n", checks, failed);
    return failed;
}
