/* cpu_model: CPUID is the contract. Every instruction whose extension CPUID
 * does not announce raises #UD (SDM vol. 2, each instruction's "CPUID
 * Feature Flag" and "#UD If CPUID.xxx = 0"), at CPL 0 and CPL 3, reported
 * at the instruction: VMX, SVM, TSX, VIA PadLock, VEX, EVEX and XOP forms,
 * SSSE3, SSE4, POPCNT, ... and rsm outside SMM (syscall/sysret, which
 * EFER.SCE gates as well, are priv_syscall's). Where CPUID
 * does announce one (SSE3 here, if the host has it), it runs. What later
 * extensions took from the hint-NOP space (MPX, CET, CLDEMOTE) stays a NOP
 * without them, and F3 0F BD/BC stay bsr/bsf without LZCNT/BMI1.
 * With CR4.OSFXSR clear, SSE instructions that use an XMM register or MXCSR
 * raise #UD (SDM vol. 3, 13.1.3); the fences, movnti, prefetches, fxsave and
 * the SSE forms on MMX registers still run. */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "snippet.h"
#include "tcg_gap.h"

/* A CPUID flag, packed: leaf (1, 7 or 80000001h; subleaf 0) in bits 15:8
 * (bit 15 for the extended range), register (0 EBX, 1 ECX, 2 EDX) in
 * bits 7:6, bit number in bits 5:0. */
#define FLAG(leaf, reg, bit) ((((leaf) >> 24 & 0x80) | ((leaf) & 0x7F)) << 8 | (reg) << 6 | (bit))
#define EBX(leaf, bit) FLAG(leaf, 0, bit)
#define ECX(leaf, bit) FLAG(leaf, 1, bit)
#define EDX(leaf, bit) FLAG(leaf, 2, bit)
#define NEVER 0xFFFFFFFFu /* no flag: never implemented (rsm outside SMM; PadLock here) */

enum kind {
    UD_UNLESS, /* #UD unless CPUID announces the flag; then it runs */
    NOP,       /* runs and changes neither EAX nor the scratch memory */
    RESULT,    /* runs and leaves `want` in EAX */
};

/* Every body starts with mov eax, [esp+4]: EAX = the scratch memory. */
#define PRE 0x8B, 0x44, 0x24, 0x04
struct item {
    const char *name;
    enum kind kind;
    uint32_t flag;
    uint8_t at; /* offset of the instruction under test */
    uint32_t want;
    uint8_t len;
    uint8_t bytes[24];
};
#define ITEM(name, kind, flag, at, want, ...)                                                      \
    {name, kind, flag, at, want, sizeof((uint8_t[]){PRE, __VA_ARGS__}), {PRE, __VA_ARGS__}}
#define UD(name, flag, ...) ITEM(name, UD_UNLESS, flag, 4, 0, __VA_ARGS__)
#define HINT_NOP(name, ...) ITEM(name, NOP, NEVER, 4, 0, __VA_ARGS__)

