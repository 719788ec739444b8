/* cpu_bench workload: integer kernels timed with rdtsc.
 *
 * This file is compiled once, with one set of flags, and the same object is
 * linked into both the bt86 guest and the native twin, so both run exactly
 * the same instructions. It is freestanding: no libc, and the build passes
 * -fno-tree-loop-distribute-patterns so gcc does not turn loops into
 * memset/memcpy calls that would differ between the two platforms. */
#include <stdint.h>

#include "workload.h"

/* Arena layout (BENCH_ARENA_BYTES = 20 MiB). */
#define OFF_DATA (0u)         /* 8 MiB: PRNG output, input to crc32 and sort */
#define OFF_SORT (8u << 20)   /* 4 MiB: the array being sorted */
#define OFF_SIEVE (12u << 20) /* 2 MiB: sieve bitmap */
#define OFF_HASH (14u << 20)  /* 6 MiB: hash table */

#define DATA_WORDS (2u << 20)

/* Phase sizes, tuned so a native run takes about 1.5 s in all. */
#define CRC_PASSES 10
#define SORT_N (1u << 20)
#define SORT_ROUNDS 3
#define SIEVE_N (1u << 24)
#define SIEVE_PRIMES 1077871u /* pi(2^24), a known answer */
#define SIEVE_ROUNDS 4
#define HASH_SLOTS (1u << 18) /* 24-byte slots: 6 MiB */
#define HASH_KEYSPACE 160000u /* load factor ~0.61 */
#define HASH_OPS (2u << 20)
#define VM_ITERS (5u << 20)

static int failed;

/* ---------- output ---------- */

static void put(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    bench_write(s, n);
}

static void put_dec(uint64_t v)
{
    char b[21];
    int i = 20;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b + i);
}

static void put_hex(uint32_t v)
{
    char b[11];
    b[0] = '0';
    b[1] = 'x';
    for (int i = 0; i < 8; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    b[10] = 0;
    put(b);
}

static void fail(const char *phase, const char *why)
{
    failed = 1;
    put("FAIL ");
    put(phase);
    put(": ");
    put(why);
    put("\n");
}

/* Plain rdtsc, no fence: every phase runs for tens of millions of cycles,
 * so a few cycles of reordering at the edges do not matter. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Marsaglia xorshift32: deterministic, cheap, never returns 0. */
static inline uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* ---------- crc32: table-driven, one byte at a time ---------- */

static uint32_t crc_table[256];

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
    crc = ~crc;
    while (n--)
        crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
    return ~crc;
}

static uint32_t phase_crc32(unsigned char *arena)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
        crc_table[i] = c;
    }
    if (crc32_update(0, (const uint8_t *)"123456789", 9) != 0xCBF43926u)
        fail("crc32", "wrong CRC of \"123456789\"");

    uint32_t crc = 0;
    for (int pass = 0; pass < CRC_PASSES; pass++)
        crc = crc32_update(crc, arena + OFF_DATA, DATA_WORDS * 4);
    return crc;
}

/* ---------- sort: quicksort of 1M 32-bit ints ---------- */

static void insertion_sort(uint32_t *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = a[i], j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Median-of-three Hoare quicksort; recursing into the smaller side keeps
 * the stack depth logarithmic. */
static void quicksort(uint32_t *a, uint32_t n)
{
    while (n > 16) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x))
                               : (x < z ? x : (y < z ? z : y));
        uint32_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint32_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        /* a[0..j] <= pivot <= a[j+1..n-1] */
        uint32_t left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

static uint32_t phase_sort(unsigned char *arena)
{
    const uint32_t *data = (const uint32_t *)(arena + OFF_DATA);
    uint32_t *a = (uint32_t *)(arena + OFF_SORT);
    uint32_t check = 0;

    for (uint32_t r = 0; r < SORT_ROUNDS; r++) {
        const uint32_t *src = data + r * ((DATA_WORDS - SORT_N) / SORT_ROUNDS);
        for (uint32_t i = 0; i < SORT_N; i++)
            a[i] = src[i];
        quicksort(a, SORT_N);
        /* Position-weighted sum: equal for every correct sort of the input. */
        for (uint32_t i = 0; i < SORT_N; i++) {
            if (i && a[i - 1] > a[i]) {
                fail("sort", "output not sorted");
                break;
            }
            check += a[i] * (2 * i + 1);
        }
    }
    return check;
}

