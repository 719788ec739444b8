/* Code modified through another linear address. One physical page holds
 * generated code and is mapped twice: alias A (read-only, where the code
 * runs) and alias B (writable, where it is patched); the identity map is a
 * third alias. A translator keyed by linear address, or one that watches
 * writes only through the linear page it translated, gets these wrong.
 * SDM vol. 3, 11.6: a write is checked against cached code by physical
 * address, but software that modifies code through a different linear
 * address must serialize (e.g. CPUID) before running it; the in-page patch
 * checks therefore execute CPUID between patch and use. */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"
#include "probe.h"

enum {
    ALIAS_A = 0x40000000, /* PDE 256: the code, read-only */
    ALIAS_B = 0x40801000, /* PDE 258: the same frame, writable */
    RET_IMM = 0x100,      /* offset of `mov eax, imm32; ret` */
    PATCH_FN = 0x200,     /* offset of the function that patches itself via B */
    NOSYNC_FN = 0x300,    /* the same without CPUID */
};

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t pt_a[1024] __attribute__((aligned(4096)));
static uint32_t pt_b[1024] __attribute__((aligned(4096)));
static uint8_t code[2][4096] __attribute__((aligned(4096)));

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* mov eax, imm32 ; ret */
static void emit_ret_imm(uint8_t *p, uint32_t imm)
{
    p[0] = 0xB8;
    put32(p + 1, imm);
    p[5] = 0xC3;
}

/* uint32_t f(uint32_t v): stores v through alias B into the immediate of
 * its own `mov eax, imm32` a few bytes further on, optionally runs CPUID,
 * then executes that mov. */
static void emit_self_patch(uint8_t *p, uint32_t offset, int serialize)
{
    static const uint8_t head[] = {
        0x53,                   /* push ebx (CPUID clobbers it) */
        0x8B, 0x4C, 0x24, 0x08, /* mov ecx, [esp+8] */
        0x89, 0x0D,             /* mov [abs32], ecx */
    };
    uint8_t *q = p + offset;
    for (unsigned i = 0; i < sizeof head; i++)
        *q++ = head[i];
    uint8_t *abs = q;
    q += 4;
    *q++ = 0x31, *q++ = 0xC0; /* xor eax, eax */
    if (serialize)
        *q++ = 0x0F, *q++ = 0xA2; /* cpuid */
    else
        *q++ = 0x90, *q++ = 0x90; /* nop; nop */
    *q++ = 0xB8;              /* mov eax, imm32 */
    put32(abs, ALIAS_B + (uint32_t)(q - p));
    put32(q, 0xDEADC0DE);
    q += 4;
    *q++ = 0x5B; /* pop ebx */
    *q++ = 0xC3; /* ret */
}

static uint32_t call_at(uint32_t lin)
{
    uint32_t result = 0;
    if (probe_call(lin, &result))
        check_pf("call", 1, 0, 0, 0);
    return result;
}

static uint32_t call_with(uint32_t lin, uint32_t arg)
{
    return ((uint32_t(*)(uint32_t))lin)(arg);
}

static void patch_through_b(uint32_t imm)
{
    *(volatile uint32_t *)(ALIAS_B + RET_IMM + 1) = imm;
}

