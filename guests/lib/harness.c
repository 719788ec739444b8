/* Walks the asm routine table and prints one hashed result line per routine. */
#include "harness.h"

#include "print.h"

struct cpu_state st;
uint8_t membuf[MEMBUF_SIZE] __attribute__((aligned(64)));
const char *trace_name;

static int tracing;       /* the routine being run is trace_name */
static uint32_t trace_no; /* its case number */

/* Bounds of section optab, defined by the linker. */
extern const struct op_entry __start_optab[], __stop_optab[];

uint32_t fnv_bytes(uint32_t h, const void *data, uint32_t len)
{
    const uint8_t *p = data;
    while (len--)
        h = fnv_byte(h, *p++);
    return h;
}

uint32_t hash_case(uint32_t h, uint32_t mem_len)
{
    struct cpu_state s = st;
    s.flags &= FLAGS_ARITH | FLAG_DF;
    h = fnv_bytes(h, &s, sizeof s);
    return fnv_bytes(h, membuf, mem_len);
}

static int same_name(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Pointers into membuf print as "m+<offset>", the same in kernel and twin. */
static void print_reg(const char *name, uint32_t v)
{
    uint32_t off = v - (uint32_t)(uintptr_t)membuf;
    if (off < MEMBUF_SIZE)
        kprintf(" %s=m+%05x", name, off);
    else
        kprintf(" %s=%08x", name, v);
}

static void print_state(const char *label, const struct cpu_state *s)
{
    kprintf(" %s", label);
    print_reg("eax", s->eax);
    print_reg("ecx", s->ecx);
    print_reg("edx", s->edx);
    print_reg("ebx", s->ebx);
    print_reg("ebp", s->ebp);
    print_reg("esi", s->esi);
    print_reg("edi", s->edi);
    kprintf(" fl=%03x", s->flags & (FLAGS_ARITH | FLAG_DF));
}

/* Prints the bytes of membuf that differ from `before`, as runs "@off: xx..". */
static void print_mem_changes(const uint8_t *before)
{
    for (uint32_t k = 0; k < MEMBUF_SIZE; k++) {
        if (membuf[k] == before[k])
            continue;
        kprintf("\n   @%03x:", k);
        for (; k < MEMBUF_SIZE && membuf[k] != before[k]; k++)
            kprintf(" %02x", membuf[k]);
    }
}

void call_op(const struct op_entry *e)
{
    if (!tracing) {
        e->fn();
        return;
    }
    static uint8_t before[MEMBUF_SIZE];
    struct cpu_state in = st;
    for (uint32_t k = 0; k < MEMBUF_SIZE; k++)
        before[k] = membuf[k];
    e->fn();
    kprintf("trace %s #%u:", e->name, trace_no++);
    print_state("in", &in);
    put_str("\n  ");
    print_state("out", &st);
    print_mem_changes(before);
    put_char('\n');
}

const struct op_entry *find_op(const char *name)
{
    for (const struct op_entry *e = __start_optab; e < __stop_optab; e++)
        if (same_name(e->name, name))
            return e;
    return 0;
}

int run_all_ops(feed_fn feed)
{
    uint32_t total = FNV_INIT, cases = 0, routines = 0;
    int empty = 0;
    for (const struct op_entry *e = __start_optab; e < __stop_optab; e++) {
        uint32_t h = FNV_INIT;
        tracing = trace_name && same_name(e->name, trace_name);
        trace_no = 0;
        uint32_t n = feed(e, &h);
        tracing = 0;
        kprintf("res %s: %08x (%u cases)\n", e->name, h, n);
        total = fnv_u32(total, h);
        cases += n;
        routines++;
        if (n == 0) {
            kprintf("FAIL: %s ran no case\n", e->name);
            empty++;
        }
    }
    kprintf("res total: %08x (%u routines, %u cases)\n", total, routines, cases);
    return empty;
}