/* ---------- sieve of Eratosthenes up to 2^24, one bit per number ---------- */

static uint32_t popcount32(uint32_t v)
{
    /* i686 has no popcnt, and __builtin_popcount would call libgcc. */
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0f0f0f0fu;
    return (v * 0x01010101u) >> 24;
}

static uint32_t phase_sieve(unsigned char *arena)
{
    uint32_t *bits = (uint32_t *)(arena + OFF_SIEVE); /* set bit = composite */
    uint32_t check = 0;

    for (int r = 0; r < SIEVE_ROUNDS; r++) {
        for (uint32_t i = 0; i < SIEVE_N / 32; i++)
            bits[i] = 0;
        bits[0] = 3; /* 0 and 1 are not prime */
        for (uint32_t p = 2; p * p < SIEVE_N; p++) {
            if (bits[p >> 5] & (1u << (p & 31)))
                continue;
            for (uint32_t m = p * p; m < SIEVE_N; m += p)
                bits[m >> 5] |= 1u << (m & 31);
        }
        uint32_t composites = 0, h = 0;
        for (uint32_t i = 0; i < SIEVE_N / 32; i++) {
            composites += popcount32(bits[i]);
            h = (h ^ bits[i]) * 0x01000193u;
        }
        uint32_t primes = SIEVE_N - composites;
        if (primes != SIEVE_PRIMES)
            fail("sieve", "wrong number of primes below 2^24");
        check = check * 31 + (primes ^ h);
    }
    return check;
}

/* ---------- hash: open-addressing table of short string keys ---------- */

struct slot {
    uint32_t hash; /* 0 = empty */
    uint32_t count;
    char key[16];
};

/* Key for id: its five base-26 digits, then 1..8 letters derived from a hash
 * of id, so keys differ in length and are unique by construction. */
static uint32_t make_key(uint32_t id, char *k)
{
    uint32_t mix = id * 2654435761u;
    uint32_t n = 0;
    for (int i = 0; i < 5; i++) {
        k[n++] = (char)('a' + id % 26);
        id /= 26;
    }
    for (uint32_t extra = 1 + (mix >> 29); extra; extra--) {
        k[n++] = (char)('a' + (mix >> 8) % 26);
        mix = mix * 1103515245u + 12345u;
    }
    k[n] = 0;
    return n;
}

static uint32_t fnv1a(const char *k, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)k[i]) * 16777619u;
    return h | 1; /* never 0, which marks an empty slot */
}

static int key_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static uint32_t phase_hash(unsigned char *arena)
{
    struct slot *tab = (struct slot *)(arena + OFF_HASH);
    uint32_t *clear = (uint32_t *)tab;
    for (uint32_t i = 0; i < HASH_SLOTS * sizeof(struct slot) / 4; i++)
        clear[i] = 0;

    uint32_t rng = 0x2545F491u, check = 0, distinct = 0;
    char key[16];
    for (uint32_t op = 0; op < HASH_OPS; op++) {
        uint32_t n = make_key(xorshift32(&rng) % HASH_KEYSPACE, key);
        uint32_t h = fnv1a(key, n);
        uint32_t i = h & (HASH_SLOTS - 1);
        while (tab[i].hash && !(tab[i].hash == h && key_eq(tab[i].key, key)))
            i = (i + 1) & (HASH_SLOTS - 1);
        if (!tab[i].hash) {
            tab[i].hash = h;
            for (uint32_t c = 0; c <= n; c++)
                tab[i].key[c] = key[c];
            distinct++;
        }
        check = check * 33 + ++tab[i].count;
    }

    uint32_t total = 0, seen = 0;
    for (uint32_t i = 0; i < HASH_SLOTS; i++) {
        if (tab[i].hash) {
            total += tab[i].count;
            seen++;
        }
    }
    if (total != HASH_OPS || seen != distinct)
        fail("hash", "table counts inconsistent");
    return check ^ distinct;
}

/* ---------- vm: a bytecode interpreter (indirect-jump heavy) ---------- */

enum { OP_LI, OP_ADDI, OP_ADD, OP_MUL, OP_XOR, OP_SHRI, OP_ANDI, OP_LD,
       OP_ST, OP_JNZ, OP_HALT };

/* One instruction: op, three register fields, one immediate. */
#define I(op, d, a, b, imm) { op, d, a, b, (uint32_t)(imm) }
struct insn {
    uint8_t op, d, a, b;
    uint32_t imm;
};

