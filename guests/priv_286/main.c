/* priv_286: the 80286's 16-bit system forms, which 32-bit CPUs still run
 * (SDM vol. 3, 6.11-6.12, 5.8.3-5.8.5, 8.6 and figure 8-9; vol. 2, INT n,
 * CALL, IRET, RET):
 *  - a 16-bit interrupt or trap gate enters at a 16-bit offset and pushes
 *    FLAGS, CS, IP (and an error code) as words; an interrupt gate clears
 *    IF, a trap gate keeps it; iret with a 16-bit operand size pops them;
 *  - a 16-bit call gate pushes CS:IP as words whatever the caller's operand
 *    size, and to an inner ring the caller's SS:SP and its word parameters
 *    (from the TSS's SS0:ESP0); retf n releases them on both stacks;
 *  - a 16-bit TSS (type 1/3, 44 bytes) is switched to by jmp and call and
 *    returned from by iret through the back link: IP, FLAGS, the eight
 *    registers, ES CS SS DS and the LDT are loaded from it and saved into
 *    it as words; FS and GS are null in a 16-bit task.
 * The 16-bit code (bodies.asm) lives in a 64 KiB window whose offsets fit
 * those 16-bit fields. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"

enum {
    S_W16 = 0x30,      /* 16-bit code, DPL 0, base = the window */
    S_W16U = 0x38 | 3, /* 16-bit code, DPL 3, base = the window */
    S_USTK16 = 0x40 | 3, /* 16-bit stack (B = 0), DPL 3 */
    S_KSTK16 = 0x48,   /* 16-bit stack, DPL 0: the 16-bit task's */
    S_CG0 = 0x50,      /* 16-bit call gate, DPL 0 -> gate_proc0, no parameters */
    S_CG2 = 0x58,      /* 16-bit call gate, DPL 3 -> gate_proc2, 2 parameters */
    S_TSS16 = 0x60,    /* 16-bit TSS */
    V_INT16 = 0x61, V_TRAP16 = 0x62,
    SYS_TSS16 = 0x01, SYS_CALL_GATE16 = 0x04, SYS_INT_GATE16 = 0x06, SYS_TRAP_GATE16 = 0x07,
};

struct record {
    uint32_t esp_before, esp_after, handler_esp, frame[6], flags, cs, ss;
    uint32_t regs[8], fs, gs, ss_after, back_eax;
};
struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags;
    uint16_t ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
};
_Static_assert(sizeof(struct tss16) == 44, "16-bit TSS layout");

extern volatile struct record rec;
extern volatile uint16_t gate_ptr[2], back_tss_ptr[2];
extern volatile uint32_t w16_ptr[2], w16u_ptr[2];
extern volatile uint32_t ustk_sel;
extern const uint8_t w16_start[], w16_end[];
extern const uint8_t int61_entry[], int61_next[], int62_entry[], int62_next[], int16_handler[];
extern const uint8_t gp_entry[], gp_insn[], gp16_handler[];
extern const uint8_t callgate_entry[], callgate_next[], gate_proc0[];
extern const uint8_t user_call_entry[], user_call_next[], gate_proc2[];
extern const uint8_t task16_jmp[], task16_jmp_next[], task16_iret[], task16_iret_next[];
uint32_t w16_body(uint32_t), w16u_body(uint32_t), jmp_tss_body(uint32_t), call_tss_body(uint32_t);

static uint8_t user_stack16[0x1000] __attribute__((aligned(16)));
static uint8_t task_stack16[0x1000] __attribute__((aligned(16)));
static volatile struct tss16 tss16 __attribute__((aligned(64)));

/* A label's offset in the window. */
static uint32_t w16(const uint8_t *label) { return (uint32_t)(label - w16_start); }

static uint32_t type_of(uint16_t sel) { return (uint32_t)(pm_gdt[sel >> 3] >> 40) & 0xF; }

