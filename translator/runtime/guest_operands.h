// Guest operands seen from C++: registers by Zydis name and effective
// addresses, for helpers and for emulating faulting accesses.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

uint32_t read_register(const CpuState& cpu, ZydisRegister reg);
// Writes with the architecture's partial-register rules (8/16-bit keep the rest).
void write_register(CpuState& cpu, ZydisRegister reg, uint32_t value);
// Offset within the segment (effective address) and linear address.
uint32_t effective_offset(const CpuState& cpu, const ZydisDecodedInstruction& info, const ZydisDecodedOperand& mem);
uint32_t effective_linear(const CpuState& cpu, const ZydisDecodedInstruction& info, const ZydisDecodedOperand& mem);

}  // namespace bt86
