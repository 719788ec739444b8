/* The VGA text screen as a Multiboot kernel finds it (mode 3, as a BIOS
 * leaves it): text with attributes written to 0xB8000, the cursor moved
 * through the CRTC, and a font load's planar access in between, during
 * which 0xB8000 is not decoded (the writes there must vanish) and plane 2
 * takes the glyph bytes. tests/vga_screen.sh compares bt86's --screendump
 * with guests/vga_text/expected_screen.txt. */
#include "guest.h"
#include "io.h"
#include "print.h"

#define COLS 80
#define ROWS 25

static volatile uint16_t *const text = (volatile uint16_t *)0xB8000;
static volatile uint8_t *const planes = (volatile uint8_t *)0xA0000;
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        kprintf("FAIL: %s\n", what);
        ++failures;
    }
}

static void put_at(int row, int col, const char *s, uint8_t attribute)
{
    for (; *s; ++s, ++col)
        text[row * COLS + col] = (uint16_t)((uint8_t)*s | attribute << 8);
}

static void seq(uint8_t index, uint8_t value) { outb(0x3C4, index); outb(0x3C5, value); }
static void gc(uint8_t index, uint8_t value) { outb(0x3CE, index); outb(0x3CF, value); }
static uint8_t crtc_read(uint8_t index) { outb(0x3D4, index); return inb(0x3D5); }

static void move_cursor(int row, int col)
{
    uint16_t at = (uint16_t)(row * COLS + col);
    outb(0x3D4, 0x0E);
    outb(0x3D5, (uint8_t)(at >> 8));
    outb(0x3D4, 0x0F);
    outb(0x3D5, (uint8_t)at);
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    (void)magic;
    (void)mbi_addr;
    for (int i = 0; i < COLS * ROWS; ++i) text[i] = 0x0720;
    put_at(0, 0, "bt86 VGA text screen", 0x1F);
    put_at(1, 2, "yellow on red", 0x4E);
    put_at(24, 74, "bottom", 0x70);
    check(text[0] == (0x1F00 | 'b'), "0xB8000 reads back what was written");

    /* A font load, as a VGA BIOS makes it: plane 2 alone, planar, at 0xA0000. */
    seq(2, 0x04);
    seq(4, 0x07);
    gc(4, 0x02);
    gc(5, 0x00);
    gc(6, 0x04);
    for (int i = 0; i < 32; ++i) planes['A' * 32 + i] = (uint8_t)(0x80 >> (i & 7));
    put_at(3, 0, "LOST: written while 0xB8000 was not decoded", 0x07);
    check(planes['A' * 32 + 3] == 0x10, "plane 2 reads back the glyph");
    seq(2, 0x03);
    seq(4, 0x02);
    gc(4, 0x00);
    gc(5, 0x10);
    gc(6, 0x0E);

    put_at(4, 0, "after the font load", 0x0A);
    check(text[COLS + 2] == (0x4E00 | 'y'), "text survives the font load");
    move_cursor(6, 10);
    check(crtc_read(0x0E) == 0x01 && crtc_read(0x0F) == 0xEA, "the cursor location reads back");
    guest_finish(failures);
}
