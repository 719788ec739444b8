/* priv_v86: virtual-8086 mode (SDM vol. 3, 20.2-20.4; vol. 2, IRET, INT n,
 * CLI, STI, PUSHF, POPF, IN/OUT):
 *  - an iretd at CPL 0 whose EFLAGS image has VM enters v86 mode, popping
 *    ESP, SS, ES, DS, FS and GS too; segments are paragraphs (base =
 *    selector * 16, 64 KiB), CPL is 3;
 *  - an interrupt or exception leaves through a 32-bit gate to ring 0 on
 *    the TSS's stack, pushing GS, FS, DS, ES, SS, ESP, EFLAGS (VM set), CS,
 *    EIP (and the error code); DS, ES, FS and GS are null in the handler;
 *  - cli, sti, pushf, popf, int n and iret are #GP(0) below IOPL 3; int3
 *    is not IOPL-sensitive (it meets the gate's DPL); at IOPL 3 they run,
 *    pushfd shows VM clear and iret stays in v86 mode;
 *  - port I/O consults the I/O permission bitmap whatever IOPL says;
 *  - lar is #UD, mov from CR0 #GP(0), a word past 64 KiB #GP(0), divide by
 *    zero #DE; SP wraps at 64 KiB; far call and retf load CS as a
 *    paragraph;
 *  - with CR4.VME below IOPL 3 (SDM vol. 3, 20.3-20.4): cli and sti change
 *    VIF, not IF; a 16-bit pushf shows VIF as IF and IOPL as 3, popf loads
 *    VIF; int n whose bit is clear in the TSS's redirection bitmap goes
 *    through the program's own vector table at linear 0 (clearing VIF), a
 *    set bit is #GP(0); a 16-bit iret loads VIF; pushfd, sti while VIP is
 *    set and popf of an image with TF stay #GP(0);
 *  - an interrupt or exception through a 16-bit interrupt or trap gate
 *    pushes the same frame as words (the gate's size decides: SDM INT n,
 *    INTERRUPT-FROM-VIRTUAL-8086-MODE) on the TSS's ring-0 stack and nulls
 *    the data segments too;
 *  - under paging, v86 code is user code: a supervisor page or a write to a
 *    read-only page is #PF with U set, CR2 the linear address. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "paging.h"
#include "pm.h"
#include "print.h"

enum { V86_CS = 0x2000, V86_LINEAR = 0x20000, V86_DATA = 0x28000, IOPL3 = 3u << 12 };

struct v86_frame {
    uint32_t eip, cs, eflags, esp, ss, es, ds, fs, gs;
};
uint32_t enter_v86(uint32_t frame);
extern const uint8_t v86_start[], v86_end[];
extern const uint8_t v86_segments[], v86_segments_hlt[], v86_cli[], v86_sti[], v86_pushf[], v86_popf[],
    v86_int[], v86_iret[], v86_int3[], v86_iopl3[], v86_iopl3_int_next[], v86_out[], v86_ud2[],
    v86_lar[], v86_mov_cr0[], v86_div[], v86_limit[], v86_stack[], v86_stack_hlt[], v86_vme[], v86_vme_hlt[],
    v86_vme_handler[], v86_vme_int41[], v86_vme_pushfd[], v86_vme_sti_vip[], v86_vme_popf_tf[], v86_vme_int42[],
    v86_vme_int43[],
    v86_pf_super[], v86_pf_write[], v86_pf_read_ok[], v86_gate16_int[], v86_gate16_int_next[], v86_gate16_gp[];
extern const uint8_t gate16_trampoline[];
extern volatile uint32_t gate16_target[2], gate16_cs;

static uint32_t ip_of(const uint8_t *label) { return (uint32_t)(label - v86_start); }
static volatile uint16_t *data16(uint32_t offset) { return (volatile uint16_t *)(V86_DATA + offset); }

static struct v86_frame frame;

/* Enters v86 mode at `entry` with these EFLAGS bits (IOPL, VIP ...);
 * returns the vector that came back. */
static uint32_t run_v86(const uint8_t *entry, uint32_t flags, uint32_t sp)
{
    frame = (struct v86_frame){ip_of(entry), V86_CS, FLAG_VM | flags | 0x2, sp, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000};
    return catch_call(enter_v86, (uint32_t)&frame);
}

