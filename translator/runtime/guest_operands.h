// Guest operands seen from C++: registers by Zydis name and effective and
// linear addresses, for helpers.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/segmentation/system_context.h"
#include "frontend/insn.h"

namespace bt86 {

uint32_t read_register(const CpuState& cpu, ZydisRegister reg);
// Writes with the architecture's partial-register rules (8/16-bit keep the rest).
void write_register(CpuState& cpu, ZydisRegister reg, uint32_t value);
// Offset within the segment (effective address) and linear address.
uint32_t effective_offset(const CpuState& cpu, const ZydisDecodedInstruction& info, const ZydisDecodedOperand& mem);
uint32_t effective_linear(const CpuState& cpu, const ZydisDecodedInstruction& info, const ZydisDecodedOperand& mem);
// The linear address of `size` bytes of a memory operand of insn, after its
// segment's checks (segment_linear: #GP(0), #SS(0) raised on ctx).
bool operand_linear(SystemContext& ctx, const Insn& insn, const ZydisDecodedOperand& op, unsigned size, bool write,
                    uint32_t& linear);

}  // namespace bt86