static const struct item items[] = {
    UD("rsm (not in SMM)", NEVER, 0x0F, 0xAA),
    UD("vmread ebx, eax", ECX(1, 5), 0x0F, 0x78, 0xC3),
    UD("vmwrite ebx, eax", ECX(1, 5), 0x0F, 0x79, 0xD8),
    UD("vmcall", ECX(1, 5), 0x0F, 0x01, 0xC1),
    UD("vmlaunch", ECX(1, 5), 0x0F, 0x01, 0xC2),
    UD("vmresume", ECX(1, 5), 0x0F, 0x01, 0xC3),
    UD("vmxoff", ECX(1, 5), 0x0F, 0x01, 0xC4),
    UD("vmxon [eax]", ECX(1, 5), 0xF3, 0x0F, 0xC7, 0x30),
    UD("vmptrld [eax]", ECX(1, 5), 0x0F, 0xC7, 0x30),
    UD("vmclear [eax]", ECX(1, 5), 0x66, 0x0F, 0xC7, 0x30),
    UD("invept eax, [eax]", ECX(1, 5), 0x66, 0x0F, 0x38, 0x80, 0x00),
    UD("vmrun (SVM)", ECX(0x80000001, 2), 0x0F, 0x01, 0xD8),
    UD("vmmcall (SVM)", ECX(0x80000001, 2), 0x0F, 0x01, 0xD9),
    UD("stgi (SVM)", ECX(0x80000001, 2), 0x0F, 0x01, 0xDC),
    UD("xbegin (RTM)", EBX(7, 11), 0xC7, 0xF8, 0x00, 0x00, 0x00, 0x00),
    UD("xend (RTM)", EBX(7, 11), 0x0F, 0x01, 0xD5),
    UD("xabort 0 (RTM)", EBX(7, 11), 0xC6, 0xF8, 0x00),
    UD("xtest (RTM)", EBX(7, 11), 0x0F, 0x01, 0xD6),
    UD("xstore (PadLock)", NEVER, 0x0F, 0xA7, 0xC0),
    UD("rep xcryptecb (PadLock)", NEVER, 0xF3, 0x0F, 0xA7, 0xC8),
    UD("rep xsha1 (PadLock)", NEVER, 0xF3, 0x0F, 0xA6, 0xC8),
    UD("vaddps xmm0, xmm0, xmm1 (VEX)", ECX(1, 28), 0xC5, 0xF8, 0x58, 0xC1),
    UD("vzeroupper (VEX)", ECX(1, 28), 0xC5, 0xF8, 0x77),
    UD("vpaddd ymm0, ymm0, ymm1 (AVX2)", EBX(7, 5), 0xC5, 0xFD, 0xFE, 0xC1),
    UD("andn eax, eax, ecx (BMI1)", EBX(7, 3), 0xC4, 0xE2, 0x78, 0xF2, 0xC1),
    UD("vaddps zmm0, zmm0, zmm1 (EVEX)", EBX(7, 16), 0x62, 0xF1, 0x7C, 0x48, 0x58, 0xC1),
    UD("vprotb xmm0, xmm1, xmm0 (XOP)", ECX(0x80000001, 11), 0x8F, 0xE9, 0x78, 0x90, 0xC1),
    UD("pshufb mm0, mm1 (SSSE3)", ECX(1, 9), 0x0F, 0x38, 0x00, 0xC1),
    UD("pabsb xmm0, xmm1 (SSSE3)", ECX(1, 9), 0x66, 0x0F, 0x38, 0x1C, 0xC1),
    UD("ptest xmm0, xmm1 (SSE4.1)", ECX(1, 19), 0x66, 0x0F, 0x38, 0x17, 0xC1),
    UD("roundps xmm0, xmm1, 0 (SSE4.1)", ECX(1, 19), 0x66, 0x0F, 0x3A, 0x08, 0xC1, 0x00),
    UD("crc32 eax, cl (SSE4.2)", ECX(1, 20), 0xF2, 0x0F, 0x38, 0xF0, 0xC1),
    UD("pcmpgtq xmm0, xmm1 (SSE4.2)", ECX(1, 20), 0x66, 0x0F, 0x38, 0x37, 0xC1),
    UD("popcnt eax, ecx", ECX(1, 23), 0xF3, 0x0F, 0xB8, 0xC1),
    UD("movbe eax, [eax]", ECX(1, 22), 0x0F, 0x38, 0xF0, 0x00),
    UD("aesenc xmm0, xmm1", ECX(1, 25), 0x66, 0x0F, 0x38, 0xDC, 0xC1),
    UD("pclmulqdq xmm0, xmm1, 0", ECX(1, 1), 0x66, 0x0F, 0x3A, 0x44, 0xC1, 0x00),
    UD("rdrand eax", ECX(1, 30), 0x0F, 0xC7, 0xF0),
    UD("rdseed eax", EBX(7, 18), 0x0F, 0xC7, 0xF8),
    UD("rdtscp", EDX(0x80000001, 27), 0x0F, 0x01, 0xF9),
    UD("rdpid eax", ECX(7, 22), 0xF3, 0x0F, 0xC7, 0xF8),
    UD("monitor", ECX(1, 3), 0x0F, 0x01, 0xC8),
    UD("mwait", ECX(1, 3), 0x0F, 0x01, 0xC9),
    UD("xgetbv", ECX(1, 26), 0x0F, 0x01, 0xD0),
    UD("xsave [eax]", ECX(1, 26), 0x0F, 0xAE, 0x20),
    UD("clflush [eax]", EDX(1, 19), 0x0F, 0xAE, 0x38),
    UD("clflushopt [eax]", EBX(7, 23), 0x66, 0x0F, 0xAE, 0x38),
    UD("clwb [eax]", EBX(7, 24), 0x66, 0x0F, 0xAE, 0x30),
    UD("prefetchw [eax]", ECX(0x80000001, 8), 0x0F, 0x0D, 0x08),
    UD("femms (3DNow!)", EDX(0x80000001, 31), 0x0F, 0x0E),
    UD("pfadd mm0, mm1 (3DNow!)", EDX(0x80000001, 31), 0x0F, 0x0F, 0xC1, 0x9E),
    UD("extrq xmm0, 0, 0 (SSE4A)", ECX(0x80000001, 6), 0x66, 0x0F, 0x78, 0xC0, 0x00, 0x00),
    UD("adcx eax, ecx (ADX)", EBX(7, 19), 0x66, 0x0F, 0x38, 0xF6, 0xC1),
    UD("sha1nexte xmm0, xmm1", EBX(7, 29), 0x0F, 0x38, 0xC8, 0xC1),
    UD("clac (SMAP)", EBX(7, 20), 0x0F, 0x01, 0xCA),
    UD("rdpkru (PKU)", ECX(7, 3), 0x0F, 0x01, 0xEE),
    UD("invpcid eax, [eax]", EBX(7, 10), 0x66, 0x0F, 0x38, 0x82, 0x00),
    UD("wrssd [eax], ecx (CET)", ECX(7, 7), 0x0F, 0x38, 0xF6, 0x08),
    UD("gf2p8mulb xmm0, xmm1 (GFNI)", ECX(7, 8), 0x66, 0x0F, 0x38, 0xCF, 0xC1),
    UD("movdiri [eax], ecx", ECX(7, 27), 0x0F, 0x38, 0xF9, 0x08),
    UD("serialize", EDX(7, 14), 0x0F, 0x01, 0xE8),
    UD("umonitor eax (WAITPKG)", ECX(7, 5), 0xF3, 0x0F, 0xAE, 0xF0),
    UD("lock nop", NEVER, 0xF0, 0x90),
    UD("lock add eax, ecx (register destination)", NEVER, 0xF0, 0x01, 0xC8),
    /* Announced or not by the host: SSE3. */
    UD("haddps xmm0, xmm1 (SSE3)", ECX(1, 0), 0xF2, 0x0F, 0x7C, 0xC1),
    UD("fisttp dword [eax] (SSE3)", ECX(1, 0), 0xDB, 0x08),
    /* Hint NOPs, and the MPX/CET/CLDEMOTE forms in their space. */
    HINT_NOP("nop dword [eax]", 0x0F, 0x1F, 0x00),
    HINT_NOP("0f 18 /4 (reserved prefetch hint)", 0x0F, 0x18, 0x20),
    HINT_NOP("0f 19 /0", 0x0F, 0x19, 0x00),
    HINT_NOP("0f 1d /0", 0x0F, 0x1D, 0x00),
    HINT_NOP("bndmk bnd0, [eax] (MPX)", 0xF3, 0x0F, 0x1B, 0x00),
    HINT_NOP("bndcl bnd0, [eax] (MPX)", 0xF3, 0x0F, 0x1A, 0x00),
    HINT_NOP("bndcl bnd0, eax (MPX)", 0xF3, 0x0F, 0x1A, 0xC0),
    HINT_NOP("bndcu bnd0, [eax] (MPX)", 0xF2, 0x0F, 0x1A, 0x00),
    HINT_NOP("bndcn bnd0, [eax] (MPX)", 0xF2, 0x0F, 0x1B, 0x00),
    HINT_NOP("bndmov bnd0, bnd1 (MPX)", 0x66, 0x0F, 0x1A, 0xC1),
    HINT_NOP("bndmov [eax], bnd0 (MPX)", 0x66, 0x0F, 0x1B, 0x00),
    HINT_NOP("bndldx bnd0, [eax] (MPX)", 0x0F, 0x1A, 0x00),
    HINT_NOP("bndstx [eax], bnd0 (MPX)", 0x0F, 0x1B, 0x00),
    HINT_NOP("bnd jmp +0 (MPX)", 0xF2, 0xEB, 0x00),
    HINT_NOP("bnd ret (MPX)", 0xF2, 0xC3),
    HINT_NOP("endbr32 (CET)", 0xF3, 0x0F, 0x1E, 0xFB),
    HINT_NOP("rdsspd eax (CET)", 0xF3, 0x0F, 0x1E, 0xC8),
    HINT_NOP("cldemote [eax]", 0x0F, 0x1C, 0x00),
    HINT_NOP("pause", 0xF3, 0x90),
    /* F3 0F BD/BC without LZCNT/BMI1: bsr/bsf (bsr 10h = 4, lzcnt = 27;
     * bsf of 0 sets ZF, tzcnt does not). */
    ITEM("F3 0F BD: bsr eax, ecx (ecx=10h)", RESULT, NEVER, 9, 4, 0xB9, 0x10, 0x00, 0x00, 0x00, 0xF3,
         0x0F, 0xBD, 0xC1),
    ITEM("F3 0F BC: bsf eax, ecx (ecx=0): ZF", RESULT, NEVER, 6, 1, 0x31, 0xC9, 0xF3, 0x0F, 0xBC, 0xC1,
         0x0F, 0x94, 0xC0, 0x0F, 0xB6, 0xC0),
};

