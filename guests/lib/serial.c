/* Guest console: COM1, polled. */
#include "io.h"
#include "print.h"

enum {
    COM1 = 0x3F8,
    COM1_LSR = COM1 + 5,
    LSR_THR_EMPTY = 1 << 5,
};

void put_char(char c)
{
    while (!(inb(COM1_LSR) & LSR_THR_EMPTY))
        ;
    outb(COM1, (uint8_t)c);
}
