/* Keys typed on bt86's terminal (--display terminal) as the i8042 hands
 * them to a guest: polls the controller, shows every byte it reads in hex
 * on the VGA's first line and ends when it has seen the Up arrow released
 * (E0 C8 in set 1, which the controller's translation makes by default).
 * tests/vga_screen.sh types "aB", then Up, on a pseudo-terminal and checks
 * the line. */
#include "guest.h"
#include "io.h"

static volatile uint16_t *const text = (volatile uint16_t *)0xB8000;

static void put_char(int *col, char c) { text[(*col)++] = (uint16_t)(0x0700 | (uint8_t)c); }

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    (void)magic;
    (void)mbi_addr;
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 80 * 25; ++i) text[i] = 0x0720;
    int col = 0;
    for (const char *s = "keys:"; *s; ++s) put_char(&col, *s);
    uint8_t last = 0;
    while (col < 78) {
        if (!(inb(0x64) & 0x01)) continue;
        uint8_t b = inb(0x60);
        put_char(&col, ' ');
        put_char(&col, hex[b >> 4]);
        put_char(&col, hex[b & 15]);
        if (last == 0xE0 && b == 0xC8) exit_qemu(0);
        last = b;
    }
    exit_qemu(1);
}
