/* priv_int: ring 3 -> ring 0 -> ring 3 through int n and iret (SDM vol. 3,
 * 6.12.1 and 6.12.1.1; vol. 2, INT n and IRET):
 *  - a gate to more privileged non-conforming code switches to SS0:ESP0
 *    from the TSS and pushes SS, ESP, EFLAGS, CS, EIP (20 bytes; 24 with an
 *    error code) there; without a privilege change (CPL 0, or a gate to
 *    DPL 3 or conforming code) the 12-byte frame goes on the current stack
 *    and the handler runs at the current CPL;
 *  - INT n, INT3 and INTO check the gate's DPL against CPL: DPL < CPL is
 *    #GP(vector*8 + 2); exceptions (ud2, bound) do not check it;
 *  - iret to ring 3 loads a null selector into each of DS/ES/FS/GS that
 *    holds data or non-conforming code with DPL < 3. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum {
    S_SS0 = 0x30,  /* flat data, DPL 0: the TSS's SS0 here */
    S_XR0 = 0x38,  /* readable code, DPL 0 */
    S_CONF = 0x40, /* conforming readable code, DPL 0 */
};

struct probe_record {
    uint32_t esp, ss, cs, eflags, frame[5], count;
};
struct post_record {
    uint32_t esp, eflags, cs, ss, ds, es, fs, gs;
};
extern volatile struct probe_record probe_rec;
extern volatile struct post_record post_rec;
extern volatile uint32_t pre_esp, pre_eflags, iret_segs[4], load_segs;
void probe_entry(void);

#define BODY(name) uint32_t name(uint32_t); extern const uint8_t name##_insn[], name##_next[];
BODY(int_0x50) BODY(int_0x51) BODY(int_0x52) BODY(int_0x53) BODY(int_0x54) BODY(int_0x55)
BODY(int_0x56) BODY(int3_body) BODY(int_3_body) BODY(ud2_body) BODY(cli_body) BODY(into_body)
BODY(bound_body)
#undef BODY

static uint8_t alt_stack[2][4096] __attribute__((aligned(16)));

static void gate(unsigned vector, uint16_t sel, unsigned type, unsigned dpl)
{
    pm_idt_set(vector, gate_desc(sel, (uint32_t)probe_entry, ACC_P | ACC_DPL(dpl) | type, 0));
}

static int expect(const char *what, uint32_t got, uint32_t want)
{
    return check_eq(what, got, want);
}

/* Runs an int body and checks that the handler ran once and the body came
 * back. */
static int run_int(int cpl, body_fn body, const char *what)
{
    uint32_t before = probe_rec.count;
    uint32_t v = catch_at(cpl, body, 0);
    check_begin();
    kprintf("CPL%d %s: handler ran and returned", cpl, what);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR) && probe_rec.count == before + 1;
    check_end(ok);
    return ok;
}

