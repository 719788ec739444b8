/* Feeds every 16-bit routine (ops16.asm) its cases and hashes the results:
 * the same file in the kernel, whose routines run in a 16-bit code segment
 * on bt86, and in the native twin, whose run in an LDT code segment on the
 * host CPU. Only the segments' set-up differs (env_kernel.c, env_native.c). */
#include "harness.h"
#include "kinds16.h"
#include "print.h"

/* Sets code16_sel, data16_sel and code16w_sel (a 16-bit code segment over
 * the code16 window, a 16-bit data segment over membuf, a 16-bit code
 * segment of 128 KiB over wrap16.asm's window); 0 when it cannot. */
int code16_setup(void);

static const uint32_t values[] = {
    0,          1,          2,          7,          0x1F,       0x7F,       0x80,
    0xFF,       0x100,      0x7FFF,     0x8000,     0x8001,     0xFFFF,     0x10000,
    0x1FFFF,    0x7FFFFFFF, 0x80000000, 0xFFFF7FFF, 0xFFFFFFFE, 0xFFFFFFFF, 0x12345678,
    0xDEADBEEF, 0x0F0F8421, 0xA5A5FFFE, 0x00FF00FF, 0x5A5A0081,
};
enum { NVALUES = sizeof values / sizeof values[0] };

static void load(unsigned i, unsigned j, uint32_t flags)
{
    uint32_t a = values[i], b = values[j];
    st.eax = a;
    st.ebx = b;
    st.ecx = values[(i + j) % NVALUES];
    st.edx = values[(3 * i + j + 1) % NVALUES];
    st.esi = a ^ (b << 8 | b >> 24);
    st.edi = b + 0x9E3779B9u * i;
    st.ebp = ~a;
    st.flags = flags | 2;
    for (unsigned k = 0; k < MEMBUF_SIZE; k++)
        membuf[k] = (uint8_t)(k * 7 + i * 13 + j);
}

/* A 16-bit offset in the register's low word, junk (the value) above it. */
static uint32_t offset16(uint32_t reg, uint32_t offset)
{
    return (reg & 0xFFFF0000u) | offset;
}

static int prepare_div(int is_signed)
{
    uint32_t divisor = st.ebx & 0xFFFF;
    if (!divisor)
        st.ebx |= divisor = 1;
    uint32_t lo = st.eax & 0xFFFF, hi = st.edx & 0xFFFF;
    if (!is_signed) {
        hi %= divisor;
    } else {
        int32_t dividend = (int32_t)(hi << 16 | lo), d = (int16_t)divisor;
        int32_t q = dividend / d;
        if (q < -32768 || q > 32767) {
            hi = (lo & 0x8000) ? 0xFFFF : 0; /* the sign extension of AX */
            dividend = (int16_t)lo;
            if (d == -1 && dividend == -32768)
                return 0;
        }
    }
    st.edx = (st.edx & 0xFFFF0000u) | hi;
    return 1;
}

static int prepare(const struct op_entry *e, unsigned i, unsigned j)
{
    switch (e->kind) {
    case K16_PTRS:
        st.ebx = offset16(st.ebx, (i * 8) & 0xF8);
        st.esi = offset16(st.esi, (j * 4) & 0xFC);
        st.edi = offset16(st.edi, ((i + j) * 2) & 0xFE);
        st.ebp = offset16(st.ebp, (i * j) & 0xFE);
        return 1;
    case K16_STR:
        st.ecx = offset16(st.ecx, (i * 3 + j) & 0x3F);
        st.esi = offset16(st.esi, SRC16 + (j & 7));
        st.edi = offset16(st.edi, DST16 + (i & 7));
        for (unsigned k = 0; k < STR16_LEN; k++)
            membuf[DST16 + k] = (k == (i * 5 + j) % 48) ? (uint8_t)~membuf[SRC16 + k] : membuf[SRC16 + k];
        return 1;
    case K16_DIV:
        return prepare_div(e->arg);
    default:
        return 1;
    }
}

static uint32_t feed(const struct op_entry *e, uint32_t *h)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < NVALUES; i++)
        for (unsigned j = 0; j < NVALUES; j++)
            for (unsigned f = 0; f < 2; f++) {
                load(i, j, f ? FLAGS_ARITH : 0);
                if (!prepare(e, i, j))
                    continue;
                call_op(e);
                *h = hash_case(*h, MEMBUF_SIZE);
                n++;
            }
    return n;
}

int run_tests(void)
{
    if (!code16_setup()) {
        put_str("FAIL: cannot set up the 16-bit segments\n");
        return 1;
    }
    return run_all_ops(feed);
}
