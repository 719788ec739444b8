/* Random guest code for the chaos rounds. Half of it is plain random
 * bytes; the rest comes from templates that make a random instruction
 * likelier to reach an interesting place: segment loads with selectors of
 * this GDT, far transfers, iret/retf frames, `int n`, rep strings with huge
 * counts, EFLAGS with AC/TF/NT/VM, system and unimplemented opcodes,
 * control-register moves, port I/O, complex addressing, self-modifying
 * stores, 16-bit operand-size transfers. Each template emits well-formed
 * bytes; what they mean at run time is up to the CPU. */
#include "gen.h"

#include "hostile.h"

static const uint16_t fixed_selectors[] = {
    S_KCODE, S_KDATA, S_UCODE, S_UDATA, S_TSS, S_DF_TSS, S_UTASK_TSS, S_TINY_GATE,
    S_TINY_TSS, S_KGATE, S_WRAPDATA, S_DOWN, S_SMALL, S_CODE16, S_CONF0, S_RODATA,
    S_ABSENT, S_XONLY, S_DPL2, S_LDT, S_UGATE, S_DATA16, L_UCODE, L_UDATA,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

uint16_t gen_selector(void)
{
    switch (rng_below(8)) {
    case 0: return (uint16_t)rng();
    case 1: return (uint16_t)rng_below(4); /* null */
    case 2: return (uint16_t)((GDT_FIRST_RANDOM + rng_below(GDT_ENTRIES - GDT_FIRST_RANDOM)) << 3 |
                              rng_below(4));
    case 3: return (uint16_t)(rng_below(LDT_ENTRIES) << 3 | 4 | rng_below(4));
    case 4: return (uint16_t)((fixed_selectors[rng_below(COUNT(fixed_selectors))] & ~3) |
                              rng_below(4));
    default: return fixed_selectors[rng_below(COUNT(fixed_selectors))];
    }
}

uint32_t gen_value(void)
{
    switch (rng_below(14)) {
    case 0: case 1: return rng();
    case 2: case 3: return U_DATA + rng_below(4 * 4096);
    case 4: return rng_below(0x100);
    case 5: return 0u - 1 - rng_below(0x100);
    case 6: return U_CODE + rng_below(0x2000);
    case 7: return U_STACK + rng_below(0x2000);
    case 8: return 0x100000 + rng_below(0x300000); /* the kernel */
    case 9: return U_DEMAND + rng_below(DEMAND_PAGES * 4096);
    case 10: return U_RO + rng_below(4096);
    case 11: return gen_selector();
    case 12: return one_in(4) ? U_OPENBUS + rng_below(4096) : U_ALIAS + rng_below(0x2000);
    default: return 1u << rng_below(32);
    }
}

uint32_t gen_eflags(void)
{
    uint32_t f = FLAG_RSVD1 | FLAG_IF | (rng() & 0x8D5); /* CF PF AF ZF SF OF */
    if (one_in(4)) f |= FLAG_DF;
    if (one_in(4)) f |= FLAG_AC;
    if (one_in(32)) f |= FLAG_TF;
    if (one_in(32)) f |= FLAG_NT;
    if (one_in(16)) f |= FLAG_RF;
    return f;
}

/* ---- emitting ---- */

static void emit8(struct gen *g, uint32_t b)
{
    if (g->p < g->end)
        *g->p++ = (uint8_t)b;
}

static void emit16(struct gen *g, uint32_t v)
{
    emit8(g, v);
    emit8(g, v >> 8);
}

static void emit32(struct gen *g, uint32_t v)
{
    emit16(g, v);
    emit16(g, v >> 16);
}

/* The linear address the next byte will run at. */
static uint32_t here(const struct gen *g)
{
    return g->lin + (uint32_t)(g->p - g->start);
}

/* A ModRM (with SIB and displacement as it needs) with `reg` in its reg
 * field; mod 3 (a register operand) only if allowed. */
static void emit_modrm(struct gen *g, unsigned reg, int allow_register)
{
    unsigned mod = rng_below(allow_register ? 4 : 3), rm = rng_below(8);
    emit8(g, mod << 6 | (reg & 7) << 3 | rm);
    if (mod == 3)
        return;
    if (rm == 4) {
        unsigned sib = rng() & 0xFF;
        emit8(g, sib);
        if ((sib & 7) == 5 && mod == 0)
            emit32(g, gen_value());
    }
    if (mod == 0 && rm == 5)
        emit32(g, gen_value());
    else if (mod == 1)
        emit8(g, rng());
    else if (mod == 2)
        emit32(g, one_in(2) ? gen_value() : rng_below(0x100) - 0x80);
}

static void emit_mov_imm(struct gen *g, unsigned reg, uint32_t v)
{
    emit8(g, 0xB8 + (reg & 7));
    emit32(g, v);
}

static void t_raw(struct gen *g)
{
    for (uint32_t n = 1 + rng_below(12); n; n--)
        emit8(g, rng());
}

static void t_prefixed(struct gen *g)
{
    static const uint8_t prefixes[] = {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    for (uint32_t n = 1 + rng_below(3); n; n--)
        emit8(g, prefixes[rng_below(COUNT(prefixes))]);
    if (one_in(2))
        emit8(g, 0x0F);
    emit8(g, rng());
    emit_modrm(g, rng(), 1);
}

static void t_twobyte(struct gen *g)
{
    emit8(g, 0x0F);
    emit8(g, rng());
    emit_modrm(g, rng(), 1);
    if (one_in(3))
        emit8(g, rng());
}

static void t_segment_load(struct gen *g)
{
    static const uint8_t sregs[] = {0, 2, 3, 4, 5, 0, 3, 4, 5, 1, 6}; /* cs, 6: #UD */
    emit8(g, 0x66); /* mov ax, imm16 */
    emit8(g, 0xB8);
    emit16(g, gen_selector());
    emit8(g, 0x8E);
    emit8(g, 0xC0 | sregs[rng_below(COUNT(sregs))] << 3);
    if (one_in(3)) { /* then use it */
        static const uint8_t overrides[] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
        emit8(g, overrides[rng_below(COUNT(overrides))]);
        emit8(g, 0x8B);
        emit_modrm(g, rng(), 0);
    }
}

static void t_far(struct gen *g)
{
    uint32_t off = one_in(2) ? gen_value() : U_CODE + rng_below(0x2000);
    switch (rng_below(4)) {
    case 0: case 1:
        emit8(g, one_in(2) ? 0xEA : 0x9A);
        emit32(g, off);
        emit16(g, gen_selector());
        break;
    case 2: /* push selector and offset, then retf */
        emit8(g, 0x68);
        emit32(g, gen_selector());
        emit8(g, 0x68);
        emit32(g, off);
        emit8(g, 0xCB);
        break;
    default: /* jmp/call far [mem] */
        emit8(g, 0xFF);
        emit_modrm(g, one_in(2) ? 3 : 5, 0);
    }
}

static void t_int(struct gen *g)
{
    static const uint8_t vectors[] = {V_END, V_RESUME, V_RESUME, V_UTASK_GATE, 0xF0, 0xF5, 3, 4,
                                      8, 0x20, 14, 13, 0, 1, 2, 6, 17, 18, 0xFF};
    switch (rng_below(6)) {
    case 0: emit8(g, 0xCC); break;
    case 1: emit8(g, 0xCE); break;
    case 2: emit8(g, 0xF1); break;
    case 3: emit8(g, 0xCD); emit8(g, rng()); break;
    default: emit8(g, 0xCD); emit8(g, vectors[rng_below(COUNT(vectors))]);
    }
}

/* push imm32 (an iret or retf frame word) */
static void push_imm(struct gen *g, uint32_t v)
{
    emit8(g, 0x68);
    emit32(g, v);
}

static void t_frame(struct gen *g)
{
    int outer = one_in(2), is_iret = one_in(2);
    uint32_t flags = gen_eflags();
    if (g->cpl && one_in(8)) /* (at CPL 0 it would enter virtual-8086 mode, not run yet) */
        flags |= FLAG_VM;
    if (outer) {
        push_imm(g, gen_selector()); /* SS */
        push_imm(g, one_in(2) ? U_STACK + 0x1000 : gen_value());
    }
    if (is_iret)
        push_imm(g, one_in(8) ? rng() : flags);
    push_imm(g, gen_selector());
    push_imm(g, one_in(2) ? U_CODE + rng_below(0x2000) : gen_value());
    if (one_in(8))
        emit8(g, 0x66);
    if (is_iret)
        emit8(g, 0xCF);
    else if (one_in(2))
        emit8(g, 0xCB);
    else {
        emit8(g, 0xCA);
        emit16(g, rng_below(16) * 4);
    }
}

static void t_string(struct gen *g)
{
    static const uint8_t counts_kind[] = {0, 1, 2, 3, 3, 3};
    uint32_t count;
    switch (counts_kind[rng_below(COUNT(counts_kind))]) {
    case 0: count = 0; break;
    case 1: count = 0xFFFFFFFF - rng_below(4); break;
    case 2: count = rng(); break;
    default: count = 1 + rng_below(64);
    }
    emit_mov_imm(g, 1, count);
    if (one_in(4))
        emit8(g, 0x66);
    if (one_in(8))
        emit8(g, 0x67);
    if (!one_in(4))
        emit8(g, one_in(3) ? 0xF2 : 0xF3);
    static const uint8_t ops[] = {0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
                                  0x6C, 0x6D, 0x6E, 0x6F};
    emit8(g, ops[rng_below(COUNT(ops))]);
}

static void t_popf(struct gen *g)
{
    uint32_t f = gen_eflags() | (rng() & (FLAG_IOPL3 | FLAG_NT | FLAG_VM | FLAG_AC | FLAG_TF));
    if (one_in(4))
        f &= ~FLAG_IF;
    push_imm(g, f);
    if (one_in(8))
        emit8(g, 0x66);
    emit8(g, 0x9D);
}

static void t_system(struct gen *g)
{
    static const uint16_t ops[] = {
        0x0F34, 0x0F35, 0x0F05, 0x0F07, 0x0FAA, 0x0F0B, 0x0F06, 0x0F08, 0x0F09, 0x0FA2,
        0x0F31, 0x0F33, 0x0F37, 0x0FFF, 0x0F0E, 0x0F77, 0x0FA7, 0x0F01, 0x0F01, 0x0F01,
    };
    static const uint8_t op01[] = {0xC1, 0xC2, 0xC3, 0xC4, 0xC8, 0xC9, 0xCA, 0xCB, 0xD0, 0xD1,
                                   0xD4, 0xD5, 0xD6, 0xF8, 0xF9, 0xFA, 0xEE, 0xEF};
    static const uint32_t msrs[] = {0x10, 0x1B, 0x174, 0x175, 0x176, 0x10A, 0xC0000080, 0x277,
                                    0x3A, 0x8B, 0xFE, 0x2FF};
    switch (rng_below(5)) {
    case 0: /* rdmsr / wrmsr with a real MSR number */
        emit_mov_imm(g, 1, one_in(4) ? rng() : msrs[rng_below(COUNT(msrs))]);
        emit8(g, 0x0F);
        emit8(g, one_in(2) ? 0x30 : 0x32);
        return;
    case 1: /* xbegin, MPX (bndmk/bndcl...) */
        if (one_in(2)) {
            emit8(g, 0xC7); emit8(g, 0xF8); emit32(g, rng_below(32));
        } else {
            emit8(g, one_in(2) ? 0xF3 : 0x66); emit8(g, 0x0F); emit8(g, 0x1A + rng_below(2));
            emit_modrm(g, rng_below(4), 1);
        }
        return;
    default: {
        uint16_t op = ops[rng_below(COUNT(ops))];
        emit8(g, op >> 8);
        emit8(g, op);
        if (op == 0x0F01)
            emit8(g, op01[rng_below(COUNT(op01))]);
        else if (op == 0x0FA7)
            emit8(g, 0xC0 + rng_below(6) * 8); /* xstore, xcrypt* */
    }
    }
}

static void t_x87(struct gen *g)
{
    emit8(g, 0xD8 + rng_below(8));
    emit_modrm(g, rng(), 1);
}

static void t_sse(struct gen *g)
{
    static const uint8_t prefixes[] = {0, 0x66, 0xF2, 0xF3};
    uint8_t pfx = prefixes[rng_below(4)];
    if (pfx)
        emit8(g, pfx);
    emit8(g, 0x0F);
    emit8(g, one_in(2) ? 0x10 + rng_below(0x70) : 0xC2 + rng_below(0x3E));
    emit_modrm(g, rng(), 1);
    if (one_in(3))
        emit8(g, rng());
}

static void t_control_register(struct gen *g)
{
    static const uint32_t values[] = {0x80000011, 0x80050033, 0x00000011, 0x60000010, 0x10,
                                      0x30, 0x690, 0x6F0, 0x20, 0x80000001};
    unsigned reg = rng_below(8), crn = rng_below(one_in(4) ? 16 : 5);
    if (reg == 4)
        reg = 0; /* keep ESP */
    emit_mov_imm(g, reg, one_in(2) ? values[rng_below(COUNT(values))] : gen_value());
    emit8(g, 0x0F);
    emit8(g, 0x20 + rng_below(4)); /* mov r,cr / mov r,dr / mov cr,r / mov dr,r */
    emit8(g, 0xC0 | (crn & 7) << 3 | reg);
}

static int forbidden_port(struct gen *g, uint32_t port)
{
    /* At CPL 0 a round could end the whole run through these (the exit
     * device, i8042 and port-92 resets, ACPI sleep): keep it going. */
    return g->cpl == 0 && ((port >= 0xF4 && port <= 0xF7) || port == 0x64 || port == 0x92 ||
                           (port >= 0x600 && port < 0x60C) || port == 0xCF9);
}

static void t_io(struct gen *g)
{
    static const uint16_t ports[] = {0x80, 0x2F8, 0x2F9, 0x1F0, 0x3F8, 0x20, 0x21, 0x40, 0x43,
                                     0x61, 0x70, 0x71, 0xCF8, 0xCFC, 0x60, 0x3FF, 0x400, 0xFFFF};
    uint32_t port = one_in(4) ? rng() & 0xFFFF : ports[rng_below(COUNT(ports))];
    if (forbidden_port(g, port))
        port = 0x80;
    if (one_in(2) || port > 0xFF) {
        emit8(g, 0x66);
        emit8(g, 0xBA);
        emit16(g, port);
        if (one_in(4))
            emit8(g, 0x66);
        emit8(g, 0xEC + rng_below(4));
    } else {
        emit8(g, 0xE4 + rng_below(4));
        emit8(g, port);
    }
}

static void t_branch(struct gen *g)
{
    int32_t rel = one_in(4) ? (int32_t)rng() : (int32_t)rng_below(64) - 24;
    switch (rng_below(7)) {
    case 0: emit8(g, 0xEB); emit8(g, rel); break;
    case 1: emit8(g, 0xE9); emit32(g, rel); break;
    case 2: emit8(g, 0x70 + rng_below(16)); emit8(g, rel); break;
    case 3: emit8(g, 0x0F); emit8(g, 0x80 + rng_below(16)); emit32(g, rel); break;
    case 4: emit8(g, 0xE8); emit32(g, rel); break;
    case 5: emit8(g, 0xE0 + rng_below(4)); emit8(g, rel); break; /* loop*, jecxz */
    default: emit8(g, 0xFF); emit_modrm(g, one_in(2) ? 2 : 4, 1); /* indirect */
    }
}

static void t_memory(struct gen *g)
{
    static const uint16_t ops[] = {0x8B, 0x89, 0x01, 0x03, 0x0FB6, 0x0FB7, 0x0FBE, 0x8F,
                                   0x0FA3, 0x0FAB, 0x0FB3, 0x0FBB, 0x87, 0x0FC1, 0x0FB1, 0x8D,
                                   0xF7, 0xD1, 0x0FC7, 0x62, 0xC4, 0xC5, 0x0FB2, 0x0FB4, 0x0FB5};
    uint16_t op = ops[rng_below(COUNT(ops))];
    if (one_in(4))
        emit8(g, 0x66);
    if (one_in(6))
        emit8(g, 0xF0);
    if (op > 0xFF)
        emit8(g, op >> 8);
    emit8(g, op);
    emit_modrm(g, op == 0x0FC7 ? 1 : rng(), op == 0x8B || op == 0x89);
}

static void t_stack(struct gen *g)
{
    static const uint32_t esps[] = {0, 2, 4, 0xFFFFFFFE, 0xFFFFFFFC, U_STACK + 2, U_STACK,
                                    U_DEMAND + 0x1000, U_RO + 0x800, U_CODE + 0x1000};
    emit_mov_imm(g, 4, one_in(3) ? gen_value() : esps[rng_below(COUNT(esps))]);
    static const uint8_t ops[] = {0x50, 0x58, 0x60, 0x61, 0x9C, 0x9D, 0xC9, 0xC3, 0x06, 0x1F};
    for (uint32_t n = 1 + rng_below(3); n; n--) {
        if (one_in(5)) {
            emit8(g, 0xC8); /* enter */
            emit16(g, rng_below(64));
            emit8(g, rng_below(4));
        } else if (one_in(4)) {
            emit8(g, 0xE8);
            emit32(g, 0);
        } else {
            emit8(g, ops[rng_below(COUNT(ops))]);
        }
    }
}

static void t_descriptor_insn(struct gen *g)
{
    emit8(g, 0x0F);
    emit8(g, rng_below(4)); /* group 6, group 7, lar, lsl */
    emit_modrm(g, rng(), 1);
}

/* A store into the code about to run, through its own address or the
 * alias mapping of the same page. */
static void t_self_modify(struct gen *g)
{
    uint32_t target = here(g) + 10 + rng_below(8);
    if (one_in(2))
        target = target - U_CODE + U_ALIAS;
    if (one_in(2)) {
        emit8(g, 0xC6); emit8(g, 0x05); emit32(g, target); emit8(g, rng());
    } else {
        emit8(g, 0xC7); emit8(g, 0x05); emit32(g, target); emit32(g, rng());
    }
}

static void t_operand_size(struct gen *g)
{
    switch (rng_below(10)) {
    case 0: emit8(g, 0x66); emit8(g, 0xC3); break;
    case 1: emit8(g, 0x66); emit8(g, 0xC2); emit16(g, rng_below(8) * 2); break;
    case 2: emit8(g, 0x66); emit8(g, 0xE8); emit16(g, rng_below(32)); break;
    case 3: emit8(g, 0x66); emit8(g, 0xC9); break;
    case 4: emit8(g, 0x66); emit8(g, 0xE9); emit16(g, rng_below(32)); break;
    case 5: emit8(g, 0x0F); emit8(g, 0xB6); emit8(g, 0xE6); break; /* movzx esp, dh */
    case 6: emit8(g, 0x0F); emit8(g, 0xF7); emit8(g, 0xC0 | rng_below(64)); break; /* maskmovq */
    case 7: emit8(g, 0x66); emit8(g, 0x0F); emit8(g, 0xF7); emit8(g, 0xC0 | rng_below(64)); break;
    case 8: emit8(g, 0x66); emit8(g, 0xFF); emit_modrm(g, 2 + rng_below(4), 1); break;
    default: emit8(g, 0x66); emit8(g, 0xCF); break;
    }
}

typedef void (*template_fn)(struct gen *);
static const struct { template_fn fn; uint32_t weight; } templates[] = {
    {t_raw, 20}, {t_prefixed, 6}, {t_twobyte, 8}, {t_segment_load, 5}, {t_far, 4},
    {t_int, 5}, {t_frame, 4}, {t_string, 5}, {t_popf, 4}, {t_system, 5}, {t_x87, 3},
    {t_sse, 4}, {t_control_register, 3}, {t_io, 3}, {t_branch, 6}, {t_memory, 8},
    {t_stack, 3}, {t_descriptor_insn, 3}, {t_self_modify, 3}, {t_operand_size, 3},
};

/* No cli, no hlt and no `out` to a port that ends the run, in code meant
 * for CPL 0 (see forbidden_port); the bytes themselves are replaced, in
 * immediates too. */
static void tame_ring0(uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == 0xFA || p[i] == 0xF4)
            p[i] = 0x90;
        if ((p[i] == 0xE6 || p[i] == 0xE7) && i + 1 < n &&
            ((p[i + 1] >= 0xF4 && p[i + 1] <= 0xF7) || p[i + 1] == 0x64 || p[i + 1] == 0x92))
            p[i + 1] = 0x80;
    }
}

