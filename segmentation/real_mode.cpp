#include "bt86/segmentation/real_mode.h"

#include <fmt/format.h>

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/segment_load.h"

namespace bt86 {

bool load_real_mode_cs(SystemContext& ctx, uint16_t selector, uint32_t offset) {
  CpuState& cpu = ctx.cpu;
  if (offset > cpu.seg[kCs].limit) return ctx.raise(Vector::kGP, 0u);
  cpu.seg[kCs].selector = selector;
  cpu.seg[kCs].base = uint32_t{selector} << 4;
  cpu.eip = offset;
  ctx.segments_changed();
  return true;
}

bool deliver_real_mode(SystemContext& ctx, const Event& event, std::optional<Event>& nested, std::string& why) {
  CpuState& cpu = ctx.cpu;
  const uint32_t slot = uint32_t{event.vector} * 4;
  if (slot + 3 > cpu.idtr.limit) {
    nested = Event::exception(Vector::kGP, 0u);
    why = fmt::format("vector {} is beyond the IVT limit {:#x}", event.vector, cpu.idtr.limit);
    return false;
  }
  uint16_t vec[2];  // IP, CS
  if (!ctx.read_linear(cpu.idtr.base + slot, vec, 4, SystemContext::Privilege::kSupervisor)) {
    why = "the IVT could not be read";
    return false;
  }
  const uint32_t return_ip = event.traps_past_instruction() ? event.return_eip : cpu.eip;
  const uint32_t start_sp = cpu.gpr[kEsp];
  if (!push16(ctx, static_cast<uint16_t>(cpu.eflags)) || !push16(ctx, cpu.seg[kCs].selector) ||
      !push16(ctx, static_cast<uint16_t>(return_ip))) {
    cpu.gpr[kEsp] = start_sp;
    why = "the stack could not take the interrupt frame";
    return false;
  }
  // The handler's IP is not checked against CS's limit here: its first
  // fetch is (#GP(0) at the handler, as on the CPU).
  cpu.seg[kCs].selector = vec[1];
  cpu.seg[kCs].base = uint32_t{vec[1]} << 4;
  cpu.eip = vec[0];
  set_eflags(ctx, cpu.eflags & ~(eflags::kIF | eflags::kTF | eflags::kAC | eflags::kRF));
  cpu.halted = false;
  ctx.segments_changed();
  return true;
}

bool real_mode_iret(SystemContext& ctx, unsigned width) {
  CpuState& cpu = ctx.cpu;
  const uint32_t start_sp = cpu.gpr[kEsp];
  uint32_t ip, cs, flags;
  if (!pop(ctx, width, ip) || !pop(ctx, width, cs) || !pop(ctx, width, flags)) {
    cpu.gpr[kEsp] = start_sp;
    return false;
  }
  if (!load_real_mode_cs(ctx, static_cast<uint16_t>(cs), ip)) {
    cpu.gpr[kEsp] = start_sp;
    return false;
  }
  // SDM IRET, real-address mode: a 32-bit pop keeps VM, VIF and VIP (and RF
  // is cleared by the mask 0x257FD5); a 16-bit one replaces FLAGS.
  const uint32_t value = width == 4 ? (flags & 0x257FD5) | (cpu.eflags & 0x1A0000)
                                    : (cpu.eflags & 0xFFFF0000) | (flags & 0xFFFF);
  set_eflags(ctx, value);
  return true;
}

bool real_mode_far_jump_or_call(SystemContext& ctx, uint16_t selector, uint32_t offset, bool call, unsigned width,
                                uint32_t return_eip) {
  CpuState& cpu = ctx.cpu;
  if (width == 2) offset &= 0xFFFF;
  if (offset > cpu.seg[kCs].limit) return ctx.raise(Vector::kGP, 0u);  // before anything is pushed
  const uint32_t start_sp = cpu.gpr[kEsp];
  if (call && (!push_sized(ctx, width, cpu.seg[kCs].selector) || !push_sized(ctx, width, return_eip))) {
    cpu.gpr[kEsp] = start_sp;
    return false;
  }
  return load_real_mode_cs(ctx, selector, offset);
}

bool real_mode_far_return(SystemContext& ctx, unsigned width, uint32_t release) {
  CpuState& cpu = ctx.cpu;
  const uint32_t start_sp = cpu.gpr[kEsp];
  uint32_t ip, cs;
  if (!pop(ctx, width, ip) || !pop(ctx, width, cs) || !load_real_mode_cs(ctx, static_cast<uint16_t>(cs), ip)) {
    cpu.gpr[kEsp] = start_sp;
    return false;
  }
  set_stack_pointer(cpu, stack_pointer_plus(cpu, static_cast<int32_t>(release)));
  return true;
}

}  // namespace bt86
