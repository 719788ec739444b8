/* priv_callgate: far call and far jmp through call gates (SDM vol. 3, 5.8.3
 * to 5.8.6; vol. 2, CALL, JMP and RET):
 *  - a call gate needs DPL >= max(CPL, RPL of the gate selector), else
 *    #GP(gate selector); not present: #NP(gate selector); its code selector
 *    null: #GP(0); not code, or DPL > CPL: #GP(code selector); code not
 *    present: #NP(code selector);
 *  - CALL to a more privileged non-conforming segment switches to SS0:ESP0
 *    of the TSS, pushes the caller's SS and ESP, copies the gate's count of
 *    parameters (dwords for a 32-bit gate), then pushes CS and EIP; to a
 *    conforming segment the CPL and the stack stay;
 *  - RET n to the outer ring pops EIP, CS, skips n bytes, pops ESP and SS,
 *    then releases n bytes on the caller's stack too, and nulls DS/ES/FS/GS
 *    that hold segments the outer ring may not use;
 *  - JMP through a call gate never changes CPL: a non-conforming target
 *    needs DPL = CPL (#GP(code selector) otherwise), a conforming one
 *    DPL <= CPL. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum {
    S_CONF = 0x30,          /* conforming readable code, DPL 0 */
    S_SS0 = 0x38,           /* flat data, DPL 0: the TSS's SS0 here */
    G_RING0 = 0x40,         /* gate, DPL 3 -> 0008, 2 parameters */
    G_CONF = 0x48,          /* gate, DPL 3 -> conforming DPL 0 code, 2 parameters */
    G_DPL0 = 0x50,          /* gate, DPL 0 -> 0008 */
    G_USER = 0x58,          /* gate, DPL 3 -> DPL 3 code (0018) */
    G_NOT_PRESENT = 0x60,   /* gate, DPL 3, not present */
    G_NULL = 0x68,          /* gate, DPL 3 -> null selector */
    G_DATA = 0x70,          /* gate, DPL 3 -> a data segment */
    S_CODE_NP = 0x78,       /* code, DPL 0, not present */
    G_CODE_NP = 0x80,       /* gate, DPL 3 -> S_CODE_NP */
    J_RING0 = 0x88,         /* gates for jmp, to jmp_target: DPL 3 -> 0008 */
    J_CONF = 0x90,          /* DPL 3 -> conforming DPL 0 code */
    J_USER = 0x98,          /* DPL 3 -> DPL 3 code */
    G_BEYOND = 0x200,       /* past the GDT limit */
};
enum { P1 = 0x11111111, P2 = 0x22222222 };

struct gate_record {
    uint32_t esp, ss, cs, frame[6], count;
};
struct post_record {
    uint32_t esp, cs, ss, ds, es;
};
extern volatile struct gate_record gate_rec;
extern volatile struct post_record post_rec;
extern volatile uint32_t pre_esp, load_segs;
void gate_proc(void), jmp_target(void);
uint32_t call_body(uint32_t), jmp_body(uint32_t);
extern const uint8_t call_body_insn[], call_body_next[], jmp_body_insn[], jmp_body_back[];

static uint8_t ring0_stack[4096] __attribute__((aligned(16)));

static uint64_t call_gate(uint16_t sel, void (*target)(void), unsigned dpl, unsigned params)
{
    return gate_desc(sel, (uint32_t)target, ACC_P | ACC_DPL(dpl) | SYS_CALL_GATE32, params);
}

static void setup(void)
{
    pm_gdt_set(S_CONF >> 3,
               seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE_CONF_XR, FL_G | FL_DB));
    pm_gdt_set(S_SS0 >> 3, FLAT_DATA(0));
    pm_gdt_set(G_RING0 >> 3, call_gate(PM_KCODE, gate_proc, 3, 2));
    pm_gdt_set(G_CONF >> 3, call_gate(S_CONF, gate_proc, 3, 2));
    pm_gdt_set(G_DPL0 >> 3, call_gate(PM_KCODE, gate_proc, 0, 2));
    pm_gdt_set(G_USER >> 3, call_gate(PM_UCODE & ~3, gate_proc, 3, 2));
    pm_gdt_set(G_NOT_PRESENT >> 3,
               call_gate(PM_KCODE, gate_proc, 3, 2) & ~((uint64_t)ACC_P << 40));
    pm_gdt_set(G_NULL >> 3, call_gate(0, gate_proc, 3, 2));
    pm_gdt_set(G_DATA >> 3, call_gate(PM_KDATA, gate_proc, 3, 2));
    pm_gdt_set(S_CODE_NP >> 3, FLAT_CODE(0) & ~((uint64_t)ACC_P << 40));
    pm_gdt_set(G_CODE_NP >> 3, call_gate(S_CODE_NP, gate_proc, 3, 2));
    pm_gdt_set(J_RING0 >> 3, call_gate(PM_KCODE, jmp_target, 3, 0));
    pm_gdt_set(J_CONF >> 3, call_gate(S_CONF, jmp_target, 3, 0));
    pm_gdt_set(J_USER >> 3, call_gate(PM_UCODE & ~3, jmp_target, 3, 0));
    pm_tss.ss0 = S_SS0;
    pm_tss.esp0 = (uint32_t)ring0_stack + sizeof ring0_stack;
}

