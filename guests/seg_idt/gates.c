/* The gate side of delivery (SDM vol. 3, 6.10-6.12; vol. 2, INT n):
 *  - an interrupt gate clears IF in the handler, a trap gate leaves it; the
 *    pushed EFLAGS is the interrupted one either way;
 *  - a vector whose gate lies (even partly) beyond the IDT limit, or whose
 *    descriptor is not an interrupt, trap or task gate, raises
 *    #GP(vector*8 + 2 + EXT); a not-present gate #NP(vector*8 + 2 + EXT),
 *    as a fault on the instruction;
 *  - EXT is 0 for INT n, INT3 and INTO, 1 for an event the program did not
 *    ask for, such as a fault;
 *  - the gate's code segment: null is #GP(EXT), beyond the GDT or not code
 *    or DPL > CPL is #GP(selector + EXT), not present is #NP(selector + EXT);
 *  - a gate whose offset is beyond its code segment's limit raises #GP(0)
 *    (vol. 2, INT n, protected-mode exceptions). */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_idt.h"
#include "tcg_gap.h"

#define CASE(what, body, vec, err, at) \
    run_case(&(struct event_case){what, body, 0, 0, vec, err, at, 0})

static uint64_t gate_to(uint16_t sel, unsigned vector, unsigned type)
{
    return gate_desc(sel, pm_catch_entry(vector), ACC_P | type, 0);
}

static void check_if(const char *what, body_fn body, unsigned vector, int want_if)
{
    uint32_t v = catch_call(body, 0);
    check_begin();
    kprintf("CPL0 IF=1, int 0x%x through %s", vector, what);
    int ok = event_outcome(v, vector, NO_ERROR);
    if (v == vector) {
        uint32_t in = catch_rec.handler_eflags, pushed = catch_rec.words[2];
        kprintf(", IF in handler %u, pushed IF %u", !!(in & FLAG_IF), !!(pushed & FLAG_IF));
        if (!!(in & FLAG_IF) != want_if || !(pushed & FLAG_IF)) {
            kprintf(" (want %u, 1)", want_if);
            ok = 0;
        }
    }
    check_end(ok);
}

static void check_gate_types(void)
{
    put_str("-- interrupt and trap gates\n");
    pm_idt_set(0x41, gate_to(PM_KCODE, 0x41, SYS_TRAP_GATE32));
    check_if("an interrupt gate", int_0x40_if, 0x40, 0);
    check_if("a trap gate", int_0x41_if, 0x41, 1);

    put_str("-- gates that cannot be used\n");
    pm_idt_set(0x42, gate_to(PM_KCODE, 0x42, SYS_INT_GATE32) & ~((uint64_t)ACC_P << 40));
    CASE("int 0x42, gate not present", int_0x42, VEC_NP, 0x42 * 8 + 2, int_0x42_insn);
    pm_idt_set(0x43, seg_desc((uint32_t)&pm_tss, sizeof pm_tss - 1, ACC_P | SYS_TSS32, 0));
    CASE("int 0x43, a TSS descriptor in the IDT", int_0x43, VEC_GP, 0x43 * 8 + 2, int_0x43_insn);
    pm_idt_set(0x43, FLAT_CODE(0));
    CASE("int 0x43, a code segment descriptor in the IDT", int_0x43, VEC_GP, 0x43 * 8 + 2,
         int_0x43_insn);
    pm_idt_set(0x44, gate_to(0, 0x44, SYS_INT_GATE32));
    CASE("int 0x44, gate to the null selector", int_0x44, VEC_GP, 0, int_0x44_insn);
    pm_idt_set(0x45, gate_to(PM_KDATA, 0x45, SYS_INT_GATE32));
    CASE("int 0x45, gate to a data segment", int_0x45, VEC_GP, PM_KDATA, int_0x45_insn);
    pm_idt_set(0x46, gate_to(S_CODE_NP, 0x46, SYS_INT_GATE32));
    CASE("int 0x46, gate to a not-present code segment", int_0x46, VEC_NP, S_CODE_NP,
         int_0x46_insn);
    pm_idt_set(0x47, gate_to(S_BEYOND, 0x47, SYS_INT_GATE32));
    CASE("int 0x47, gate to a selector beyond the GDT", int_0x47, VEC_GP, S_BEYOND,
         int_0x47_insn);
    pm_idt_set(0x48, gate_to(PM_UCODE & ~3, 0x48, SYS_INT_GATE32));
    CASE("int 0x48, gate to DPL 3 code from CPL 0", int_0x48, VEC_GP, PM_UCODE & ~3,
         int_0x48_insn);
    pm_idt_set(0x49, gate_to(S_CODE_64K, 0x49, SYS_INT_GATE32));
    CASE("int 0x49, gate offset beyond its code segment's limit", int_0x49, VEC_GP, 0, int_0x49_insn);
}

static void check_idt_limit(void)
{
    put_str("-- the IDT limit\n");
    static const struct {
        uint16_t limit;
        const char *what;
    } limits[] = {
        {0x41 * 8 - 1, "ends before gate 0x41"},
        {0x41 * 8 + 6, "ends one byte short of gate 0x41's end"},
        {0x41 * 8 + 7, "covers gate 0x41"},
    };
    for (unsigned i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        pm_lidt(limits[i].limit);
        uint32_t v = catch_call(int_0x41, 0);
        pm_lidt(sizeof pm_idt - 1);
        check_begin();
        kprintf("CPL0 int 0x41, IDT limit %03x (%s)", limits[i].limit, limits[i].what);
        if (limits[i].limit >= 0x41 * 8 + 7)
            check_event_end(v, 0x41, NO_ERROR);
        else
            check_event_end(v, VEC_GP, 0x41 * 8 + 2);
    }
}

/* EXT: the same not-present gate reached by INT3 and by a fault. */
static void check_ext(void)
{
    put_str("-- EXT in the error code\n");
    pm_idt_set(VEC_BP, pm_idt[VEC_BP] & ~((uint64_t)ACC_P << 40));
    CASE("int3, #BP gate not present", int3, VEC_NP, VEC_BP * 8 + 2, int3_insn);
    pm_idt_catch(VEC_BP, 0);
    pm_idt_set(VEC_UD, pm_idt[VEC_UD] & ~((uint64_t)ACC_P << 40));
    uint32_t v = catch_call(ud2_body, 0);
    pm_idt_catch(VEC_UD, 0);
    check_begin();
    put_str("CPL0 ud2, #UD gate not present: EXT=1 (an exception, not INT n)");
    tcg_gap_end(event_outcome(v, VEC_NP, VEC_UD * 8 + 2 + 1));
}

void check_gates(void)
{
    check_gate_types();
    check_idt_limit();
    check_ext();
}
