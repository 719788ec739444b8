// Pushes and pops on the guest stack (SS:ESP, a 32-bit stack), through the
// SS checks and guest memory, for the system instructions that push frames
// or pop them (interrupts, far calls and returns, iret, enter, pushf, popf).
// ESP changes only when the access succeeded.
#pragma once
#include <cstdint>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

bool push16(SystemContext& ctx, uint16_t value);
bool push32(SystemContext& ctx, uint32_t value);
// `width` 2 or 4 bytes.
bool push_sized(SystemContext& ctx, unsigned width, uint32_t value);
// `width` 2 or 4 bytes; a popped word is zero-extended.
bool pop(SystemContext& ctx, unsigned width, uint32_t& value);
bool pop32(SystemContext& ctx, uint32_t& value);

}  // namespace bt86
