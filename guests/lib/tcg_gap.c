/* See tcg_gap.h. */
#include "tcg_gap.h"

#include "check.h"
#include "guest.h"
#include "print.h"

static int lenient;
static unsigned waived;

/* Whether the space-separated command line has the word `word`. */
static int has_word(const char *s, const char *word)
{
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = word;
        while (*w && *s == *w)
            s++, w++;
        if (!*w && (*s == ' ' || *s == 0))
            return 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

int cmdline_has(uint32_t magic, uint32_t mbi, const char *word)
{
    const struct multiboot_info *info = (const struct multiboot_info *)mbi;
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC || !(info->flags & (1u << 2)) || !info->cmdline)
        return 0;
    return has_word((const char *)info->cmdline, word);
}

void tcg_gap_init(uint32_t magic, uint32_t mbi)
{
    lenient = cmdline_has(magic, mbi, "tcg");
    if (lenient)
        put_str("command line has \"tcg\": mismatches QEMU TCG is known for are not counted\n");
}

int tcg_gap_end(int ok)
{
    if (ok || !lenient)
        return check_end(ok);
    put_str(": differs, not counted (tcg)\n");
    waived++;
    return 1;
}

void tcg_gap_summary(void)
{
    if (waived)
        kprintf("%u check(s) differed where QEMU TCG is known to, not counted (tcg)\n", waived);
}