/* A far call or jmp that must reach its target and come back. */
static int transfer(int cpl, body_fn body, uint16_t sel, const char *what)
{
    uint32_t before = gate_rec.count;
    uint32_t v = catch_at(cpl, body, sel);
    check_begin();
    kprintf("CPL%d %s %04x (%s): reached and came back", cpl,
            body == call_body ? "call far" : "jmp far", sel, what);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    if (v == NO_FAULT && gate_rec.count != before + 1) {
        put_str(", but the target did not run");
        ok = 0;
    }
    check_end(ok);
    return ok;
}

static void fails(int cpl, body_fn body, uint16_t sel, const char *what, uint32_t vector,
                  uint32_t error)
{
    uint32_t v = catch_at(cpl, body, sel);
    check_begin();
    kprintf("CPL%d %s %04x (%s)", cpl, body == call_body ? "call far" : "jmp far", sel, what);
    int ok = event_outcome(v, vector, error);
    const uint8_t *insn = body == call_body ? call_body_insn : jmp_body_insn;
    if (v == vector && catch_eip() != (uint32_t)insn) {
        kprintf(", eip %08x (want %08x)", catch_eip(), (uint32_t)insn);
        ok = 0;
    }
    check_end(ok);
}

static void check_outward_call(void)
{
    put_str("-- CPL 3 -> 0 through a call gate with 2 parameters, back by retf 8\n");
    uint32_t esp0 = pm_tss.esp0;
    if (!transfer(3, call_body, G_RING0 | 3, "gate DPL 3 to 0008"))
        return;
    check_eq("procedure CS", gate_rec.cs, PM_KCODE);
    check_eq("procedure SS = TSS.SS0", gate_rec.ss, S_SS0);
    check_eq("procedure ESP = TSS.ESP0 - 24", gate_rec.esp, esp0 - 24);
    check_eq("frame EIP = after the call", gate_rec.frame[0], (uint32_t)call_body_next);
    check_eq("frame CS", gate_rec.frame[1] & 0xFFFF, PM_UCODE);
    check_eq("frame parameter 1 (copied)", gate_rec.frame[2], P1);
    check_eq("frame parameter 2 (copied)", gate_rec.frame[3], P2);
    check_eq("frame ESP = caller's, at the parameters", gate_rec.frame[4], pre_esp);
    check_eq("frame SS", gate_rec.frame[5] & 0xFFFF, PM_UDATA);
    check_eq("after retf 8: CS", post_rec.cs, PM_UCODE);
    check_eq("after retf 8: SS", post_rec.ss, PM_UDATA);
    check_eq("after retf 8: ESP = caller's + 8", post_rec.esp, pre_esp + 8);

    load_segs = 1;
    if (transfer(3, call_body, G_RING0 | 3, "procedure loads ds/es = 0010")) {
        check_eq("after retf 8 to ring 3: DS (DPL 0 data) nulled", post_rec.ds, 0);
        check_eq("after retf 8 to ring 3: ES nulled", post_rec.es, 0);
    }
    load_segs = 0;
}

