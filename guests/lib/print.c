/* A tiny printf for test kernels and their native twins. */
#include "print.h"

#include <stdarg.h>

void put_str(const char *s)
{
    while (*s)
        put_char(*s++);
}

/* Emits `value` in `base`, right-aligned in `width` with `pad`. */
static void put_number(uint32_t value, unsigned base, int negative, unsigned width, char pad,
                       int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[12];
    unsigned n = 0;
    do {
        buf[n++] = digits[value % base];
        value /= base;
    } while (value);
    if (negative)
        width = width ? width - 1 : 0;
    if (negative && pad == '0')
        put_char('-');
    for (unsigned i = n; i < width; i++)
        put_char(pad);
    if (negative && pad != '0')
        put_char('-');
    while (n)
        put_char(buf[--n]);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put_char(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        unsigned width = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');
        if (*fmt == 'l')
            fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            unsigned len = 0;
            while (s[len])
                len++;
            for (; len < width; len++)
                put_char(' ');
            put_str(s);
            break;
        }
        case 'c':
            put_char((char)va_arg(ap, int));
            break;
        case 'd': {
            int v = va_arg(ap, int);
            uint32_t magnitude = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
            put_number(magnitude, 10, v < 0, width, pad, 0);
            break;
        }
        case 'u':
            put_number(va_arg(ap, uint32_t), 10, 0, width, pad, 0);
            break;
        case 'x':
        case 'X':
            put_number(va_arg(ap, uint32_t), 16, 0, width, pad, *fmt == 'X');
            break;
        case '%':
            put_char('%');
            break;
        case '\0':
            fmt--; /* a lone '%' at the end: stop at the terminator */
            break;
        default: /* unknown conversion: show it verbatim */
            put_char('%');
            put_char(*fmt);
            break;
        }
    }
    va_end(ap);
}

void put_hex64(uint64_t value)
{
    kprintf("%08x%08x", (uint32_t)(value >> 32), (uint32_t)value);
}
