/* openbus: memory that nobody backs, and a device, under every instruction
 * form (paging off). On a PC, physical addresses that neither RAM nor a
 * device claims float: reads return all ones, writes vanish, and code
 * fetched there is 0xFF bytes (FF FF is FF /7: #UD). A device (QEMU's
 * pc-testdev memory window at 0xFF000000, which reads back what was
 * written) sees exactly the bytes each instruction reads and writes.
 * Checked for: push/pop (register, memory, 16-bit), call/ret (relative,
 * through memory, ret n), jmp through memory, enter/leave, pushad/popad,
 * pushfd/popfd, every string instruction (with rep, both directions,
 * 16-bit addresses), xlat, ident instructions (load, store,
 * read-modify-write, xchg, a high-byte register, cmpxchg8b, bt/bts with a
 * register bit offset), code in open bus and in the device, and accesses
 * that straddle RAM | open bus and open bus | device | open bus; at CPL 0
 * and 3. */
#include "check.h"
#include "fault_check.h"
#include "forms.h"
#include "guest.h"
#include "pm.h"
#include "print.h"

enum {
    OPEN_BUS = 0x40000100, /* 1 GiB: beyond RAM (256 MiB by default), no device */
    DEVICE = 0xFF000100,   /* in pc-testdev's window [0xFF000000, 0xFF010000) */
    DEVICE_START = 0xFF000000,
    DEVICE_END = 0xFF010000,
    HOLE_START = 0xA0000, /* the legacy VGA hole: RAM below, open bus above */
    HOLE_END = 0xC0000,   /* ... and RAM again from here */
    S_WINDOW = PM_FIRST_FREE,
    LOW_BUF = 0x6000, /* RAM below 64 KiB, for 16-bit addresses */
};

static uint32_t stack_area[1024] __attribute__((aligned(16)));
#define STACK_TOP ((uint32_t)&stack_area[1024])
static uint32_t buf[64] __attribute__((aligned(16)));
#define BUF ((uint32_t)buf)

/* A target: open bus or the device; what a dword written there reads back. */
struct target {
    const char *name;
    uint32_t at;
    int device;
};
static uint32_t kept(const struct target *t, uint32_t written)
{
    return t->device ? written : 0xFFFFFFFFu;
}
static uint8_t kept8(const struct target *t, uint8_t written)
{
    return t->device ? written : 0xFF;
}

static char what[96];
static const char *label(const struct target *t, const char *form)
{
    /* "push imm32 -> open bus" */
    unsigned n = 0;
    for (const char *s = form; *s && n < sizeof what - 24; s++)
        what[n++] = *s;
    for (const char *s = " @ "; *s; s++)
        what[n++] = *s;
    for (const char *s = t->name; *s && n < sizeof what - 1; s++)
        what[n++] = *s;
    what[n] = 0;
    return what;
}


/* ---- the stack ---------------------------------------------------------- */

