/* How the driver feeds each routine; mirrors kinds.inc. */
#pragma once

enum kind {
    K_PAIRS,
    K_PTRS,
    K_FLAGS,
    K_BCD,
    K_DIV,
    K_BITOFF,
    K_COUNT,
    K_STRING,
    K_BOUND,
    K_CMPXCHG,
};

enum {
    DIV_WIDTH_MASK = 0xFF,
    DIV_SIGNED = 0x100,
    DIV_BH = 0x200,
    SRC = 256,
    DST = 512,
    STR_LEN = 256,
    GENERAL_LEN = 64, /* bytes of membuf that ordinary routines use */
};
