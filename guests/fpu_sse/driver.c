/* Feeds every x87/MMX/SSE routine its cases and hashes the results. Values
 * are given as bit patterns: the C code itself does no floating point, so
 * the kernel and the native twin compute nothing differently. */
#include "harness.h"
#include "layout.h"
#include "print.h"

/* The MXCSR the C code runs with; FENDT restores it. */
const uint32_t fpu_default_mxcsr = 0x1F80;

/* 0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 3, 1/3, pi, -1000 pi, 1e10, 2^63,
 * -2^31, 2^31, 0.1, 65536.5, -7.75, 1e-5, 1e300, 1e-300, max, min
 * denormal, a denormal, +inf, -inf, qNaN, -qNaN with payload, sNaN. */
static const uint64_t doubles[] = {
    0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
    0x3FE0000000000000, 0x3FF8000000000000, 0x4004000000000000, 0xC004000000000000,
    0x4008000000000000, 0x3FD5555555555555, 0x400921FB54442D18, 0xC0A88B2F704A9409,
    0x4202A05F20000000, 0x43E0000000000000, 0xC1E0000000000000, 0x41E0000000000000,
    0x3FB999999999999A, 0x40F0000800000000, 0xC01F000000000000, 0x3EE4F8B588E368F1,
    0x7E37E43C8800759C, 0x01A56E1FC2F8F359, 0x7FEFFFFFFFFFFFFF, 0x0000000000000001,
    0x000012688B70E62B, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
    0xFFF8000000012345, 0x7FF0000000000001,
};
enum { NCASES = sizeof doubles / sizeof doubles[0] };

/* The same list in single precision (1e300 -> 1e38, 1e-300 -> 1e-38). */
static const uint32_t floats[NCASES] = {
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x3F000000, 0x3FC00000,
    0x40200000, 0xC0200000, 0x40400000, 0x3EAAAAAB, 0x40490FDB, 0xC544597C,
    0x501502F9, 0x5F000000, 0xCF000000, 0x4F000000, 0x3DCCCCCD, 0x47800040,
    0xC0F80000, 0x3727C5AC, 0x7E967699, 0x006CE3EE, 0x7F7FFFFF, 0x00000001,
    0x000116C2, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC01234, 0x7F800001,
};

static const uint32_t int32s[] = {
    0,          1,          0xFFFFFFFF, 2,          0x7FFFFFFF, 0x80000000,
    12345678,   0xFFFE7E33, 16777217,   0x40000001, 3,          0xFFFFFFF9,
    0x00FF00FF, 0x80808080, 0x7F7F7F7F, 0x01020304, 0xFEDCBA98, 0x0000FFFF,
    0x8000FFFF, 0xDEADBEEF, 0x12345678, 0x55AA55AA, 0xFFFF8000, 0x00007FFF,
};
enum { NINT32 = sizeof int32s / sizeof int32s[0] };

static const uint64_t int64s[] = {
    0, 1, 0xFFFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000,
    0x0020000000000001, 0x00007048860DDF79, 0xFFFFFF0000000000,
};
static const uint16_t int16s[] = {0, 1, 0xFFFF, 0x7FFF, 0x8000, 1234, 0xEF1F, 255};

/* 80-bit values as {significand, sign|exponent}: 1, -pi, huge, tiny
 * denormal, pseudo-denormal, unnormal, pseudo-infinity, pseudo-NaN, inf,
 * qNaN, sNaN, largest finite. */
struct ext80 {
    uint64_t mant;
    uint16_t se;
};
static const struct ext80 extendeds[] = {
    {0x8000000000000000, 0x3FFF}, {0xC90FDAA22168C235, 0xC000}, {0xA5A5A5A5A5A5A5A5, 0x7000},
    {0x0000000000000001, 0x0000}, {0x8000000000000001, 0x0000}, {0x4000000000000000, 0x3FFF},
    {0x0000000000000000, 0x7FFF}, {0x4000000000000000, 0x7FFF}, {0x8000000000000000, 0x7FFF},
    {0xC000000000000000, 0xFFFF}, {0xA000000000000000, 0x7FFF}, {0xFFFFFFFFFFFFFFFF, 0x7FFE},
};
enum { NEXT = sizeof extendeds / sizeof extendeds[0] };

/* Packed BCD: 18 digits, sign in the top byte: 0, 1, -1, 123456789012345678,
 * -999999999999999999, 42. */
