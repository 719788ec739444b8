// Implicit-stack instructions, expanded (in 64-bit mode the originals would
// use rsp and 8-byte slots). Every expansion touches memory before it
// changes a guest register, so a fault restarts the instruction cleanly.
#include "emit/emit.h"
#include "emit/host_regs.h"

namespace bt86 {

using namespace asmjit;
using namespace asmjit::x86;
namespace hr = hostreg;

namespace {
Gp sized(const Gp& r32, unsigned width) { return width == 2 ? r32.r16() : r32; }

// Loads the pushed value of operand op into r10 (or returns the operand).
Operand push_source(BlockBuilder& b, const Insn& insn, const ZydisDecodedOperand& op, unsigned width) {
  Assembler& a = b.a();
  switch (op.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
      if (int seg = segment_of(op.reg.value); seg >= 0) {
        // push sreg: the selector, zero-extended to a 32-bit push.
        a.movzx(hr::kTmp, hr::cpu_selector(static_cast<unsigned>(seg)));
        return sized(hr::kTmp, width);
      }
      return sized(hr::guest32(guest_gpr_of(op.reg.value)), width);
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
      return imm(width == 2 ? static_cast<uint16_t>(op.imm.value.u) : static_cast<uint32_t>(op.imm.value.u));
    default: {
      Gp addr = form_address(b, insn, op, hr::kAddr);
      redirect_access(b, insn, addr, width, true, false);
      a.mov(sized(hr::kTmp, width), hr::guest_mem(addr, width));
      return sized(hr::kTmp, width);
    }
  }
}
}  // namespace

Flow emit_push(BlockBuilder& b, const Insn& insn) {
  const ZydisDecodedOperand& op = insn.ops[0];
  unsigned width = insn.info.operand_width / 8;
  Assembler& a = b.a();
  Operand value = push_source(b, insn, op, width);
  stack_address(b, insn, -static_cast<int32_t>(width), hr::kTmp2, width, true);
  redirect_access(b, insn, hr::kTmp2, width, false, true);
  if (value.isImm())
    a.mov(hr::guest_mem(hr::kTmp2.r64(), width), value.as<Imm>());
  else
    a.mov(hr::guest_mem(hr::kTmp2.r64(), width), value.as<Gp>());
  commit_access(b, insn);
  adjust_stack_pointer(b, -static_cast<int32_t>(width));
  return Flow::kContinue;
}

Flow emit_pop(BlockBuilder& b, const Insn& insn) {
  const ZydisDecodedOperand& op = insn.ops[0];
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && segment_of(op.reg.value) >= 0) return emit_system(b, insn);
  unsigned width = insn.info.operand_width / 8;
  auto w = static_cast<int32_t>(width);
  Assembler& a = b.a();
  stack_address(b, insn, 0, hr::kTmp2, width, false);
  redirect_access(b, insn, hr::kTmp2, width, true, false);
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    int g = guest_gpr_of(op.reg.value);
    a.mov(sized(hr::guest32(g), width), hr::guest_mem(hr::kTmp2.r64(), width));
    if (g != kEsp) adjust_stack_pointer(b, w);  // pop esp: the loaded value wins
    return Flow::kContinue;
  }
  // pop m: the address is formed with ESP already incremented (SDM), which
  // for an ESP base is the displacement plus the width: ESP itself changes
  // only after both accesses, so a fault (segment check or page) restarts
  // the instruction cleanly.
  a.mov(sized(hr::kTmp, width), hr::guest_mem(hr::kTmp2.r64(), width));
  ZydisDecodedOperand dst = op;
  if (dst.mem.base == ZYDIS_REGISTER_ESP) {
    dst.mem.disp.has_displacement = true;
    dst.mem.disp.value += w;
  }
  Gp addr = form_address(b, insn, dst, hr::kAddr, false);
  redirect_access(b, insn, addr, width, false, true);
  a.mov(hr::guest_mem(addr, width), sized(hr::kTmp, width));
  commit_access(b, insn);
  adjust_stack_pointer(b, w);
  return Flow::kContinue;
}