static void alias_patching(void)
{
    put_str("-- patch through alias B, run through alias A\n");
    check_eq("run A, original code", call_at(ALIAS_A + RET_IMM), 0x11111111);
    static const uint32_t values[] = {0x22222222, 0x33333333, 0x44444444};
    for (unsigned i = 0; i < 3; i++) {
        patch_through_b(values[i]);
        check_eq("run A after patching through B", call_at(ALIAS_A + RET_IMM), values[i]);
    }
    check_eq("run B, the same code", call_at(ALIAS_B + RET_IMM), 0x44444444);
    *(volatile uint32_t *)(phys(code[0]) + RET_IMM + 1) = 0x55555555;
    check_eq("run A after patching through the identity map",
             call_at(ALIAS_A + RET_IMM), 0x55555555);

    /* A string move through B rewrites the whole instruction. */
    uint8_t fresh[6];
    emit_ret_imm(fresh, 0x66666666);
    uint8_t *src = fresh, *dst = (uint8_t *)(ALIAS_B + RET_IMM);
    uint32_t n = sizeof fresh;
    __asm__ volatile("rep movsb" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
    check_eq("run A after rep movsb through B", call_at(ALIAS_A + RET_IMM), 0x66666666);

    /* A itself is read-only (CR0.WP=1): writing code through it faults and
     * changes nothing. */
    check_pf("write through read-only alias A", probe_write(ALIAS_A + RET_IMM + 1, 0x77777777),
             1, PF_P | PF_W, ALIAS_A + RET_IMM + 1);
    check_eq("run A after the faulting write", call_at(ALIAS_A + RET_IMM), 0x66666666);
}

static void in_page_patching(void)
{
    put_str("-- code in page A patching itself through B, then running the patch\n");
    static const uint32_t values[] = {0x0000A001, 0x0000B002, 0xC0DEC0DE};
    for (unsigned i = 0; i < 3; i++)
        check_eq("patch through B + cpuid, then run", call_with(ALIAS_A + PATCH_FN, values[i]),
                 values[i]);
    /* Without serialization the SDM promises nothing: report, do not assert. */
    for (unsigned i = 0; i < 2; i++) {
        uint32_t got = call_with(ALIAS_A + NOSYNC_FN, values[i]);
        kprintf("patch through B, no serialization, then run: %08x (%s; not asserted)\n", got,
                got == values[i] ? "new code" : "old code");
    }
}

static void remapping(void)
{
    put_str("-- remapping the code page\n");
    pt_a[PT_INDEX(ALIAS_A)] = phys(code[1]) | PG_P;
    invlpg(ALIAS_A);
    check_eq("run A after remap to frame 2 + invlpg", call_at(ALIAS_A + RET_IMM), 0x99999999);
    pt_a[PT_INDEX(ALIAS_A)] = phys(code[0]) | PG_P;
    invlpg(ALIAS_A);
    check_eq("run A after remap back + invlpg", call_at(ALIAS_A + RET_IMM), 0x66666666);
    pt_a[PT_INDEX(ALIAS_A)] = phys(code[1]) | PG_P;
    flush_tlb();
    check_eq("run A after remap to frame 2 + CR3 load", call_at(ALIAS_A + RET_IMM), 0x99999999);
    /* Patch frame 2 through B while A maps it. */
    pt_b[PT_INDEX(ALIAS_B)] = phys(code[1]) | PG_P | PG_RW;
    invlpg(ALIAS_B);
    patch_through_b(0xAAAAAAAA);
    check_eq("run A after patching frame 2 through B", call_at(ALIAS_A + RET_IMM), 0xAAAAAAAA);
}

/* The handler of vector 0x81: returns at once. */
__asm__(".text\n"
        "frame_handler:\n"
        "    iret\n");
extern void frame_handler(void);

/* An interrupt frame that the CPU pushes (in bt86, a C++ write to guest
 * memory, not translated code) onto a page holding translated code must
 * invalidate it as a store does. The stack is alias B of the code frame;
 * the pushed EIP, whose low byte is C3 (`ret`), lands on `mov eax, imm32`
 * so that the code returns EAX as it was instead of the immediate. */
static void frame_onto_code(void)
{
    put_str("-- an interrupt frame pushed onto translated code\n");
    check_eq("run A, translated", call_at(ALIAS_A + RET_IMM), 0xAAAAAAAA);
    idt_set_gate(0x81, frame_handler, 0);
    uint32_t saved_esp;
    __asm__ volatile("mov %%esp, %0\n"
                     "    mov %1, %%esp\n"
                     "    jmp 1f\n"
                     "    .p2align 8\n"
                     "    .skip 0xC1, 0xCC\n"
                     "1:  int $0x81\n" /* 2 bytes: the next EIP ends in C3 */
                     "    mov %0, %%esp\n"
                     : "=&r"(saved_esp)
                     : "r"(ALIAS_B + RET_IMM + 12)
                     : "memory");
    check_eq("frame's EIP on the code", (uint32_t) * (volatile uint8_t *)(ALIAS_B + RET_IMM), 0xC3);
    uint32_t result;
    __asm__ volatile("call *%2" : "=a"(result) : "a"(0x5EED5EED), "r"(ALIAS_A + RET_IMM) : "memory", "ecx", "edx");
    check_eq("run A after the frame overwrote it: ret", result, 0x5EED5EED);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("paging_smc: code modified through a second linear mapping\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    load_flat_gdt();
    idt_init();

    for (int i = 0; i < 4096; i++)
        code[0][i] = code[1][i] = 0xCC; /* int3 everywhere else */
    emit_ret_imm(code[0] + RET_IMM, 0x11111111);
    emit_self_patch(code[0], PATCH_FN, 1);
    emit_self_patch(code[0], NOSYNC_FN, 0);
    emit_ret_imm(code[1] + RET_IMM, 0x99999999);

    pg_init_directory(pd, ident_pt);
    pd[PD_INDEX(ALIAS_A)] = phys(pt_a) | PG_P | PG_RW;
    pd[PD_INDEX(ALIAS_B)] = phys(pt_b) | PG_P | PG_RW;
    pt_a[PT_INDEX(ALIAS_A)] = phys(code[0]) | PG_P; /* read-only */
    pt_b[PT_INDEX(ALIAS_B)] = phys(code[0]) | PG_P | PG_RW;
    pg_enable(pd);
    write_cr0(read_cr0() | CR0_WP);
    put_str("paging on, CR0.WP=1\n");

    alias_patching();
    in_page_patching();
    remapping();
    frame_onto_code();
    check_finish();
}