/* The frame words below the catcher's record: [0] error code or EIP ... */
static uint32_t pushed(unsigned i) { return ((volatile uint32_t *)catch_rec.entry_esp)[i]; }

/* A v86 entry (SP = sp) that must end in `vector` (error code `error`,
 * NO_ERROR: none) with the frame's EIP at `at`. (catch_error() cannot tell
 * a v86 frame's EIP, below 1 MiB, from an error code: the frame is read
 * here.) */
static int leaves_sp(const char *what, const uint8_t *entry, uint32_t iopl, uint32_t sp, uint32_t vector,
                     uint32_t error, const uint8_t *at)
{
    uint32_t v = run_v86(entry, iopl, sp);
    check_begin();
    kprintf("%s (IOPL %u) -> vector %02x", what, (iopl & IOPL3) >> 12, v);
    unsigned eip_word = error == NO_ERROR ? 0 : 1;
    int ok = v == vector;
    if (!ok)
        kprintf(" (want %02x)", vector);
    if (ok && error != NO_ERROR && pushed(0) != error) {
        kprintf(", error %04x (want %04x)", pushed(0), error);
        ok = 0;
    }
    if (v == vector && pushed(eip_word) != ip_of(at)) {
        kprintf(", frame EIP %04x (want %04x)", pushed(eip_word), ip_of(at));
        ok = 0;
    }
    return check_end(ok);
}

static int leaves(const char *what, const uint8_t *entry, uint32_t iopl, uint32_t vector, uint32_t error,
                  const uint8_t *at)
{
    return leaves_sp(what, entry, iopl, 0x8000, vector, error, at);
}

static void check_entry_and_exit(void)
{
    put_str("-- iretd into v86 mode, #GP(0) back to ring 0\n");
    *(volatile uint16_t *)0x12340 = 0;
    if (!leaves("hlt in v86 mode", v86_segments, 0, VEC_GP, 0, v86_segments_hlt))
        return;
    check_eq("mov ds, 0x1234 then [0]: linear 0x12340", *(volatile uint16_t *)0x12340, 0xBEEF);
    check_eq("CS as v86 code reads it", *data16(0), V86_CS);
    check_eq("SS as v86 code reads it", *data16(2), 0x3000);
    check_eq("DS after the load", *data16(4), 0x1234);
    check_eq("frame CS", pushed(2), V86_CS);
    check_eq("frame EFLAGS has VM", pushed(3) & FLAG_VM, FLAG_VM);
    check_eq("frame ESP", pushed(4), 0x8000);
    check_eq("frame SS", pushed(5), 0x3000);
    check_eq("frame ES (the v86 code loaded 0x2800)", pushed(6), 0x2800);
    check_eq("frame DS (the v86 code's own)", pushed(7), 0x1234);
    check_eq("frame FS", pushed(8), 0x6000);
    check_eq("frame GS", pushed(9), 0x7000);
    check_eq("handler SS = TSS.SS0", catch_rec.entry_ss, pm_tss.ss0);
    check_eq("handler ESP = TSS.ESP0 - 40 (ten dwords)", catch_rec.entry_esp, pm_tss.esp0 - 40);
    check_eq("handler DS null", catch_rec.ds, 0);
    check_eq("handler ES null", catch_rec.es, 0);
    check_eq("handler FS null", catch_rec.fs, 0);
    check_eq("handler GS null", catch_rec.gs, 0);
    check_eq("handler EFLAGS: VM clear", catch_rec.handler_eflags & FLAG_VM, 0);
}