static const uint8_t bcds[][10] = {
    {0},
    {0x01},
    {0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x80},
    {0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x00},
    {0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x80},
    {0x42},
};
enum { NBCD = sizeof bcds / sizeof bcds[0] };

static void put32(unsigned off, uint32_t v)
{
    for (unsigned k = 0; k < 4; k++)
        membuf[off + k] = (uint8_t)(v >> (8 * k));
}

static void put64(unsigned off, uint64_t v)
{
    put32(off, (uint32_t)v);
    put32(off + 4, (uint32_t)(v >> 32));
}

static void put_ext(unsigned off, const struct ext80 *e)
{
    put64(off, e->mant);
    membuf[off + 8] = (uint8_t)e->se;
    membuf[off + 9] = (uint8_t)(e->se >> 8);
    for (unsigned k = 10; k < 16; k++)
        membuf[off + k] = 0;
}

/* The 16-byte vectors A and B for case (i, j) in the routine's format. */
static void load_vectors(enum fpu_kind kind, unsigned i, unsigned j)
{
    switch (kind) {
    case K_PS:
        for (unsigned k = 0; k < 4; k++) {
            put32(IN_XA + 4 * k, floats[(i + 6 * k * k + k) % NCASES]);
            put32(IN_XB + 4 * k, floats[(j + 4 * k * k + 3 * k) % NCASES]);
        }
        break;
    case K_PD:
        put64(IN_XA, doubles[i]);
        put64(IN_XA + 8, doubles[(i + 5) % NCASES]);
        put64(IN_XB, doubles[j]);
        put64(IN_XB + 8, doubles[(j + 9) % NCASES]);
        break;
    case K_INT:
        for (unsigned k = 0; k < 4; k++) {
            put32(IN_XA + 4 * k, int32s[(i + 7 * k) % NINT32]);
            put32(IN_XB + 4 * k, int32s[(j + 5 * k + 1) % NINT32] ^ (k * 0x11111111u));
        }
        break;
    }
}

static void load_case(const struct op_entry *e, unsigned i, unsigned j, unsigned rc)
{
    for (unsigned k = 0; k < FPU_MEM_LEN; k++)
        membuf[k] = 0;
    put64(IN_D0, doubles[i]);
    put64(IN_D1, doubles[j]);
    put32(IN_F0, floats[i]);
    put32(IN_F1, floats[j]);
    put32(IN_I0, int32s[i % NINT32]);
    put32(IN_I1, int32s[j % NINT32]);
    load_vectors((enum fpu_kind)e->kind, i, j);
    put_ext(IN_E0, &extendeds[i % NEXT]);
    put_ext(IN_E1, &extendeds[j % NEXT]);
    put64(IN_Q0, int64s[(i + j) % (sizeof int64s / sizeof int64s[0])]);
    membuf[IN_W0] = (uint8_t)int16s[i % 8];
    membuf[IN_W0 + 1] = (uint8_t)(int16s[i % 8] >> 8);
    membuf[IN_W1] = (uint8_t)int16s[j % 8];
    membuf[IN_W1 + 1] = (uint8_t)(int16s[j % 8] >> 8);
    for (unsigned k = 0; k < 10; k++)
        membuf[IN_BCD + k] = bcds[(i + j) % NBCD][k];
    /* all exceptions masked, extended precision, rounding control rc */
    put32(IN_CW, 0x037F | rc << 10);
    put32(IN_MXCSR, 0x1F80 | rc << 13);

    st = (struct cpu_state){
        .eax = int32s[i % NINT32],
        .ecx = i * 7 + j,
        .edx = int32s[(i + j) % NINT32],
        .ebx = int32s[j % NINT32],
        .flags = 2,
    };
}

static uint32_t feed(const struct op_entry *e, uint32_t *h)
{
    unsigned modes = e->arg & RC_ALL ? 4 : 1;
    uint32_t n = 0;
    for (unsigned rc = 0; rc < modes; rc++)
        for (unsigned i = 0; i < NCASES; i++)
            for (unsigned j = 0; j < NCASES; j++) {
                load_case(e, i, j, rc);
                call_op(e);
                *h = hash_case(*h, FPU_MEM_LEN);
                n++;
            }
    return n;
}

int run_tests(void)
{
    return run_all_ops(feed);
}
