/* Vectors 0-19 that software can provoke (SDM vol. 3, 6.15): the vector,
 * whether an error code is pushed and its value, and the saved EIP: the
 * faulting instruction for faults (#DE #BR #UD #NM #TS #NP #SS #GP #PF #MF
 * #AC #XM), the next one for traps (#DB single step and INT1, #BP, #OF).
 * int n with an exception's vector pushes no error code (6.4.2). */
#include "check.h"
#include "fault_check.h"
#include "paging.h"
#include "pm.h"
#include "print.h"
#include "seg_idt.h"
#include "tcg_gap.h"

enum { CR0_MP = 1u << 1, CR0_TS = 1u << 3, CR0_NE = 1u << 5, CR0_AM = 1u << 18 };
enum { CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10 };
enum { CPUID1_FXSR = 1u << 24, CPUID1_SSE = 1u << 25 };

#define CASE(what, body, arg, cpl, vec, err, at) \
    run_case(&(struct event_case){what, body, arg, cpl, vec, err, at, 0})
/* For what QEMU's TCG does not do: INT1 (#UD there), #AC, #XM. */
#define CASE_TCG(what, body, arg, cpl, vec, err, at) \
    run_case(&(struct event_case){what, body, arg, cpl, vec, err, at, 1})

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));
static uint32_t misaligned[2];

