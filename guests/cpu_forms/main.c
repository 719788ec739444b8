/* cpu_forms: encodings of announced instructions that bt86 must run, not
 * only their common forms (SDM vol. 2, CALL, RET, JMP, ENTER, LEAVE, IRET,
 * MASKMOVQ, MASKMOVDQU, MOVZX/MOVSX):
 *  - 16-bit operand size in 32-bit code (66 prefix): near call pushes IP
 *    and call/jmp rel16 wrap IP at 64 KiB; call/jmp r/m16 ignore the upper
 *    half of the register; ret pops IP (ret n releases n more); leave pops
 *    BP; enter pushes BP and sets only BP (EBP's upper half stays);
 *    far call pushes CS and IP (2 bytes each), far ret and iret pop them;
 *  - maskmovq/maskmovdqu store the bytes whose mask byte has its top bit
 *    set at DS:EDI, or DS:DI with a 16-bit address size, or another segment
 *    by override;
 *  - movzx/movsx into ESP or SP from a high-byte register.
 * The 16-bit transfers land below 64 KiB, where the kernel puts small
 * pieces of code. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "snippet.h"
#include "tcg_gap.h"

#define W(x) (uint8_t)(x), (uint8_t)((x) >> 8)
#define D(x) W(x), W((x) >> 16)

enum {
    LOW_TARGETS = 0x4000, /* 32 bytes each */
    LOW_BODIES = 0x5000,  /* 64 bytes each */
    LOW_SCRATCH = 0x6000,
    S_FS_BASED = 0x30, /* flat data with base 100h */
    MARK = 0x600DF00D,
};

static unsigned targets, bodies;

/* A piece of code below 64 KiB. */
static uint32_t low_target(void) { return LOW_TARGETS + 0x20 * targets++; }
static uint32_t low_body(void) { return LOW_BODIES + 0x40 * bodies++; }

/* At a low target: EAX = ESP - ECX (0 when the transfer left the stack as
 * the body found it, in ECX), back to the caller. */
static uint32_t esp_delta_target(void)
{
    uint32_t t = low_target();
    SNIPPET_AT(t, 0x89, 0xE0, 0x29, 0xC8); /* mov eax, esp; sub eax, ecx */
    return t;
}

/* At a low target: pop the word a 16-bit call pushed into EAX, back. */
static uint32_t pop_ip_target(void)
{
    uint32_t t = low_target();
    SNIPPET_AT(t, 0x66, 0x58, 0x0F, 0xB7, 0xC0); /* pop ax; movzx eax, ax */
    return t;
}

/* At a low target: pop a 16-bit far call's IP and CS into EAX = CS:IP. */
static uint32_t pop_cs_ip_target(void)
{
    uint32_t t = low_target();
    SNIPPET_AT(t, 0x66, 0x58, 0x66, 0x5A, 0xC1, 0xE2, 0x10, 0x0F, 0xB7, 0xC0, 0x09, 0xD0);
    return t; /* pop ax; pop dx; shl edx, 16; movzx eax, ax; or eax, edx */
}

static void expect_eax(int cpl, body_fn body, uint32_t arg, uint32_t want, const char *what)
{
    uint32_t v = catch_at(cpl, body, arg);
    check_begin();
    kprintf("CPL%d %s", cpl, what);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    if (ok) {
        kprintf(", eax %08x", catch_ret);
        if (catch_ret != want) {
            kprintf(" (want %08x)", want);
            ok = 0;
        }
    }
    check_end(ok);
}

