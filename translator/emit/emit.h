// The emitters, split by instruction class. Each appends the host code for
// one guest instruction and says whether the block ends after it.
#pragma once
#include <Zydis/Zydis.h>
#include <asmjit/x86.h>

#include "emit/block_builder.h"
#include "frontend/insn.h"

namespace bt86 {

enum class Flow { kContinue, kEndBlock };
using Emitter = Flow (*)(BlockBuilder&, const Insn&);

// One guest instruction as blocks hold it: the CS-limit check, #UD where the
// CPU model (cpu_model.h) lacks it or CR4.OSFXSR is clear for SSE, #NM/#UD
// for FPU instructions under CR0.TS/EM, then its row of the op table
// (op_table.h): its emitter, or its helper; ident if it has none.
Flow emit_instruction(BlockBuilder& b, const Insn& insn);

// ---- emit_ident.cpp: same operation, memory operand moved onto the window
Flow emit_ident(BlockBuilder& b, const Insn& insn);
// Why an instruction cannot be ident (nullptr if it can).
const char* ident_refusal(const Insn& insn);
// maskmovq, maskmovdqu: ident, with the implicit DS:EDI operand moved.
Flow emit_maskmov(BlockBuilder& b, const Insn& insn);

// ---- emit_memory.cpp: address formation (never touches host flags)
// Guest register number of a 32-bit/16-bit/8-bit Zydis register, or -1.
int guest_gpr_of(ZydisRegister reg);
// Segment register number (kEs..kGs) of a Zydis segment register.
int segment_of(ZydisRegister reg);
// Linear address of a memory operand: in r9d (into) or, for a plain
// [reg32] in a flat segment, the guest register itself. 64-bit view returned.
asmjit::x86::Gp form_address(BlockBuilder& b, const Insn& insn, const ZydisDecodedOperand& mem,
                             const asmjit::x86::Gp& into, bool allow_plain = true);
// The effective address (offset, no segment base) of a memory operand, in into.
void form_offset(BlockBuilder& b, const Insn& insn, const ZydisDecodedOperand& mem, const asmjit::x86::Gp& into);
// True when an access through seg needs neither a base nor a check in this
// block: its offset is its linear address.
bool segment_is_plain(const BlockBuilder& b, unsigned seg, bool write);
// Adds the base of segment seg to the 32-bit address in reg, if it can be non-zero.
void add_segment_base(BlockBuilder& b, unsigned seg, const asmjit::x86::Gp& reg32);
// reg32 := linear address of SS:[ESP + offset] (SS:[SP + offset], wrapped
// at 64 KiB, in a block whose stack is 16-bit), after checking the `size`
// bytes there against SS.
void stack_address(BlockBuilder& b, const Insn& insn, int32_t offset, const asmjit::x86::Gp& reg32, unsigned size,
                   bool write);
// ESP += delta, or SP += delta with ESP's upper half kept on a 16-bit stack
// (a 16-bit lea writes only the low word); flag-free.
void adjust_stack_pointer(BlockBuilder& b, int32_t delta);
// In blocks whose mode says segment seg needs checks: raises #GP(0) (#SS(0)
// for SS) for insn unless `size` bytes at offset32 (a zero-extended 32-bit
// offset) are allowed for a read or write. Host flags stay untouched.
void check_access(BlockBuilder& b, const Insn& insn, unsigned seg, const asmjit::x86::Gp& offset32, unsigned size,
                  bool write);

// Whether insn reads / writes its memory operand op (conditional ones count:
// the CPU accesses the memory whatever the condition).
bool operand_reads(const ZydisDecodedOperand& op);
bool operand_writes(const ZydisDecodedOperand& op);
// bt/bts/btr/btc with a register bit offset (which selects an element
// anywhere within +-256 MiB of the operand).
bool is_bit_test_by_register(const Insn& insn);

// ---- emit_bounce.cpp: memory accesses in bounce blocks (mode::kBounce)
// reg (r9, r10 or r11) holds the linear address of `size` bytes insn is
// about to read and/or write; in a bounce block the engine decides where
// they are accessed and reg becomes that place's offset from the window
// base: the address itself when the bytes are plain RAM in the window, else
// a scratch buffer that it filled from RAM and devices (reads). Nothing is
// emitted in other blocks. Registers and flags are kept.
void redirect_access(BlockBuilder& b, const Insn& insn, const asmjit::x86::Gp& reg, unsigned size, bool read,
                     bool write);
// After the store of a redirected write: the engine writes the scratch
// bytes to RAM and devices. Nothing is emitted in other blocks.
void commit_access(BlockBuilder& b, const Insn& insn);

// ---- emit_fetch.cpp: the CS limit, only in blocks whose mode checks CS
// #GP(0) for insn unless its last byte is within the CS limit.
void check_fetch(BlockBuilder& b, const Insn& insn);
// #GP(0) for the near transfer insn unless its target (a constant, or a
// 32-bit register) is within the CS limit. Host flags stay untouched.
void check_target(BlockBuilder& b, const Insn& insn, uint32_t target);
void check_target(BlockBuilder& b, const Insn& insn, const asmjit::x86::Gp& target32);

// True for x87, MMX, SSE and FXSAVE-family instructions (those CR0.TS/EM
// make fault).
bool uses_fpu(const Insn& insn);

// ---- the special classes
Flow emit_push(BlockBuilder&, const Insn&);
Flow emit_pop(BlockBuilder&, const Insn&);
Flow emit_pushad(BlockBuilder&, const Insn&);
Flow emit_popad(BlockBuilder&, const Insn&);
Flow emit_enter(BlockBuilder&, const Insn&);
Flow emit_leave(BlockBuilder&, const Insn&);
Flow emit_jmp(BlockBuilder&, const Insn&);
Flow emit_jcc(BlockBuilder&, const Insn&);
Flow emit_loop(BlockBuilder&, const Insn&);
Flow emit_call(BlockBuilder&, const Insn&);
Flow emit_ret(BlockBuilder&, const Insn&);
Flow emit_string(BlockBuilder&, const Insn&);
Flow emit_xlat(BlockBuilder&, const Insn&);
Flow emit_lea(BlockBuilder&, const Insn&);
Flow emit_nop(BlockBuilder&, const Insn&);
Flow emit_cld_std(BlockBuilder&, const Insn&);
Flow emit_mov_from_sreg(BlockBuilder&, const Insn&);
Flow emit_cli_sti(BlockBuilder&, const Insn&);  // emit_flags.cpp: inline at CPL 0
Flow emit_pushf(BlockBuilder&, const Insn&);
Flow emit_popf(BlockBuilder&, const Insn&);
Flow emit_mov(BlockBuilder&, const Insn&);
Flow emit_mov_cr(BlockBuilder&, const Insn&);  // emit_misc.cpp: reads inline at CPL 0
Flow emit_rdtsc(BlockBuilder&, const Insn&);
// The helper of insn's row in the op table (op_table.h).
Flow emit_system(BlockBuilder&, const Insn&);
Flow emit_unsupported(BlockBuilder&, const Insn&);

}  // namespace bt86
