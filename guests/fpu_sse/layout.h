/* membuf layout and feeding kinds of the fpu_sse routines; mirrors fpu.inc. */
#pragma once

enum fpu_kind {
    K_PS,  /* vector inputs hold four floats */
    K_PD,  /* two doubles */
    K_INT, /* integer lanes */
};

enum {
    RC_ALL = 1, /* arg: every case under each rounding mode */

    IN_D0 = 0,
    IN_D1 = 8,
    IN_F0 = 16,
    IN_F1 = 20,
    IN_I0 = 24,
    IN_I1 = 28,
    IN_XA = 32,
    IN_XB = 48,
    IN_E0 = 64,
    IN_E1 = 80,
    IN_Q0 = 96,
    IN_W0 = 104,
    IN_W1 = 106,
    IN_BCD = 108,
    IN_CW = 120,
    IN_MXCSR = 124,
    RES = 128,
    RES_FSW = 448,
    RES_MXCSR = 452,
    SCRATCH = 512,     /* not hashed: images that hold addresses */
    FPU_MEM_LEN = 512, /* bytes of membuf hashed per case */
};
