// iret (SDM vol. 2, IRET; vol. 3, 6.14 and 7.3): a return from an
// interrupt handler to the same or an outer privilege level, or, with
// EFLAGS.NT, to the task in the TSS's back link.
#pragma once
#include <cstdint>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

// width: the operand size in bytes (2 or 4); return_eip: the instruction
// after the iret (what a task switch saves in the old TSS). cpu.eip is at
// the iret, and stays there after a fault.
bool iret(SystemContext& ctx, unsigned width, uint32_t return_eip);

}  // namespace bt86
