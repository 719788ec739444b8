#include "bt86/segmentation/fast_system_call.h"

namespace bt86 {

namespace {
SegmentCache flat_segment(uint16_t selector, unsigned dpl, bool code) {
  SegmentCache c;
  load_flat(c, selector, code);
  c.access = static_cast<uint16_t>((c.access & ~access_rights::kDpl) | dpl << 5 | access_rights::kAccessed);
  return c;
}

uint16_t sysenter_cs(const CpuState& cpu) { return static_cast<uint16_t>(cpu.msr_sysenter[0] & 0xFFFC); }
}  // namespace

bool sysenter(SystemContext& ctx) {
  CpuState& cpu = ctx.cpu;
  const uint16_t cs = sysenter_cs(cpu);
  if (!cpu.protected_mode() || cs == 0) return ctx.raise(Vector::kGP, 0u);
  set_eflags(ctx, cpu.eflags & ~(eflags::kVM | eflags::kIF | eflags::kRF));
  cpu.seg[kCs] = flat_segment(cs, 0, true);
  cpu.seg[kSs] = flat_segment(static_cast<uint16_t>(cs + 8), 0, false);
  cpu.gpr[kEsp] = static_cast<uint32_t>(cpu.msr_sysenter[1]);
  cpu.eip = static_cast<uint32_t>(cpu.msr_sysenter[2]);
  ctx.segments_changed();
  return true;
}

bool sysexit(SystemContext& ctx) {
  CpuState& cpu = ctx.cpu;
  const uint16_t cs = sysenter_cs(cpu);
  if (!cpu.protected_mode() || cs == 0) return ctx.raise(Vector::kGP, 0u);
  cpu.seg[kCs] = flat_segment(with_rpl(cs + 16, 3), 3, true);
  cpu.seg[kSs] = flat_segment(with_rpl(cs + 24, 3), 3, false);
  cpu.gpr[kEsp] = cpu.gpr[kEcx];
  cpu.eip = cpu.gpr[kEdx];
  ctx.segments_changed();
  return true;
}

}  // namespace bt86