static void check_near16(int cpl)
{
    /* call rel16 from 5xxx + 0F000h: IP wraps to 4xxx. */
    uint32_t t = pop_ip_target(), l = low_body();
    uint16_t rel = (uint16_t)(t + 0x10000 - (l + 4));
    expect_eax(cpl, SNIPPET_AT(l, 0x66, 0xE8, W(rel)), 0, l + 4, "call rel16 (66 e8), wrapping: pushed IP");
    t = esp_delta_target(), l = low_body();
    rel = (uint16_t)(t + 0x10000 - (l + 6));
    expect_eax(cpl, SNIPPET_AT(l, 0x89, 0xE1, 0x66, 0xE9, W(rel)), 0, 0, "jmp rel16 (66 e9), wrapping");

    body_fn b;
    t = pop_ip_target();
    b = SNIPPET(0xB9, D(0xABCD0000 | t), 0x66, 0xFF, 0xD1); /* mov ecx, junk:t; call cx */
    expect_eax(cpl, b, 0, ((uint32_t)b + 8) & 0xFFFF, "call cx (66 ff d1), upper half junk: IP pushed");
    t = esp_delta_target();
    b = SNIPPET(0x89, 0xE1, 0xBA, D(0x12340000 | t), 0x66, 0xFF, 0xE2); /* jmp dx */
    expect_eax(cpl, b, 0, 0, "jmp dx (66 ff e2), upper half junk");
    static uint16_t slot;
    slot = (uint16_t)(t = pop_ip_target());
    b = SNIPPET(0x66, 0xFF, 0x15, D((uint32_t)&slot));
    expect_eax(cpl, b, 0, ((uint32_t)b + 7) & 0xFFFF, "call word [m] (66 ff 15)");

    t = esp_delta_target();
    b = SNIPPET(0x89, 0xE1, 0x66, 0x68, W(t), 0x66, 0xC3); /* push word t; ret */
    expect_eax(cpl, b, 0, 0, "ret (66 c3): pops IP, 2 bytes");
    t = esp_delta_target();
    b = SNIPPET(0x89, 0xE1, 0x68, D(0xDEADBEEF), 0x66, 0x68, W(t), 0x66, 0xC2, W(4));
    expect_eax(cpl, b, 0, 0, "ret 4 (66 c2 04 00): pops IP and 4 more bytes");
}

struct frame_record {
    uint32_t esp, ebp, ecx, word;
};

static void check_enter_leave(int cpl)
{
    /* push ebp; mov ecx, esp; sub esp, 8; mov word [esp], 1234h; mov ebp, esp;
     * leave (66 c9); eax = (esp - ecx) << 16 | bp; mov esp, ecx; pop ebp */
    body_fn b = SNIPPET(0x55, 0x89, 0xE1, 0x83, 0xEC, 0x08, 0x66, 0xC7, 0x04, 0x24, W(0x1234), 0x89, 0xE5, 0x66,
                        0xC9, 0x89, 0xE0, 0x29, 0xC8, 0xC1, 0xE0, 0x10, 0x66, 0x89, 0xE8, 0x89, 0xCC, 0x5D);
    expect_eax(cpl, b, 0, 0xFFFA1234, "leave (66 c9): ESP = EBP + 2, BP popped");

    /* mov edi, [esp+4]; push ebp; mov ecx, esp; mov ebp, AAAA5555h; enter 8, 0
     * (66 c8); record esp, ebp, ecx and the word at [esp+8]; mov esp, ecx; pop ebp */
    static struct frame_record r;
    b = SNIPPET(0x8B, 0x7C, 0x24, 0x04, 0x55, 0x89, 0xE1, 0xBD, D(0xAAAA5555), 0x66, 0xC8, W(8), 0x00, 0x89, 0x27,
                0x89, 0x6F, 0x04, 0x89, 0x4F, 0x08, 0x0F, 0xB7, 0x44, 0x24, 0x08, 0x89, 0x47, 0x0C, 0x89, 0xCC, 0x5D);
    uint32_t v = catch_at(cpl, b, (uint32_t)&r);
    check_begin();
    kprintf("CPL%d enter 8, 0 (66 c8)", cpl);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    if (ok) {
        kprintf(": ESP-10 %d, EBP %08x, pushed BP %04x", r.esp == r.ecx - 10, r.ebp, r.word);
        ok = r.esp == r.ecx - 10 && r.ebp == (0xAAAA0000 | ((r.ecx - 2) & 0xFFFF)) && r.word == 0x5555;
        if (!ok)
            kprintf(" (want 1, %08x, 5555)", 0xAAAA0000 | ((r.ecx - 2) & 0xFFFF));
    }
    check_end(ok);
}

