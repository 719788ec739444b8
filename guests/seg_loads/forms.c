/* Instruction forms other than mov through segments that need checks: a
 * string instruction faults at the first element out of range with ECX and
 * EDI at that element (SDM vol. 2, REP: "the fault is handled ... with the
 * registers reflecting the iteration"), movs faults before it changes ESI or
 * EDI, read-modify-write ALU forms need a writable segment, CS is never
 * writable, a checked access keeps the arithmetic flags, pushad checks
 * all 32 bytes against SS, and bt/bts with a register bit offset is checked
 * at the element the offset selects, operand + (offset SAR 5) * 4 (SAR 4,
 * * 2 for 16-bit operands), not at the operand (SDM vol. 2, BT). */
#include "check.h"
#include "fault_check.h"
#include "pm.h"
#include "print.h"
#include "seg_loads.h"

extern volatile uint32_t acc_src;
uint32_t es_rep_stosb(uint32_t), es_movsd(uint32_t), fs_keeps_flags(uint32_t), fs_add_to_mem(uint32_t),
    fs_add_from_mem(uint32_t), cs_write(uint32_t), ss_pushad(uint32_t), fs_bt32(uint32_t), fs_bts32(uint32_t),
    fs_bt16(uint32_t);

enum { FL_CF = 1u << 0, FL_ZF = 1u << 6 };

static void restore_pattern(void)
{
    for (uint32_t i = 0; i < 8; i++)
        data_area[i] = pattern_byte(i);
}

static void check_strings(void)
{
    /* S_BYTE_LIM: base data_area, offsets 0 and 1 only. */
    acc_off = 0;
    uint32_t v = catch_call(es_rep_stosb, S_BYTE_LIM);
    check_begin();
    kprintf("rep stosb x4 from es=%04x:0, limit 1", S_BYTE_LIM);
    int ok = event_outcome(v, GP(0));
    kprintf(", at the fault ECX=%x EDI=%x, bytes %02x %02x %02x", catch_rec.ecx, catch_rec.edi, data_area[0],
            data_area[1], data_area[2]);
    ok &= catch_rec.ecx == 2 && catch_rec.edi == 2 && data_area[0] == 0x5A && data_area[1] == 0x5A &&
          data_area[2] == pattern_byte(2);
    check_end(ok);
    restore_pattern();

    acc_src = (uint32_t)data_area + 4;
    acc_off = 0;
    v = catch_call(es_movsd, S_BYTE_LIM);
    check_begin();
    kprintf("movsd to es=%04x:0, limit 1", S_BYTE_LIM);
    ok = event_outcome(v, GP(0));
    kprintf(", at the fault ESI-src=%x EDI=%x", catch_rec.esi - acc_src, catch_rec.edi);
    ok &= catch_rec.esi == acc_src && catch_rec.edi == 0 && data_area[0] == pattern_byte(0);
    check_end(ok);
    restore_pattern();

    v = catch_call(es_movsd, S_PAGE_LIM);
    check_begin();
    kprintf("movsd to es=%04x:0, limit 0x1fff", S_PAGE_LIM);
    ok = event_outcome(v, OK);
    uint32_t want = 0;
    for (int i = 3; i >= 0; i--)
        want = want << 8 | pattern_byte(4 + (uint32_t)i);
    kprintf(", dword at 0 %08x (want %08x)", *(volatile uint32_t *)data_area, want);
    check_end(ok && *(volatile uint32_t *)data_area == want);
    restore_pattern();
}

static void check_alu_and_flags(void)
{
    acc_off = 0x10;
    check_event("add [fs:x], eax with fs=read-only data", catch_call(fs_add_to_mem, S_RO0), GP(0));
    check_event("add eax, [fs:x] with fs=read-only data", catch_call(fs_add_from_mem, S_RO0), OK);
    check_event("add [fs:x], eax with fs=byte limit 1, x=0x10", catch_call(fs_add_to_mem, S_BYTE_LIM), GP(0));
    check_event("mov [cs:x], eax", catch_call(cs_write, 0), GP(0));

    acc_off = 0;
    uint32_t v = catch_call(fs_keeps_flags, S_PAGE_LIM);
    check_begin();
    kprintf("CF=1 ZF=1, then a read through fs=%04x (checked): EFLAGS %08x", S_PAGE_LIM, catch_ret);
    int ok = event_outcome(v, OK);
    check_end(ok && (catch_ret & (FL_CF | FL_ZF)) == (FL_CF | FL_ZF));
}

static void check_pushad(void)
{
    /* S_STACK_UP3: base ss_area, offsets 0..0x3fff. */
    stack_esp = 0x4000;
    check_event("CPL3 pushad, esp=0x4000, limit 0x3fff", catch_at(3, ss_pushad, S_STACK_UP3 | 3), OK);
    stack_esp = 0x4004;
    check_event("CPL3 pushad, esp=0x4004 (last dword past the limit)", catch_at(3, ss_pushad, S_STACK_UP3 | 3),
                SSF(0));
}

/* A bit test through FS = S_PAGE_LIM (base data_area, limit 0x1fff). */
static void bit_test(const char *insn, body_fn body, int word, int32_t bit_offset, int want_fault)
{
    acc_off = (uint32_t)bit_offset;
    uint32_t v = catch_call(body, S_PAGE_LIM);
    int32_t unit = word ? 16 : 32;
    int32_t element = (bit_offset >= 0 ? bit_offset / unit : -((-bit_offset + unit - 1) / unit)) * (unit / 8);
    check_begin();
    kprintf("%s [fs:0], bit offset %d: element at fs:%d, limit 0x1fff", insn, bit_offset, element);
    int ok = want_fault ? event_outcome(v, GP(0)) : event_outcome(v, OK);
    if (v == NO_FAULT) {
        uint32_t bit = (uint32_t)bit_offset & (uint32_t)(unit - 1);
        uint32_t want_cf = (*(volatile uint32_t *)(data_area + element) >> bit) & 1;
        kprintf(", CF=%u ZF=%u", catch_ret & FL_CF, !!(catch_ret & FL_ZF));
        if ((catch_ret & FL_CF) != want_cf || !(catch_ret & FL_ZF)) {
            kprintf(" (want CF=%u ZF=1)", want_cf);
            ok = 0;
        }
    }
    check_end(ok);
}

static void check_bit_tests(void)
{
    bit_test("bt dword", fs_bt32, 0, 0x1FFC * 8 + 31, 0);
    bit_test("bt dword", fs_bt32, 0, 0x2000 * 8, 1);
    bit_test("bt dword", fs_bt32, 0, -1, 1);
    bit_test("bts dword", fs_bts32, 0, 0x1000 * 8 + 5, 0);
    bit_test("bts dword", fs_bts32, 0, 0x2000 * 8 + 3, 1);
    bit_test("bt word", fs_bt16, 1, 0x7FFF, 0);
    bit_test("bt word", fs_bt16, 1, -16, 1);
}

void check_forms(void)
{
    put_str("-- string, ALU and stack forms through checked segments\n");
    check_strings();
    check_alu_and_flags();
    check_pushad();
    check_bit_tests();
}
