#include "bt86/segmentation/v86.h"

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/segment_load.h"

namespace bt86 {

namespace {
constexpr unsigned kDataSegs[4] = {kGs, kFs, kDs, kEs};  // the order an event pushes them in
}

void load_v86_segment(SegmentCache& s, uint16_t selector) {
  using namespace access_rights;
  s = SegmentCache{selector, static_cast<uint16_t>(kPresent | kSegment | (3u << 5) | kReadWrite | kAccessed),
                   uint32_t{selector} << 4, 0xFFFF};
}

void load_v86_segments(CpuState& cpu, const uint32_t selectors[6]) {
  for (unsigned s = 0; s < 6; ++s) load_v86_segment(cpu.seg[s], static_cast<uint16_t>(selectors[s]));
}

bool iret_to_v86(SystemContext& ctx, uint32_t eip, uint32_t cs, uint32_t flags) {
  CpuState& cpu = ctx.cpu;
  uint32_t esp, sel[6];
  sel[kCs] = cs;
  if (!pop32(ctx, esp) || !pop32(ctx, sel[kSs]) || !pop32(ctx, sel[kEs]) || !pop32(ctx, sel[kDs]) ||
      !pop32(ctx, sel[kFs]) || !pop32(ctx, sel[kGs]))
    return false;
  load_v86_segments(cpu, sel);
  cpu.gpr[kEsp] = esp;
  cpu.eip = eip & 0xFFFF;
  set_eflags(ctx, flags);
  ctx.segments_changed();
  return true;
}

bool v86_iret(SystemContext& ctx, unsigned width) {
  CpuState& cpu = ctx.cpu;
  if (iopl(cpu) < 3) return ctx.raise(Vector::kGP, 0u);
  const uint32_t start_sp = cpu.gpr[kEsp];
  uint32_t ip, cs, flags;
  if (!pop(ctx, width, ip) || !pop(ctx, width, cs) || !pop(ctx, width, flags)) {
    cpu.gpr[kEsp] = start_sp;
    return false;
  }
  if (ip > cpu.seg[kCs].limit) {
    cpu.gpr[kEsp] = start_sp;
    return ctx.raise(Vector::kGP, 0u);
  }
  load_v86_segment(cpu.seg[kCs], static_cast<uint16_t>(cs));
  cpu.eip = ip;
  // 32 bits: VM, IOPL, VIF and VIP stay; 16 bits: IOPL and the upper half.
  const uint32_t kept = eflags::kIOPL | (width == 4 ? eflags::kVM | eflags::kVIF | eflags::kVIP : 0xFFFF0000u);
  set_eflags(ctx, (cpu.eflags & kept) | (flags & ~kept));
  ctx.segments_changed();
  return true;
}

bool push_v86_data_segments(SystemContext& ctx) {
  for (unsigned s : kDataSegs)
    if (!push32(ctx, ctx.cpu.seg[s].selector)) return false;
  return true;
}

void null_v86_data_segments(CpuState& cpu) {
  for (unsigned s : kDataSegs) cpu.seg[s] = SegmentCache{};
}

}  // namespace bt86