static void check_far16(int cpl)
{
    const uint16_t cs = cpl ? PM_UCODE : PM_KCODE;
    uint32_t t = esp_delta_target();
    body_fn b = SNIPPET(0x89, 0xE1, 0x66, 0x9C, 0x66, 0x0E, 0x66, 0x68, W(t), 0x66, 0xCF);
    expect_eax(cpl, b, 0, 0, "iret (66 cf): pops IP, CS, FLAGS, 2 bytes each");
    t = esp_delta_target();
    b = SNIPPET(0x89, 0xE1, 0x66, 0x0E, 0x66, 0x68, W(t), 0x66, 0xCB);
    expect_eax(cpl, b, 0, 0, "retf (66 cb): pops IP and CS");
    t = esp_delta_target();
    b = SNIPPET(0x89, 0xE1, 0x68, D(0xDEADBEEF), 0x66, 0x0E, 0x66, 0x68, W(t), 0x66, 0xCA, W(4));
    expect_eax(cpl, b, 0, 0, "retf 4 (66 ca 04 00)");

    t = pop_cs_ip_target();
    uint32_t l = low_body();
    expect_eax(cpl, SNIPPET_AT(l, 0x66, 0x9A, W(t), W(cs)), 0, (uint32_t)cs << 16 | (l + 6),
               "call far ptr16:16 (66 9a): pushes CS, IP");
    static uint16_t far[2];
    far[0] = (uint16_t)(t = pop_cs_ip_target());
    far[1] = cs;
    b = SNIPPET(0x66, 0xFF, 0x1D, D((uint32_t)far));
    expect_eax(cpl, b, 0, (uint32_t)cs << 16 | (((uint32_t)b + 7) & 0xFFFF), "call far m16:16 (66 ff 1d)");
    t = esp_delta_target();
    b = SNIPPET(0x89, 0xE1, 0x66, 0xEA, W(t), W(cs));
    expect_eax(cpl, b, 0, 0, "jmp far ptr16:16 (66 ea)");
}

/* Scratch of a maskmov body: the bytes written at +0, data at +32, mask at
 * +48 (16-byte aligned for movdqa). */
struct mask_scratch {
    uint8_t out[32];
    uint8_t data[16];
    uint8_t mask[16];
} __attribute__((aligned(16)));

static void check_maskmov_at(int cpl, int wide, const char *what, body_fn b, volatile uint8_t *out,
                             struct mask_scratch *s)
{
    for (unsigned i = 0; i < 16; i++) {
        s->data[i] = (uint8_t)(0x11 * (i + 1));
        s->mask[i] = (uint8_t)(i % 3 == 0 ? 0x80 : i % 3 == 1 ? 0x7F : 0xFF);
        out[i] = 0xEE;
    }
    uint32_t v = catch_at(cpl, b, (uint32_t)s);
    check_begin();
    kprintf("CPL%d %s", cpl, what);
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    for (unsigned i = 0; ok && i < 16; i++) {
        uint8_t want = i < (wide ? 16u : 8u) && (s->mask[i] & 0x80) ? s->data[i] : 0xEE;
        if (out[i] != want) {
            kprintf(", byte %u: %02x (want %02x)", i, out[i], want);
            ok = 0;
        }
    }
    check_end(ok);
}