/* With CR4.OSFXSR clear. */
static const struct item without_osfxsr[] = {
    UD("addps xmm0, xmm1", NEVER, 0x0F, 0x58, 0xC1),
    UD("movd xmm0, eax", NEVER, 0x66, 0x0F, 0x6E, 0xC0),
    UD("ldmxcsr [eax]", NEVER, 0x0F, 0xAE, 0x10),
    UD("stmxcsr [eax]", NEVER, 0x0F, 0xAE, 0x18),
    UD("cvttss2si ecx, [eax]", NEVER, 0xF3, 0x0F, 0x2C, 0x08),
    UD("cvtpi2ps xmm0, mm1", NEVER, 0x0F, 0x2A, 0xC1),
    UD("maskmovdqu xmm0, xmm1", NEVER, 0x66, 0x0F, 0xF7, 0xC1),
    HINT_NOP("sfence", 0x0F, 0xAE, 0xF8),
    HINT_NOP("lfence", 0x0F, 0xAE, 0xE8),
    HINT_NOP("mfence", 0x0F, 0xAE, 0xF0),
    HINT_NOP("prefetchnta [eax]", 0x0F, 0x18, 0x00),
    HINT_NOP("pavgb mm0, mm1 (MMX register)", 0x0F, 0xE0, 0xC1, 0x0F, 0x77),
    HINT_NOP("paddq mm0, mm1 (MMX register)", 0x0F, 0xD4, 0xC1, 0x0F, 0x77),
    HINT_NOP("pmovmskb ecx, mm0", 0x0F, 0xD7, 0xC8, 0x0F, 0x77),
    ITEM("movnti [eax], ecx", RESULT, NEVER, 4, 0, 0x31, 0xC9, 0x0F, 0xC3, 0x08, 0x8B, 0x00),
};

