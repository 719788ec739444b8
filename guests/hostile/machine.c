/* The hostile kernel's machine: tables, tasks, paging, devices (see
 * hostile.h for the layout), and rescue_c, which puts all of it back after
 * every round. */
#include "dev.h"
#include "guest.h"
#include "hostile.h"
#include "paging.h"
#include "print.h"

enum {
    CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_ET = 1u << 4, CR0_NE = 1u << 5, CR0_AM = 1u << 18,
    CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
    IOMAP_BYTES = 0x400 / 8, /* ports 0-0x3FF; the rest lie past the TSS limit */
    PTE_KERNEL = PG_P | PG_RW | PG_A | PG_D,
    PTE_USER = PTE_KERNEL | PG_US,
    CANARY_WORD = 0xC0DEC0DE,
};

volatile uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
volatile uint64_t ldt[LDT_ENTRIES] __attribute__((aligned(8)));
volatile uint64_t idt[256] __attribute__((aligned(8)));
static uint64_t gdt_saved[GDT_ENTRIES], ldt_saved[LDT_ENTRIES], idt_saved[256];

static struct {
    struct tss32 t;
    uint8_t iomap[IOMAP_BYTES + 1]; /* + the 0xFF byte the CPU may read past the map */
} main_tss __attribute__((aligned(128)));
static struct tss32 df_tss __attribute__((aligned(128)));
static struct tss32 utask_tss __attribute__((aligned(128)));
static struct tss32 tiny_tss __attribute__((aligned(128)));

uint32_t kernel_pd[1024] __attribute__((aligned(4096)));
static uint32_t pt0[1024] __attribute__((aligned(4096)));
static uint32_t pt1[1024] __attribute__((aligned(4096)));
uint32_t user_pt[1024] __attribute__((aligned(4096)));
static uint32_t top_pt[1024] __attribute__((aligned(4096)));

static uint8_t trap_stack[8192] __attribute__((aligned(16)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));
static uint8_t utask_stack[4096] __attribute__((aligned(16)));
static uint8_t sysenter_stack[4096] __attribute__((aligned(16)));

/* What rescue (trap.asm) loads first. */
uint32_t k_cr0, k_cr3, k_cr4;
struct dtr k_gdtr, k_idtr;

static uint32_t image_sum, tables_sum;

extern const uint32_t trap_stub_table[256];
extern char __ro_end[]; /* lib/linker.ld: end of .text/.rodata */
void df_entry(void), utask_entry(void), sysenter_entry(void), kgate_entry(void);

/* Code and data descriptors are made accessed: the CPU need not write them. */
static uint64_t seg(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    if (access & ACC_S)
        access |= ACC_ACCESSED;
    return seg_desc(base, limit, access, flags);
}

static void init_task(struct tss32 *t, void (*entry)(void), uint8_t *stack, uint32_t size)
{
    *t = (struct tss32){0};
    t->cs = S_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = S_KDATA;
    t->eflags = FLAG_RSVD1;
    t->cr3 = (uint32_t)kernel_pd;
    t->eip = (uint32_t)entry;
    t->esp = (uint32_t)stack + size - 16;
    t->iomap_base = sizeof *t;
}