static void check_ring3_to_ring0(void)
{
    put_str("-- CPL 3 -> 0 through a DPL 3 interrupt gate, and back by iret\n");
    uint32_t esp0 = (uint32_t)alt_stack[0] + sizeof alt_stack[0];
    pm_tss.ss0 = S_SS0;
    pm_tss.esp0 = esp0;
    user_ctx.eflags = FLAG_RSVD1 | FLAG_IF;
    if (run_int(3, int_0x50, "int 0x50")) {
        expect("handler CS", probe_rec.cs, PM_KCODE);
        expect("handler SS = TSS.SS0", probe_rec.ss, S_SS0);
        expect("handler ESP = TSS.ESP0 - 20", probe_rec.esp, esp0 - 20);
        expect("handler IF (interrupt gate)", probe_rec.eflags & FLAG_IF, 0);
        expect("frame EIP = next instruction", probe_rec.frame[0], (uint32_t)int_0x50_next);
        expect("frame CS", probe_rec.frame[1] & 0xFFFF, PM_UCODE);
        expect("frame EFLAGS = ring 3's", probe_rec.frame[2], pre_eflags);
        expect("frame ESP = ring 3's", probe_rec.frame[3], pre_esp);
        expect("frame SS", probe_rec.frame[4] & 0xFFFF, PM_UDATA);
        expect("after iret: CS", post_rec.cs, PM_UCODE);
        expect("after iret: SS", post_rec.ss, PM_UDATA);
        expect("after iret: ESP", post_rec.esp, pre_esp);
        expect("after iret: EFLAGS", post_rec.eflags, pre_eflags);
    }

    uint32_t other = (uint32_t)alt_stack[1] + sizeof alt_stack[1] - 16;
    pm_tss.esp0 = other;
    pm_tss.ss0 = PM_KDATA;
    if (run_int(3, int_0x50, "int 0x50 with another SS0:ESP0")) {
        expect("handler SS = TSS.SS0", probe_rec.ss, PM_KDATA);
        expect("handler ESP = TSS.ESP0 - 20", probe_rec.esp, other - 20);
    }

    pm_tss.ss0 = S_SS0;
    pm_tss.esp0 = esp0;
    if (run_int(3, int_0x54, "int 0x54 (trap gate)")) {
        expect("handler IF (trap gate)", probe_rec.eflags & FLAG_IF, FLAG_IF);
        expect("handler ESP = TSS.ESP0 - 20", probe_rec.esp, esp0 - 20);
    }

    /* An exception with an error code from ring 3: 24 bytes on SS0:ESP0. */
    uint32_t v = catch_user(cli_body, 0);
    check_begin();
    put_str("CPL3 cli with IOPL 0");
    if (check_end(event_outcome(v, VEC_GP, 0))) {
        expect("#GP handler ESP = TSS.ESP0 - 24", catch_rec.entry_esp, esp0 - 24);
        expect("#GP frame EIP = cli", catch_rec.words[1], (uint32_t)cli_body_insn);
        expect("#GP frame CS", catch_rec.words[2] & 0xFFFF, PM_UCODE);
        expect("#GP frame ESP", catch_rec.words[4], pre_esp);
        expect("#GP frame SS", catch_rec.words[5] & 0xFFFF, PM_UDATA);
    }
    pm_tss.ss0 = PM_KDATA;
    pm_tss.esp0 = pm_ring0_top;
    user_ctx_reset();
}

static void check_no_privilege_change(void)
{
    put_str("-- no privilege change: no stack switch\n");
    if (run_int(0, int_0x50, "int 0x50")) {
        expect("handler SS (unchanged)", probe_rec.ss, PM_KDATA);
        expect("handler ESP = ESP - 12", probe_rec.esp, pre_esp - 12);
        expect("frame EIP", probe_rec.frame[0], (uint32_t)int_0x50_next);
        expect("frame CS", probe_rec.frame[1] & 0xFFFF, PM_KCODE);
    }
    if (run_int(3, int_0x52, "int 0x52 (gate to DPL 3 code)")) {
        expect("handler CS (CPL 3)", probe_rec.cs, PM_UCODE);
        expect("handler SS (unchanged)", probe_rec.ss, PM_UDATA);
        expect("handler ESP = ESP - 12", probe_rec.esp, pre_esp - 12);
        expect("frame CS", probe_rec.frame[1] & 0xFFFF, PM_UCODE);
    }
    if (run_int(3, int_0x53, "int 0x53 (gate to DPL 0 conforming code)")) {
        expect("handler CS (conforming, RPL = CPL 3)", probe_rec.cs, S_CONF | 3);
        expect("handler SS (unchanged)", probe_rec.ss, PM_UDATA);
        expect("handler ESP = ESP - 12", probe_rec.esp, pre_esp - 12);
        expect("after iret: CS", post_rec.cs, PM_UCODE);
    }
}

