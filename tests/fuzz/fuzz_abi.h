/* The differential fuzzer's shared layout: guest addresses and the records
 * the driver (64-bit C++) and the native oracle (32-bit C) exchange through
 * pipes. Only fixed-width members, so both compilers lay them out alike. */
#ifndef BT86_FUZZ_ABI_H
#define BT86_FUZZ_ABI_H
#include <stdint.h>

/* The data area that every memory operand and the stack point into. It lies
 * below 64 KiB so that 16-bit addressing ([bx+si]) reaches it too. */
#define FUZZ_DATA_BASE 0x8000u
#define FUZZ_DATA_SIZE 0x4000u
/* Code: one 8 KiB slot per run, used once per engine (a new slot never
 * meets translations of an older case); the code starts anywhere in the
 * slot's first 4 KiB, so it often runs across a page boundary. */
#define FUZZ_CODE_BASE 0x100000u
#define FUZZ_CODE_SLOT 0x2000u
#define FUZZ_CODE_MAX 0x1000u
#define FUZZ_CODE_SLOTS 768u

/* vector of a run that reached the final hlt instead of an exception */
#define FUZZ_END 0xFFFFFFFFu
/* the oracle's own failures */
#define FUZZ_TIMEOUT 0xFFFFFFFEu

struct fuzz_state {
  uint8_t fx[512]; /* FXSAVE image (32-bit format; FIP/FDP fields unused) */
  uint32_t gpr[8]; /* EAX ECX EDX EBX ESP EBP ESI EDI */
  uint32_t eip;
  uint32_t eflags;
};

/* How the code runs (fuzz_request.mode). The 16-bit modes run it in a
 * 16-bit code segment whose base is its slot (IP = the offset in the slot),
 * with 16-bit data segments of base 0 and limit 0xFFFF; natively both are
 * LDT segments (modify_ldt) and real mode runs as FUZZ_MODE_PM16. */
#define FUZZ_MODE_FLAT32 0u
#define FUZZ_MODE_PM16 1u      /* 16-bit code, 16-bit stack (SS.B = 0) */
#define FUZZ_MODE_PM16_SS32 2u /* 16-bit code, 32-bit stack (SS.B = 1) */
#define FUZZ_MODE_REAL 3u      /* real mode on bt86 (CR0.PE = 0, CS base = the slot) */

struct fuzz_request {
  uint32_t code_addr; /* where code[0..code_len) goes; execution starts there */
  uint32_t code_len;
  uint32_t mode;      /* FUZZ_MODE_* */
  uint32_t reserved;
  struct fuzz_state state;
  uint8_t data[FUZZ_DATA_SIZE];
  uint8_t code[FUZZ_CODE_MAX];
};

struct fuzz_result {
  uint32_t vector; /* FUZZ_END, an exception vector, or FUZZ_TIMEOUT */
  uint32_t error_code;
  struct fuzz_state state; /* at the end, or at the exception (eip: the vector's report) */
  uint8_t data[FUZZ_DATA_SIZE];
};

#endif