static void init_tasks(void)
{
    main_tss.t = (struct tss32){0};
    main_tss.t.ss0 = S_KDATA;
    main_tss.t.esp0 = (uint32_t)trap_stack + sizeof trap_stack - 16;
    main_tss.t.iomap_base = sizeof main_tss.t;
    for (unsigned i = 0; i <= IOMAP_BYTES; i++)
        main_tss.iomap[i] = 0xFF;
    /* User code may use the POST port, COM2 and an unclaimed port. */
    static const uint16_t allowed[] = {0x80, 0x81, 0x82, 0x83, 0x2F8, 0x2F9, 0x2FA, 0x2FB,
                                       0x2FC, 0x2FD, 0x1F0, 0x1F1, 0x1F2, 0x1F3};
    for (unsigned i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        main_tss.iomap[allowed[i] / 8] &= (uint8_t) ~(1u << (allowed[i] % 8));
    init_task(&df_tss, df_entry, df_stack, sizeof df_stack);
    init_task(&utask_tss, utask_entry, utask_stack, sizeof utask_stack);
    tiny_tss = (struct tss32){0};
}

static void init_gdt(void)
{
    const unsigned P = ACC_P, S = ACC_S;
    for (unsigned i = 0; i < GDT_ENTRIES; i++)
        gdt[i] = 0;
    gdt[S_KCODE >> 3] = seg(0, 0xFFFFF, P | S | ACC_CODE_XR, FL_G | FL_DB);
    gdt[S_KDATA >> 3] = seg(0, 0xFFFFF, P | S | ACC_DATA_RW, FL_G | FL_DB);
    gdt[S_UCODE >> 3] = seg(0, 0xFFFFF, P | S | ACC_DPL(3) | ACC_CODE_XR, FL_G | FL_DB);
    gdt[S_UDATA >> 3] = seg(0, 0xFFFFF, P | S | ACC_DPL(3) | ACC_DATA_RW, FL_G | FL_DB);
    gdt[S_TSS >> 3] = seg((uint32_t)&main_tss, sizeof main_tss - 1, P | SYS_TSS32, 0);
    gdt[S_DF_TSS >> 3] = seg((uint32_t)&df_tss, sizeof df_tss - 1, P | SYS_TSS32, 0);
    gdt[S_UTASK_TSS >> 3] =
        seg((uint32_t)&utask_tss, sizeof utask_tss - 1, P | ACC_DPL(3) | SYS_TSS32, 0);
    gdt[S_TINY_GATE >> 3] = gate_desc(S_TINY_TSS & ~3, 0, P | ACC_DPL(3) | SYS_TASK_GATE, 0);
    gdt[S_TINY_TSS >> 3] = seg((uint32_t)&tiny_tss, 0x2F, P | ACC_DPL(3) | SYS_TSS32, 0);
    gdt[S_KGATE >> 3] =
        gate_desc(S_KCODE, (uint32_t)kgate_entry, P | ACC_DPL(3) | SYS_CALL_GATE32, 0);
    gdt[S_WRAPDATA >> 3] = seg(WRAP_HI, 0xFFFFF, P | S | ACC_DPL(3) | ACC_DATA_RW, FL_G | FL_DB);
    gdt[S_DOWN >> 3] = seg(0, 0xFFF, P | S | ACC_DPL(3) | ACC_DATA_RW_DOWN, FL_DB);
    gdt[S_SMALL >> 3] = seg(U_DATA, 0xFFF, P | S | ACC_DPL(3) | ACC_DATA_RW, FL_DB);
    gdt[S_CODE16 >> 3] = seg(U_CODE, 0xFFFF, P | S | ACC_DPL(3) | ACC_CODE_XR, 0);
    gdt[S_CONF0 >> 3] = seg(0, 0xFFFFF, P | S | ACC_CODE_CONF_XR, FL_G | FL_DB);
    gdt[S_RODATA >> 3] = seg(0, 0xFFFFF, P | S | ACC_DPL(3) | ACC_DATA_RO, FL_G | FL_DB);
    gdt[S_ABSENT >> 3] = seg(0, 0xFFFFF, S | ACC_DPL(3) | ACC_DATA_RW, FL_G | FL_DB);
    gdt[S_XONLY >> 3] = seg(0, 0xFFFFF, P | S | ACC_DPL(3) | ACC_CODE_X, FL_G | FL_DB);
    gdt[S_DPL2 >> 3] = seg(0, 0xFFFFF, P | S | ACC_DPL(2) | ACC_DATA_RW, FL_G | FL_DB);
    gdt[S_LDT >> 3] = seg((uint32_t)ldt, sizeof ldt - 1, P | SYS_LDT, 0);
    gdt[S_UGATE >> 3] = gate_desc(S_UCODE, U_CODE, P | ACC_DPL(3) | SYS_CALL_GATE32, 2);
    gdt[S_DATA16 >> 3] = seg(0, 0xFFFFF, P | S | ACC_DPL(3) | ACC_DATA_RW, FL_G);
    for (unsigned i = 0; i < LDT_ENTRIES; i++)
        ldt[i] = 0;
    ldt[L_UCODE >> 3] = gdt[S_UCODE >> 3];
    ldt[L_UDATA >> 3] = gdt[S_UDATA >> 3];
}

static void set_gate(unsigned v, unsigned access)
{
    idt[v] = gate_desc(S_KCODE, trap_stub_table[v], access, 0);
}

static void init_idt(void)
{
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, ACC_P | SYS_INT_GATE32);
    set_gate(V_BP, ACC_P | ACC_DPL(3) | SYS_INT_GATE32);
    set_gate(V_OF, ACC_P | ACC_DPL(3) | SYS_INT_GATE32);
    set_gate(V_END, ACC_P | ACC_DPL(3) | SYS_INT_GATE32);
    set_gate(V_RESUME, ACC_P | ACC_DPL(3) | SYS_INT_GATE32);
    for (unsigned v = V_ABSENT_FIRST; v < V_ABSENT_FIRST + 8; v++)
        set_gate(v, ACC_DPL(3) | SYS_INT_GATE32);
    /* A few more user-callable vectors, different per seed. */
    for (unsigned i = 0; i < 4; i++)
        set_gate(0x30 + rng_below(0xB0), ACC_P | ACC_DPL(3) | SYS_INT_GATE32);
    idt[V_DF] = gate_desc(S_DF_TSS, 0, ACC_P | SYS_TASK_GATE, 0);
    idt[V_UTASK_GATE] = gate_desc(S_UTASK_TSS & ~3, 0, ACC_P | ACC_DPL(3) | SYS_TASK_GATE, 0);
}