static void stack_forms(const struct target *t, int cpl)
{
    uint32_t T = t->at, v;

    regs_reset(T + 4, 0);
    v = run_form(cpl, f_push_imm);
    check_no_event(cpl, label(t, "push imm32"), v);
    check_cpl(cpl, "  ESP", rout.esp, T);
    check_cpl(cpl, "  the dword pushed", peek32(T), kept(t, 0x11223344));

    poke32(T, 0);
    regs_reset(T + 4, 0);
    rin.eax = 0xAAAA5678;
    run_form(cpl, f_push_reg16);
    check_cpl(cpl, label(t, "push ax: ESP"), rout.esp, T + 2);
    check_cpl(cpl, "  the word pushed (dword at ESP-2)", peek32(T), t->device ? 0x56780000 : 0xFFFFFFFF);

    poke32(T, 0xCAFEF00D);
    regs_reset(STACK_TOP, 0);
    rin.esi = T;
    run_form(cpl, f_push_mem);
    check_cpl(cpl, label(t, "push [m]: the dword pushed"), peek32(STACK_TOP - 4), kept(t, 0xCAFEF00D));

    /* Single-stepped: the push happens, then the trap. */
    poke32(T, 0xFACEFEED);
    poke32(STACK_TOP - 4, 0);
    regs_reset(STACK_TOP, 0);
    rin.esi = T;
    v = run_form(cpl, f_tf_push_mem);
    check_trap_at(cpl, label(t, "TF, push [m]"), v, VEC_DB, (uint32_t)f_tf_push_mem_next);
    check_cpl(cpl, "  the dword pushed", peek32(STACK_TOP - 4), kept(t, 0xFACEFEED));

    poke32(T, 0x0BADC0DE);
    regs_reset(T, 0);
    run_form(cpl, f_pop_reg);
    check_cpl(cpl, label(t, "pop eax"), rout.eax, kept(t, 0x0BADC0DE));
    check_cpl(cpl, "  ESP", rout.esp, T + 4);

    poke32(T, 0);
    poke32(STACK_TOP - 4, 0x600DF00D);
    regs_reset(STACK_TOP - 4, 0);
    rin.esi = T;
    run_form(cpl, f_pop_mem);
    check_cpl(cpl, label(t, "pop [m]: the dword stored"), peek32(T), t->device ? 0x600DF00D : 0xFFFFFFFF);
    check_cpl(cpl, "  ESP", rout.esp, STACK_TOP);

    poke32(T, 0);
    regs_reset(T + 4, 0);
    v = run_form(cpl, f_call_rel);
    check_no_event(cpl, label(t, "call rel32"), v);
    check_cpl(cpl, "  the return address pushed", peek32(T), kept(t, (uint32_t)f_call_rel_ret));

    poke32(T, 0);
    regs_reset(T + 4, 0);
    rin.ebp = 0x1234ABCD;
    run_form(cpl, f_enter);
    check_cpl(cpl, label(t, "enter 16, 0: EBP pushed"), peek32(T), kept(t, 0x1234ABCD));
    check_cpl(cpl, "  EBP, ESP", rout.ebp ^ rout.esp, T ^ (T - 16));

    poke32(T, 0x7777AAAA);
    regs_reset(STACK_TOP, 0);
    rin.ebp = T;
    run_form(cpl, f_leave);
    check_cpl(cpl, label(t, "leave: EBP"), rout.ebp, kept(t, 0x7777AAAA));
    check_cpl(cpl, "  ESP", rout.esp, T + 4);

    /* pushad: EDI lowest ... EAX highest, the ESP slot the value before. */
    for (unsigned i = 0; i < 8; i++)
        poke32(T - 32 + 4 * i, 0);
    regs_reset(T, 0);
    rin.eax = 0xA0A0A0A0, rin.ecx = 0xC1C1C1C1, rin.edx = 0xD2D2D2D2, rin.ebx = 0xB3B3B3B3;
    rin.ebp = 0xE5E5E5E5, rin.esi = 0x56565656, rin.edi = 0x07070707;
    run_form(cpl, f_pushad);
    {
        const uint32_t want[8] = {rin.edi, rin.esi, rin.ebp, T, rin.ebx, rin.edx, rin.ecx, rin.eax};
        unsigned bad = 8;
        for (unsigned i = 0; i < 8; i++)
            if (peek32(T - 32 + 4 * i) != kept(t, want[i]) && bad == 8)
                bad = i;
        check_begin();
        kprintf("CPL%d %s: ESP %08x, slot %u", cpl, label(t, "pushad"), rout.esp, bad);
        check_end(bad == 8 && rout.esp == T - 32);
    }

    for (unsigned i = 0; i < 8; i++)
        poke32(T + 4 * i, 0x01010101u * (i + 1));
    regs_reset(T, 0);
    run_form(cpl, f_popad);
    {
        const uint32_t got[8] = {rout.edi, rout.esi, rout.ebp, 0, rout.ebx, rout.edx, rout.ecx, rout.eax};
        unsigned bad = 8;
        for (unsigned i = 0; i < 8; i++)
            if (i != 3 && got[i] != kept(t, 0x01010101u * (i + 1)) && bad == 8)
                bad = i;
        check_begin();
        kprintf("CPL%d %s: ESP %08x, slot %u", cpl, label(t, "popad"), rout.esp, bad);
        check_end(bad == 8 && rout.esp == T + 32);
    }

    poke32(T, 0);
    regs_reset(T + 4, 0);
    rin.eflags = 0x8D7;
    run_form(cpl, f_pushfd);
    check_cpl(cpl, label(t, "pushfd: the dword pushed"), peek32(T), kept(t, 0x8D7));

    if (t->device) {
        poke32(T, 0x8D7 | FL_DF);
        regs_reset(T, 0);
        run_form(cpl, f_popfd);
        check_cpl(cpl, label(t, "popfd: flags"), rout.eflags & (FL_ARITH | FL_DF), FL_ARITH | FL_DF);
        check_cpl(cpl, "  ESP", rout.esp, T + 4);
    } else if (cpl == 3) {
        /* All ones at CPL 3, IOPL 0: every flag popf may change is set (IF
         * and IOPL stay, RF is cleared); TF then traps after the next
         * instruction. */
        regs_reset(T, 0);
        v = run_form(cpl, f_popfd);
        check_begin();
        kprintf("CPL3 %s, EFLAGS in the frame %08x", label(t, "popfd"), catch_rec.words[2]);
        check_event_end(v, VEC_DB, NO_ERROR);
        check_cpl(cpl, "  EFLAGS in the #DB frame", catch_rec.words[2], 0x00244DD7);
    }
}

