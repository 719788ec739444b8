/* priv_taskgate: hardware task switches (SDM vol. 3, 7.3-7.4; 6.15 for
 * #DF):
 *  - a switch saves EAX..EDI, ESP, the segment selectors, EFLAGS and EIP
 *    (that of the next instruction) in the old TSS and loads everything,
 *    CR3 and LDTR included, from the new one, and sets CR0.TS;
 *  - JMP clears the old TSS's busy bit and sets nothing else; CALL, an
 *    interrupt or an exception through a task gate keep it busy, write the
 *    old TSS selector into the new TSS's back-link and set NT in the new
 *    task; IRET with NT=1 returns to the back-link task and clears the busy
 *    bit of the task it leaves;
 *  - jmp or call to a busy TSS is #GP(selector); so is a TSS or task gate
 *    whose DPL is below max(CPL, RPL); IRET with NT=1 to a back-link that is
 *    not a busy TSS is #TS(selector);
 *  - a switch to a 32-bit TSS whose limit is below 67h is #TS(selector),
 *    however it starts (jmp, call, a task gate, int n or an exception
 *    through an IDT task gate: EXT set for the exception, iret), and it
 *    changes nothing;
 *  - a #DF through a task gate pushes its error code (0) on the new task's
 *    stack. What the old TSS receives for a #DF is undefined (the saved
 *    CS:EIP explicitly so): printed, not compared.
 * Linux i386 handles #DF this way. Here the #DF comes from a #GP whose IDT
 * gate is not present (contributory during contributory). */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "paging.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum {
    S_DF_TSS = 0x30,
    S_B_TSS = 0x38,
    G_TASK3 = 0x40, /* task gate, DPL 3 -> task B */
    G_TASK0 = 0x48, /* task gate, DPL 0 -> task B */
    S_SMALL_TSS = 0x50, /* task B's TSS with limit 66h, one byte short */
    G_SMALL = 0x58,     /* task gate, DPL 3 -> that */
    V_SMALL = 0x60,     /* IDT task gate -> that */
    ACC_AVAIL = ACC_P | SYS_TSS32,
    ACC_BUSY = ACC_P | SYS_TSS32_BUSY,
    CR0_TS = 1u << 3,
    B_EAX = 0x0EAB0EAB, B_EBX = 0x0EBB0EBB, DF_EAX = 0xDFA0DFA0, DF_EBX = 0xDFB0DFB0,
    LINK_SENTINEL = 0x7770,
};

struct task_record {
    uint32_t count, eflags, cr0, cs, ss, ds, esp, top, eax, ebx, acc[3];
    struct tss32 snap; /* the main task's TSS, as the task found it */
};
extern volatile struct task_record df_rec, b_rec;
extern volatile uint32_t acc_ptr[3], idt13_acc, pre_esp, post_regs[6];
void df_task(void), task_b(void);
uint32_t jmp_task(uint32_t), call_task(uint32_t), jmp_sel(uint32_t), iret_nt(uint32_t),
    df_body(uint32_t), int_small(uint32_t), ud2_body(uint32_t);
extern const uint8_t jmp_task_back[], call_task_back[], df_fault_insn[];

static struct tss32 df_tss __attribute__((aligned(128)));
static struct tss32 b_tss __attribute__((aligned(128)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));
static uint8_t b_stack[4096] __attribute__((aligned(16)));

static uint32_t stack_top(uint8_t *stack)
{
    return (uint32_t)stack + 4096 - 64;
}

static void init_task(struct tss32 *t, void (*entry)(void), uint8_t *stack, uint32_t eax,
                      uint32_t ebx)
{
    *t = (struct tss32){0};
    t->link = LINK_SENTINEL;
    t->cs = PM_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = PM_KDATA;
    t->eflags = FLAG_RSVD1;
    t->cr3 = read_cr3();
    t->eip = (uint32_t)entry;
    t->esp = stack_top(stack);
    t->eax = eax;
    t->ebx = ebx;
    t->iomap_base = sizeof *t;
}

static uint8_t access_byte(uint16_t sel)
{
    return (uint8_t)(pm_gdt[sel >> 3] >> 40);
}

static void expect_acc(const char *when, uint32_t main, uint32_t df, uint32_t b, uint32_t want_main,
                       uint32_t want_df, uint32_t want_b)
{
    check_begin();
    kprintf("%s: access bytes main %02x, #DF %02x, B %02x", when, main, df, b);
    int ok = main == want_main && df == want_df && b == want_b;
    if (!ok)
        kprintf(" (want %02x %02x %02x)", want_main, want_df, want_b);
    check_end(ok);
}

