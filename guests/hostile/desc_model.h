/* What the SDM says a selector does (desc_model.c), from the GDT and LDT as
 * they are: lar, lsl, verr, verw (vol. 2), loading a data segment register
 * or SS (vol. 3, 5.10 and MOV), ltr and lldt. */
#pragma once
#include <stdint.h>

/* An instruction's expected outcome: no fault (then zf and value, where
 * they apply) or the vector and error code it raises. */
struct expect {
    uint32_t vector; /* V_END: no fault */
    uint32_t error;
    int zf;
    uint32_t value;
};

enum check_op { OP_LAR, OP_LSL, OP_VERR, OP_VERW, OP_LOAD_DS, OP_LOAD_SS, OP_LTR, OP_LLDT };

struct expect model_selector(enum check_op op, uint16_t sel, int cpl);