/* Transfers through memory. The target read from open bus is 0xFFFFFFFF,
 * where the code is FF (open bus) FF (byte 0 of RAM, set by kmain): #UD. */
static void branch_forms(const struct target *t, int cpl)
{
    uint32_t T = t->at, v;

    poke32(T, (uint32_t)f_call_mem_target);
    regs_reset(STACK_TOP, 0);
    rin.esi = T;
    v = run_form(cpl, f_call_mem);
    if (t->device) {
        check_no_event(cpl, label(t, "call [m]"), v);
        check_cpl(cpl, "  the return address pushed", peek32(STACK_TOP - 4), (uint32_t)f_call_mem_ret);
    } else {
        check_trap_at(cpl, label(t, "call [m]"), v, VEC_UD, 0xFFFFFFFF);
    }

    poke32(T, (uint32_t)f_jmp_mem_target);
    regs_reset(STACK_TOP, 0);
    rin.esi = T;
    v = run_form(cpl, f_jmp_mem);
    if (t->device) check_no_event(cpl, label(t, "jmp [m]"), v);
    else check_trap_at(cpl, label(t, "jmp [m]"), v, VEC_UD, 0xFFFFFFFF);

    /* ret from open bus faults with ESP on open bus: only at CPL 3 is the
     * frame somewhere else (the TSS stack). */
    if (t->device || cpl == 3) {
        poke32(T, (uint32_t)f_ret_target);
        regs_reset(T, 0);
        v = run_form(cpl, f_ret);
        if (t->device) {
            check_no_event(cpl, label(t, "ret"), v);
            check_cpl(cpl, "  ESP", rout.esp, T + 4);
        } else {
            check_trap_at(cpl, label(t, "ret"), v, VEC_UD, 0xFFFFFFFF);
            check_cpl(cpl, "  ESP in the frame", catch_rec.words[3], T + 4);
        }
    }
    if (t->device) {
        poke32(T, (uint32_t)f_ret_imm_target);
        regs_reset(T, 0);
        v = run_form(cpl, f_ret_imm);
        check_no_event(cpl, label(t, "ret 8"), v);
        check_cpl(cpl, "  ESP", rout.esp, T + 12);
    }
}

/* ---- strings -------------------------------------------------------------- */

