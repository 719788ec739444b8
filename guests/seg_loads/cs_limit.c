/* Instruction fetch against the CS limit (SDM vol. 3, 5.3; vol. 2, JMP, Jcc,
 * CALL, RET, IRET): a near transfer to an offset beyond the limit raises
 * #GP(0) at the transfer itself, which has no effect (no push, no pop); a far
 * transfer checks the new offset against the new CS limit the same way; and
 * an instruction any byte of which lies beyond the limit raises #GP(0) at
 * that instruction, whether it was reached by a jump or by falling through.
 *
 * The code runs in S_CODE_LIM: base 0, G=1, limit the last byte of the
 * first page of code_area. The page after it is real memory holding a retf,
 * so a missing check shows up as a return instead of a fault. */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"

static uint8_t code_area[0x2000] __attribute__((aligned(4096)));
#define AT(off) (code_area + (off))
#define LIN(off) ((uint32_t)code_area + (off))

enum { LIMIT = 0xFFF, PAST = 0x1000 };
enum { RETF = 0xCB, NOP = 0x90, INT3 = 0xCC };

static uint32_t jmp_entry_esp;

static void put32(uint32_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *AT(off + i) = (uint8_t)(v >> (8 * i));
}

/* A rel32 branch (opcode bytes `op`, n of them) at `at` to `to`; returns
 * the offset after it. */
static uint32_t branch(uint32_t at, const uint8_t *op, unsigned n, uint32_t to)
{
    for (unsigned i = 0; i < n; i++)
        *AT(at + i) = op[i];
    put32(at + n, to - (at + n + 4));
    return at + n + 4;
}

/* `push imm32` at `at`; returns the offset after it. */
static uint32_t push_imm(uint32_t at, uint32_t v)
{
    *AT(at) = 0x68;
    put32(at + 1, v);
    return at + 5;
}

/* Fresh code page: int3 everywhere (a stray path shows as #BP), a retf at
 * the last byte inside the limit and at the first byte past it. */
static void fresh(void)
{
    for (uint32_t i = 0; i < sizeof code_area; i++)
        code_area[i] = INT3;
    *AT(LIMIT) = RETF;
    *AT(PAST) = RETF;
}

/* Runs the code at `entry`; checks the event and, for a fault, the EIP and
 * CS it saved. Returns the vector. */
static uint32_t run(const char *what, uint32_t entry, int want_fault, uint32_t want_eip)
{
    uint32_t v = catch_call(far_call_lim, LIN(entry));
    check_begin();
    kprintf("CS limit %08x: %s", LIN(LIMIT), what);
    int ok = want_fault ? event_outcome(v, GP(0)) : event_outcome(v, OK);
    if (v == VEC_GP && want_fault) {
        uint32_t eip = catch_rec.words[1], cs = catch_rec.words[2] & 0xFFFF;
        uint32_t want_cs = want_eip == (uint32_t)far_call_site ? PM_KCODE : S_CODE_LIM;
        if (eip != want_eip || cs != want_cs) {
            kprintf(", saved %04x:%08x (want %04x:%08x)", cs, eip, want_cs, want_eip);
            ok = 0;
        }
    }
    check_end(ok);
    return v;
}

static const uint8_t JMP[] = {0xE9}, CALL[] = {0xE8}, JZ[] = {0x0F, 0x84};

static void near_transfers(void)
{
    fresh();
    branch(0x800, JMP, 1, LIMIT);
    run("jmp to the last byte", 0x800, 0, 0);

    fresh();
    branch(0x800, JMP, 1, PAST);
    run("jmp one past the limit", 0x800, 1, LIN(0x800));
    jmp_entry_esp = catch_rec.entry_esp;

    fresh();
    *AT(0x800) = 0x31, *AT(0x801) = 0xC0; /* xor eax, eax: ZF = 1 */
    branch(0x802, JZ, 2, PAST);
    run("jz taken past the limit", 0x800, 1, LIN(0x802));

    fresh();
    *AT(0x800) = 0x31, *AT(0x801) = 0xC0;
    uint32_t next = branch(0x802, (const uint8_t[]){0x0F, 0x85}, 2, PAST); /* jnz: not taken */
    branch(next, JMP, 1, LIMIT);
    run("jnz not taken, its target past the limit", 0x800, 0, 0);

    fresh();
    branch(0x800, CALL, 1, PAST);
    if (run("call past the limit", 0x800, 1, LIN(0x800)) == VEC_GP)
        check_eq("  ... pushed nothing: ESP at the fault", catch_rec.entry_esp, jmp_entry_esp);

    fresh();
    uint32_t at = push_imm(0x800, LIN(PAST));
    *AT(at) = 0xC3; /* ret */
    if (run("ret past the limit", 0x800, 1, LIN(at)) == VEC_GP)
        check_eq("  ... popped nothing: ESP at the fault", catch_rec.entry_esp, jmp_entry_esp - 4);

    fresh();
    *AT(0x800) = 0xB8; /* mov eax, imm32 */
    put32(0x801, LIN(PAST));
    *AT(0x805) = 0xFF, *AT(0x806) = 0xE0; /* jmp eax */
    run("jmp eax past the limit", 0x800, 1, LIN(0x805));
}

static void far_transfers(void)
{
    fresh();
    run("far call to one past the limit", PAST, 1, (uint32_t)far_call_site);

    fresh();
    run("far call to the last byte", LIMIT, 0, 0);

    fresh();
    uint32_t at = push_imm(0x800, S_CODE_LIM);
    at = push_imm(at, LIN(PAST));
    *AT(at) = RETF;
    run("retf past the limit", 0x800, 1, LIN(at));

    fresh();
    *AT(0x800) = 0x9C; /* pushfd */
    at = push_imm(0x801, S_CODE_LIM);
    at = push_imm(at, LIN(PAST));
    *AT(at) = 0xCF; /* iretd */
    run("iretd past the limit", 0x800, 1, LIN(at));
}

static void fetch_past_limit(void)
{
    fresh();
    for (uint32_t i = 0xFF0; i <= LIMIT; i++)
        *AT(i) = NOP;
    run("nops falling through the limit", 0xFF0, 1, LIN(PAST));

    fresh();
    for (uint32_t i = 0xFF0; i <= LIMIT; i++)
        *AT(i) = NOP;
    *AT(PAST) = 0xFF, *AT(PAST + 1) = 0xFF; /* no instruction: #UD if it were inside */
    run("nops falling through the limit into undecodable bytes", 0xFF0, 1, LIN(PAST));

    fresh();
    for (uint32_t i = 0xFF0; i < LIMIT; i++)
        *AT(i) = NOP;
    *AT(LIMIT) = 0xB0; /* mov al, imm8: its second byte is past the limit */
    *AT(PAST) = 0x01;
    *AT(PAST + 1) = RETF;
    run("an instruction straddling the limit", 0xFF0, 1, LIN(LIMIT));

    fresh();
    branch(0x800, JMP, 1, 0xFFC);
    for (uint32_t i = 0xFFC; i < LIMIT; i++)
        *AT(i) = NOP;
    *AT(LIMIT) = 0xB0;
    *AT(PAST) = 0x01;
    *AT(PAST + 1) = RETF;
    run("jmp inside, then straddling the limit", 0x800, 1, LIN(LIMIT));
}

void check_cs_limit(void)
{
    put_str("-- CS limit on instruction fetch\n");
    pm_gdt_set(S_CODE_LIM >> 3, seg_desc(0, (uint32_t)code_area >> 12, ACC_P | ACC_S | ACC_CODE_XR, FL_G | FL_DB));
    near_transfers();
    far_transfers();
    fetch_past_limit();
}
