// Control transfers. Direct targets become patchable exits (chained to the
// target block later); indirect ones go through the flag-preserving lookup
// stub with the target EIP in r9d. Conditions are tested by native jcc on
// the guest's live flags.
#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

namespace {

uint32_t branch_target(const Insn& insn) {
  ZyanU64 target = 0;
  ZydisCalcAbsoluteAddress(&insn.info, &insn.ops[0], insn.eip, &target);
  return insn.info.operand_width == 16 ? static_cast<uint32_t>(target & 0xFFFF) : static_cast<uint32_t>(target);
}

bool is_relative(const Insn& insn) {
  return insn.ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && insn.ops[0].imm.is_relative;
}

// r9d := the target of an indirect jmp/call operand.
void load_indirect_target(BlockBuilder& b, const Insn& insn) {
  const ZydisDecodedOperand& op = insn.ops[0];
  Assembler& a = b.a();
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    Gp src = hr::guest32(guest_gpr_of(op.reg.value));
    if (insn.info.operand_width == 16) a.movzx(hr::kAddr, src.r16());
    else a.mov(hr::kAddr, src);
  } else {
    Gp addr = form_address(b, insn, op, hr::kAddr);
    redirect_access(b, insn, addr, insn.info.operand_width / 8, true, false);
    if (insn.info.operand_width == 16) a.movzx(hr::kAddr, hr::guest_mem(addr, 2));
    else a.mov(hr::kAddr, hr::guest_mem(addr, 4));
  }
}

// Pushes the return address (next EIP) of a near call: a 16-bit operand
// size pushes IP, the low half.
void push_return_address(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  const unsigned width = insn.info.operand_width / 8;
  stack_address(b, insn, -static_cast<int32_t>(width), hr::kTmp2, width, true);
  redirect_access(b, insn, hr::kTmp2, width, false, true);
  if (width == 2) a.mov(hr::guest_mem(hr::kTmp2.r64(), 2), imm(static_cast<uint16_t>(insn.next_eip())));
  else a.mov(hr::guest_mem(hr::kTmp2.r64(), 4), imm(insn.next_eip()));
  commit_access(b, insn);
  adjust_stack_pointer(b, -static_cast<int32_t>(width));
}

bool is_far(const Insn& insn) {
  return insn.info.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR || insn.ops[0].type == ZYDIS_OPERAND_TYPE_POINTER;
}

}  // namespace

Flow emit_jmp(BlockBuilder& b, const Insn& insn) {
  if (is_far(insn)) return emit_system(b, insn);
  if (is_relative(insn)) {
    check_target(b, insn, branch_target(insn));
    b.jump_to(branch_target(insn));
    return Flow::kEndBlock;
  }
  load_indirect_target(b, insn);
  check_target(b, insn, hr::kAddr);
  b.jump_indirect();
  return Flow::kEndBlock;
}

Flow emit_jcc(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  // The condition is the low nibble of the opcode (7x short, 0F 8x near).
  auto cc = static_cast<CondCode>(insn.info.opcode & 0x0F);
  Label taken = a.newLabel();
  a.j(cc, taken);
  b.jump_to(insn.next_eip());
  a.bind(taken);
  check_target(b, insn, branch_target(insn));
  b.jump_to(branch_target(insn));
  return Flow::kEndBlock;
}

// Jumps to target if the count register (ECX, or CX with a 16-bit address
// size) is zero, without touching flags: jrcxz is the only flag-free test,
// so CX is swapped into rcx for it.
void jump_if_count_zero(BlockBuilder& b, bool count16, const Label& target) {
  Assembler& a = b.a();
  if (!count16) {
    a.jecxz(x86::rcx, target);  // the upper half of rcx is always zero
    return;
  }
  Label zero = a.newLabel(), nonzero = a.newLabel();
  a.movzx(hr::kTmp, x86::cx);
  a.xchg(hr::kTmp.r64(), x86::rcx);
  a.jecxz(x86::rcx, zero);
  a.xchg(hr::kTmp.r64(), x86::rcx);
  a.jmp(nonzero);
  a.bind(zero);
  a.xchg(hr::kTmp.r64(), x86::rcx);
  a.jmp(target);
  a.bind(nonzero);
}

void decrement_count(BlockBuilder& b, bool count16) {
  Assembler& a = b.a();
  if (!count16) {
    a.lea(x86::ecx, ptr(x86::rcx, -1));
    return;
  }
  a.lea(hr::kTmp, ptr(x86::rcx, -1));
  a.mov(x86::cx, hr::kTmp.r16());
}

Flow emit_loop(BlockBuilder& b, const Insn& insn) {
  Assembler& a = b.a();
  const bool count16 = insn.info.address_width == 16;
  Label taken = a.newLabel(), fall = a.newLabel();
  switch (insn.mnemonic()) {
    case ZYDIS_MNEMONIC_JECXZ:
    case ZYDIS_MNEMONIC_JCXZ:
      jump_if_count_zero(b, count16, taken);
      b.jump_to(insn.next_eip());
      a.bind(taken);
      check_target(b, insn, branch_target(insn));
      b.jump_to(branch_target(insn));
      return Flow::kEndBlock;
    case ZYDIS_MNEMONIC_LOOP:
    case ZYDIS_MNEMONIC_LOOPE:
    case ZYDIS_MNEMONIC_LOOPNE:
      decrement_count(b, count16);
      jump_if_count_zero(b, count16, fall);
      if (insn.mnemonic() == ZYDIS_MNEMONIC_LOOPE) a.jnz(fall);
      if (insn.mnemonic() == ZYDIS_MNEMONIC_LOOPNE) a.jz(fall);
      check_target(b, insn, branch_target(insn));
      b.jump_to(branch_target(insn));
      a.bind(fall);
      b.jump_to(insn.next_eip());
      return Flow::kEndBlock;
    default:
      return emit_unsupported(b, insn);
  }
}

Flow emit_call(BlockBuilder& b, const Insn& insn) {
  if (is_far(insn)) return emit_system(b, insn);
  if (is_relative(insn)) {
    check_target(b, insn, branch_target(insn));
    push_return_address(b, insn);
    b.jump_to(branch_target(insn));
    return Flow::kEndBlock;
  }
  load_indirect_target(b, insn);  // before the push: call [esp] uses the old ESP
  check_target(b, insn, hr::kAddr);
  push_return_address(b, insn);
  b.jump_indirect();
  return Flow::kEndBlock;
}

Flow emit_ret(BlockBuilder& b, const Insn& insn) {
  if (is_far(insn) || insn.mnemonic() != ZYDIS_MNEMONIC_RET) return emit_system(b, insn);
  int32_t release = insn.visible() > 0 ? static_cast<int32_t>(insn.ops[0].imm.value.u & 0xFFFF) : 0;
  // A 16-bit operand size pops IP: EIP is that, zero-extended.
  const unsigned width = insn.info.operand_width / 8;
  Assembler& a = b.a();
  stack_address(b, insn, 0, hr::kTmp2, width, false);
  redirect_access(b, insn, hr::kTmp2, width, true, false);
  if (width == 2) a.movzx(hr::kAddr, hr::guest_mem(hr::kTmp2.r64(), 2));
  else a.mov(hr::kAddr, hr::guest_mem(hr::kTmp2.r64(), 4));
  check_target(b, insn, hr::kAddr);
  adjust_stack_pointer(b, static_cast<int32_t>(width) + release);
  b.jump_indirect();
  return Flow::kEndBlock;
}

}  // namespace bt86