static void expect_marks(const char *when)
{
    check_begin();
    kprintf("%s: ebx esi edi ebp %08x %08x %08x %08x", when, post_regs[0], post_regs[1],
            post_regs[2], post_regs[3]);
    int ok = post_regs[0] == 0xB0B0B0B0 && post_regs[1] == 0x51515151 &&
             post_regs[2] == 0xD1D1D1D1 && post_regs[3] == 0xB9B9B9B9;
    check_end(ok);
}

/* A switch to task B and back that must work. */
static int to_b(int cpl, body_fn body, uint32_t arg, const char *what)
{
    init_task(&b_tss, task_b, b_stack, B_EAX, B_EBX);
    uint32_t before = b_rec.count;
    uint32_t v = catch_at(cpl, body, arg);
    check_begin();
    kprintf("CPL%d %s: task B ran, came back", cpl, what);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR) && b_rec.count == before + 1;
    return check_end(ok);
}

static void check_task_b_start(void)
{
    check_eq("task B: CR0.TS set by the switch", b_rec.cr0 & CR0_TS, CR0_TS);
    check_eq("task B: CS from its TSS", b_rec.cs, PM_KCODE);
    check_eq("task B: DS from its TSS", b_rec.ds, PM_KDATA);
    check_eq("task B: ESP from its TSS", b_rec.esp, stack_top(b_stack));
    check_eq("task B: EAX from its TSS", b_rec.eax, B_EAX);
    check_eq("task B: EBX from its TSS", b_rec.ebx, B_EBX);
}

static void check_faults(void)
{
    put_str("-- switches that fault\n");
    init_task(&b_tss, task_b, b_stack, B_EAX, B_EBX);
    uint32_t v = catch_call(jmp_sel, PM_TSS);
    check_event("CPL0 jmp far 0028:0 (the current, busy TSS)", v, VEC_GP, PM_TSS);
    v = catch_call(call_task, PM_TSS);
    check_event("CPL0 call far 0028:0 (the current, busy TSS)", v, VEC_GP, PM_TSS);
    v = catch_user(jmp_task, 0);
    check_event("CPL3 jmp far 0038:0 (TSS DPL 0)", v, VEC_GP, S_B_TSS);
    v = catch_user(call_task, G_TASK0 | 3);
    check_event("CPL3 call far 004b:0 (task gate DPL 0)", v, VEC_GP, G_TASK0);
}

static void check_small_tss(void)
{
    put_str("-- a TSS limit below 67h: #TS(selector)\n");
    init_task(&b_tss, task_b, b_stack, B_EAX, B_EBX);
    uint32_t before = b_rec.count;
    uint32_t v = catch_call(jmp_sel, S_SMALL_TSS);
    check_event("CPL0 jmp far 0050:0", v, VEC_TS, S_SMALL_TSS);
    v = catch_call(call_task, S_SMALL_TSS);
    check_event("CPL0 call far 0050:0", v, VEC_TS, S_SMALL_TSS);
    v = catch_user(call_task, G_SMALL | 3);
    check_event("CPL3 call far 005b:0 (task gate)", v, VEC_TS, S_SMALL_TSS);
    pm_idt_set(V_SMALL, gate_desc(S_SMALL_TSS, 0, ACC_P | ACC_DPL(3) | SYS_TASK_GATE, 0));
    v = catch_user(int_small, 0);
    check_event("CPL3 int 0x60 (IDT task gate)", v, VEC_TS, S_SMALL_TSS);
    pm_idt_set(VEC_UD, gate_desc(S_SMALL_TSS, 0, ACC_P | SYS_TASK_GATE, 0));
    v = catch_call(ud2_body, 0);
    pm_idt_catch(VEC_UD, 0);
    check_event("CPL0 ud2 (#UD through an IDT task gate): EXT set", v, VEC_TS, S_SMALL_TSS | 1);
    pm_gdt[S_SMALL_TSS >> 3] |= (uint64_t)(ACC_BUSY ^ ACC_AVAIL) << 40;
    pm_tss.link = S_SMALL_TSS;
    v = catch_call(iret_nt, 0);
    pm_tss.link = 0;
    pm_gdt[S_SMALL_TSS >> 3] &= ~((uint64_t)(ACC_BUSY ^ ACC_AVAIL) << 40);
    check_event("CPL0 iret, NT=1, back-link 0050 (busy)", v, VEC_TS, S_SMALL_TSS);
    check_eq("task B never ran", b_rec.count, before);
    expect_acc("after them", access_byte(PM_TSS), access_byte(S_DF_TSS), access_byte(S_B_TSS), ACC_BUSY,
               ACC_AVAIL, ACC_AVAIL);
    check_eq("the short TSS stays available", access_byte(S_SMALL_TSS), ACC_AVAIL);
}

