/* A kernel linked the way hobby kernels are (`ld -m elf_i386 -Ttext=0x100000`
 * with GNU ld's default, separate-code script): its ELF headers form a
 * read-only segment one page below 1 MiB, which the loader must load too.
 * Also checks the Multiboot modules (QEMU's -initrd "FILE ARGS,..."): the
 * command line "modules=N" says how many; module i holds the text
 * "bt86 module <tag>\n", <tag> being the last word of its string. Neither
 * the modules nor the information structure may lie inside the kernel. */
#include "guest.h"
#include "print.h"

struct mb_module {
    uint32_t start, end, string, reserved;
};

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};

enum { MBI_CMDLINE = 1 << 2, MBI_MODS = 1 << 3 };

extern const char __ehdr_start[]; /* GNU ld: the loaded ELF header */
extern const char _end[];          /* GNU ld: the end of the image */

static int failures;

static void check(int ok, const char *what)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static int inside_kernel(uint32_t start, uint32_t end)
{
    return start < (uint32_t)_end && (uint32_t)__ehdr_start < end;
}

static const char *after(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return s;
}

static unsigned expected_modules(const char *cmdline)
{
    for (; *cmdline; ++cmdline) {
        const char *n = after(cmdline, "modules=");
        if (n)
            return (unsigned)(*n - '0');
    }
    return 0;
}

static const char *last_word(const char *s)
{
    const char *word = s;
    for (; *s; ++s)
        if (*s == ' ')
            word = s + 1;
    return word;
}

static int module_ok(const struct mb_module *m)
{
    const char *text = (const char *)m->start;
    const char *tag = last_word((const char *)m->string);
    const char *rest = after(text, "bt86 module ");
    if (!rest)
        return 0;
    while (*tag && *rest == *tag)
        ++rest, ++tag;
    return *tag == 0 && *rest == '\n' && (uint32_t)(rest + 1) == m->end;
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    const struct mb_info *mbi = (const struct mb_info *)mbi_addr;
    check(magic == MULTIBOOT_BOOTLOADER_MAGIC, "EAX holds the Multiboot magic");
    kprintf("ELF header at %08x, image ends at %08x\n", (uint32_t)__ehdr_start, (uint32_t)_end);
    check((uint32_t)__ehdr_start < 0x100000, "the linker put the ELF header below 1 MiB");
    check(after(__ehdr_start, "\177ELF") != 0, "the segment below 1 MiB was loaded");
    check(!inside_kernel(mbi_addr, mbi_addr + sizeof *mbi), "the information structure lies outside the kernel");
    check(mbi->flags & MBI_CMDLINE, "a command line is given");
    const char *cmdline = (const char *)mbi->cmdline;
    kprintf("command line: \"%s\"\n", cmdline);
    unsigned want = expected_modules(cmdline);
    check(want == 0 || (mbi->flags & MBI_MODS), "the module fields are valid");
    kprintf("%u modules, %u expected\n", mbi->mods_count, want);
    check(mbi->mods_count == want, "as many modules as given");
    const struct mb_module *mods = (const struct mb_module *)mbi->mods_addr;
    for (unsigned i = 0; i < mbi->mods_count && i < want; ++i) {
        kprintf("module %u at %08x-%08x: \"%s\"\n", i, mods[i].start, mods[i].end, (const char *)mods[i].string);
        check((mods[i].start & 0xFFF) == 0, "  page-aligned");
        check(!inside_kernel(mods[i].start, mods[i].end), "  outside the kernel");
        check(module_ok(&mods[i]), "  holds its file, named by its string");
    }
    guest_finish(failures);
}