void map_page(uint32_t lin, uint32_t phys, uint32_t flags)
{
    uint32_t *pt = (uint32_t *)(kernel_pd[PD_INDEX(lin)] & ~0xFFFu);
    pt[PT_INDEX(lin)] = flags ? (phys & ~0xFFFu) | flags | PG_P : 0;
    invlpg(lin);
}

static void init_paging(void)
{
    uint32_t ro_end = (uint32_t)__ro_end & ~0xFFFu;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t a = i * PAGE_SIZE;
        /* The kernel's code and constants are read-only even at CPL 0 (WP). */
        pt0[i] = a | (a >= 0x100000 && a < ro_end ? PTE_KERNEL & ~PG_RW : PTE_KERNEL);
        pt1[i] = (a + 0x400000) | PTE_KERNEL;
        user_pt[i] = top_pt[i] = 0;
        kernel_pd[i] = 0;
    }
    pt0[0] = P_WRAP_LO | PTE_USER;
    top_pt[1023] = P_WRAP_HI | PTE_USER;
    kernel_pd[0] = (uint32_t)pt0 | PTE_USER;
    kernel_pd[1] = (uint32_t)pt1 | PTE_KERNEL;
    kernel_pd[PD_INDEX(U_CODE)] = (uint32_t)user_pt | PTE_USER;
    kernel_pd[1023] = (uint32_t)top_pt | PTE_USER;
    for (uint32_t i = 0; i < 2; i++) {
        user_pt[PT_INDEX(U_CODE) + i] = (P_CODE + i * PAGE_SIZE) | PTE_USER;
        user_pt[PT_INDEX(U_ALIAS) + i] = (P_CODE + i * PAGE_SIZE) | PTE_USER;
        user_pt[PT_INDEX(U_STACK) + i] = (P_STACK + i * PAGE_SIZE) | PTE_USER;
    }
    for (uint32_t i = 0; i < 4; i++)
        user_pt[PT_INDEX(U_DATA) + i] = (P_DATA + i * PAGE_SIZE) | PTE_USER;
    user_pt[PT_INDEX(U_RO)] = P_RO | (PTE_USER & ~PG_RW);
    user_pt[PT_INDEX(U_OPENBUS)] = P_UNBACKED | PTE_USER;
    user_pt[PT_INDEX(U_CANARY)] = P_CANARY | PTE_KERNEL;
    user_pt[PT_INDEX(U_TRAP)] = P_TRAP | (PTE_USER & ~PG_RW);

    uint32_t *canary = (uint32_t *)P_CANARY, *ro = (uint32_t *)P_RO;
    for (unsigned i = 0; i < 1024; i++) {
        canary[i] = CANARY_WORD ^ i;
        ro[i] = 0x0B0B0000 | i;
    }
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        phys_ptr(P_TRAP)[i] = 0xCC;
    rng_fill(phys_ptr(P_DATA), 4 * PAGE_SIZE);
    rng_fill(phys_ptr(P_WRAP_HI), PAGE_SIZE);
    rng_fill(phys_ptr(P_WRAP_LO), PAGE_SIZE);
}

static uint32_t checksum(const volatile void *p, uint32_t bytes)
{
    const volatile uint32_t *w = p;
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < bytes / 4; i++)
        h = (h ^ w[i]) * 16777619u;
    return h;
}

/* What no round may change (the targeted kinds may change other PDEs). */
static uint32_t tables_checksum(void)
{
    return checksum(kernel_pd, 2 * sizeof kernel_pd[0]) ^ checksum(pt0, sizeof pt0) * 3 ^
           checksum(pt1, sizeof pt1) * 5 ^ checksum(idt, sizeof idt) * 7 ^
           checksum(phys_ptr(P_CANARY), PAGE_SIZE) * 11 ^ checksum(phys_ptr(P_RO), PAGE_SIZE) * 13;
}

