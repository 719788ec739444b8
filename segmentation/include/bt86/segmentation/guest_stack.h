// Pushes and pops on the guest stack (SS:ESP, or SS:SP when SS.B is clear),
// through the SS checks and guest memory, for the system instructions that
// push frames or pop them (interrupts, far calls and returns, iret, enter,
// pushf, popf). The stack pointer changes only when the access succeeded.
#pragma once
#include <cstdint>
#include <span>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

// The stack pointer as the stack's size uses it: ESP, or SP zero-extended.
inline uint32_t stack_pointer(const CpuState& cpu) {
  return cpu.stack32() ? cpu.gpr[kEsp] : cpu.gpr[kEsp] & 0xFFFF;
}
// Sets ESP, or on a 16-bit stack SP alone (ESP's upper half is kept).
inline void set_stack_pointer(CpuState& cpu, uint32_t value) {
  cpu.gpr[kEsp] = cpu.stack32() ? value : (cpu.gpr[kEsp] & 0xFFFF0000u) | (value & 0xFFFF);
}
// The stack pointer moved by delta bytes, wrapped at the stack's size.
inline uint32_t stack_pointer_plus(const CpuState& cpu, int32_t delta) {
  uint32_t sp = stack_pointer(cpu) + static_cast<uint32_t>(delta);
  return cpu.stack32() ? sp : sp & 0xFFFF;
}

bool push16(SystemContext& ctx, uint16_t value);
bool push32(SystemContext& ctx, uint32_t value);
// `width` 2 or 4 bytes.
bool push_sized(SystemContext& ctx, unsigned width, uint32_t value);
// `width` 2 or 4 bytes; a popped word is zero-extended.
bool pop(SystemContext& ctx, unsigned width, uint32_t& value);
bool pop32(SystemContext& ctx, uint32_t& value);

// A frame of `width`-byte items: push_frame pushes values[0] first (at the
// highest address), pop_frame pops into out[0] first (the top). Exactly as
// that many pushes or pops, faults included, but the stack pointer moves
// only when all succeeded; a frame within the limits of a 32-bit stack and
// in one page that SystemContext::direct reaches is copied at once.
bool push_frame(SystemContext& ctx, unsigned width, std::span<const uint32_t> values);
bool pop_frame(SystemContext& ctx, unsigned width, std::span<uint32_t> out);

}  // namespace bt86
