/* Feeds every integer test routine its cases and hashes the results. The same
 * file runs in the kernel and in the native twin; only put_char differs. */
#include "harness.h"
#include "kinds.h"
#include "print.h"

/* Boundary values at 8, 16 and 32 bits, small shift counts and a few
 * arbitrary patterns. */
static const uint32_t values[] = {
    0,          1,          2,          3,          7,          8,          0x1F,
    0x20,       0x21,       0x7F,       0x80,       0x81,       0xFF,       0x100,
    0x7FFF,     0x8000,     0xFFFF,     0x10000,    0x7FFFFFFF, 0x80000000, 0x80000001,
    0xFFFFFFFE, 0xFFFFFFFF, 0x12345678, 0xDEADBEEF, 0x0F0F0F0F, 0xA5A5A5A5, 0xFEDCBA98,
    0x00FF00FF, 0x5A5A0081, 0xC0000001, 0x3B9ACA07,
};
enum { NVALUES = sizeof values / sizeof values[0] };

static uint32_t base(void)
{
    return (uint32_t)(uintptr_t)membuf;
}

static uint32_t rotl(uint32_t v, unsigned n)
{
    return n ? (v << n) | (v >> (32 - n)) : v;
}

/* Every register and the first GENERAL_LEN bytes of membuf from values i, j. */
static void load_pair(unsigned i, unsigned j, uint32_t flags)
{
    uint32_t a = values[i], b = values[j];
    st.eax = a;
    st.ebx = b;
    st.ecx = values[(i + j) % NVALUES];
    st.edx = values[(3 * i + j + 1) % NVALUES];
    st.esi = a ^ rotl(b, 8);
    st.edi = b + 0x9E3779B9u * i;
    st.ebp = ~a;
    st.flags = flags | 2; /* bit 1 always reads as 1 */
    uint32_t *w = (uint32_t *)membuf;
    w[0] = b;
    w[1] = a;
    w[2] = ~b;
    w[3] = a ^ b;
    for (unsigned k = 4; k < GENERAL_LEN / 4; k++)
        w[k] = values[(i + j + k) % NVALUES] ^ (k * 0x01010101u);
}

static void point_into_membuf(uint32_t esi_offset)
{
    st.esi = base() + esi_offset;
    st.edi = base() + 16;
    st.ebp = base() + 32;
}

/* Source and destination strings: distinct bytes, with the destination
 * differing at one early position (ends repe) and over a tail (ends repne
 * backwards). */
static void load_strings(unsigned i, unsigned j)
{
    uint8_t *src = membuf + SRC, *dst = membuf + DST;
    unsigned p = (7 * i + 3 * j) % 48, q = STR_LEN - 1 - (5 * i + j) % 48;
    for (unsigned k = 0; k < STR_LEN; k++) {
        src[k] = (uint8_t)(37 * k + 3 * i + j);
        dst[k] = (k == p || k > q) ? src[k] ^ 0x55 : src[k];
    }
    for (unsigned k = DST + STR_LEN; k < MEMBUF_SIZE; k++)
        membuf[k] = (uint8_t)k;
}

static uint32_t sign_extend(uint32_t v, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    v &= (m << 1) - 1;
    return (v ^ m) - m;
}

/* Makes the division of case (st) valid, or returns 0 to skip it. */
static int prepare_div(uint32_t arg)
{
    unsigned w = arg & DIV_WIDTH_MASK;
    int is_signed = (arg & DIV_SIGNED) != 0;
    uint32_t mask = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
    uint32_t d = (arg & DIV_BH) ? (st.ebx >> 8) & 0xFF : st.ebx & mask;
    if (d == 0) {
        d = 1;
        st.ebx |= (arg & DIV_BH) ? 0x100 : 1;
    }
    /* the dividend: ah:al, dx:ax or edx:eax */
    uint32_t lo = st.eax & mask;
    uint32_t hi = w == 8 ? (st.eax >> 8) & 0xFF : st.edx & mask;
    if (!is_signed) {
        hi %= d;
    } else {
        int64_t dd = (int32_t)sign_extend(d, w);
        int64_t limit = (int64_t)1 << (w - 1);
        int64_t dividend = (int64_t)(int32_t)sign_extend(hi, w) * ((int64_t)1 << w) + lo;
        int fits = !(dd == -1 && dividend == INT64_MIN);
        if (fits) {
            int64_t q = dividend / dd;
            fits = q >= -limit && q < limit;
        }
        if (!fits) { /* shrink the dividend to the sign extension of lo */
            hi = (lo >> (w - 1)) & 1 ? mask : 0;
            if (dd == -1 && lo == (uint32_t)limit)
                return 0; /* -2^(w-1) / -1 overflows */
        }
    }
    if (w == 8)
        st.eax = (st.eax & 0xFFFF0000u) | (hi << 8) | lo;
    else
        st.edx = (st.edx & ~mask) | hi;
    ((uint32_t *)membuf)[0] = (st.ebx >> ((arg & DIV_BH) ? 8 : 0)) & mask;
    return 1;
}