static void check_iopl_sensitive(void)
{
    put_str("-- IOPL-sensitive instructions below IOPL 3\n");
    leaves("cli", v86_cli, 0, VEC_GP, 0, v86_cli);
    leaves("sti", v86_sti, 0, VEC_GP, 0, v86_sti);
    leaves("pushf", v86_pushf, 0, VEC_GP, 0, v86_pushf);
    leaves("popf", v86_popf, 0, VEC_GP, 0, v86_popf);
    leaves("int 0x31", v86_int, 0, VEC_GP, 0, v86_int);
    leaves("iret", v86_iret, 0, VEC_GP, 0, v86_iret);
    pm_idt_catch(3, 0);
    leaves("int3 through a DPL-0 gate", v86_int3, 0, VEC_GP, 3 * 8 + 2, v86_int3);
    put_str("-- at IOPL 3\n");
    pm_idt_catch(0x31, 3);
    for (unsigned k = 0x10; k < 0x20; k += 2)
        *data16(k) = 0;
    if (leaves("cli, sti, pushf, popf, iret, then int 0x31 (a DPL-3 gate)", v86_iopl3, IOPL3, 0x31, NO_ERROR,
               v86_iopl3_int_next)) {
        check_eq("pushf after cli: IF clear", *data16(0x10) & FLAG_IF, 0);
        check_eq("pushf after sti: IF set", *data16(0x12) & FLAG_IF, FLAG_IF);
        check_eq("pushfd: VM reads as 0", (*data16(0x16) << 16) & FLAG_VM, 0);
        check_eq("popf 0x0001: CF set, IF clear", *data16(0x18) & (FLAG_CF | FLAG_IF), FLAG_CF);
        check_eq("iret within v86 mode skipped to its target", *data16(0x1A), 0);
        check_eq("and went on there", *data16(0x1C), 0x600D);
        check_eq("frame EFLAGS: VM and IOPL 3", pushed(2) & (FLAG_VM | IOPL3), FLAG_VM | IOPL3);
    }
    leaves("out 0x80 with no I/O bitmap", v86_out, IOPL3, VEC_GP, 0, v86_out);
}

static void check_exceptions(void)
{
    put_str("-- exceptions\n");
    leaves("ud2", v86_ud2, 0, VEC_UD, NO_ERROR, v86_ud2);
    leaves("lar", v86_lar, 0, VEC_UD, NO_ERROR, v86_lar);
    leaves("mov eax, cr0", v86_mov_cr0, 0, VEC_GP, 0, v86_mov_cr0);
    leaves("div by zero", v86_div, 0, VEC_DE, NO_ERROR, v86_div + 4);
    leaves("a word at offset 0xffff", v86_limit, 0, VEC_GP, 0, v86_limit);
}

static void check_stack_and_far(void)
{
    put_str("-- the stack and far transfers\n");
    *(volatile uint16_t *)(0x30000 + 0xFFFE) = 0;
    if (leaves_sp("push at SP 0, far call and retf", v86_stack, 0, 0, VEC_GP, 0, v86_stack_hlt)) {
        check_eq("the word went to SS:FFFE", *(volatile uint16_t *)(0x30000 + 0xFFFE), 0x7E57);
        check_eq("frame ESP = 0xfffe", pushed(4), 0xFFFE);
        check_eq("CS in the far-called code", *data16(0x20), 0x1F00);
    }
}

enum { S_TRAMP16 = 0x38, SYS_INT_GATE16 = 0x06, SYS_TRAP_GATE16 = 0x07 };

/* Word i of a 16-bit frame, from the handler's SP up. */
static uint32_t pushed16(unsigned i) { return ((volatile uint16_t *)catch_rec.entry_esp)[i]; }

/* The frame of an event through a 16-bit gate from v86 mode, word by word
 * from the top: [error code,] IP, CS, FLAGS, SP, SS, ES, DS, FS, GS. */
static void check_frame16(unsigned first, const uint8_t *ip, uint32_t words)
{
    static const char *const names[] = {"IP", "CS", "FLAGS (IF, IOPL 3)", "SP", "SS", "ES", "DS", "FS", "GS"};
    const uint32_t want[] = {ip_of(ip), V86_CS, FLAG_IF | IOPL3 | 2, 0x8000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000};
    for (unsigned i = 0; i < 9; i++) {
        check_begin();
        kprintf("frame word %u, %s", first + i, names[i]);
        uint32_t got = pushed16(first + i);
        uint32_t mask = i == 2 ? (uint32_t)(FLAG_IF | IOPL3 | 2 | FLAG_TF | FLAG_NT) : 0xFFFF;
        if ((got & mask) != want[i])
            kprintf(": %04x (want %04x)", got, want[i]);
        check_end((got & mask) == want[i]);
    }
    check_eq("handler SS = TSS.SS0", catch_rec.entry_ss, pm_tss.ss0);
    check_eq("handler ESP = TSS.ESP0 - the frame's words", catch_rec.entry_esp, pm_tss.esp0 - 2 * words);
    check_eq("handler CS = the gate's selector", gate16_cs, S_TRAMP16);
    check_eq("handler DS null", catch_rec.ds, 0);
    check_eq("handler ES null", catch_rec.es, 0);
    check_eq("handler FS null", catch_rec.fs, 0);
    check_eq("handler GS null", catch_rec.gs, 0);
    check_eq("handler EFLAGS: VM clear", catch_rec.handler_eflags & FLAG_VM, 0);
}