static void check_jmp(void)
{
    put_str("-- jmp to a TSS: no nesting\n");
    if (!to_b(0, jmp_task, 0, "jmp far 0038:0, B jumps back to 0028"))
        return;
    check_task_b_start();
    check_eq("task B: NT clear", b_rec.eflags & FLAG_NT, 0);
    check_eq("task B: its back-link untouched", b_tss.link, LINK_SENTINEL);
    expect_acc("in task B", b_rec.acc[0], b_rec.acc[1], b_rec.acc[2], ACC_AVAIL, ACC_AVAIL,
               ACC_BUSY);
    check_eq("main TSS saved EIP: after the jmp", b_rec.snap.eip, (uint32_t)jmp_task_back);
    check_eq("main TSS saved ESP", b_rec.snap.esp, pre_esp);
    check_eq("main TSS saved EBX", b_rec.snap.ebx, 0xB0B0B0B0);
    check_eq("main TSS saved EBP", b_rec.snap.ebp, 0xB9B9B9B9);
    check_eq("main TSS saved CS", b_rec.snap.cs, PM_KCODE);
    check_eq("main TSS saved DS", b_rec.snap.ds, PM_KDATA);
    expect_marks("main task after B's jmp back");
    check_eq("main task ESP after", post_regs[4], pre_esp);
    check_eq("main task: CR0.TS set by the switch back", read_cr0() & CR0_TS, CR0_TS);
    __asm__ volatile("clts");
    expect_acc("back in main", access_byte(PM_TSS), access_byte(S_DF_TSS), access_byte(S_B_TSS),
               ACC_BUSY, ACC_AVAIL, ACC_AVAIL);
}

static void check_call(void)
{
    put_str("-- call to a TSS and to task gates: nesting, iret returns\n");
    if (to_b(0, call_task, S_B_TSS, "call far 0038:0, B irets")) {
        check_task_b_start();
        check_eq("task B: NT set", b_rec.eflags & FLAG_NT, FLAG_NT);
        check_eq("task B: back-link = 0028", b_tss.link, PM_TSS);
        expect_acc("in task B", b_rec.acc[0], b_rec.acc[1], b_rec.acc[2], ACC_BUSY, ACC_AVAIL,
                   ACC_BUSY);
        check_eq("main TSS saved EIP: after the call", b_rec.snap.eip, (uint32_t)call_task_back);
        check_eq("main TSS saved ESI", b_rec.snap.esi, 0x51515151);
        expect_marks("main task after B's iret");
        check_eq("main task ESP after", post_regs[4], pre_esp);
        check_eq("main task NT after (its own EFLAGS)", post_regs[5] & FLAG_NT, 0);
        expect_acc("back in main", access_byte(PM_TSS), access_byte(S_DF_TSS),
                   access_byte(S_B_TSS), ACC_BUSY, ACC_AVAIL, ACC_AVAIL);
    }
    __asm__ volatile("clts");
    if (to_b(0, call_task, G_TASK3, "call far 0040:0 (task gate DPL 3)")) {
        check_eq("task B: NT set", b_rec.eflags & FLAG_NT, FLAG_NT);
        check_eq("task B: back-link = 0028", b_tss.link, PM_TSS);
    }
    __asm__ volatile("clts");
    if (to_b(3, call_task, G_TASK3 | 3, "call far 0043:0 (task gate DPL 3)")) {
        check_eq("task B: CS from its TSS (CPL 0)", b_rec.cs, PM_KCODE);
        check_eq("task B: back-link = 0028", b_tss.link, PM_TSS);
        check_eq("main TSS saved CS (ring 3)", b_rec.snap.cs, PM_UCODE);
        check_eq("main TSS saved SS (ring 3)", b_rec.snap.ss, PM_UDATA);
        check_eq("main task ESP after (ring 3)", post_regs[4], pre_esp);
    }
    __asm__ volatile("clts");
}

/* Last but one: an emulator without task returns may stop here. */
static void check_bad_task_return(void)
{
    put_str("-- a task return that faults\n");
    pm_tss.link = S_B_TSS;
    uint32_t v = catch_call(iret_nt, 0);
    pm_tss.link = 0;
    check_event("CPL0 iret, NT=1, back-link 0038 (available, not busy)", v, VEC_TS, S_B_TSS);
}

