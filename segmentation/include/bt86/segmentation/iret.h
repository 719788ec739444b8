// iret (SDM vol. 2, IRET; vol. 3, 6.14 and 7.3): a return from an
// interrupt handler to the same or an outer privilege level, to
// virtual-8086 mode (an image with VM at CPL 0), or, with EFLAGS.NT, to the
// task in the TSS's back link; in real and virtual-8086 mode as they define
// it (real_mode.h, v86.h).
#pragma once
#include <cstdint>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

// width: the operand size in bytes (2 or 4); return_eip: the instruction
// after the iret (what a task switch saves in the old TSS). cpu.eip is at
// the iret, and stays there after a fault.
bool iret(SystemContext& ctx, unsigned width, uint32_t return_eip);

}  // namespace bt86
