#include "bt86/segmentation/guest_stack.h"

#include <cstring>

#include "bt86/segmentation/segment_check.h"
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

namespace {
// The host bytes of a whole frame at SS:offset, when the architecture lets
// them be reached with no fault (see push_frame); else null.
uint8_t* direct_frame(SystemContext& ctx, uint32_t offset, unsigned bytes, bool write) {
  const CpuState& cpu = ctx.cpu;
  if (!cpu.stack32() || uint64_t{offset} + bytes > (uint64_t{1} << 32)) return nullptr;
  if (!segment_allows(cpu, kSs, offset, bytes, write)) return nullptr;
  return ctx.direct(cpu.seg[kSs].base + offset, bytes, write);
}
}  // namespace

bool push_frame(SystemContext& ctx, unsigned width, std::span<const uint32_t> values) {
  CpuState& cpu = ctx.cpu;
  const auto bytes = static_cast<unsigned>(width * values.size());
  const uint32_t low = stack_pointer(cpu) - bytes;
  if (uint8_t* p = stack_pointer(cpu) >= bytes ? direct_frame(ctx, low, bytes, true) : nullptr) {
    for (size_t i = 0; i < values.size(); ++i) std::memcpy(p + bytes - (i + 1) * width, &values[i], width);
    set_stack_pointer(cpu, low);
    return true;
  }
  const uint32_t esp = cpu.gpr[kEsp];
  for (uint32_t v : values)
    if (!push_sized(ctx, width, v)) {
      cpu.gpr[kEsp] = esp;
      return false;
    }
  return true;
}

bool pop_frame(SystemContext& ctx, unsigned width, std::span<uint32_t> out) {
  CpuState& cpu = ctx.cpu;
  const auto bytes = static_cast<unsigned>(width * out.size());
  if (const uint8_t* p = direct_frame(ctx, stack_pointer(cpu), bytes, false)) {
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = 0;
      std::memcpy(&out[i], p + i * width, width);
    }
    set_stack_pointer(cpu, stack_pointer(cpu) + bytes);
    return true;
  }
  const uint32_t esp = cpu.gpr[kEsp];
  for (uint32_t& v : out)
    if (!pop(ctx, width, v)) {
      cpu.gpr[kEsp] = esp;
      return false;
    }
  return true;
}


}  // namespace bt86
