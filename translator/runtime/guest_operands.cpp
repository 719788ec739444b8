#include "runtime/guest_operands.h"

#include "bt86/segmentation/segment_load.h"
#include "emit/emit.h"

namespace bt86 {

uint32_t read_register(const CpuState& cpu, ZydisRegister reg) {
  if (reg == ZYDIS_REGISTER_NONE) return 0;
  int g = guest_gpr_of(reg);
  if (g < 0) return 0;
  uint32_t v = cpu.gpr[g];
  if (reg >= ZYDIS_REGISTER_EAX && reg <= ZYDIS_REGISTER_EDI) return v;
  if (reg >= ZYDIS_REGISTER_AX && reg <= ZYDIS_REGISTER_DI) return v & 0xFFFF;
  if (reg >= ZYDIS_REGISTER_AH && reg <= ZYDIS_REGISTER_BH) return v >> 8 & 0xFF;
  return v & 0xFF;
}

void write_register(CpuState& cpu, ZydisRegister reg, uint32_t value) {
  int g = guest_gpr_of(reg);
  if (g < 0) return;
  uint32_t& r = cpu.gpr[g];
  if (reg >= ZYDIS_REGISTER_EAX && reg <= ZYDIS_REGISTER_EDI) r = value;
  else if (reg >= ZYDIS_REGISTER_AX && reg <= ZYDIS_REGISTER_DI) r = (r & 0xFFFF0000) | (value & 0xFFFF);
  else if (reg >= ZYDIS_REGISTER_AH && reg <= ZYDIS_REGISTER_BH) r = (r & 0xFFFF00FF) | (value & 0xFF) << 8;
  else r = (r & 0xFFFFFF00) | (value & 0xFF);
}

uint32_t effective_offset(const CpuState& cpu, const ZydisDecodedInstruction& info, const ZydisDecodedOperand& op) {
  uint32_t ea = read_register(cpu, op.mem.base) + read_register(cpu, op.mem.index) * (op.mem.scale ? op.mem.scale : 1);
  if (op.mem.disp.has_displacement) ea += static_cast<uint32_t>(op.mem.disp.value);
  return info.address_width == 16 ? ea & 0xFFFF : ea;
}

uint32_t effective_linear(const CpuState& cpu, const ZydisDecodedInstruction& info, const ZydisDecodedOperand& op) {
  int seg = segment_of(op.mem.segment);
  return effective_offset(cpu, info, op) + (seg >= 0 ? cpu.seg[seg].base : 0);
}

bool operand_linear(SystemContext& ctx, const Insn& insn, const ZydisDecodedOperand& op, unsigned size, bool write,
                    uint32_t& linear) {
  int seg = segment_of(op.mem.segment);
  return segment_linear(ctx, seg < 0 ? kDs : static_cast<unsigned>(seg), effective_offset(ctx.cpu, insn.info, op), size,
                        write, linear);
}

}  // namespace bt86