static void load_tables(void)
{
    __asm__ volatile("lgdt %0\n\t"
                     "lidt %1\n\t"
                     "ltr %w2\n\t"
                     "lldt %w3"
                     :
                     : "m"(k_gdtr), "m"(k_idtr), "r"((uint32_t)S_TSS), "r"((uint32_t)S_LDT)
                     : "memory");
}

/* The PIT runs from the first round that wants the timer on: the host's
 * first timer signals then come while guest code runs. */
static int pit_started;

static void init_devices(void)
{
    dev_setup(); /* PIC at 0x20/0x28, all masked; loads a GDT/IDT of its own */
    if (pit_started)
        pit_ch0_rate(PIT_1KHZ); /* IRQ0 stays masked but in rounds: see timer_enable */
    outb(0x3FB, 0x03); /* COM1: 8N1, DLAB off; no interrupts; DTR, RTS */
    outb(0x3F9, 0x00);
    outb(0x3FC, 0x03);
}

static void set_sysenter(void)
{
    wrmsr(MSR_SYSENTER_CS, S_KCODE);
    wrmsr(MSR_SYSENTER_ESP, (uint32_t)sysenter_stack + sizeof sysenter_stack - 16);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
}

void machine_init(void)
{
    init_devices();
    init_tasks();
    init_gdt();
    init_idt();
    init_paging();
    set_sysenter();
    k_gdtr = (struct dtr){sizeof gdt - 1, (uint32_t)gdt};
    k_idtr = (struct dtr){sizeof idt - 1, (uint32_t)idt};
    k_cr3 = (uint32_t)kernel_pd;
    k_cr4 = CR4_PSE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    k_cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    for (unsigned v = 0; v < 256; v++)
        idt_saved[v] = idt[v];
    machine_commit_tables();
    load_tables();
    write_cr4(k_cr4);
    write_cr3(k_cr3);
    write_cr0(k_cr0);
    image_sum = checksum((void *)0x100000, (uint32_t)__ro_end - 0x100000);
    tables_sum = tables_checksum();
}

void machine_commit_tables(void)
{
    for (unsigned i = 0; i < GDT_ENTRIES; i++)
        gdt_saved[i] = gdt[i];
    /* ltr marked ours busy; saved, they are available again */
    static const uint16_t tasks[] = {S_TSS, S_DF_TSS, S_UTASK_TSS, S_TINY_TSS};
    for (unsigned i = 0; i < sizeof tasks / sizeof tasks[0]; i++)
        gdt_saved[tasks[i] >> 3] &= ~(1ull << 41);
    for (unsigned i = 0; i < LDT_ENTRIES; i++)
        ldt_saved[i] = ldt[i];
}

void timer_enable(int on)
{
    if (on && !pit_started) {
        pit_started = 1;
        pit_ch0_rate(PIT_1KHZ);
    }
    pic_set_masks(on ? 0xFE : 0xFF, 0xFF);
}

int machine_intact(void)
{
    int bad = 0;
    if (checksum((void *)0x100000, (uint32_t)__ro_end - 0x100000) != image_sum) {
        put_str("FAIL: the kernel image changed\n");
        bad = 1;
    }
    if (tables_checksum() != tables_sum) {
        put_str("FAIL: the page tables, IDT, canary or read-only page changed\n");
        bad = 1;
    }
    return bad;
}

/* Called by rescue (trap.asm) with the kernel's CR0/3/4, GDTR, IDTR,
 * segments and stack already loaded. */
void rescue_c(void)
{
    extern volatile uint32_t in_round, in_handler;
    for (unsigned i = 0; i < GDT_ENTRIES; i++) /* also marks every TSS available */
        gdt[i] = gdt_saved[i];
    for (unsigned i = 0; i < LDT_ENTRIES; i++)
        ldt[i] = ldt_saved[i];
    if (hostile_kind == K_RING0 || hostile_kind == K_DESC) /* random code, garbage gates */
        for (unsigned v = 0; v < 256; v++)
            idt[v] = idt_saved[v];
    init_tasks();
    __asm__ volatile("mov %0, %%dr7" : : "r"(0u));
    write_cr2(0);
    uint32_t mxcsr = 0x1F80;
    __asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr));
    for (unsigned i = 0; i < DEMAND_PAGES; i++)
        if (user_pt[PT_INDEX(U_DEMAND) + i])
            map_page(U_DEMAND + i * PAGE_SIZE, 0, 0);
    if (hostile_kind == K_RING0) {
        /* The round may have reprogrammed any device the kernel relies on. */
        set_sysenter();
        init_devices(); /* loads tables of its own: before ours */
    } else {
        outb(PIC2_CMD, 0x20);
        outb(PIC1_CMD, 0x20);
    }
    load_tables();
    in_handler = 0;
    in_round = 0;
}
