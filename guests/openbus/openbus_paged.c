/* openbus_paged: open bus and a device behind paging. Linear pages map
 * physical memory nobody backs (reads all ones, writes vanish, code is
 * 0xFF bytes) and pages of pc-testdev's window at 0xFF000000 (reads back
 * what was written); each access goes through its page's translation and
 * permissions. Checked at CPL 0 and 3: stack, string and ident forms on
 * both, an access and an instruction that straddle a RAM page and a device
 * page, accesses that straddle a device page and a page that is not
 * present (#PF at the second page, nothing written), a read-only device
 * page, a supervisor open-bus page, code in open bus, and a remapping
 * (invlpg) from open bus to the device. */
#include "check.h"
#include "fault_check.h"
#include "forms.h"
#include "guest.h"
#include "paging.h"
#include "pm.h"
#include "print.h"

enum {
    OPEN_BUS_PHYS = 0x40000000,
    DEVICE_PHYS = 0xFF000000, /* four pages of the device: 0xFF000000-0xFF003FFF */
    WINDOW = 0x40000000,      /* linear: PDE 256, mapped by window_pt */
    L_OPEN_BUS = WINDOW,                /* open bus */
    L_DEVICE = WINDOW + 0x1000,         /* device page 0 */
    L_RAM = WINDOW + 0x2000,            /* a RAM page (ram_page) ... */
    L_DEVICE_AFTER_RAM = WINDOW + 0x3000, /* ... then device page 1 */
    L_DEVICE_BEFORE_HOLE = WINDOW + 0x4000, /* device page 2 ... */
    L_NOT_PRESENT = WINDOW + 0x5000,    /* ... then nothing */
    L_DEVICE_RO = WINDOW + 0x6000,      /* device page 3, read-only */
    L_OPEN_BUS_SUPER = WINDOW + 0x7000, /* open bus, supervisor only */
    L_REMAP = WINDOW + 0x8000,          /* open bus, then device page 0 */
    OFF = 0x100,
};

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t window_pt[1024] __attribute__((aligned(4096)));
static uint8_t ram_page[4096] __attribute__((aligned(4096)));

static uint32_t stack_area[1024] __attribute__((aligned(16)));
#define STACK_TOP ((uint32_t)&stack_area[1024])
static uint32_t buf[16] __attribute__((aligned(16)));
#define BUF ((uint32_t)buf)

static void map(uint32_t linear, uint32_t phys_addr, uint32_t flags)
{
    window_pt[PT_INDEX(linear)] = phys_addr | flags;
    invlpg(linear);
}

static void target_forms(const char *name, uint32_t T, int device, int cpl)
{
    uint32_t kept = device ? 0 : 0xFFFFFFFF; /* OR-ed into what a dword reads back */
    kprintf("-- %s at %08x, CPL %d\n", name, T, cpl);

    regs_reset(T + 4, 0);
    run_form(cpl, f_push_imm);
    check_cpl(cpl, "push imm32: the dword pushed", peek32(T), 0x11223344 | kept);

    poke32(T, 0x0BADC0DE);
    regs_reset(T, 0);
    run_form(cpl, f_pop_reg);
    check_cpl(cpl, "pop eax", rout.eax, 0x0BADC0DE | kept);

    poke32(T, 0x600DF00D);
    buf[0] = 0;
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.edi = BUF;
    run_form(cpl, f_movsd);
    check_cpl(cpl, "movsd from", buf[0], 0x600DF00D | kept);

    poke32(T, 5);
    buf[0] = 7;
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.edi = BUF;
    run_form(cpl, f_cmpsd);
    check_cpl(cpl, "cmpsd: flags", rout.eflags & FL_ARITH, cmp_flags32(5 | kept, 7));

    poke32(T, 0x7FFFFFFF);
    regs_reset(STACK_TOP, 0);
    rin.esi = T, rin.eax = 1;
    run_form(cpl, f_add_rmw);
    check_cpl(cpl, "add [m], eax", peek32(T), 0x80000000 | kept);

    regs_reset(T + 32, 0);
    rin.eax = 0xA0A0A0A0, rin.edi = 0x07070707;
    run_form(cpl, f_pushad);
    check_cpl(cpl, "pushad: EDI slot", peek32(T), 0x07070707 | kept);
    check_cpl(cpl, "  EAX slot", peek32(T + 28), 0xA0A0A0A0 | kept);
}

