/* priv_syscall: SYSCALL and SYSRET outside long mode, as AMD's family-6
 * CPUs define them (AMD64 APM vol. 3, SYSCALL/SYSRET "legacy mode"), and
 * EFER (MSR C000_0080h) and STAR (C000_0081h), which CPUID.80000001h:EDX
 * .SYSCALL implies. With EFER.SCE clear both instructions raise #UD; set,
 * SYSCALL saves the next EIP in ECX, loads CS = STAR[47:32] & fffc and SS =
 * STAR[47:32] + 8 (flat, not read from the GDT), clears IF, VM and RF, jumps to
 * STAR[31:0]; SYSRET, at CPL 0 only (else #GP(0)), loads CS = STAR[63:48]
 * | 3 and SS's selector = (STAR[63:48] + 8) | 3, sets IF and jumps to ECX.
 * Skipped where CPUID does not announce SYSCALL. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"

enum { MSR_EFER = 0xC0000080, MSR_STAR = 0xC0000081, EFER_SCE = 1, CPUID_SYSCALL = 1u << 11 };

struct rec {
    uint32_t cs, ss, ecx, eflags, count;
};
struct post {
    uint32_t cs, ss, eflags, ecx;
};
extern volatile struct rec entry_rec;
extern volatile struct post post_rec;
extern volatile uint32_t pre_eflags;
void syscall_entry(void);
uint32_t syscall_body(uint32_t), sysret_body(uint32_t);
extern const uint8_t syscall_insn[], syscall_return[], sysret_insn[];

static uint32_t cpuid_ext_edx(void)
{
    uint32_t a = 0x80000001, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d;
}

static volatile uint64_t msr_value;
static volatile uint32_t msr_index;
static uint32_t wrmsr_body(uint32_t unused)
{
    (void)unused;
    wrmsr(msr_index, msr_value);
    return 0;
}

static void check_wrmsr_faults(uint32_t index, uint64_t v, const char *what)
{
    msr_index = index;
    msr_value = v;
    check_event(what, catch_call(wrmsr_body, 0), VEC_GP, 0);
}

static void check_msrs(void)
{
    check_eq("EFER at power-on", (uint32_t)rdmsr(MSR_EFER), 0);
    wrmsr(MSR_EFER, EFER_SCE);
    check_eq("EFER.SCE set", (uint32_t)rdmsr(MSR_EFER), EFER_SCE);
    check_wrmsr_faults(MSR_EFER, EFER_SCE | 1u << 8, "wrmsr EFER.LME (no long mode)");
    check_wrmsr_faults(MSR_EFER, EFER_SCE | 1u << 11, "wrmsr EFER.NXE (no NX)");
    check_eq("EFER unchanged by the faults", (uint32_t)rdmsr(MSR_EFER), EFER_SCE);
    wrmsr(MSR_STAR, 0x123456789ABCDEF0ull);
    uint64_t star = rdmsr(MSR_STAR);
    check_eq("STAR low", (uint32_t)star, 0x9ABCDEF0);
    check_eq("STAR high", (uint32_t)(star >> 32), 0x12345678);
}

static void check_disabled(void)
{
    put_str("-- EFER.SCE clear: #UD\n");
    wrmsr(MSR_EFER, 0);
    check_event("CPL3 syscall", catch_user(syscall_body, 0), VEC_UD, NO_ERROR);
    check_event("CPL0 syscall", catch_call(syscall_body, 0), VEC_UD, NO_ERROR);
    check_event("CPL0 sysret", catch_call(sysret_body, 0), VEC_UD, NO_ERROR);
    wrmsr(MSR_EFER, EFER_SCE);
}

/* STAR: SYSRET's CS in 63:48 (the user code selector, RPL cleared on purpose:
 * sysret sets it), SYSCALL's in 47:32 (the kernel's, with RPL bits that
 * syscall must clear), the entry point in 31:0. */
static void round_trip(void)
{
    put_str("-- ring 3 -> 0 -> 3\n");
    uint16_t sysret_cs = PM_UCODE & 0xFFFC, syscall_cs = PM_KCODE | 2;
    wrmsr(MSR_STAR, (uint64_t)sysret_cs << 48 | (uint64_t)syscall_cs << 32 | (uint32_t)syscall_entry);
    user_ctx.eflags = FLAG_RSVD1 | FLAG_IF;
    uint32_t before = entry_rec.count;
    uint32_t v = catch_user(syscall_body, 0);
    user_ctx_reset();
    check_begin();
    put_str("CPL3 syscall, sysret: entered and came back");
    if (!check_end(event_outcome(v, NO_FAULT, NO_ERROR) && entry_rec.count == before + 1))
        return;
    check_eq("entry CS = STAR[47:32] & fffc", entry_rec.cs, PM_KCODE);
    check_eq("entry SS = STAR[47:32] + 8 (its RPL bits kept)", entry_rec.ss, syscall_cs + 8u);
    check_eq("entry ECX = the next EIP", entry_rec.ecx, (uint32_t)syscall_return);
    check_eq("entry IF cleared", entry_rec.eflags & FLAG_IF, 0);
    check_eq("ring 3 EFLAGS before syscall had IF", pre_eflags & FLAG_IF, FLAG_IF);
    check_eq("after sysret: CS = STAR[63:48] | 3", post_rec.cs, PM_UCODE);
    check_eq("after sysret: SS = (STAR[63:48] + 8) | 3", post_rec.ss, (uint16_t)(sysret_cs + 8) | 3);
    check_eq("after sysret: IF set", post_rec.eflags & FLAG_IF, FLAG_IF);
}

static void check_faults(void)
{
    put_str("-- #GP(0)\n");
    uint32_t v = catch_user(sysret_body, 0);
    check_begin();
    put_str("CPL3 sysret");
    int ok = event_outcome(v, VEC_GP, 0);
    if (v == VEC_GP && catch_eip() != (uint32_t)sysret_insn) {
        kprintf(", eip %08x (want %08x)", catch_eip(), (uint32_t)sysret_insn);
        ok = 0;
    }
    check_end(ok);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic, (void)mbi;
    pm_init();
    put_str("priv_syscall: syscall/sysret between ring 3 and ring 0 (legacy mode)\n");
    if (!(cpuid_ext_edx() & CPUID_SYSCALL)) {
        put_str("CPUID.80000001h:EDX.SYSCALL is 0: syscall/sysret absent, nothing to check\n");
        check_finish();
    }
    check_msrs();
    check_disabled();
    round_trip();
    check_faults();
    check_finish();
}