/* Runs v86 code at `entry` with these EFLAGS bits; true when `vector` ended it. */
static int ends_in(const char *what, const uint8_t *entry, uint32_t flags, uint32_t vector)
{
    uint32_t v = run_v86(entry, flags, 0x8000);
    check_begin();
    kprintf("%s -> vector %02x", what, v);
    if (v != vector)
        kprintf(" (want %02x)", vector);
    return check_end(v == vector);
}

static void check_gate16(void)
{
    put_str("-- through 16-bit gates\n");
    pm_gdt_set(S_TRAMP16 >> 3, seg_desc((uint32_t)gate16_trampoline, 0xFFFF, ACC_P | ACC_S | ACC_CODE_XR, 0));
    pm_idt_set(0x33, gate_desc(S_TRAMP16, 0, ACC_P | ACC_DPL(3) | SYS_INT_GATE16, 0));
    pm_idt_set(0x34, gate_desc(S_TRAMP16, 0, ACC_P | SYS_INT_GATE16, 0));
    pm_idt_set(VEC_GP, gate_desc(S_TRAMP16, 0, ACC_P | SYS_TRAP_GATE16, 0));
    gate16_target[1] = PM_KCODE;

    gate16_target[0] = pm_catch_entry(0x33);
    gate16_cs = 0;
    if (ends_in("int 0x33 through a DPL-3 16-bit interrupt gate", v86_gate16_int, IOPL3 | FLAG_IF, 0x33)) {
        check_frame16(0, v86_gate16_int_next, 9);
        check_eq("handler IF clear (an interrupt gate)", catch_rec.handler_eflags & FLAG_IF, 0);
    }
    gate16_target[0] = pm_catch_entry(VEC_GP);
    gate16_cs = 0;
    if (ends_in("int 0x34 through a DPL-0 gate: #GP through a 16-bit trap gate", v86_gate16_gp, IOPL3 | FLAG_IF, VEC_GP)) {
        check_eq("frame word 0, the error code (0x34 * 8 + 2)", pushed16(0), 0x34 * 8 + 2);
        check_frame16(1, v86_gate16_gp, 10);
        check_eq("handler IF kept (a trap gate)", catch_rec.handler_eflags & FLAG_IF, FLAG_IF);
    }
    pm_idt_catch(0x33, 0);
    pm_idt_catch(0x34, 0);
    pm_idt_catch(VEC_GP, 0);
}

enum { FLAG_VIF = 1u << 19, FLAG_VIP = 1u << 20, S_TSS_VME = 0x30 };

/* A TSS with an interrupt redirection bitmap (the 32 bytes below the I/O
 * map base; no I/O bitmap: it would start past the limit). */
struct tss_with_redirection {
    struct tss32 tss;
    uint8_t redirect[32];
} __attribute__((packed));
static struct tss_with_redirection tss_vme __attribute__((aligned(64)));
enum { TSS_VME_SIZE = sizeof(struct tss_with_redirection) };
/* The IVT at linear 0, written through a pointer the compiler cannot see
 * the value of (a constant near 0 looks like a null pointer to it). */
static volatile uint16_t *volatile ivt = 0;