static void setup(void)
{
    const uint32_t w = (uint32_t)w16_start;
    pm_gdt_set(S_W16 >> 3, seg_desc(w, 0xFFFF, ACC_P | ACC_S | ACC_CODE_XR, 0));
    pm_gdt_set(S_W16U >> 3, seg_desc(w, 0xFFFF, ACC_P | ACC_S | ACC_DPL(3) | ACC_CODE_XR, 0));
    pm_gdt_set(S_USTK16 >> 3, seg_desc((uint32_t)user_stack16, 0xFFF, ACC_P | ACC_S | ACC_DPL(3) | ACC_DATA_RW, 0));
    pm_gdt_set(S_KSTK16 >> 3, seg_desc((uint32_t)task_stack16, 0xFFF, ACC_P | ACC_S | ACC_DATA_RW, 0));
    pm_gdt_set(S_CG0 >> 3, gate_desc(S_W16, w16(gate_proc0), ACC_P | SYS_CALL_GATE16, 0));
    pm_gdt_set(S_CG2 >> 3, gate_desc(S_W16, w16(gate_proc2), ACC_P | ACC_DPL(3) | SYS_CALL_GATE16, 2));
    pm_gdt_set(S_TSS16 >> 3, seg_desc((uint32_t)&tss16, sizeof tss16 - 1, ACC_P | SYS_TSS16, 0));
    pm_idt_set(V_INT16, gate_desc(S_W16, w16(int16_handler), ACC_P | SYS_INT_GATE16, 0));
    pm_idt_set(V_TRAP16, gate_desc(S_W16, w16(int16_handler), ACC_P | SYS_TRAP_GATE16, 0));
    ustk_sel = S_USTK16;
    back_tss_ptr[0] = 0;
    back_tss_ptr[1] = PM_TSS;
    w16_ptr[1] = S_W16;
    w16u_ptr[1] = S_W16U;
}

static int ran_task(uint32_t v, const char *what)
{
    check_begin();
    kprintf("%s: came back", what);
    return check_end(event_outcome(v, NO_FAULT, NO_ERROR));
}

/* Runs the window's code at `entry` (CPL 0 or 3); true when it came back. */
static int run16(int cpl, const uint8_t *entry, const char *what)
{
    uint32_t v = catch_at(cpl, cpl ? w16u_body : w16_body, w16(entry));
    check_begin();
    kprintf("%s: ran and came back", what);
    return check_end(event_outcome(v, NO_FAULT, NO_ERROR));
}

static void check_int_gates(void)
{
    put_str("-- int n through 16-bit gates (CPL 0)\n");
    if (run16(0, int61_entry, "int 0x61, a 16-bit interrupt gate")) {
        check_eq("handler ESP = ESP - 6 (three words)", rec.handler_esp, rec.esp_before - 6);
        check_eq("frame IP = after the int", rec.frame[0], w16(int61_next));
        check_eq("frame CS", rec.frame[1], S_W16);
        check_eq("frame FLAGS: IF as it was (set)", rec.frame[2] & FLAG_IF, FLAG_IF);
        check_eq("handler IF cleared", rec.flags & FLAG_IF, 0);
        check_eq("handler CS = the gate's selector", rec.cs, S_W16);
        check_eq("ESP after the 16-bit iret", rec.esp_after, rec.esp_before);
    }
    if (run16(0, int62_entry, "int 0x62, a 16-bit trap gate")) {
        check_eq("frame IP = after the int", rec.frame[0], w16(int62_next));
        check_eq("handler IF kept (set)", rec.flags & FLAG_IF, FLAG_IF);
        check_eq("ESP after the 16-bit iret", rec.esp_after, rec.esp_before);
    }
    pm_idt_set(VEC_GP, gate_desc(S_W16, w16(gp16_handler), ACC_P | SYS_INT_GATE16, 0));
    if (run16(0, gp_entry, "#GP (mov ds, 0x3f8) through a 16-bit interrupt gate")) {
        check_eq("handler ESP = ESP - 8 (error code and three words)", rec.handler_esp, rec.esp_before - 8);
        check_eq("frame error code (a word)", rec.frame[0], 0x3F8);
        check_eq("frame IP = the faulting mov", rec.frame[1], w16(gp_insn));
        check_eq("frame CS", rec.frame[2], S_W16);
        check_eq("ESP after the handler's iret", rec.esp_after, rec.esp_before);
    }
    pm_idt_catch(VEC_GP, 0);
}