void gen_code(uint8_t *buf, uint32_t lin, uint32_t len, int cpl)
{
    struct gen g = {buf, buf, buf + len, lin, cpl};
    uint32_t total = 0;
    for (unsigned i = 0; i < COUNT(templates); i++)
        total += templates[i].weight;
    int only_raw = one_in(8);
    while (g.p < g.end) {
        uint32_t pick = rng_below(total), i = 0;
        while (pick >= templates[i].weight)
            pick -= templates[i++].weight;
        (only_raw ? t_raw : templates[i].fn)(&g);
    }
    if (cpl == 0)
        tame_ring0(buf, len);
}

uint64_t gen_descriptor(int user_safe)
{
    uint64_t d;
    if (one_in(4)) {
        d = (uint64_t)rng() << 32 | rng();
    } else {
        static const uint32_t bases[] = {0, U_CODE, U_DATA, WRAP_HI, 0xFFFFFFF0, U_CODE - 0x1000};
        uint32_t base = one_in(3) ? rng() : bases[rng_below(COUNT(bases))];
        unsigned access = ACC_P * !one_in(8) | ACC_DPL(rng_below(4)) | (rng() & 0x1F);
        if (!one_in(4))
            access |= ACC_S;
        if (!(access & ACC_S) && one_in(2)) /* a gate to somewhere */
            d = gate_desc(gen_selector(), gen_value(), access, rng_below(32));
        else
            d = seg_desc(base, rng() & 0xFFFFF, access, rng_below(16));
    }
    if (user_safe && !(d & (1ull << 44))) {
        /* No 286 TSS or gate: valid, but bt86 ends the run at one (not run
         * yet), so their 32-bit forms instead. */
        unsigned type = (unsigned)(d >> 40) & 0xF;
        if (type == 1 || type == 3 || type == 4 || type == 6 || type == 7)
            d |= 8ull << 40, type |= 8;
        /* CPL 3 must not reach CPL 0 at an address this kernel did not
         * choose: no present TSS, task gate or call gate. */
        if (type == 5 || type == 9 || type == 11 || type == 12)
            d &= ~(1ull << 47);
    }
    return d;
}