static void check_double_fault(void)
{
    put_str("-- #DF through a task gate\n");
    init_task(&df_tss, df_task, df_stack, DF_EAX, DF_EBX);
    pm_idt_set(VEC_DF, gate_desc(S_DF_TSS, 0, ACC_P | SYS_TASK_GATE, 0));
    idt13_acc = (uint32_t)&pm_idt[VEC_GP] + 5;
    pm_idt[VEC_GP] &= ~((uint64_t)ACC_P << 40);
    uint32_t before = df_rec.count;
    uint32_t v = catch_call(df_body, 0);
    check_begin();
    put_str("CPL0 mov ds, 0200 with gate 13 not present: #DF task ran, resumed us");
    int ok = event_outcome(v, NO_FAULT, NO_ERROR) && df_rec.count == before + 1;
    pm_idt_catch(VEC_GP, 0);
    pm_idt_catch(VEC_DF, 0);
    if (!check_end(ok))
        return;
    check_eq("#DF task: error code on its stack", df_rec.top, 0);
    check_eq("#DF task: ESP = TSS.ESP - 4", df_rec.esp, stack_top(df_stack) - 4);
    check_eq("#DF task: NT set", df_rec.eflags & FLAG_NT, FLAG_NT);
    check_eq("#DF task: back-link = 0028", df_tss.link, PM_TSS);
    check_eq("#DF task: CR0.TS set", df_rec.cr0 & CR0_TS, CR0_TS);
    check_eq("#DF task: CS", df_rec.cs, PM_KCODE);
    check_eq("#DF task: EAX from its TSS", df_rec.eax, DF_EAX);
    check_eq("#DF task: EBX from its TSS", df_rec.ebx, DF_EBX);
    expect_acc("in the #DF task", df_rec.acc[0], df_rec.acc[1], df_rec.acc[2], ACC_BUSY, ACC_BUSY,
               ACC_AVAIL);
    NOTE("main TSS saved EIP %08x (the mov ds is at %08x; undefined for #DF)", df_rec.snap.eip,
         (uint32_t)df_fault_insn);
    NOTE("main TSS saved ESP %08x (ESP at the fault %08x)", df_rec.snap.esp, pre_esp);
    NOTE("main TSS saved EAX ECX EDX %08x %08x %08x (at the fault a0a0a0a0 c0c0c0c0 d0d0d0d0)",
         df_rec.snap.eax, df_rec.snap.ecx, df_rec.snap.edx);
    NOTE("main task after the iret: ebx esi edi ebp %08x %08x %08x %08x", post_regs[0],
         post_regs[1], post_regs[2], post_regs[3]);
    check_eq("main task ESP after (set by the #DF task)", post_regs[4], pre_esp);
    expect_acc("back in main", access_byte(PM_TSS), access_byte(S_DF_TSS), access_byte(S_B_TSS),
               ACC_BUSY, ACC_AVAIL, ACC_AVAIL);
    __asm__ volatile("clts");
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_taskgate: task switches, and #DF through a task gate\n");
    tcg_gap_init(magic, mbi);
    pm_tss.cr3 = read_cr3();
    pm_tss.ldt = 0;
    init_task(&df_tss, df_task, df_stack, DF_EAX, DF_EBX);
    init_task(&b_tss, task_b, b_stack, B_EAX, B_EBX);
    pm_gdt_set(S_DF_TSS >> 3, seg_desc((uint32_t)&df_tss, sizeof df_tss - 1, ACC_AVAIL, 0));
    pm_gdt_set(S_B_TSS >> 3, seg_desc((uint32_t)&b_tss, sizeof b_tss - 1, ACC_AVAIL, 0));
    pm_gdt_set(G_TASK3 >> 3, gate_desc(S_B_TSS, 0, ACC_P | ACC_DPL(3) | SYS_TASK_GATE, 0));
    pm_gdt_set(G_TASK0 >> 3, gate_desc(S_B_TSS, 0, ACC_P | SYS_TASK_GATE, 0));
    pm_gdt_set(S_SMALL_TSS >> 3, seg_desc((uint32_t)&b_tss, 0x66, ACC_AVAIL, 0));
    pm_gdt_set(G_SMALL >> 3, gate_desc(S_SMALL_TSS, 0, ACC_P | ACC_DPL(3) | SYS_TASK_GATE, 0));
    acc_ptr[0] = (uint32_t)&pm_gdt[PM_TSS >> 3] + 5;
    acc_ptr[1] = (uint32_t)&pm_gdt[S_DF_TSS >> 3] + 5;
    acc_ptr[2] = (uint32_t)&pm_gdt[S_B_TSS >> 3] + 5;
    check_faults();
    check_small_tss();
    check_jmp();
    check_call();
    check_bad_task_return();
    check_double_fault();
    tcg_gap_summary();
    check_finish();
}