static void string_forms(const struct target *t, int cpl)
{
    uint32_t T = t->at, v;

    poke32(T, 0x89ABCDEF);
    buf[0] = 0;
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.edi = BUF;
    run_form(cpl, f_movsd);
    check_cpl(cpl, label(t, "movsd from"), buf[0], kept(t, 0x89ABCDEF));
    check_cpl(cpl, "  ESI, EDI", rout.esi ^ rout.edi, (T + 4) ^ (BUF + 4));

    poke32(T, 0);
    buf[0] = 0x13579BDF;
    regs_reset(STACK_TOP, 0);
    rin.esi = BUF, rin.edi = T;
    run_form(cpl, f_movsd);
    check_cpl(cpl, label(t, "movsd to"), peek32(T), t->device ? 0x13579BDF : 0xFFFFFFFF);

    /* Backwards (DF=1): the last dword first. */
    for (unsigned i = 0; i < 4; i++)
        poke32(T + 4 * i, 0x10000001u * (i + 1)), buf[i] = 0;
    regs_reset(STACK_TOP, 1);
    rin.esi = T + 12, rin.edi = BUF + 12, rin.ecx = 4;
    run_form(cpl, f_rep_movsd);
    check_cpl(cpl, label(t, "std; rep movsd from: dword 0"), buf[0], kept(t, 0x10000001));
    check_cpl(cpl, "  dword 3", buf[3], kept(t, 0x40000004));
    check_cpl(cpl, "  ECX, ESI", rout.ecx | (rout.esi ^ (T - 4)), 0);

    fill(BUF, 8, 0x61);
    clear(T, 8);
    regs_reset(STACK_TOP, 0);
    rin.esi = BUF, rin.edi = T, rin.ecx = 7;
    run_form(cpl, f_rep_movsb);
    check_cpl(cpl, label(t, "rep movsb x7 to: bytes 0-3"), peek32(T), kept(t, 0x64636261));
    check_cpl(cpl, "  bytes 4-7", peek32(T + 4), t->device ? 0x00676665 : 0xFFFFFFFF);
    check_cpl(cpl, "  ECX, EDI", rout.ecx | (rout.edi ^ (T + 7)), 0);

    poke32(T, 0);
    regs_reset(STACK_TOP, 0);
    rin.edi = T, rin.eax = 0x2468ACE0;
    run_form(cpl, f_stosd);
    check_cpl(cpl, label(t, "stosd"), peek32(T), kept(t, 0x2468ACE0));

    clear(T, 8);
    regs_reset(STACK_TOP, 0);
    rin.edi = T, rin.eax = 0x5A, rin.ecx = 5;
    run_form(cpl, f_rep_stosb);
    check_cpl(cpl, label(t, "rep stosb x5: bytes 4-7"), peek32(T + 4), t->device ? 0x0000005A : 0xFFFFFFFF);

    poke32(T, 0x31415926);
    regs_reset(STACK_TOP, 0);
    rin.esi = T;
    run_form(cpl, f_lodsd);
    check_cpl(cpl, label(t, "lodsd"), rout.eax, kept(t, 0x31415926));

    fill(T, 6, 0x20);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.ecx = 3, rin.eax = 0xEEEEEEEE;
    run_form(cpl, f_rep_lodsw);
    check_cpl(cpl, label(t, "rep lodsw x3: EAX"), rout.eax, t->device ? 0xEEEE2524 : 0xEEEEFFFF);

    poke32(T, 5);
    buf[0] = 7;
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.edi = BUF;
    run_form(cpl, f_cmpsd);
    check_cpl(cpl, label(t, "cmpsd [T], [buf]: flags"), rout.eflags & FL_ARITH, cmp_flags32(kept(t, 5), 7));

    /* Equal for three bytes, then [T+3] = 0x33 or 0xFF against 0x44. */
    fill(T, 8, 0x30);
    for (unsigned i = 0; i < 8; i++)
        poke8(BUF + i, i == 3 ? 0x44 : kept8(t, (uint8_t)(0x30 + i)));
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.edi = BUF, rin.ecx = 8;
    run_form(cpl, f_repe_cmpsb);
    check_cpl(cpl, label(t, "repe cmpsb x8: ECX"), rout.ecx, 4);
    check_cpl(cpl, "  flags", rout.eflags & FL_ARITH, cmp_flags8(kept8(t, 0x33), 0x44));

    poke32(T, 0x42);
    regs_reset(STACK_TOP, 0);
    rin.edi = T, rin.eax = 0x41;
    run_form(cpl, f_scasd);
    check_cpl(cpl, label(t, "scasd: flags"), rout.eflags & FL_ARITH, cmp_flags32(0x41, kept(t, 0x42)));

    fill(T, 16, 0x3C);  /* 0x42 at byte 6 */
    regs_reset(STACK_TOP, 0);
    rin.edi = T, rin.eax = 0x42, rin.ecx = 16;
    run_form(cpl, f_repne_scasb);
    check_cpl(cpl, label(t, "repne scasb al=42 x16: ECX"), rout.ecx, t->device ? 9 : 0);
    check_cpl(cpl, "  EDI", rout.edi, t->device ? T + 7 : T + 16);
    regs_reset(STACK_TOP, 0);
    rin.edi = T, rin.eax = 0xFF, rin.ecx = 16;
    run_form(cpl, f_repne_scasb);
    check_cpl(cpl, label(t, "repne scasb al=ff x16: ECX"), rout.ecx, t->device ? 0 : 15);

    /* 16-bit addresses: ES:DI with ES based at the target's 64 KiB, from
     * DS:SI in the first 64 KiB of RAM. */
    fill(LOW_BUF, 6, 0x71);
    clear(T, 8);
    pm_gdt_set(S_WINDOW, seg_desc(T & 0xFFFF0000u, 0xFFFF, ACC_P | ACC_S | ACC_DPL(3) | ACC_DATA_RW, FL_DB));
    regs_reset(STACK_TOP, 0);
    rin.esi = 0x55550000u | LOW_BUF, rin.edi = 0xABCD0000u | (T & 0xFFFF), rin.ecx = 0x10006, rin.ebx = (S_WINDOW << 3) | 3;
    run_form(cpl, f_a16_rep_movsb);
    check_cpl(cpl, label(t, "es: a16 rep movsb x6: bytes 4-7"), peek32(T + 4), t->device ? 0x00007675 : 0xFFFFFFFF);
    check_cpl(cpl, "  ECX, DI (upper halves kept)", rout.ecx ^ rout.edi, 0x10000 ^ (0xABCD0000u | ((T + 6) & 0xFFFF)));

    /* ES's limit ends 3 bytes in: the 4th iteration raises #GP(0), with
     * ECX and EDI at that iteration. */
    clear(T, 8);
    pm_gdt_set(S_WINDOW, seg_desc(T & 0xFFFF0000u, (T & 0xFFFF) + 2, ACC_P | ACC_S | ACC_DPL(3) | ACC_DATA_RW, FL_DB));
    regs_reset(STACK_TOP, 0);
    rin.edi = T & 0xFFFF, rin.eax = 0x5A, rin.ecx = 5, rin.ebx = (S_WINDOW << 3) | 3;
    v = run_form(cpl, f_es_rep_stosb);
    check_begin();
    kprintf("CPL%d %s", cpl, label(t, "rep stosb x5 into a 3-byte segment"));
    check_event_end(v, VEC_GP, 0);
    check_cpl(cpl, "  ECX, EDI at the #GP", catch_rec.ecx ^ catch_rec.edi, 2 ^ ((T & 0xFFFF) + 3));
    check_cpl(cpl, "  bytes 0-3", peek32(T), t->device ? 0x005A5A5A : 0xFFFFFFFF);

    fill(T, 8, 0x90);
    regs_reset(STACK_TOP, 0);
    rin.ebx = T, rin.eax = 0x12345603;
    run_form(cpl, f_xlatb);
    check_cpl(cpl, label(t, "xlatb: EAX"), rout.eax, t->device ? 0x12345693 : 0x123456FF);

    /* maskmovq: only the masked bytes (0, 2, 4, 6) are written. */
    poke32(T, 0xAAAAAAAA), poke32(T + 4, 0xAAAAAAAA);
    regs_reset(STACK_TOP, 0);
    rin.edi = T, rin.eax = 0x55667788, rin.edx = 0x11223344, rin.ebx = 0x00800080, rin.ecx = 0x00800080;
    run_form(cpl, f_maskmovq);
    check_cpl(cpl, label(t, "maskmovq: bytes 0-3"), peek32(T), t->device ? 0xAA66AA88 : 0xFFFFFFFF);
    check_cpl(cpl, "  bytes 4-7", peek32(T + 4), t->device ? 0xAA22AA44 : 0xFFFFFFFF);

    /* 16-bit leave: BP from the word at EBP, ESP = EBP + 2, EBP's top kept. */
    poke32(T, 0x5678);
    regs_reset(STACK_TOP, 0);
    rin.ebp = T;
    run_form(cpl, f_leave16);
    check_cpl(cpl, label(t, "o16 leave: EBP"), rout.ebp, (T & 0xFFFF0000u) | (t->device ? 0x5678 : 0xFFFF));
    check_cpl(cpl, "  ESP", rout.esp, T + 2);
}

