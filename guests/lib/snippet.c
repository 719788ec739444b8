/* The code pool of snippet.h. */
#include "snippet.h"

#include "guest.h"
#include "print.h"

enum { SLOTS = 512, SLOT = SNIPPET_MAX + 4 };

static uint8_t pool[SLOTS][SLOT] __attribute__((aligned(64)));
static unsigned used;

body_fn snippet_at(uint32_t addr, const uint8_t *bytes, unsigned len)
{
    uint8_t *code = (uint8_t *)addr;
    for (unsigned i = 0; i < len; i++)
        code[i] = bytes[i];
    code[len] = 0xC3; /* ret */
    return (body_fn)addr;
}

body_fn snippet(const uint8_t *bytes, unsigned len)
{
    if (used == SLOTS || len > SNIPPET_MAX) {
        put_str("\nFAIL: snippet pool exhausted or snippet too long\n");
        exit_qemu(1);
    }
    return snippet_at((uint32_t)pool[used++], bytes, len);
}