static void check_vme(void)
{
    put_str("-- CR4.VME below IOPL 3\n");
    tss_vme.tss = pm_tss;
    tss_vme.tss.iomap_base = TSS_VME_SIZE;
    tss_vme.redirect[0x41 / 8] = 1u << (0x41 % 8);  /* 0x40 clear: redirected; 0x41 set */
    pm_gdt_set(S_TSS_VME >> 3, seg_desc((uint32_t)&tss_vme, TSS_VME_SIZE - 1, ACC_P | SYS_TSS32, 0));
    __asm__ volatile("ltr %w0\n\t"
                     "mov %%cr4, %%eax\n\t"
                     "or $1, %%eax\n\t"
                     "mov %%eax, %%cr4" : : "r"(S_TSS_VME) : "eax");
    ivt[0x40 * 2] = (uint16_t)ip_of(v86_vme_handler);
    ivt[0x40 * 2 + 1] = V86_CS;
    for (unsigned k = 0x30; k < 0x40; k += 2)
        *data16(k) = 0xFFFF;
    if (leaves("cli, sti, pushf, popf, int 0x40 redirected, iret", v86_vme, 0, VEC_GP, 0, v86_vme_hlt)) {
        check_eq("pushf after cli: IF (VIF) clear, IOPL 3", *data16(0x30) & (FLAG_IF | IOPL3), IOPL3);
        check_eq("pushf after sti: IF (VIF) set", *data16(0x32) & FLAG_IF, FLAG_IF);
        check_eq("popf 0x0000: VIF clear", *data16(0x34) & FLAG_IF, 0);
        check_eq("the redirected handler ran with VIF clear", *data16(0x36) & FLAG_IF, 0);
        check_eq("and its iret came back after the int", *data16(0x38), 0x1111);
        check_eq("with VIF set again (the image's IF)", *data16(0x3A) & FLAG_IF, FLAG_IF);
        check_eq("frame EFLAGS: IF untouched (clear), VIF set", pushed(3) & (FLAG_IF | FLAG_VIF), FLAG_VIF);
    }
    leaves("int 0x41, its redirection bit set", v86_vme_int41, 0, VEC_GP, 0, v86_vme_int41);
    leaves("pushfd", v86_vme_pushfd, 0, VEC_GP, 0, v86_vme_pushfd);
    leaves("sti while VIP is set", v86_vme_sti_vip, FLAG_VIP, VEC_GP, 0, v86_vme_sti_vip);
    leaves("popf of an image with TF", v86_vme_popf_tf, 0, VEC_GP, 0, v86_vme_popf_tf + 3);
    /* The redirection loads CS:IP from the table with no limit check (SDM
     * vol. 3, table 20-2; vol. 2, INT n): IP 0xFFFF is within every v86
     * segment; what runs there is fetched against the 64 KiB limit. */
    ivt[0x42 * 2] = 0xFFFF, ivt[0x42 * 2 + 1] = 0x2F00; /* linear 0x3EFFF */
    ivt[0x43 * 2] = 0xFFFF, ivt[0x43 * 2 + 1] = 0x2F01; /* linear 0x3F00F */
    *(volatile uint8_t *)0x3EFFF = 0xF4;                 /* hlt */
    *(volatile uint16_t *)0x3F00F = 0xC031;              /* xor ax, ax: past the limit */
    if (ends_in("int 0x42 redirected to 2F00:FFFF, its hlt", v86_vme_int42, 0, VEC_GP)) {
        check_eq("frame IP", pushed(1), 0xFFFF);
        check_eq("frame CS", pushed(2), 0x2F00);
    }
    if (ends_in("int 0x43 redirected to 2F01:FFFF, a fetch past the limit", v86_vme_int43, 0, VEC_GP)) {
        check_eq("error code", pushed(0), 0);
        check_eq("frame IP", pushed(1), 0xFFFF);
        check_eq("frame CS", pushed(2), 0x2F01);
    }
}

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));

static void check_paging(void)
{
    put_str("-- under paging\n");
    pg_init_directory(pd, pt);
    pt[0] |= PG_P | PG_RW | PG_US;  /* the IVT page, present for v86 code */
    pt[0x31] &= ~PG_US;             /* 0x31000: supervisor only */
    pt[0x32] &= ~PG_RW;             /* 0x32000: read-only */
    pg_enable(pd);
    if (leaves("a read of a supervisor page", v86_pf_super, 0, VEC_PF, PF_P | PF_U, v86_pf_super + 5))
        check_eq("CR2", read_cr2(), 0x31000);
    if (leaves("a write to a read-only page", v86_pf_write, 0, VEC_PF, PF_P | PF_W | PF_U, v86_pf_write + 5))
        check_eq("CR2", read_cr2(), 0x32000);
    leaves("a read of the read-only page", v86_pf_read_ok, 0, VEC_GP, 0, v86_pf_read_ok + 8);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("priv_v86: virtual-8086 mode\n");
    const uint8_t *src = v86_start;
    for (uint8_t *dst = (uint8_t *)V86_LINEAR; src < v86_end;)
        *dst++ = *src++;
    check_entry_and_exit();
    check_iopl_sensitive();
    check_exceptions();
    check_stack_and_far();
    check_gate16();
    check_vme();
    check_paging();
    check_finish();
}