/* Kind-specific adjustments after load_pair; 0 skips the case. */
static int prepare(const struct op_entry *e, unsigned i, unsigned j, unsigned n)
{
    uint32_t *w = (uint32_t *)membuf;
    switch (e->kind) {
    case K_PTRS:
        point_into_membuf(0);
        st.ecx = (i + j) & 3;
        return 1;
    case K_CMPXCHG:
        point_into_membuf(0);
        st.ecx = (i + j) & 3;
        if (n & 1) {
            st.edx = st.eax;
            w[2 + st.ecx] = st.eax;
            w[6] = st.eax;
            w[7] = st.edx;
        }
        return 1;
    case K_BITOFF:
        point_into_membuf(32);
        st.ecx = sign_extend(st.ecx ^ (i * 0x35), e->arg);
        return 1;
    case K_COUNT:
        st.ecx = st.ecx % e->arg + 1;
        return 1;
    case K_STRING:
        load_strings(i, j);
        st.esi = base() + SRC;
        st.edi = base() + DST;
        st.ecx = (st.ecx ^ j) % e->arg;
        if (n % 3 == 1) /* a dword present early in the source */
            st.eax = w[SRC / 4 + (i + j) % 12];
        else if (n % 3 == 2) /* the source's last dword */
            st.eax = w[(SRC + STR_LEN) / 4 - 1];
        return 1;
    case K_BOUND: {
        int32_t a = (int32_t)st.eax, b = (int32_t)st.ebx;
        int16_t a16 = (int16_t)st.eax, b16 = (int16_t)st.ebx;
        w[0] = (uint32_t)(a < b ? a : b);
        w[1] = (uint32_t)(a < b ? b : a);
        w[2] = (uint16_t)(a16 < b16 ? a16 : b16) | (uint32_t)(uint16_t)(a16 < b16 ? b16 : a16) << 16;
        return 1;
    }
    case K_DIV:
        return prepare_div(e->arg);
    default:
        return 1;
    }
}

/* Turns the pointers that prepare() set into offsets. */
static void normalize(const struct op_entry *e)
{
    switch (e->kind) {
    case K_PTRS:
    case K_CMPXCHG:
    case K_BITOFF:
        st.ebp -= base();
        /* fall through */
    case K_STRING:
        st.esi -= base();
        st.edi -= base();
        break;
    default:
        break;
    }
}

static uint32_t run_case(const struct op_entry *e, unsigned i, unsigned j, uint32_t flags,
                         unsigned n, uint32_t *h)
{
    load_pair(i, j, flags);
    if (!prepare(e, i, j, n))
        return 0;
    call_op(e);
    normalize(e);
    *h = hash_case(*h, e->kind == K_STRING ? MEMBUF_SIZE : GENERAL_LEN);
    return 1;
}

/* The six arithmetic flags from a 6-bit combination number. */
static uint32_t flags_from_bits(unsigned c)
{
    static const uint32_t bit[6] = {0x001, 0x004, 0x010, 0x040, 0x080, 0x800};
    uint32_t f = 0;
    for (unsigned k = 0; k < 6; k++)
        if (c & (1u << k))
            f |= bit[k];
    return f;
}

static uint32_t feed(const struct op_entry *e, uint32_t *h)
{
    uint32_t n = 0;
    switch (e->kind) {
    case K_FLAGS:
        for (unsigned c = 0; c < 64; c++)
            for (unsigned v = 0; v < 8; v++)
                n += run_case(e, (5 * v) % NVALUES, (11 * v + 3) % NVALUES,
                              flags_from_bits(c), n, h);
        break;
    case K_BCD: {
        static const uint8_t ahs[] = {0x00, 0x39, 0xFF};
        static const uint32_t flag_sets[] = {0, 0x001, 0x010, 0x011, FLAGS_ARITH};
        for (unsigned a = 0; a < sizeof ahs; a++)
            for (unsigned al = 0; al < 256; al++)
                for (unsigned f = 0; f < 5; f++) {
                    load_pair(al % NVALUES, (al + a) % NVALUES, flag_sets[f]);
                    st.eax = (st.eax & 0xFFFF0000u) | (uint32_t)ahs[a] << 8 | al;
                    call_op(e);
                    *h = hash_case(*h, GENERAL_LEN);
                    n++;
                }
        break;
    }
    default: /* every pair of values, with all arithmetic flags clear and set */
        for (unsigned i = 0; i < NVALUES; i++)
            for (unsigned j = 0; j < NVALUES; j++) {
                n += run_case(e, i, j, 0, n, h);
                n += run_case(e, i, j, FLAGS_ARITH, n, h);
            }
        break;
    }
    return n;
}

int run_selftests(void);

int run_tests(void)
{
    int failures = run_selftests();
    return failures + run_all_ops(feed);
}