/* ---- ident instructions --------------------------------------------------- */

static void ident_forms(const struct target *t, int cpl)
{
    uint32_t T = t->at;

    poke32(T, 0x76543210);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 0xAAAAAAAA;
    run_form(cpl, f_mov_load16);
    check_cpl(cpl, label(t, "mov ax, [m]"), rout.eax, t->device ? 0xAAAA3210 : 0xAAAAFFFF);

    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 0x5555AAAA;
    run_form(cpl, f_mov_ah);
    check_cpl(cpl, label(t, "mov ah, [m]"), rout.eax, t->device ? 0x555510AA : 0x5555FFAA);

    poke32(T, 0x7FFFFFFF);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 1;
    run_form(cpl, f_add_rmw);
    check_cpl(cpl, label(t, "add [m], eax"), peek32(T), t->device ? 0x80000000 : 0xFFFFFFFF);
    check_cpl(cpl, "  flags", rout.eflags & FL_ARITH, add_flags32(kept(t, 0x7FFFFFFF), 1));

    poke32(T, 0x11111111);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 0x22222222;
    run_form(cpl, f_xchg);
    check_cpl(cpl, label(t, "xchg [m], eax: EAX"), rout.eax, kept(t, 0x11111111));
    check_cpl(cpl, "  [m]", peek32(T), kept(t, 0x22222222));

    poke32(T, 0x01234567), poke32(T + 4, 0x89ABCDEF);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 0x01234567, rin.edx = 0x89ABCDEF, rin.ebx = 0xB0B0B0B0, rin.ecx = 0xC0C0C0C0;
    run_form(cpl, f_cmpxchg8b);
    check_cpl(cpl, label(t, "cmpxchg8b [m]: ZF"), rout.eflags & FL_ZF, t->device ? FL_ZF : 0);
    check_cpl(cpl, "  EDX:EAX", rout.edx ^ rout.eax, t->device ? 0x89ABCDEF ^ 0x01234567 : 0);
    check_cpl(cpl, "  [m+4]:[m]", peek32(T + 4) ^ peek32(T), t->device ? 0xC0C0C0C0 ^ 0xB0B0B0B0 : 0);

    /* Bit 35 of [T]: bit 3 of the dword at T+4. */
    poke32(T, 0xFFFFFFFF), poke32(T + 4, 0);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 35;
    run_form(cpl, f_bt_reg);
    check_cpl(cpl, label(t, "bt [m], eax=35: CF"), rout.eflags & FL_CF, t->device ? 0 : FL_CF);
    run_form(cpl, f_bts_reg);
    check_cpl(cpl, label(t, "bts [m], eax=35: [m+4]"), peek32(T + 4), kept(t, 8));
}