static uint32_t read_dr6(void)
{
    uint32_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static void clear_dr6(void)
{
    __asm__ volatile("mov %0, %%dr6" : : "r"(0u));
}

static void check_traps_and_faults(void)
{
    put_str("-- faults and traps without error code\n");
    CASE("div by zero", div0, 0, 0, VEC_DE, NO_ERROR, div0_insn);
    CASE("idiv 0x80000000 / -1", idiv_overflow, 0, 0, VEC_DE, NO_ERROR, idiv_overflow_insn);
    clear_dr6();
    CASE("single step (TF) over nop", single_step, 0, 0, VEC_DB, NO_ERROR, single_step_next);
    check_begin();
    kprintf("DR6.BS after the single step: dr6 %08x", read_dr6());
    check_end(read_dr6() & (1u << 14));
    CASE_TCG("int1 (icebp)", icebp, 0, 0, VEC_DB, NO_ERROR, icebp_next);
    CASE("int3 (cc)", int3, 0, 0, VEC_BP, NO_ERROR, int3_next);
    CASE("int 3 (cd 03)", int_3, 0, 0, VEC_BP, NO_ERROR, int_3_next);
    CASE("into, OF=1", into_of, 0, 0, VEC_OF, NO_ERROR, into_of_next);
    CASE("into, OF=0", into_no_of, 0, 0, NO_FAULT, NO_ERROR, 0);
    CASE("bound 25 in [10, 20]", bound_check, 25, 0, VEC_BR, NO_ERROR, bound_check_insn);
    CASE("bound 9 in [10, 20]", bound_check, 9, 0, VEC_BR, NO_ERROR, bound_check_insn);
    CASE("bound 20 in [10, 20]", bound_check, 20, 0, NO_FAULT, NO_ERROR, 0);
    CASE("ud2", ud2_body, 0, 0, VEC_UD, NO_ERROR, ud2_body_insn);
    CASE("lock nop", lock_nop, 0, 0, VEC_UD, NO_ERROR, lock_nop_insn);

    write_cr0(read_cr0() | CR0_MP | CR0_TS);
    CASE("fnop with CR0.TS=1", fnop_body, 0, 0, VEC_NM, NO_ERROR, fnop_body_insn);
    __asm__ volatile("clts");
    CASE("fnop with CR0.TS=0", fnop_body, 0, 0, NO_FAULT, NO_ERROR, 0);

    write_cr0(read_cr0() | CR0_NE);
    CASE("fwait after an unmasked invalid fsqrt (CR0.NE=1)", fwait_body, 0, 0, VEC_MF, NO_ERROR,
         fwait_body_insn);
    __asm__ volatile("fninit");

    CASE("int 0x40", int_0x40, 0, 0, 0x40, NO_ERROR, int_0x40_next);
    CASE("int 0x0d: #GP's vector, no error code", int_0x0D, 0, 0, VEC_GP, NO_ERROR, int_0x0D_next);
    CASE("int 0x0e: #PF's vector, no error code", int_0x0E, 0, 0, VEC_PF, NO_ERROR, int_0x0E_next);
}

static void check_error_code_faults(void)
{
    put_str("-- faults with an error code\n");
    CASE("mov ds, not-present data", load_ds, S_NP_DATA, 0, VEC_NP, S_NP_DATA, load_ds_insn);
    CASE("mov ss, not-present data", load_ss, S_NP_DATA, 0, VEC_SS, S_NP_DATA, load_ss_insn);
    CASE("mov ds, beyond the GDT limit", load_ds, S_BEYOND | 3, 0, VEC_GP, S_BEYOND, load_ds_insn);
    CASE("mov ss, null", load_ss, 0, 0, VEC_GP, 0, load_ss_insn);
    CASE("mov ds, DPL 0 data", load_ds, PM_KDATA | 3, 3, VEC_GP, PM_KDATA, load_ds_insn);
    CASE("ud2", ud2_body, 0, 3, VEC_UD, NO_ERROR, ud2_body_insn);
}

static void check_page_faults(void)
{
    put_str("-- #PF (paging on, first 4 MiB identity-mapped, page 0 absent)\n");
    pg_init_directory(pd, pt);
    pg_enable(pd);
    const uint32_t far = 0x40000000;
    CASE("read of an unmapped page", read_at, far, 0, VEC_PF, 0, read_at_insn);
    check_eq("CR2 after it", read_cr2(), far);
    CASE("write of an unmapped page", write_at, far + 8, 0, VEC_PF, PF_W, write_at_insn);
    check_eq("CR2 after it", read_cr2(), far + 8);
    CASE("read of page 0", read_at, 4, 3, VEC_PF, PF_U, read_at_insn);
    check_eq("CR2 after it", read_cr2(), 4);
    write_cr0(read_cr0() & ~CR0_PG);
}

static void check_alignment(void)
{
    put_str("-- #AC (CR0.AM=1, EFLAGS.AC=1, CPL 3)\n");
    uint32_t addr = (uint32_t)misaligned + 1;
    write_cr0(read_cr0() | CR0_AM);
    CASE("misaligned dword read, AC=0", read_at, addr, 3, NO_FAULT, NO_ERROR, 0);
    user_ctx.eflags |= FLAG_AC;
    CASE_TCG("misaligned dword read, AC=1", read_at, addr, 3, VEC_AC, 0, read_at_insn);
    CASE("aligned dword read, AC=1", read_at, addr - 1, 3, NO_FAULT, NO_ERROR, 0);
    user_ctx_reset();
    write_cr0(read_cr0() & ~CR0_AM);
}

static void check_simd(void)
{
    put_str("-- #XM (SSE exception unmasked)\n");
    uint32_t edx = pm_cpuid1_edx();
    if (!(edx & CPUID1_SSE) || !(edx & CPUID1_FXSR)) {
        put_str("no SSE: skipped\n");
        return;
    }
    write_cr0((read_cr0() | CR0_MP) & ~(CR0_TS | 4u /* EM */));
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    mxcsr_value = 0x1F80 & ~(1u << 9); /* ZM clear */
    CASE_TCG("divss by zero, ZM=0, CR4.OSXMMEXCPT=1", divss_body, 0, 0, VEC_XM, NO_ERROR,
         divss_body_insn);
    catch_call(reset_mxcsr, 0);
    write_cr4(read_cr4() & ~CR4_OSXMMEXCPT);
    mxcsr_value = 0x1F80 & ~(1u << 9);
    CASE_TCG("divss by zero, ZM=0, CR4.OSXMMEXCPT=0", divss_body, 0, 0, VEC_UD, NO_ERROR,
         divss_body_insn);
    write_cr4(read_cr4() | CR4_OSXMMEXCPT);
    catch_call(reset_mxcsr, 0);
    CASE("divss by zero, ZM=1", divss_body, 0, 0, NO_FAULT, NO_ERROR, 0);
}

/* Last, since an emulator that cannot do task returns may stop here. */
void check_task_return_fault(void)
{
    put_str("-- #TS\n");
    pm_tss.link = PM_KCODE;
    CASE("iret with NT=1, back-link 0008 (a code segment)", iret_nt, 0, 0, VEC_TS, PM_KCODE,
         iret_nt_insn);
    pm_tss.link = 0;
}

void check_exceptions(void)
{
    check_traps_and_faults();
    check_error_code_faults();
    check_page_faults();
    check_alignment();
    check_simd();
}
