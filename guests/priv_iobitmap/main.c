/* priv_iobitmap: I/O permission (SDM vol. 1, 19.5; vol. 3 for the TSS):
 *  - with CPL <= IOPL every port is allowed and the bitmap is not read;
 *  - with CPL > IOPL the TSS's I/O permission bitmap (at the offset in TSS
 *    bytes 0x66-0x67) decides: a set bit is #GP(0), a clear one allows the
 *    port; a word or dword access needs every one of its ports' bits clear;
 *    a port whose bit lies beyond the TSS limit is #GP(0), and with the map
 *    offset at or beyond the limit there is no map: every port faults;
 *  - string I/O (ins/outs) is checked the same way;
 *  - cli and sti need CPL <= IOPL (#GP(0) otherwise).
 * The ports used (0x80, 0x200-0x20f, 0x7f8-0x800, 0x1000) have no device
 * behind them in QEMU or bt86 (0x80 only takes writes, harmlessly). */
#include "check.h"
#include "fault_check.h"
#include "guest.h"
#include "pm.h"
#include "print.h"
#include "tcg_gap.h"

enum {
    S_IO_TSS = 0x30,    /* the TSS with a bitmap */
    MAP_BYTES = 0x100,  /* ports 0-0x7ff */
    MAP_OFFSET = sizeof(struct tss32),
};

/* The TSS, its bitmap and the all-ones byte that must follow a bitmap. */
static struct {
    struct tss32 tss;
    uint8_t map[MAP_BYTES];
    uint8_t terminator;
} __attribute__((packed)) io_tss __attribute__((aligned(128)));

uint32_t in8(uint32_t), in16(uint32_t), in32(uint32_t), out8(uint32_t), ins8(uint32_t),
    outs8(uint32_t), sti_cli(uint32_t);
extern const uint8_t in8_insn[], in16_insn[], in32_insn[], out8_insn[], ins8_insn[],
    outs8_insn[];

static void deny(unsigned port)
{
    io_tss.map[port / 8] |= (uint8_t)(1u << (port % 8));
}

/* Loads TR with the I/O TSS, with the given TSS limit and map offset. */
static void load_io_tss(uint32_t limit, uint16_t map_offset)
{
    io_tss.tss.iomap_base = map_offset;
    pm_gdt_set(S_IO_TSS >> 3, seg_desc((uint32_t)&io_tss, limit, ACC_P | SYS_TSS32, 0));
    __asm__ volatile("ltr %w0" : : "r"((uint32_t)S_IO_TSS) : "memory");
}

struct access {
    const char *what;
    body_fn body;
    const uint8_t *insn;
};
static const struct access IN8 = {"in al, dx", in8, in8_insn};
static const struct access IN16 = {"in ax, dx", in16, in16_insn};
static const struct access IN32 = {"in eax, dx", in32, in32_insn};
static const struct access OUT8 = {"out dx, al", out8, out8_insn};
static const struct access INS8 = {"insb", ins8, ins8_insn};
static const struct access OUTS8 = {"outsb", outs8, outs8_insn};

/* One access at CPL 3 (or 0) with the given IOPL. */
static void io(int cpl, unsigned iopl, const struct access *a, unsigned port, int allowed,
               const char *why)
{
    uint32_t v;
    if (cpl) {
        user_ctx.eflags = FLAG_RSVD1 | FLAG_IOPL(iopl);
        v = catch_user(a->body, port);
        user_ctx_reset();
    } else {
        uint32_t saved = read_eflags();
        write_eflags((saved & ~FLAG_IOPL3) | FLAG_IOPL(iopl));
        v = catch_call(a->body, port);
        write_eflags(saved);
    }
    check_begin();
    kprintf("CPL%d IOPL %u %s, port %04x (%s)", cpl, iopl, a->what, port, why);
    int ok = allowed ? event_outcome(v, NO_FAULT, NO_ERROR) : event_outcome(v, VEC_GP, 0);
    if (!allowed && v == VEC_GP && catch_eip() != (uint32_t)a->insn) {
        kprintf(", eip %08x (want %08x)", catch_eip(), (uint32_t)a->insn);
        ok = 0;
    }
    check_end(ok);
}