static uint8_t scratch[1024] __attribute__((aligned(64)));

static int announced(uint32_t flag)
{
    if (flag == NEVER)
        return 0;
    uint32_t leaf = (flag >> 8 & 0x80 ? 0x80000000u : 0) | (flag >> 8 & 0x7F);
    uint32_t r[3], a = leaf & 0x80000000u, c = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(r[0]), "+c"(c), "=d"(r[2]));
    if (leaf > a)
        return 0;
    a = leaf, c = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(r[0]), "+c"(c), "=d"(r[2]));
    r[1] = c;
    return (r[flag >> 6 & 3] >> (flag & 63)) & 1;
}

static void run(int cpl, const struct item *it)
{
    for (unsigned i = 0; i < sizeof scratch; i++)
        scratch[i] = (uint8_t)(0xA5 ^ i);
    body_fn body = snippet(it->bytes, it->len);
    uint32_t v = catch_at(cpl, body, (uint32_t)scratch);
    check_begin();
    kprintf("CPL%d %s", cpl, it->name);
    int ok;
    if (it->kind == UD_UNLESS && !announced(it->flag)) {
        ok = event_outcome(v, VEC_UD, NO_ERROR);
        if (ok && catch_eip() != (uint32_t)body + it->at) {
            kprintf(", reported at %08x (want %08x)", catch_eip(), (uint32_t)body + it->at);
            ok = 0;
        }
    } else {
        ok = event_outcome(v, NO_FAULT, NO_ERROR);
        if (it->kind == UD_UNLESS)
            put_str(" (announced)");
        uint32_t want = it->kind == RESULT ? it->want : (uint32_t)scratch;
        if (ok && it->kind != UD_UNLESS && catch_ret != want) {
            kprintf(", eax %08x (want %08x)", catch_ret, want);
            ok = 0;
        }
        for (unsigned i = 0; ok && it->kind == NOP && i < sizeof scratch; i++)
            if (scratch[i] != (uint8_t)(0xA5 ^ i)) {
                kprintf(", wrote memory at +%u", i);
                ok = 0;
            }
    }
    check_end(ok);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("cpu_model: CPUID is the contract (#UD for what it does not announce)\n");
    tcg_gap_init(magic, mbi);
    pm_enable_sse();
    for (unsigned i = 0; i < sizeof items / sizeof items[0]; i++)
        for (int cpl = 0; cpl <= 3; cpl += 3)
            run(cpl, &items[i]);

    put_str("-- CR4.OSFXSR clear\n");
    uint32_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(1u << 9)));
    for (unsigned i = 0; i < sizeof without_osfxsr / sizeof without_osfxsr[0]; i++)
        for (int cpl = 0; cpl <= 3; cpl += 3)
            run(cpl, &without_osfxsr[i]);
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    tcg_gap_summary();
    check_finish();
}
