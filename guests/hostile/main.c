/* The hostile kernel's entry: the command line picks the kind, the seed and
 * the rounds; the kind runs and reports. A kind that survives prints a last
 * line PASS (status 1), one that finds a wrong outcome FAIL (status 3). */
#include "guest.h"
#include "hostile.h"
#include "print.h"

enum hostile_kind hostile_kind;
uint32_t ram_end;
struct options opt = {.seed = 1, .rounds = 0, .first = 0, .verbose = 0, .variant = ""};
uint32_t rng_state[4];

static const char *const kind_names[] = {"ring0", "ring3", "wrap", "pages", "desc", "smc", "rep"};

void rng_seed(uint32_t seed, uint32_t stream)
{
    /* splitmix32 of (seed, stream): every round gets a stream of its own,
     * so a single round can be replayed alone. */
    uint32_t x = seed * 0x9E3779B9u ^ stream * 0x85EBCA6Bu;
    for (int i = 0; i < 4; i++) {
        x += 0x9E3779B9u;
        uint32_t z = x;
        z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
        z = (z ^ (z >> 13)) * 0xC2B2AE35u;
        rng_state[i] = (z ^ (z >> 16)) | (i == 0);
    }
}

void rng_fill(uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i += 4) {
        uint32_t v = rng();
        for (uint32_t k = 0; k < 4 && i + k < n; k++)
            p[i + k] = (uint8_t)(v >> (8 * k));
    }
}

static uint32_t parse_number(const char *s)
{
    uint32_t v = 0;
    if (s[0] == '0' && s[1] == 'x')
        for (s += 2; *s && *s != ' '; s++)
            v = v * 16 + (uint32_t)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
    else
        for (; *s >= '0' && *s <= '9'; s++)
            v = v * 10 + (uint32_t)(*s - '0');
    return v;
}

/* "key=" at p: returns the value's start, or 0. */
static const char *value_of(const char *p, const char *key)
{
    while (*key)
        if (*p++ != *key++)
            return 0;
    return p;
}

static int parse_cmdline(char *p)
{
    int kind = -1;
    for (; *p; p++) {
        if (p[-1] != ' ' && p[-1] != '\0')
            continue;
        const char *v;
        if ((v = value_of(p, "kind=")))
            for (unsigned k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++) {
                const char *end = value_of(v, kind_names[k]);
                if (end && (*end == ' ' || !*end))
                    kind = (int)k;
            }
        if ((v = value_of(p, "seed=")))
            opt.seed = parse_number(v);
        if ((v = value_of(p, "rounds=")))
            opt.rounds = parse_number(v);
        if ((v = value_of(p, "first=")))
            opt.first = parse_number(v);
        if ((v = value_of(p, "round="))) { /* replays one round */
            opt.first = parse_number(v);
            opt.rounds = 1;
        }
        if ((v = value_of(p, "variant=")))
            opt.variant = v;
        if (value_of(p, "verbose"))
            opt.verbose = 1;
    }
    /* Values end at spaces: cut the string there for variant=. */
    for (char *q = (char *)opt.variant; *q; q++)
        if (*q == ' ')
            *q = 0;
    return kind;
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    static char cmdline[256] = " ";
    if (mbi->flags & (1u << 2)) { /* copied: paging will not map it */
        const char *s = (const char *)mbi->cmdline;
        for (unsigned i = 1; s[i - 1] && i < sizeof cmdline - 1; i++)
            cmdline[i] = s[i - 1];
    }
    ram_end = mbi->flags & 1 ? 0x100000 + mbi->mem_upper * 1024 : 0x1000000;
    int kind = parse_cmdline(cmdline + 1);
    if (kind < 0) {
        put_str("FAIL: the command line needs kind=ring0|ring3|wrap|pages|desc|smc|rep\n");
        exit_qemu(1);
    }
    hostile_kind = (enum hostile_kind)kind;
    kprintf("hostile: kind=%s seed=%u\n", kind_names[kind], opt.seed);
    rng_seed(opt.seed, 0xFFFFFFFF);
    machine_init();
    int failures;
    switch (hostile_kind) {
    case K_RING0: failures = chaos_run(0); break;
    case K_RING3: failures = chaos_run(3); break;
    case K_WRAP: failures = wrap_run(); break;
    case K_PAGES: failures = pages_run(); break;
    case K_DESC: failures = desc_run(); break;
    case K_SMC: failures = smc_run(); break;
    default: failures = rep_run(); break;
    }
    guest_finish(failures);
}