/* ---- code ----------------------------------------------------------------- */

static void code_forms(int cpl)
{
    uint32_t v;
    regs_reset(STACK_TOP, 0);
    rin.eax = OPEN_BUS;
    v = run_form(cpl, f_call_eax);
    check_trap_at(cpl, "call into open bus", v, VEC_UD, OPEN_BUS);

    /* mov eax, 0x12345678; ret - in the device. */
    static const uint8_t code[] = {0xB8, 0x78, 0x56, 0x34, 0x12, 0xC3};
    for (unsigned i = 0; i < sizeof code; i++)
        poke8(DEVICE + 0x800 + i, code[i]);
    regs_reset(STACK_TOP, 0);
    rin.eax = DEVICE + 0x800;
    v = run_form(cpl, f_call_eax);
    check_no_event(cpl, "call into code in the device", v);
    check_cpl(cpl, "  EAX", rout.eax, 0x12345678);
    /* The device's bytes change: the same indirect call runs the new ones
     * (bt86 once kept the first translation in its indirect-branch table). */
    poke8(DEVICE + 0x801, 0x21), poke8(DEVICE + 0x804, 0x87);
    regs_reset(STACK_TOP, 0);
    rin.eax = DEVICE + 0x800;
    v = run_form(cpl, f_call_eax);
    check_no_event(cpl, "call into rewritten code in the device", v);
    check_cpl(cpl, "  EAX", rout.eax, 0x87345621);

    /* mov eax, imm32 at the last byte of RAM below the hole: its immediate
     * is open bus, and so is the next instruction. */
    poke8(HOLE_START - 1, 0xB8);
    regs_reset(STACK_TOP, 0);
    rin.eax = HOLE_START - 1;
    v = run_form(cpl, f_call_eax);
    check_trap_at(cpl, "call mov eax, imm32 across RAM | open bus", v, VEC_UD, HOLE_START + 4);
    check_cpl(cpl, "  EAX at the #UD", catch_rec.eax, 0xFFFFFFFF);
}

