#include "bt86/segmentation/guest_stack.h"

#include "bt86/segmentation/segment_load.h"

namespace bt86 {

namespace {
template <typename T>
bool push(SystemContext& ctx, T value) {
  CpuState& cpu = ctx.cpu;
  uint32_t esp = stack_pointer_plus(cpu, -static_cast<int32_t>(sizeof(T))), linear;
  if (!segment_linear(ctx, kSs, esp, sizeof(T), true, linear) || !ctx.write_linear(linear, &value, sizeof(T)))
    return false;
  set_stack_pointer(cpu, esp);
  return true;
}
}  // namespace

bool push16(SystemContext& ctx, uint16_t value) { return push(ctx, value); }
bool push32(SystemContext& ctx, uint32_t value) { return push(ctx, value); }

bool pop(SystemContext& ctx, unsigned width, uint32_t& value) {
  CpuState& cpu = ctx.cpu;
  uint32_t linear;
  value = 0;
  if (!segment_linear(ctx, kSs, stack_pointer(cpu), width, false, linear) || !ctx.read_linear(linear, &value, width))
    return false;
  set_stack_pointer(cpu, stack_pointer_plus(cpu, static_cast<int32_t>(width)));
  return true;
}

bool pop32(SystemContext& ctx, uint32_t& value) { return pop(ctx, 4, value); }

bool push_sized(SystemContext& ctx, unsigned width, uint32_t value) {
  return width == 2 ? push16(ctx, static_cast<uint16_t>(value)) : push32(ctx, value);
}


}  // namespace bt86