static void check_bitmap(void)
{
    put_str("-- CPL 3, IOPL 0: the bitmap decides\n");
    io(3, 0, &IN8, 0x200, 1, "bit clear");
    io(3, 0, &IN8, 0x201, 0, "bit set");
    io(3, 0, &OUT8, 0x80, 1, "bit clear");
    io(3, 0, &OUT8, 0x201, 0, "bit set");
    io(3, 0, &IN16, 0x202, 1, "bits 202-203 clear");
    io(3, 0, &IN16, 0x203, 0, "bit 204 set");
    io(3, 0, &IN16, 0x200, 0, "bit 201 set");
    io(3, 0, &IN32, 0x205, 1, "bits 205-208 clear");
    io(3, 0, &IN32, 0x202, 0, "bit 204 set");
    io(3, 0, &IN32, 0x20E, 0, "bit 20f set");
    io(3, 0, &INS8, 0x200, 1, "bit clear");
    io(3, 0, &INS8, 0x201, 0, "bit set");
    io(3, 0, &OUTS8, 0x201, 0, "bit set");
    io(3, 0, &IN8, 0x7F8, 1, "last map byte, bit clear");
    io(3, 0, &IN16, 0x7FF, 0, "port 800: the all-ones byte after the map");
    io(3, 0, &IN8, 0x1000, 0, "beyond the TSS limit");
    io(3, 0, &IN8, 0xFFFF, 0, "beyond the TSS limit");

    put_str("-- IOPL against CPL\n");
    io(3, 2, &IN8, 0x201, 0, "CPL > IOPL 2: bit set");
    io(3, 2, &IN8, 0x200, 1, "CPL > IOPL 2: bit clear");
    io(3, 3, &IN8, 0x201, 1, "IOPL 3: bitmap not read");
    io(3, 3, &IN8, 0x1000, 1, "IOPL 3: beyond the map");
    io(0, 0, &IN8, 0x201, 1, "CPL 0: bitmap not read");
}

static void check_no_map(void)
{
    put_str("-- no bitmap\n");
    load_io_tss(MAP_OFFSET + MAP_BYTES, MAP_OFFSET + MAP_BYTES + 1);
    io(3, 0, &IN8, 0x200, 0, "map offset beyond the TSS limit");
    io(3, 3, &IN8, 0x200, 1, "map offset beyond the TSS limit, IOPL 3");

    /* Without the all-ones byte inside the limit, the last map byte's ports
     * fault where the processor reads two bytes (vol. 1, 19.5.2). */
    load_io_tss(MAP_OFFSET + MAP_BYTES - 1, MAP_OFFSET);
    user_ctx.eflags = FLAG_RSVD1;
    uint32_t v = catch_user(in8, 0x7F8);
    user_ctx_reset();
    NOTE("TSS limit ending with the map (no all-ones byte), in al, 0x7f8 (bit clear): %s",
         v == NO_FAULT ? "allowed" : v == VEC_GP ? "#GP" : "other");
    io(3, 0, &IN8, 0x200, 1, "limit ends with the map, bit clear");
}

static void check_cli_sti(void)
{
    put_str("-- cli and sti\n");
    user_ctx.eflags = FLAG_RSVD1 | FLAG_IOPL(3);
    uint32_t v = catch_user(sti_cli, 0);
    user_ctx_reset();
    check_begin();
    put_str("CPL3 IOPL 3 sti; cli");
    int ok = event_outcome(v, NO_FAULT, NO_ERROR);
    if (v == NO_FAULT) {
        uint32_t after_sti = catch_ret & 0xFFFF, after_cli = catch_ret >> 16;
        kprintf(": IF %u then %u", !!(after_sti & FLAG_IF), !!(after_cli & FLAG_IF));
        if (!(after_sti & FLAG_IF) || (after_cli & FLAG_IF)) {
            put_str(" (want 1 then 0)");
            ok = 0;
        }
    }
    check_end(ok);
    v = catch_user(sti_cli, 0);
    check_event("CPL3 IOPL 0 sti", v, VEC_GP, 0);
    user_ctx.eflags = FLAG_RSVD1 | FLAG_IOPL(2);
    v = catch_user(sti_cli, 0);
    user_ctx_reset();
    check_event("CPL3 IOPL 2 sti", v, VEC_GP, 0);
}

void kmain(uint32_t magic, uint32_t mbi)
{
    pm_init();
    put_str("priv_iobitmap: I/O permission bitmap and IOPL\n");
    tcg_gap_init(magic, mbi);
    io_tss.tss.ss0 = PM_KDATA;
    io_tss.tss.esp0 = pm_ring0_top;
    for (unsigned i = 0; i < MAP_BYTES; i++)
        io_tss.map[i] = 0;
    io_tss.terminator = 0xFF;
    deny(0x201);
    deny(0x204);
    deny(0x20F);
    load_io_tss(MAP_OFFSET + MAP_BYTES, MAP_OFFSET);
    check_bitmap();
    check_no_map();
    check_cli_sti();
    tcg_gap_summary();
    check_finish();
}
