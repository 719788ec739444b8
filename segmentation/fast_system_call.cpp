#include "bt86/segmentation/fast_system_call.h"

#include "bt86/segmentation/msrs.h"

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

// On the way in flat CS/SS from STAR[47:32], EIP from STAR[31:0] and the
// return address in ECX; on the way out CS from STAR[63:48] at RPL 3 and
// SS's selector after it, SS's base, limit and attributes left as they were.
bool syscall(SystemContext& ctx, uint32_t return_eip) {
  CpuState& cpu = ctx.cpu;
  if (!(cpu.efer & msr::kEferSce)) return ctx.raise(Vector::kUD);
  const auto cs = static_cast<uint16_t>(cpu.msr_star >> 32);
  cpu.gpr[kEcx] = return_eip;
  set_eflags(ctx, cpu.eflags & ~(eflags::kVM | eflags::kIF | eflags::kRF));
  cpu.seg[kCs] = flat_segment(static_cast<uint16_t>(cs & 0xFFFC), 0, true);
  cpu.seg[kSs] = flat_segment(static_cast<uint16_t>(cs + 8), 0, false);
  cpu.eip = static_cast<uint32_t>(cpu.msr_star);
  ctx.segments_changed();
  return true;
}

bool sysret(SystemContext& ctx) {
  CpuState& cpu = ctx.cpu;
  if (!(cpu.efer & msr::kEferSce)) return ctx.raise(Vector::kUD);
  if (!cpu.protected_mode() || cpu.cpl() != 0) return ctx.raise(Vector::kGP, 0u);
  const auto cs = static_cast<uint16_t>(cpu.msr_star >> 48);
  cpu.seg[kCs] = flat_segment(with_rpl(cs, 3), 3, true);
  cpu.seg[kSs].selector = with_rpl(cs + 8, 3);
  cpu.eip = cpu.gpr[kEcx];
  set_eflags(ctx, cpu.eflags | eflags::kIF);
  ctx.segments_changed();
  return true;
}

}  // namespace bt86