static void check_call_gates(void)
{
    put_str("-- far calls through 16-bit call gates\n");
    gate_ptr[0] = 0;
    gate_ptr[1] = S_CG0;
    if (run16(0, callgate_entry, "CPL 0 call far through a 16-bit gate, no parameters")) {
        check_eq("procedure ESP = ESP - 4 (CS, IP as words)", rec.handler_esp, rec.esp_before - 4);
        check_eq("frame IP = after the call", rec.frame[0], w16(callgate_next));
        check_eq("frame CS", rec.frame[1], S_W16);
        check_eq("procedure CS", rec.cs, S_W16);
        check_eq("ESP after retf", rec.esp_after, rec.esp_before);
    }
    gate_ptr[1] = S_CG2 | 3;
    if (run16(3, user_call_entry, "CPL 3 call far on a 16-bit stack through a 16-bit gate to CPL 0, 2 words")) {
        check_eq("procedure CS (CPL 0)", rec.cs, S_W16);
        check_eq("procedure SS = TSS.SS0", rec.ss, pm_tss.ss0);
        check_eq("procedure ESP = TSS.ESP0 - 12 (six words)", rec.handler_esp, pm_tss.esp0 - 12);
        check_eq("frame IP = after the call", rec.frame[0], w16(user_call_next));
        check_eq("frame CS", rec.frame[1], S_W16U);
        check_eq("frame parameter 1 (copied word)", rec.frame[2], 0x1111);
        check_eq("frame parameter 2 (copied word)", rec.frame[3], 0x2222);
        check_eq("frame SP = caller's, at the parameters", rec.frame[4], rec.esp_before & 0xFFFF);
        check_eq("frame SS", rec.frame[5], S_USTK16);
        check_eq("after retf 4: SS", rec.ss_after, S_USTK16);
        check_eq("after retf 4: SP = caller's + 4", rec.esp_after & 0xFFFF, (rec.esp_before + 4) & 0xFFFF);
    }
}

static void load_tss16(const uint8_t *entry)
{
    tss16.link = 0;
    tss16.ip = (uint16_t)w16(entry);
    tss16.flags = 0x0002;
    tss16.ax = 0x1111, tss16.cx = 0x2222, tss16.dx = 0x3333, tss16.bx = 0x4444;
    tss16.sp = 0x0E00, tss16.bp = 0x5555, tss16.si = 0x6666, tss16.di = 0x7777;
    tss16.es = PM_KDATA, tss16.cs = S_W16, tss16.ss = S_KSTK16, tss16.ds = PM_KDATA, tss16.ldt = 0;
}

static void check_loaded_task(void)
{
    static const uint16_t want[8] = {0x1111, 0x2222, 0x3333, 0x4444, 0x0E00, 0x5555, 0x6666, 0x7777};
    static const char *const names[8] = {"AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI"};
    for (unsigned i = 0; i < 8; ++i) {
        check_begin();
        kprintf("16-bit task: %s from its TSS: %04x", names[i], rec.regs[i] & 0xFFFF);
        check_end((rec.regs[i] & 0xFFFF) == want[i]);
    }
    check_eq("16-bit task: CS", rec.cs, S_W16);
    check_eq("16-bit task: SS", rec.ss, S_KSTK16);
    check_eq("16-bit task: FS (a 16-bit TSS has none: null)", rec.fs, 0);
    check_eq("16-bit task: GS null", rec.gs, 0);
}

static void check_tss16(void)
{
    put_str("-- task switches to a 16-bit TSS\n");
    load_tss16(task16_jmp);
    if (ran_task(catch_call(jmp_tss_body, S_TSS16), "jmp far to a 16-bit TSS, back by jmp to the kernel's TSS")) {
        check_loaded_task();
        check_eq("16-bit task: FLAGS NT clear (a jmp)", rec.flags & FLAG_NT, 0);
        check_eq("saved into the 16-bit TSS: IP = after its jmp", tss16.ip, w16(task16_jmp_next));
        check_eq("saved: AX", tss16.ax, 0xAAAA);
        check_eq("saved: CX", tss16.cx, 0xCCCC);
        check_eq("saved: CS", tss16.cs, S_W16);
        check_eq("the 16-bit TSS is available again", type_of(S_TSS16), SYS_TSS16);
        check_eq("the kernel's registers came back from its TSS (EAX)", rec.back_eax, 0x5A5A1234);
    }
    load_tss16(task16_iret);
    if (ran_task(catch_call(call_tss_body, S_TSS16), "call far to a 16-bit TSS, back by iret")) {
        check_loaded_task();
        check_eq("16-bit task: FLAGS NT set (a call)", rec.flags & FLAG_NT, FLAG_NT);
        check_eq("16-bit TSS back link = the kernel's TSS", tss16.link, PM_TSS);
        check_eq("saved into the 16-bit TSS: IP = after its iret", tss16.ip, w16(task16_iret_next));
        check_eq("the 16-bit TSS is available again", type_of(S_TSS16), SYS_TSS16);
        check_eq("the kernel's registers came back from its TSS (EAX)", rec.back_eax, 0x5A5A1234);
    }
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("priv_286: 16-bit interrupt, trap and call gates and TSSs\n");
    check_begin();
    kprintf("the 16-bit window %08x-%08x is within 64 KiB", (uint32_t)w16_start, (uint32_t)w16_end);
    if (!check_end((uint32_t)w16_end - (uint32_t)w16_start <= 0x10000))
        check_finish();
    setup();
    check_int_gates();
    check_call_gates();
    check_tss16();
    check_finish();
}