static void check_gate_dpl(void)
{
    put_str("-- gate DPL against CPL\n");
    static const struct {
        const char *what;
        body_fn body;
        unsigned vector;
        const uint8_t *insn;
    } cases[] = {
        {"int 0x51 (gate DPL 0)", int_0x51, 0x51, int_0x51_insn},
        {"int 0x55 (gate DPL 1)", int_0x55, 0x55, int_0x55_insn},
        {"int 0x56 (gate DPL 2)", int_0x56, 0x56, int_0x56_insn},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v = catch_user(cases[i].body, 0);
        check_begin();
        kprintf("CPL3 %s", cases[i].what);
        int ok = event_outcome(v, VEC_GP, cases[i].vector * 8 + 2);
        if (v == VEC_GP && catch_eip() != (uint32_t)cases[i].insn) {
            kprintf(", eip %08x (want %08x, the int)", catch_eip(), (uint32_t)cases[i].insn);
            ok = 0;
        }
        check_end(ok);
    }
    run_int(0, int_0x51, "int 0x51 (gate DPL 0)");

    /* INT3, INTO and int 3 against DPL 3 and DPL 0 gates; exceptions that
     * are not software interrupts ignore the gate's DPL. */
    static const struct {
        const char *what;
        body_fn body;
        unsigned vector;
        int soft;
    } ex[] = {
        {"int3", int3_body, VEC_BP, 1},
        {"int 3", int_3_body, VEC_BP, 1},
        {"into, OF=1", into_body, VEC_OF, 1},
        {"ud2", ud2_body, VEC_UD, 0},
        {"bound 30 in [10, 20]", bound_body, VEC_BR, 0},
    };
    for (unsigned i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        static const unsigned dpls[] = {3, 0};
        for (unsigned d = 0; d < 2; d++) {
            unsigned dpl = dpls[d];
            pm_idt_catch(ex[i].vector, dpl);
            uint32_t v = catch_user(ex[i].body, 0);
            check_begin();
            kprintf("CPL3 %s, gate DPL %u", ex[i].what, dpl);
            if (ex[i].soft && dpl == 0)
                check_event_end(v, VEC_GP, ex[i].vector * 8 + 2);
            else
                check_event_end(v, ex[i].vector, NO_ERROR);
        }
        pm_idt_catch(ex[i].vector, 0);
    }
}

static void check_iret_nulling(void)
{
    put_str("-- iret to ring 3 and DS/ES/FS/GS\n");
    iret_segs[0] = PM_KDATA;       /* DPL 0 data: nulled */
    iret_segs[1] = S_XR0;          /* DPL 0 non-conforming code: nulled */
    iret_segs[2] = S_CONF;         /* conforming code: kept */
    iret_segs[3] = PM_UDATA & ~3;  /* DPL 3 data, RPL 0: kept */
    load_segs = 1;
    if (run_int(3, int_0x50, "int 0x50, handler loads ds/es/fs/gs before iret")) {
        expect("after iret: DS (was 0010, DPL 0 data)", post_rec.ds, 0);
        expect("after iret: ES (was 0038, DPL 0 code)", post_rec.es, 0);
        expect("after iret: FS (was 0040, conforming code)", post_rec.fs, S_CONF);
        expect("after iret: GS (was 0020, DPL 3 data)", post_rec.gs, PM_UDATA & ~3);
    }
    if (run_int(0, int_0x50, "int 0x50 at CPL 0, same loads")) {
        expect("after iret: DS (same privilege: kept)", post_rec.ds, PM_KDATA);
        expect("after iret: ES", post_rec.es, S_XR0);
    }
    load_segs = 0;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_int: ring 3 <-> ring 0 through int n and iret\n");
    tcg_gap_init(magic, mbi);
    pm_gdt_set(S_SS0 >> 3, FLAT_DATA(0));
    pm_gdt_set(S_XR0 >> 3, FLAT_CODE(0));
    pm_gdt_set(S_CONF >> 3,
               seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE_CONF_XR, FL_G | FL_DB));
    gate(0x50, PM_KCODE, SYS_INT_GATE32, 3);
    gate(0x51, PM_KCODE, SYS_INT_GATE32, 0);
    gate(0x52, PM_UCODE & ~3, SYS_INT_GATE32, 3);
    gate(0x53, S_CONF, SYS_INT_GATE32, 3);
    gate(0x54, PM_KCODE, SYS_TRAP_GATE32, 3);
    gate(0x55, PM_KCODE, SYS_INT_GATE32, 1);
    gate(0x56, PM_KCODE, SYS_INT_GATE32, 2);
    check_ring3_to_ring0();
    check_no_privilege_change();
    check_gate_dpl();
    check_iret_nulling();
    tcg_gap_summary();
    check_finish();
}