Flow emit_pushad(BlockBuilder& b, const Insn& insn) {
  unsigned width = insn.info.operand_width / 8;
  Assembler& a = b.a();
  stack_address(b, insn, -8 * static_cast<int32_t>(width), hr::kTmp2, 8 * width, true);
  redirect_access(b, insn, hr::kTmp2, 8 * width, false, true);
  // EAX goes highest, EDI lowest; the ESP slot gets the value before the push.
  for (unsigned i = 0; i < 8; ++i)
    a.mov(Mem(hr::kWindow, hr::kTmp2.r64(), 0, static_cast<int32_t>((7 - i) * width), width),
          sized(hr::guest32(i), width));
  commit_access(b, insn);
  adjust_stack_pointer(b, -8 * static_cast<int32_t>(width));
  return Flow::kContinue;
}

Flow emit_popad(BlockBuilder& b, const Insn& insn) {
  unsigned width = insn.info.operand_width / 8;
  Assembler& a = b.a();
  stack_address(b, insn, 0, hr::kTmp2, 8 * width, false);
  redirect_access(b, insn, hr::kTmp2, 8 * width, true, false);
  auto slot = [&](unsigned i) {
    return Mem(hr::kWindow, hr::kTmp2.r64(), 0, static_cast<int32_t>((7 - i) * width), width);
  };
  // Touch both ends first: past them no load can fault, so no guest
  // register changes before every load is known to succeed.
  a.mov(sized(hr::kTmp, width), slot(kEax));
  a.mov(sized(hr::guest32(kEdi), width), slot(kEdi));
  for (unsigned i : {kEsi, kEbp, kEbx, kEdx, kEcx}) a.mov(sized(hr::guest32(i), width), slot(i));
  a.mov(sized(hr::guest32(kEax), width), sized(hr::kTmp, width));
  adjust_stack_pointer(b, 8 * static_cast<int32_t>(width));
  return Flow::kContinue;
}

Flow emit_enter(BlockBuilder& b, const Insn& insn) {
  auto size = static_cast<int32_t>(insn.ops[0].imm.value.u & 0xFFFF);
  unsigned level = insn.ops[1].imm.value.u & 31;
  if (level != 0 || insn.info.operand_width != 32 || b.stack16()) return emit_system(b, insn);
  Assembler& a = b.a();
  stack_address(b, insn, -4, hr::kTmp2, 4, true);
  redirect_access(b, insn, hr::kTmp2, 4, false, true);
  a.mov(hr::guest_mem(hr::kTmp2.r64(), 4), x86::ebp);
  commit_access(b, insn);
  a.lea(x86::ebp, ptr(hr::kEsp.r64(), -4));
  adjust_stack_pointer(b, -4 - size);
  return Flow::kContinue;
}

// ESP := EBP (SP := BP on a 16-bit stack), then EBP, or with a 16-bit
// operand size BP, is popped.
Flow emit_leave(BlockBuilder& b, const Insn& insn) {
  const unsigned width = insn.info.operand_width / 8;
  Assembler& a = b.a();
  if (b.stack16()) a.movzx(hr::kTmp2, x86::bp);
  else a.mov(hr::kTmp2, x86::ebp);
  check_access(b, insn, kSs, hr::kTmp2, width, false);
  add_segment_base(b, kSs, hr::kTmp2);
  redirect_access(b, insn, hr::kTmp2, width, true, false);
  a.mov(sized(hr::kTmp, width), hr::guest_mem(hr::kTmp2.r64(), width));
  a.lea(b.stack16() ? hr::kEsp.r16() : hr::kEsp, ptr(x86::rbp, static_cast<int32_t>(width)));
  a.mov(sized(x86::ebp, width), sized(hr::kTmp, width));
  return Flow::kContinue;
}

}  // namespace bt86
