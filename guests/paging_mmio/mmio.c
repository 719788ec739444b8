/* Memory-mapped I/O behind paging: a linear page mapped (uncached) onto the
 * legacy VGA text buffer at physical 0xB8000, accessed with many instruction
 * forms. What it reads differs by machine (QEMU: VGA memory that keeps what
 * is written; bt86: unbacked, all-ones, writes ignored), so the checks are
 * only that nothing faults and that each form reads the same value twice in
 * a row; the values are printed. */
#include "check.h"
#include "guest.h"
#include "idt.h"
#include "paging.h"
#include "print.h"

enum {
    MMIO_PHYS = 0x000B8000,
    MMIO_LIN = 0x40000000, /* PDE 256 */
    OFF = 0x40,            /* where in the page the accesses go */
};

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t ident_pt[1024] __attribute__((aligned(4096)));
static uint32_t mmio_pt[1024] __attribute__((aligned(4096)));

typedef uint32_t (*read_form)(volatile void *p);

static uint32_t rd_mov8(volatile void *p)
{
    uint8_t v;
    __asm__ volatile("movb %1, %0" : "=q"(v) : "m"(*(volatile uint8_t *)p));
    return v;
}
static uint32_t rd_mov16(volatile void *p)
{
    uint16_t v;
    __asm__ volatile("movw %1, %0" : "=r"(v) : "m"(*(volatile uint16_t *)p));
    return v;
}
static uint32_t rd_mov32(volatile void *p)
{
    uint32_t v;
    __asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)p));
    return v;
}
static uint32_t rd_movzx8(volatile void *p)
{
    uint32_t v;
    __asm__ volatile("movzbl %1, %0" : "=r"(v) : "m"(*(volatile uint8_t *)p));
    return v;
}
static uint32_t rd_movzx16(volatile void *p)
{
    uint32_t v;
    __asm__ volatile("movzwl %1, %0" : "=r"(v) : "m"(*(volatile uint16_t *)p));
    return v;
}
static uint32_t rd_movsx8(volatile void *p)
{
    uint32_t v;
    __asm__ volatile("movsbl %1, %0" : "=r"(v) : "m"(*(volatile uint8_t *)p));
    return v;
}
static uint32_t rd_add(volatile void *p)
{
    uint32_t v = 0x1000;
    __asm__ volatile("addl %1, %0" : "+r"(v) : "m"(*(volatile uint32_t *)p) : "cc");
    return v;
}
static uint32_t rd_xor8(volatile void *p)
{
    uint8_t v = 0x5A;
    __asm__ volatile("xorb %1, %0" : "+q"(v) : "m"(*(volatile uint8_t *)p) : "cc");
    return v;
}
static uint32_t rd_cmp(volatile void *p)
{
    uint32_t flags;
    __asm__ volatile("cmpl $0x12345678, %1\n\tpushfl\n\tpopl %0"
                     : "=r"(flags)
                     : "m"(*(volatile uint32_t *)p)
                     : "cc");
    return flags & 0x8D5; /* the arithmetic flags */
}
static uint32_t rd_push(volatile void *p)
{
    uint32_t v;
    __asm__ volatile("pushl %1\n\tpopl %0" : "=r"(v) : "m"(*(volatile uint32_t *)p));
    return v;
}
static uint32_t rd_lodsd(volatile void *p)
{
    uint32_t v;
    const volatile void *s = p;
    __asm__ volatile("lodsl" : "=a"(v), "+S"(s) : : "memory");
    return v;
}
/* rep movsd of 4 dwords into RAM; folds them into one value. */
static uint32_t rd_rep_movsd(volatile void *p)
{
    uint32_t buf[4] = {0, 0, 0, 0}, n = 4;
    uint32_t *d = buf;
    const volatile void *s = p;
    __asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
    return buf[0] ^ (buf[1] << 1) ^ (buf[2] << 2) ^ (buf[3] << 3);
}

static const struct {
    const char *name;
    read_form read;
} reads[] = {
    {"mov r8, [m]", rd_mov8},       {"mov r16, [m]", rd_mov16},
    {"mov r32, [m]", rd_mov32},     {"movzx r32, byte [m]", rd_movzx8},
    {"movzx r32, word [m]", rd_movzx16}, {"movsx r32, byte [m]", rd_movsx8},
    {"add r32, [m] (r=0x1000)", rd_add}, {"xor r8, [m] (r=0x5a)", rd_xor8},
    {"cmp [m], imm: flags", rd_cmp}, {"push [m]", rd_push},
    {"lodsd", rd_lodsd},            {"rep movsd x4 (folded)", rd_rep_movsd},
};

static void reads_twice(const char *label, uint32_t lin)
{
    kprintf("-- reads through %s (%08x)\n", label, lin);
    for (unsigned i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        volatile void *p = (volatile void *)(lin + OFF);
        uint32_t first = reads[i].read(p);
        uint32_t second = reads[i].read(p);
        check_begin();
        kprintf("%s: %08x then %08x", reads[i].name, first, second);
        check_end(first == second);
    }
}

static void stores(void)
{
    put_str("-- stores (their effect is not checked)\n");
    volatile uint8_t *p = (volatile uint8_t *)(MMIO_LIN + OFF);
    *p = 0x41;
    *(volatile uint16_t *)(p + 2) = 0x0742;
    *(volatile uint32_t *)(p + 4) = 0x07440743;
    __asm__ volatile("addl %1, %0" : "+m"(*(volatile uint32_t *)(p + 8)) : "r"(0x01010101) : "cc");
    __asm__ volatile("orb $0x20, %0" : "+m"(*(volatile uint8_t *)(p + 12)) : : "cc");
    uint32_t *d = (uint32_t *)(p + 16), n = 4;
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(0x07200720) : "memory");
    uint32_t src[2] = {0x07460745, 0x07480747};
    const uint32_t *s = src;
    d = (uint32_t *)(p + 32);
    n = 2;
    __asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
    put_str("mov 8/16/32, add [m], or [m], rep stosd, rep movsd to [m]: no fault\n");
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("paging_mmio: MMIO at physical 0xB8000 through a paged mapping\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }
    load_flat_gdt();
    idt_init(); /* any fault is fatal and named */

    pg_init_directory(pd, ident_pt);
    pd[PD_INDEX(MMIO_LIN)] = phys(mmio_pt) | PG_P | PG_RW;
    /* Uncached, in the identity map too: two mappings of one physical page
     * should not disagree on the memory type. */
    mmio_pt[PT_INDEX(MMIO_LIN)] = MMIO_PHYS | PG_P | PG_RW | PG_PCD | PG_PWT;
    ident_pt[PT_INDEX(MMIO_PHYS)] |= PG_PCD | PG_PWT;
    pg_enable(pd);
    put_str("paging on\n");

    reads_twice("the alias", MMIO_LIN);
    stores();
    reads_twice("the alias, after the stores", MMIO_LIN);
    reads_twice("the identity map", MMIO_PHYS);

    check_begin();
    uint32_t a = rd_mov32((volatile void *)(MMIO_LIN + OFF));
    uint32_t b = rd_mov32((volatile void *)(MMIO_PHYS + OFF));
    kprintf("alias and identity map read the same: %08x, %08x", a, b);
    check_end(a == b);
    check_finish();
}
