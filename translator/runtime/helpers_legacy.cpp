// Legacy instructions with no 64-bit encoding. The BCD/ASCII adjustments
// and salc run natively in compatibility mode (Compat32), so every flag,
// defined or not, is the host CPU's; the others are carried out here.
#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/segment_load.h"
#include "runtime/guest_operands.h"
#include "runtime/helpers.h"

namespace bt86 {

HelperResult helper_native32(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  if ((s.insn.mnemonic() == ZYDIS_MNEMONIC_AAM) && (s.insn.ops[0].imm.value.u & 0xFF) == 0) return e.raise(Vector::kDE);
  // Without its prefixes (up to 14 of them, which change nothing here): the
  // compatibility-mode slot holds the opcode and at most an immediate.
  const unsigned prefixes = s.insn.info.raw.prefix_count;
  auto r = e.compat32.run({s.insn.bytes + prefixes, s.insn.length() - prefixes}, cpu.gpr[kEax], cpu.eflags);
  cpu.gpr[kEax] = r.eax;
  cpu.eflags = (cpu.eflags & ~eflags::kHostLive) | (r.eflags & (eflags::kHostLive & ~eflags::kDF)) |
               (cpu.eflags & eflags::kDF);
  return HelperResult::kContinue;
}

HelperResult helper_bound(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  unsigned width = s.insn.info.operand_width / 8;
  uint32_t addr = effective_linear(cpu, s.insn.info, s.insn.ops[1]);
  int32_t index, lower, upper;
  if (width == 2) {
    int16_t l, u;
    if (!e.read_linear(addr, &l, 2) || !e.read_linear(addr + 2, &u, 2)) return HelperResult::kExit;
    lower = l, upper = u;
    index = static_cast<int16_t>(read_register(cpu, s.insn.ops[0].reg.value));
  } else {
    if (!e.read_linear(addr, &lower, 4) || !e.read_linear(addr + 4, &upper, 4)) return HelperResult::kExit;
    index = static_cast<int32_t>(read_register(cpu, s.insn.ops[0].reg.value));
  }
  if (index < lower || index > upper) return e.raise(Vector::kBR);
  return HelperResult::kContinue;
}

HelperResult helper_arpl(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  const ZydisDecodedOperand& dst = s.insn.ops[0];
  uint16_t src = static_cast<uint16_t>(read_register(cpu, s.insn.ops[1].reg.value));
  uint16_t value;
  uint32_t addr = 0;
  if (dst.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    addr = effective_linear(cpu, s.insn.info, dst);
    if (!e.read_linear(addr, &value, 2)) return HelperResult::kExit;
  } else {
    value = static_cast<uint16_t>(read_register(cpu, dst.reg.value));
  }
  if ((value & 3) >= (src & 3)) {
    cpu.eflags &= ~eflags::kZF;
    return HelperResult::kContinue;
  }
  value = static_cast<uint16_t>((value & ~3u) | (src & 3));
  if (dst.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    if (!e.write_linear(addr, &value, 2)) return HelperResult::kExit;
  } else {
    write_register(cpu, dst.reg.value, value);
  }
  cpu.eflags |= eflags::kZF;
  return HelperResult::kContinue;
}

// enter with a nesting level > 0, a 16-bit operand size or a 16-bit stack
// (the 32-bit level-0 form on a 32-bit stack is translated inline). Frame
// pointers are read at EBP - n * width (BP - n * width, wrapping at 64 KiB,
// on a 16-bit stack), and the frame, ESP (SP), is what EBP (BP with a
// 16-bit operand size) gets: SDM ENTER, FrameTemp.
HelperResult helper_enter_nested(HelperContext& e, const HelperSite& s) {
  CpuState& cpu = e.cpu;
  uint32_t size = s.insn.ops[0].imm.value.u & 0xFFFF;
  unsigned level = s.insn.ops[1].imm.value.u & 31;
  const unsigned width = s.insn.info.operand_width / 8;
  uint32_t saved_esp = cpu.gpr[kEsp], saved_ebp = cpu.gpr[kEbp];
  auto undo = [&] { cpu.gpr[kEsp] = saved_esp; cpu.gpr[kEbp] = saved_ebp; return HelperResult::kExit; };
  auto push = [&](uint32_t v) { return width == 2 ? push16(e, static_cast<uint16_t>(v)) : push32(e, v); };
  if (!push(cpu.gpr[kEbp])) return undo();
  uint32_t frame = stack_pointer(cpu);
  const uint32_t offset_mask = cpu.stack32() ? 0xFFFFFFFF : 0xFFFF;
  uint32_t ebp = cpu.gpr[kEbp] & offset_mask;
  for (unsigned i = 1; i < level; ++i) {
    ebp = (ebp - width) & offset_mask;
    uint32_t v = 0, linear;
    if (!segment_linear(e, kSs, ebp, width, false, linear) || !e.read_linear(linear, &v, width) || !push(v))
      return undo();
  }
  if (level > 0 && !push(frame)) return undo();
  // A 16-bit operand size sets BP alone; a 32-bit one all of EBP, with
  // SP zero-extended on a 16-bit stack (the CPU does: found by the fuzzer).
  cpu.gpr[kEbp] = width == 2 ? (saved_ebp & 0xFFFF0000) | (frame & 0xFFFF) : frame;
  set_stack_pointer(cpu, stack_pointer_plus(cpu, -static_cast<int32_t>(size)));
  return HelperResult::kContinue;
}

}  // namespace bt86
