/* priv_sysenter: SYSENTER and SYSEXIT (SDM vol. 2, SYSENTER/SYSEXIT; vol. 3,
 * 5.8.7). SYSENTER loads CS = IA32_SYSENTER_CS & 0xFFFC and SS = that + 8
 * with flat descriptors it does not read from the GDT, ESP and EIP from
 * IA32_SYSENTER_ESP/EIP, and clears IF (and VM, RF); SYSEXIT, at CPL 0 only,
 * loads CS = (IA32_SYSENTER_CS + 16) | 3, SS = (IA32_SYSENTER_CS + 24) | 3,
 * ESP = ECX, EIP = EDX, and leaves EFLAGS alone. Either one raises #GP(0)
 * while IA32_SYSENTER_CS[15:2] is 0. Skipped where CPUID.1:EDX.SEP is 0. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum { MSR_CS = 0x174, MSR_ESP = 0x175, MSR_EIP = 0x176, CPUID1_SEP = 1u << 11 };

struct rec {
    uint32_t cs, ss, esp, eflags, count;
};
extern volatile struct rec entry_rec, post_rec;
extern volatile uint32_t pre_eflags, exit_esp;
void sysenter_entry(void);
uint32_t sysenter_body(uint32_t), sysexit_body(uint32_t);
extern const uint8_t sysenter_insn[], sysexit_target[], sysexit_body_insn[];

static uint8_t entry_stack[4096] __attribute__((aligned(16)));
static uint8_t exit_stack[4096] __attribute__((aligned(16)));

static uint32_t entry_top(void)
{
    return (uint32_t)entry_stack + sizeof entry_stack - 32;
}

/* One round trip from ring 3 with IA32_SYSENTER_CS = cs_msr. */
static void round_trip(uint16_t cs_msr, const char *what)
{
    wrmsr(MSR_CS, cs_msr);
    wrmsr(MSR_ESP, entry_top());
    wrmsr(MSR_EIP, (uint32_t)sysenter_entry);
    exit_esp = (uint32_t)exit_stack + sizeof exit_stack - 64;
    user_ctx.eflags = FLAG_RSVD1 | FLAG_IF;
    uint32_t before = entry_rec.count;
    uint32_t v = catch_user(sysenter_body, 0);
    user_ctx_reset();
    check_begin();
    kprintf("CPL3 sysenter, IA32_SYSENTER_CS=%04x (%s): entered and came back", cs_msr, what);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR) && entry_rec.count == before + 1;
    if (!check_end(ok))
        return;
    uint16_t cs = cs_msr & 0xFFFC;
    check_eq("entry CS = MSR & fffc", entry_rec.cs, cs);
    check_eq("entry SS = CS + 8", entry_rec.ss, cs + 8);
    check_eq("entry ESP = IA32_SYSENTER_ESP", entry_rec.esp, entry_top());
    check_eq("entry IF cleared", entry_rec.eflags & FLAG_IF, 0);
    check_eq("after sysexit: CS = (MSR + 16) | 3", post_rec.cs, (uint16_t)(cs_msr + 16) | 3);
    check_eq("after sysexit: SS = (MSR + 24) | 3", post_rec.ss, (uint16_t)(cs_msr + 24) | 3);
    check_eq("after sysexit: ESP = ECX", post_rec.esp, exit_esp);
    check_eq("after sysexit: EFLAGS as the entry left them (IF 0)", post_rec.eflags,
             entry_rec.eflags);
    check_eq("ring 3 EFLAGS before sysenter had IF", pre_eflags & FLAG_IF, FLAG_IF);
}

static void check_msrs(void)
{
    wrmsr(MSR_CS, 0x0008);
    wrmsr(MSR_ESP, 0x12345678);
    wrmsr(MSR_EIP, 0x9ABCDEF0);
    check_eq("rdmsr IA32_SYSENTER_CS", (uint32_t)rdmsr(MSR_CS), 0x0008);
    check_eq("rdmsr IA32_SYSENTER_ESP", (uint32_t)rdmsr(MSR_ESP), 0x12345678);
    check_eq("rdmsr IA32_SYSENTER_EIP", (uint32_t)rdmsr(MSR_EIP), 0x9ABCDEF0);
}

static void check_faults(void)
{
    put_str("-- #GP(0)\n");
    wrmsr(MSR_ESP, entry_top());
    wrmsr(MSR_EIP, (uint32_t)sysenter_entry);
    wrmsr(MSR_CS, 0);
    exit_esp = (uint32_t)exit_stack + sizeof exit_stack - 64;
    uint32_t v = catch_user(sysenter_body, 0);
    check_begin();
    put_str("CPL3 sysenter with IA32_SYSENTER_CS = 0");
    int ok = event_outcome(v, VEC_GP, 0);
    if (v == VEC_GP && catch_eip() != (uint32_t)sysenter_insn) {
        kprintf(", eip %08x (want %08x)", catch_eip(), (uint32_t)sysenter_insn);
        ok = 0;
    }
    check_end(ok);
    v = catch_call(sysexit_body, 0);
    check_begin();
    put_str("CPL0 sysexit with IA32_SYSENTER_CS = 0");
    check_event_end(v, VEC_GP, 0);
    wrmsr(MSR_CS, PM_KCODE);
    v = catch_user(sysexit_body, 0);
    check_begin();
    put_str("CPL3 sysexit");
    ok = event_outcome(v, VEC_GP, 0);
    if (v == VEC_GP && catch_eip() != (uint32_t)sysexit_body_insn) {
        kprintf(", eip %08x (want %08x)", catch_eip(), (uint32_t)sysexit_body_insn);
        ok = 0;
    }
    check_end(ok);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_sysenter: sysenter/sysexit between ring 3 and ring 0\n");
    tcg_gap_init(magic, mbi);
    if (!(pm_cpuid1_edx() & CPUID1_SEP)) {
        put_str("CPUID.1:EDX.SEP is 0: sysenter/sysexit absent, nothing to check\n");
        check_finish();
    }
    check_msrs();
    put_str("-- ring 3 -> 0 -> 3\n");
    round_trip(PM_KCODE, "the usual layout");
    round_trip(PM_KCODE | 3, "RPL bits set");
    /* Entries 6-9 are not present: sysenter/sysexit never read them. */
    for (unsigned i = 6; i <= 9; i++)
        pm_gdt_set(i, FLAT_DATA(0) & ~((uint64_t)ACC_P << 40));
    round_trip(0x30, "GDT entries 6-9 not present");
    check_faults();
    tcg_gap_summary();
    check_finish();
}