static void boundary_forms(int cpl)
{
    const uint32_t u = cpl == 3 ? PF_U : 0;
    uint32_t v;
    kprintf("-- page boundaries, CPL %d\n", cpl);

    /* pushad across RAM | device: EDI ESI EBP ESP in RAM, the rest in the device. */
    regs_reset(L_DEVICE_AFTER_RAM + 16, 0);
    rin.eax = 0xA0A0A0A0, rin.ebx = 0xB3B3B3B3, rin.edi = 0x07070707;
    run_form(cpl, f_pushad);
    check_cpl(cpl, "pushad across RAM | device: EDI in RAM", peek32(phys(ram_page) + 0xFF0), 0x07070707);
    check_cpl(cpl, "  EBX in the device", peek32(L_DEVICE_AFTER_RAM), 0xB3B3B3B3);
    check_cpl(cpl, "  EAX in the device", peek32(L_DEVICE_AFTER_RAM + 12), 0xA0A0A0A0);

    /* mov eax, imm32 on the RAM page's last byte, its immediate and a ret
     * in the device. */
    ram_page[0xFFF] = 0xB8;
    poke32(L_DEVICE_AFTER_RAM, 0x12345678);
    poke8(L_DEVICE_AFTER_RAM + 4, 0xC3);
    regs_reset(STACK_TOP, 0);
    rin.eax = L_DEVICE_AFTER_RAM - 1;
    v = run_form(cpl, f_call_eax);
    check_no_event(cpl, "call mov eax, imm32 across RAM | device", v);
    check_cpl(cpl, "  EAX", rout.eax, 0x12345678);

    /* Device | not present: #PF for the second page, nothing written. */
    poke32(L_NOT_PRESENT - 4, 0x44444444);
    regs_reset(STACK_TOP, 0);
    rin.edi = L_NOT_PRESENT - 2, rin.eax = 0x99999999;
    v = run_form(cpl, f_stosd);
    check_page_fault(cpl, "stosd across device | not present", v, PF_W | u, L_NOT_PRESENT);
    check_cpl(cpl, "  the device (not written)", peek32(L_NOT_PRESENT - 4), 0x44444444);
    check_cpl(cpl, "  EDI at the #PF", catch_rec.edi, L_NOT_PRESENT - 2);

    regs_reset(STACK_TOP, 0);
    rin.esi = L_NOT_PRESENT - 2, rin.edi = BUF;
    v = run_form(cpl, f_movsd);
    check_page_fault(cpl, "movsd from device | not present", v, u, L_NOT_PRESENT);

    if (cpl == 3) {
        regs_reset(L_NOT_PRESENT + 2, 0);
        v = run_form(cpl, f_push_imm);
        check_page_fault(cpl, "push across device | not present", v, PF_W | PF_U, L_NOT_PRESENT);
        check_cpl(cpl, "  the device (not written)", peek32(L_NOT_PRESENT - 4), 0x44444444);
    }

    /* A read-only device page: CPL 3 writes fault; CPL 0 ones (CR0.WP
     * clear) go through. */
    poke32(L_DEVICE_RO + OFF, 0);
    regs_reset(STACK_TOP, 0);
    rin.edi = L_DEVICE_RO + OFF, rin.eax = 0x31313131;
    v = run_form(cpl, f_stosd);
    if (cpl == 3) {
        check_page_fault(cpl, "stosd to a read-only device page", v, PF_P | PF_W | PF_U, L_DEVICE_RO + OFF);
        check_cpl(cpl, "  the device (not written)", peek32(L_DEVICE_RO + OFF), 0);
    } else {
        check_no_event(cpl, "stosd to a read-only device page (CR0.WP clear)", v);
        check_cpl(cpl, "  the device", peek32(L_DEVICE_RO + OFF), 0x31313131);
    }

    regs_reset(STACK_TOP, 0);
    rin.esi = L_OPEN_BUS_SUPER + OFF;
    v = run_form(cpl, f_mov_load);
    if (cpl == 3) check_page_fault(cpl, "mov eax, [supervisor open-bus page]", v, PF_P | PF_U, L_OPEN_BUS_SUPER + OFF);
    else check_cpl(cpl, "mov eax, [supervisor open-bus page]", rout.eax, 0xFFFFFFFF);

    regs_reset(STACK_TOP, 0);
    rin.eax = L_OPEN_BUS + 0x10;
    v = run_form(cpl, f_call_eax);
    check_trap_at(cpl, "call into open bus", v, VEC_UD, L_OPEN_BUS + 0x10);

    /* The same page, open bus and then the device: each push goes where
     * the page tables say at that moment. */
    map(L_REMAP, OPEN_BUS_PHYS, PG_P | PG_RW | PG_US);
    poke32(L_DEVICE + 0x200, 0);
    regs_reset(L_REMAP + 0x204, 0);
    run_form(cpl, f_push_imm);
    check_cpl(cpl, "push to a page of open bus", peek32(L_REMAP + 0x200), 0xFFFFFFFF);
    map(L_REMAP, DEVICE_PHYS, PG_P | PG_RW | PG_US);
    regs_reset(L_REMAP + 0x204, 0);
    run_form(cpl, f_push_imm);
    check_cpl(cpl, "push to the same page, remapped to the device", peek32(L_DEVICE + 0x200), 0x11223344);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("openbus_paged: open bus and a device through page tables\n");
    pg_init_directory(pd, ident_pt);
    pd[PD_INDEX(WINDOW)] = phys(window_pt) | PG_P | PG_RW | PG_US;
    const uint32_t user = PG_P | PG_RW | PG_US;
    map(L_OPEN_BUS, OPEN_BUS_PHYS, user);
    map(L_DEVICE, DEVICE_PHYS, user | PG_PCD);
    map(L_RAM, phys(ram_page), user);
    map(L_DEVICE_AFTER_RAM, DEVICE_PHYS + 0x1000, user | PG_PCD);
    map(L_DEVICE_BEFORE_HOLE, DEVICE_PHYS + 0x2000, user | PG_PCD);
    map(L_DEVICE_RO, DEVICE_PHYS + 0x3000, PG_P | PG_US | PG_PCD);
    map(L_OPEN_BUS_SUPER, OPEN_BUS_PHYS + 0x1000, PG_P | PG_RW);
    pg_enable(pd);

    for (int cpl = 0; cpl <= 3; cpl += 3) {
        target_forms("open bus", L_OPEN_BUS + OFF, 0, cpl);
        target_forms("device", L_DEVICE + OFF, 1, cpl);
        boundary_forms(cpl);
    }
    check_finish();
}