/* Code in RAM that has run (so it is translated) is overwritten from the
 * device by rep movsb, then runs again: the new bytes must run. */
static uint8_t code_page[4096] __attribute__((aligned(4096)));

static void code_copied_from_device(int cpl)
{
    static const uint8_t one[] = {0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3}; /* mov eax, 1; ret */
    static const uint8_t two[] = {0xB8, 0x02, 0x00, 0x00, 0x00, 0xC3}; /* mov eax, 2; ret */
    for (unsigned i = 0; i < sizeof one; i++)
        code_page[i] = one[i], poke8(DEVICE + 0x900 + i, two[i]);
    regs_reset(STACK_TOP, 0);
    rin.eax = (uint32_t)code_page;
    run_form(cpl, f_call_eax);
    check_cpl(cpl, "code in RAM, run", rout.eax, 1);
    regs_reset(STACK_TOP, 0);
    rin.esi = DEVICE + 0x900, rin.edi = (uint32_t)code_page, rin.ecx = sizeof two;
    run_form(cpl, f_rep_movsb);
    regs_reset(STACK_TOP, 0);
    rin.eax = (uint32_t)code_page;
    run_form(cpl, f_call_eax);
    check_cpl(cpl, "  run again after rep movsb from the device over it", rout.eax, 2);
}

/* ---- accesses that straddle RAM, open bus and the device ------------------ */