/* An LCG driving read-modify-writes of a 256-word table. */
static const struct insn vm_prog[] = {
    I(OP_LI, 0, 0, 0, VM_ITERS),   /* r0 = iterations */
    I(OP_LI, 1, 0, 0, 12345),      /* r1 = state */
    I(OP_LI, 2, 0, 0, 0),          /* r2 = accumulator */
    I(OP_LI, 3, 0, 0, 1103515245), /* r3 = multiplier */
    /* loop: pc 4 */
    I(OP_MUL, 1, 1, 3, 0),
    I(OP_ADDI, 1, 1, 0, 12345),
    I(OP_SHRI, 4, 1, 0, 16),
    I(OP_ANDI, 5, 4, 0, 255),
    I(OP_LD, 6, 5, 0, 0),          /* r6 = mem[r5] */
    I(OP_ADD, 6, 6, 4, 0),
    I(OP_ST, 0, 5, 6, 0),          /* mem[r5] = r6 */
    I(OP_XOR, 2, 2, 6, 0),
    I(OP_ADDI, 0, 0, 0, -1),
    I(OP_JNZ, 0, 0, 0, 4),
    I(OP_HALT, 0, 0, 0, 0),
};

static uint32_t phase_vm(unsigned char *arena)
{
    (void)arena;
    uint32_t r[8] = { 0 }, mem[256];
    for (int i = 0; i < 256; i++)
        mem[i] = (uint32_t)i;

    const struct insn *pc = vm_prog;
    for (;;) {
        const struct insn *in = pc++;
        switch (in->op) {
        case OP_LI: r[in->d] = in->imm; break;
        case OP_ADDI: r[in->d] = r[in->a] + in->imm; break;
        case OP_ADD: r[in->d] = r[in->a] + r[in->b]; break;
        case OP_MUL: r[in->d] = r[in->a] * r[in->b]; break;
        case OP_XOR: r[in->d] = r[in->a] ^ r[in->b]; break;
        case OP_SHRI: r[in->d] = r[in->a] >> in->imm; break;
        case OP_ANDI: r[in->d] = r[in->a] & in->imm; break;
        case OP_LD: r[in->d] = mem[r[in->a] & 255]; break;
        case OP_ST: mem[r[in->a] & 255] = r[in->b]; break;
        case OP_JNZ:
            if (r[in->d])
                pc = vm_prog + in->imm;
            break;
        case OP_HALT: {
            uint32_t h = r[2];
            for (int i = 0; i < 256; i++)
                h = (h ^ mem[i]) * 0x01000193u;
            return h;
        }
        default:
            fail("vm", "bad opcode");
            return 0;
        }
    }
}

/* ---------- driver ---------- */

static const struct {
    const char *name;
    uint32_t (*run)(unsigned char *arena);
} phases[] = {
    { "crc32", phase_crc32 },
    { "sort", phase_sort },
    { "sieve", phase_sieve },
    { "hash", phase_hash },
    { "vm", phase_vm },
};

int bench_run(unsigned char *arena)
{
    failed = 0;

    /* Untimed: touch every page so first-touch costs (host page faults,
     * bt86 populating guest RAM) stay out of the phases, then fill the
     * input data. */
    for (uint32_t off = 0; off < BENCH_ARENA_BYTES; off += 4096)
        arena[off] = 0;
    uint32_t *data = (uint32_t *)(arena + OFF_DATA);
    uint32_t rng = 0x9E3779B9u;
    for (uint32_t i = 0; i < DATA_WORDS; i++)
        data[i] = xorshift32(&rng);

    uint64_t total = 0;
    uint32_t total_check = 0;
    for (unsigned i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        uint64_t t0 = rdtsc();
        uint32_t check = phases[i].run(arena);
        uint64_t t1 = rdtsc();
        total += t1 - t0;
        total_check = (total_check * 31) ^ check;
        put("phase ");
        put(phases[i].name);
        put(" cycles=");
        put_dec(t1 - t0);
        put(" check=");
        put_hex(check);
        put("\n");
    }
    put("total cycles=");
    put_dec(total);
    put(" check=");
    put_hex(total_check);
    put("\n");
    put(failed ? "cpu_bench: FAIL\n" : "cpu_bench: ok\n");
    return failed;
}
