/* How the driver feeds each 16-bit routine; mirrors the kind numbers the
 * routines name in ops16.asm. */
#pragma once

enum kind16 {
    K16_REGS = 0,  /* registers from pairs of boundary values */
    K16_PTRS = 1,  /* BX SI DI BP: offsets into membuf (upper halves junk) */
    K16_DIV = 2,   /* DX:AX / BX (arg: 1 signed) made valid */
    K16_STR = 3,   /* CX a small count, SI DI offsets of two strings */
};

enum { SRC16 = 0x100, DST16 = 0x200, STR16_LEN = 0x80 };