static void straddle_forms(int cpl)
{
    poke8(HOLE_START - 2, 0x34), poke8(HOLE_START - 1, 0x12);
    regs_reset(STACK_TOP, 0);
    rin.esi = HOLE_START - 2;
    run_form(cpl, f_mov_load);
    check_cpl(cpl, "mov eax, [RAM | open bus]", rout.eax, 0xFFFF1234);

    regs_reset(HOLE_START + 2, 0);
    run_form(cpl, f_push_imm);
    check_cpl(cpl, "push to RAM | open bus: the RAM half", peek32(HOLE_START - 4) >> 16, 0x3344);
    regs_reset(HOLE_START - 2, 0);
    run_form(cpl, f_pop_reg);
    check_cpl(cpl, "pop from RAM | open bus", rout.eax, 0xFFFF3344);

    for (unsigned i = 0; i < 4; i++)
        poke32(HOLE_END + 4 * i, 0);
    regs_reset(HOLE_END + 16, 0);
    rin.eax = 0xA0A0A0A0, rin.ecx = 0xC1C1C1C1, rin.edx = 0xD2D2D2D2, rin.ebx = 0xB3B3B3B3;
    rin.edi = 0x07070707;
    run_form(cpl, f_pushad);
    check_cpl(cpl, "pushad to open bus | RAM: EBX in RAM", peek32(HOLE_END), 0xB3B3B3B3);
    check_cpl(cpl, "  EAX in RAM", peek32(HOLE_END + 12), 0xA0A0A0A0);
    regs_reset(HOLE_END - 16, 0);
    run_form(cpl, f_popad);
    check_cpl(cpl, "popad from open bus | RAM: EDI", rout.edi, 0xFFFFFFFF);
    check_cpl(cpl, "  EAX", rout.eax, 0xA0A0A0A0);
    check_cpl(cpl, "  ESP", rout.esp, HOLE_END + 16);

    poke8(DEVICE_START, 0x11), poke8(DEVICE_START + 1, 0x22);
    buf[0] = 0;
    regs_reset(STACK_TOP, 0);
    rin.esi = DEVICE_START - 2, rin.edi = BUF;
    run_form(cpl, f_movsd);
    check_cpl(cpl, "movsd from open bus | device", buf[0], 0x2211FFFF);

    poke32(DEVICE_END - 4, 0);
    regs_reset(STACK_TOP, 0);
    rin.edi = DEVICE_END - 2, rin.eax = 0xA1B2C3D4;
    run_form(cpl, f_stosd);
    check_cpl(cpl, "stosd to device | open bus: the device's last dword", peek32(DEVICE_END - 4), 0xC3D40000);

    poke32(DEVICE_END - 4, 0x55667788);
    regs_reset(STACK_TOP, 0);
    rin.esi = DEVICE_END - 2;
    run_form(cpl, f_mov_load);
    check_cpl(cpl, "mov eax, [device | open bus]", rout.eax, 0xFFFF5566);

    fill(BUF, 8, 0x81);
    poke32(HOLE_START - 4, 0);
    regs_reset(STACK_TOP, 0);
    rin.esi = BUF, rin.edi = HOLE_START - 4, rin.ecx = 8;
    run_form(cpl, f_rep_movsb);
    check_cpl(cpl, "rep movsb x8 to RAM | open bus: the RAM dword", peek32(HOLE_START - 4), 0x84838281);

    poke8(HOLE_START - 2, 0x34), poke8(HOLE_START - 1, 0x12);
    buf[0] = 0xFFFF1235;
    regs_reset(STACK_TOP, 0);
    rin.esi = HOLE_START - 2, rin.edi = BUF;
    run_form(cpl, f_cmpsd);
    check_cpl(cpl, "cmpsd [RAM | open bus], [buf]: flags", rout.eflags & FL_ARITH, cmp_flags32(0xFFFF1234, 0xFFFF1235));
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("openbus: open bus and a device under every instruction form, paging off\n");
    poke8(0, 0xFF); /* after FF from open bus at 0xFFFFFFFF: FF FF, #UD */

    static const struct target targets[] = {{"open bus", OPEN_BUS, 0}, {"device", DEVICE, 1}};
    for (int cpl = 0; cpl <= 3; cpl += 3)
        for (unsigned i = 0; i < 2; i++) {
            kprintf("-- %s at %08x, CPL %d\n", targets[i].name, targets[i].at, cpl);
            stack_forms(&targets[i], cpl);
            branch_forms(&targets[i], cpl);
            string_forms(&targets[i], cpl);
            ident_forms(&targets[i], cpl);
        }
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        kprintf("-- code and straddling accesses, CPL %d\n", cpl);
        code_forms(cpl);
        code_copied_from_device(cpl);
        straddle_forms(cpl);
    }
    check_finish();
}