static void check_same_privilege_call(void)
{
    put_str("-- calls that keep the CPL\n");
    if (transfer(0, call_body, G_RING0, "gate DPL 3 to 0008, from CPL 0")) {
        check_eq("procedure CS", gate_rec.cs, PM_KCODE);
        check_eq("procedure SS (unchanged)", gate_rec.ss, PM_KDATA);
        check_eq("procedure ESP = caller's - 8 (no copy)", gate_rec.esp, pre_esp - 8);
        check_eq("frame parameter 1 (in place)", gate_rec.frame[2], P1);
        check_eq("after retf 8: ESP = caller's + 8", post_rec.esp, pre_esp + 8);
    }
    if (transfer(0, call_body, G_RING0 | 3, "gate DPL 3, selector RPL 3"))
        check_eq("procedure CS", gate_rec.cs, PM_KCODE);
    if (transfer(3, call_body, G_CONF | 3, "gate to conforming DPL 0 code")) {
        /* QEMU's TCG gives CS the code segment's DPL as RPL here. */
        check_begin();
        kprintf("procedure CS (conforming: CPL stays 3, RPL = 3): %08x", gate_rec.cs);
        if (gate_rec.cs != (S_CONF | 3))
            kprintf(" (want %08x)", S_CONF | 3);
        tcg_gap_end(gate_rec.cs == (S_CONF | 3));
        check_eq("procedure SS (unchanged)", gate_rec.ss, PM_UDATA);
        check_eq("procedure ESP = caller's - 8", gate_rec.esp, pre_esp - 8);
        check_eq("after retf 8: CS", post_rec.cs, PM_UCODE);
        check_eq("after retf 8: ESP = caller's + 8", post_rec.esp, pre_esp + 8);
    }
    if (transfer(3, call_body, G_USER | 3, "gate to DPL 3 code"))
        check_eq("procedure CS", gate_rec.cs, PM_UCODE);
    if (transfer(3, call_body, S_CONF | 3, "conforming DPL 0 code, no gate"))
        check_eq("procedure CS (CPL stays 3)", gate_rec.cs, S_CONF | 3);
}

static void check_call_faults(void)
{
    put_str("-- calls that fault\n");
    fails(3, call_body, G_DPL0 | 3, "gate DPL 0 < CPL 3", VEC_GP, G_DPL0);
    fails(0, call_body, G_DPL0 | 3, "gate DPL 0 < RPL 3", VEC_GP, G_DPL0);
    fails(0, call_body, G_USER, "target DPL 3 > CPL 0", VEC_GP, PM_UCODE & ~3);
    fails(3, call_body, G_NOT_PRESENT | 3, "gate not present", VEC_NP, G_NOT_PRESENT);
    fails(3, call_body, G_NULL | 3, "gate to the null selector", VEC_GP, 0);
    fails(3, call_body, G_DATA | 3, "gate to a data segment", VEC_GP, PM_KDATA);
    fails(3, call_body, G_CODE_NP | 3, "gate to a not-present code segment", VEC_NP, S_CODE_NP);
    fails(3, call_body, G_BEYOND | 3, "beyond the GDT limit", VEC_GP, G_BEYOND);
    fails(3, call_body, PM_KCODE | 3, "DPL 0 code, no gate", VEC_GP, PM_KCODE);
}

static void check_jumps(void)
{
    put_str("-- far jmp through call gates: never a privilege change\n");
    if (transfer(0, jmp_body, J_RING0, "gate to 0008, from CPL 0")) {
        check_eq("target CS", gate_rec.cs, PM_KCODE);
        check_eq("target ESP (nothing pushed)", gate_rec.esp, pre_esp);
    }
    fails(3, jmp_body, J_RING0 | 3, "gate to non-conforming DPL 0 code, from CPL 3", VEC_GP,
          PM_KCODE);
    if (transfer(3, jmp_body, J_CONF | 3, "gate to conforming DPL 0 code")) {
        check_eq("target CS (CPL stays 3)", gate_rec.cs, S_CONF | 3);
        check_eq("target ESP (nothing pushed)", gate_rec.esp, pre_esp);
    }
    if (transfer(3, jmp_body, J_USER | 3, "gate to DPL 3 code"))
        check_eq("target CS", gate_rec.cs, PM_UCODE);
    fails(3, jmp_body, G_DPL0 | 3, "gate DPL 0 < CPL 3", VEC_GP, G_DPL0);
    fails(0, jmp_body, J_USER, "gate to DPL 3 code from CPL 0", VEC_GP, PM_UCODE & ~3);
    fails(3, jmp_body, G_NOT_PRESENT | 3, "gate not present", VEC_NP, G_NOT_PRESENT);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_callgate: far call and jmp through call gates\n");
    tcg_gap_init(magic, mbi);
    setup();
    check_outward_call();
    check_same_privilege_call();
    check_call_faults();
    check_jumps();
    tcg_gap_summary();
    check_finish();
}
