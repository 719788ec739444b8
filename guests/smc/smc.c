/* Self-modifying code: rewritten immediates, the next instruction of the
 * running block, loops that rewrite their own body or jump targets, string
 * moves over code, and code generated into a data buffer. */
#include "guest.h"
#include "print.h"

extern uint8_t smc_imm_target[];
extern uint32_t smc_imm_field;
uint32_t smc_patch_next(uint8_t value);
uint32_t smc_patch_ahead(uint32_t value);
uint32_t smc_loop_patch(void);
uint32_t smc_jump_patch(void);
uint32_t smc_movs_patch(uint32_t value);

static int failures;

static void check(const char *what, uint32_t got, uint32_t want)
{
    if (got == want) {
        kprintf("smc: %s ok (%08x)\n", what, got);
    } else {
        kprintf("FAIL: smc %s: got %08x, want %08x\n", what, got, want);
        failures++;
    }
}

static uint32_t call_code(const void *code)
{
    /* Paging is off: a code address is a physical address we can call. */
    return ((uint32_t(*)(void))code)();
}

/* Room for generated code, outside .text; aligned so it has a page to itself. */
static uint8_t code_buf[4096] __attribute__((aligned(4096)));

static void emit_mov_eax_ret(uint32_t value)
{
    volatile uint8_t *p = code_buf;
    p[0] = 0xB8; /* mov eax, imm32 */
    p[1] = (uint8_t)value;
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)(value >> 16);
    p[4] = (uint8_t)(value >> 24);
    p[5] = 0xC3; /* ret */
}

void kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    put_str("self-modifying code tests\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("FAIL: bad multiboot magic %08x\n", magic);
        exit_qemu(1);
    }

    check("immediate before patch", call_code(smc_imm_target), 0x11111111);
    *(volatile uint32_t *)&smc_imm_field = 0x22222222;
    check("immediate after patch", call_code(smc_imm_target), 0x22222222);
    *(volatile uint32_t *)&smc_imm_field = 0x33333333;
    check("immediate after second patch", call_code(smc_imm_target), 0x33333333);

    check("next instruction (0x42)", smc_patch_next(0x42), 0x42);
    check("next instruction (0x99)", smc_patch_next(0x99), 0x99);
    check("instruction ahead", smc_patch_ahead(0x12345678), 0x12345678 + 6);
    check("instruction ahead again", smc_patch_ahead(0x40), 0x40 + 6);
    check("loop rewriting its body", smc_loop_patch(), 45);
    check("loop rewriting its body again", smc_loop_patch(), 45);
    check("loop rewriting a jump target", smc_jump_patch(), 5 * 1111);
    check("rep movsb over code", smc_movs_patch(0xCAFE), 0xCAFE);
    check("rep movsb over code again", smc_movs_patch(0xF00D), 0xF00D);

    emit_mov_eax_ret(0xA1A1A1A1);
    check("generated code", call_code(code_buf), 0xA1A1A1A1);
    emit_mov_eax_ret(0xB2B2B2B2);
    check("regenerated code", call_code(code_buf), 0xB2B2B2B2);

    guest_finish(failures);
}
