/* Kernel command line parsing (see cmdline.h). */
#include "cmdline.h"

#include "guest.h"

enum { MB_INFO_CMDLINE = 1u << 2, CMDLINE_MAX = 256 };

static char line[CMDLINE_MAX];

void nb_cmdline_parse(uint32_t mbi)
{
    const struct multiboot_info *info = (const struct multiboot_info *)mbi;
    if (!info || !(info->flags & MB_INFO_CMDLINE) || !info->cmdline)
        return;
    const char *src = (const char *)info->cmdline;
    unsigned i = 0;
    for (; i + 1 < CMDLINE_MAX && src[i]; i++)
        line[i] = src[i];
    line[i] = '\0';
}

const char *nb_cmdline(void)
{
    return line;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\0';
}

/* Whether the list [s, end) separated by commas contains `name`. */
static int list_has(const char *s, const char *end, const char *name)
{
    while (s < end) {
        const char *n = name;
        while (s < end && *s != ',' && *n && *s == *n) {
            s++;
            n++;
        }
        if (!*n && (s == end || *s == ','))
            return 1;
        while (s < end && *s != ',')
            s++;
        if (s < end)
            s++; /* the comma */
    }
    return 0;
}

int nb_skipped(const char *name)
{
    static const char key[] = "skip=";
    for (const char *p = line; *p;) {
        while (*p && is_sep(*p))
            p++;
        const char *tok = p;
        while (!is_sep(*p))
            p++;
        unsigned k = 0;
        while (key[k] && tok + k < p && tok[k] == key[k])
            k++;
        if (!key[k] && list_has(tok + k, p, name))
            return 1;
    }
    return 0;
}