static void check_maskmov(int cpl)
{
    static struct mask_scratch s;
    /* mov edi, [esp+4]; movq mm0, [edi+32]; movq mm1, [edi+48]; maskmovq mm0, mm1; emms */
    body_fn b = SNIPPET(0x8B, 0x7C, 0x24, 0x04, 0x0F, 0x6F, 0x47, 0x20, 0x0F, 0x6F, 0x4F, 0x30, 0x0F, 0xF7, 0xC1,
                        0x0F, 0x77);
    check_maskmov_at(cpl, 0, "maskmovq mm0, mm1: at DS:EDI", b, s.out, &s);
    /* movdqa xmm0, [edi+32]; movdqa xmm1, [edi+48]; maskmovdqu xmm0, xmm1 */
    b = SNIPPET(0x8B, 0x7C, 0x24, 0x04, 0x66, 0x0F, 0x6F, 0x47, 0x20, 0x66, 0x0F, 0x6F, 0x4F, 0x30, 0x66, 0x0F,
                0xF7, 0xC1);
    check_maskmov_at(cpl, 1, "maskmovdqu xmm0, xmm1: at DS:EDI", b, s.out, &s);
    /* the same with EDI = junk:6000h and a 67 prefix: DS:DI */
    b = SNIPPET(0x8B, 0x7C, 0x24, 0x04, 0x66, 0x0F, 0x6F, 0x47, 0x20, 0x66, 0x0F, 0x6F, 0x4F, 0x30, 0xBF,
                D(0x5A5A0000 | LOW_SCRATCH), 0x67, 0x66, 0x0F, 0xF7, 0xC1);
    check_maskmov_at(cpl, 1, "maskmovdqu with a 16-bit address size: at DS:DI", b, (uint8_t *)LOW_SCRATCH, &s);
    /* fs: with FS based at 100h and EDI = scratch - 100h; FS reloaded after */
    const uint16_t fs = S_FS_BASED | (uint16_t)cpl, flat = cpl ? PM_UDATA : PM_KDATA;
    b = SNIPPET(0x8B, 0x7C, 0x24, 0x04, 0x0F, 0x6F, 0x47, 0x20, 0x0F, 0x6F, 0x4F, 0x30, 0xB8, D(fs), 0x8E, 0xE0,
                0x81, 0xEF, D(0x100), 0x64, 0x0F, 0xF7, 0xC1, 0x0F, 0x77, 0xB8, D(flat), 0x8E, 0xE0);
    check_maskmov_at(cpl, 0, "fs: maskmovq, FS base 100h", b, s.out, &s);
}

static void check_extend_esp(int cpl)
{
    /* mov ecx, esp; mov edx, 3400h; movzx esp, dh; mov eax, esp; mov esp, ecx */
    body_fn b = SNIPPET(0x89, 0xE1, 0xBA, D(0x3400), 0x0F, 0xB6, 0xE6, 0x89, 0xE0, 0x89, 0xCC);
    expect_eax(cpl, b, 0, 0x34, "movzx esp, dh");
    /* mov ecx, esp; mov ebx, 8000h; movsx sp, bh; mov eax, esp; eax ^= ecx & ffff0000h; mov esp, ecx */
    b = SNIPPET(0x89, 0xE1, 0xBB, D(0x8000), 0x66, 0x0F, 0xBE, 0xE7, 0x89, 0xE0, 0x89, 0xCA, 0x81, 0xE2,
                D(0xFFFF0000), 0x31, 0xD0, 0x89, 0xCC);
    expect_eax(cpl, b, 0, 0xFF80, "movsx sp, bh: ESP's upper half kept");
    /* mov ecx, esp; mov eax, 7F00h; movsx esp, ah; mov eax, esp; mov esp, ecx */
    b = SNIPPET(0x89, 0xE1, 0xB8, D(0x7F00), 0x0F, 0xBE, 0xE4, 0x89, 0xE0, 0x89, 0xCC);
    expect_eax(cpl, b, 0, 0x7F, "movsx esp, ah");
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("cpu_forms: 16-bit operand forms, maskmov, high bytes into ESP\n");
    tcg_gap_init(magic, mbi);
    pm_enable_sse();
    pm_gdt_set(S_FS_BASED >> 3, seg_desc(0x100, 0xFFFFF, ACC_P | ACC_S | ACC_DPL(3) | ACC_DATA_RW, FL_G | FL_DB));
    for (int cpl = 0; cpl <= 3; cpl += 3) {
        kprintf("-- CPL %d\n", cpl);
        check_near16(cpl);
        check_enter_leave(cpl);
        check_far16(cpl);
        check_maskmov(cpl);
        check_extend_esp(cpl);
    }
    tcg_gap_summary();
    check_finish();
}
