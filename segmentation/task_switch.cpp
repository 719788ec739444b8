// Hardware task switching (SDM vol. 3, ch. 8): the outgoing task's state
// into its TSS, the incoming one's loaded (CR3, registers, LDT, segments),
// the busy bits and the back link.
#include "bt86/segmentation/task_switch.h"

#include <fmt/format.h>

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/segment_load.h"

namespace bt86 {

namespace {

// 32-bit TSS layout.
constexpr uint32_t kTss32MinLimit = 0x67;
constexpr uint32_t kBackLink = 0x00, kCr3 = 0x1C, kEip = 0x20, kEflags = 0x24, kGprs = 0x28, kSegs = 0x48,
                   kLdt = 0x60;
bool set_busy(SystemContext& ctx, uint16_t selector, bool busy) {
  Descriptor d;
  uint32_t addr = ctx.cpu.gdtr.base + selector_offset(selector) + 4;
  if (!ctx.read_linear(addr, &d.hi, 4, SystemContext::Privilege::kSupervisor)) return false;
  d.set_busy(busy);
  return ctx.write_linear(addr, &d.hi, 4, SystemContext::Privilege::kSupervisor);
}

}  // namespace

bool task_switch(SystemContext& ctx, uint16_t sel, TaskSwitchReason reason, std::optional<uint32_t> error_code) {
  CpuState& cpu = ctx.cpu;
  auto supervisor = SystemContext::Privilege::kSupervisor;
  Descriptor d;
  // iret's back link that is no busy TSS is #TS; other bad targets #GP.
  const Vector bad_target = reason == TaskSwitchReason::kIret ? Vector::kTS : Vector::kGP;
  if (selector_in_ldt(sel) || !peek_descriptor(ctx, sel, d)) return ctx.raise(bad_target, selector_error(sel));
  if (d.is(reason == TaskSwitchReason::kIret ? system_type::kTss16Busy : system_type::kTss16)) {  // valid, but not run yet
    return ctx.die(fmt::format("a task switch to a 16-bit TSS ({:#06x}) is not supported yet", sel));
  }
  bool busy = d.is(system_type::kTss32Busy), available = d.is(system_type::kTss32);
  if (reason == TaskSwitchReason::kIret ? !busy : !available) return ctx.raise(bad_target, selector_error(sel));
  if (!d.present()) return ctx.raise(Vector::kNP, selector_error(sel));
  if (d.limit() < kTss32MinLimit) return ctx.raise(Vector::kTS, selector_error(sel));
  if (null_selector(cpu.tr.selector)) return ctx.raise(Vector::kTS, 0u);

  // Save the outgoing task.
  const uint32_t old_base = cpu.tr.base;
  uint32_t old_flags = cpu.eflags;
  if (reason == TaskSwitchReason::kIret) old_flags &= ~eflags::kNT;
  uint16_t sels[6];
  for (unsigned i = 0; i < 6; ++i) sels[i] = cpu.seg[i].selector;
  uint32_t sel32[6];
  for (unsigned i = 0; i < 6; ++i) sel32[i] = sels[i];
  if (!ctx.write_linear(old_base + kEip, &cpu.eip, 4, supervisor) ||
      !ctx.write_linear(old_base + kEflags, &old_flags, 4, supervisor) ||
      !ctx.write_linear(old_base + kGprs, cpu.gpr, 32, supervisor) ||
      !ctx.write_linear(old_base + kSegs, sel32, 24, supervisor))
    return false;

  // Read the incoming one before changing anything.
  const uint32_t base = d.base();
  uint32_t cr3, eip, flags, gprs[8], segs[6];
  uint16_t ldt;
  if (!ctx.read_linear(base + kCr3, &cr3, 4, supervisor) || !ctx.read_linear(base + kEip, &eip, 4, supervisor) ||
      !ctx.read_linear(base + kEflags, &flags, 4, supervisor) || !ctx.read_linear(base + kGprs, gprs, 32, supervisor) ||
      !ctx.read_linear(base + kSegs, segs, 24, supervisor) || !ctx.read_linear(base + kLdt, &ldt, 2, supervisor))
    return false;

  if (reason == TaskSwitchReason::kJmp || reason == TaskSwitchReason::kIret) set_busy(ctx, cpu.tr.selector, false);
  if (reason != TaskSwitchReason::kIret) set_busy(ctx, sel, true);
  if (reason == TaskSwitchReason::kCall || reason == TaskSwitchReason::kInterrupt) {
    uint16_t link = cpu.tr.selector;
    ctx.write_linear(base + kBackLink, &link, 2, supervisor);
    flags |= eflags::kNT;
  }

  // Load the new task: TR, CR3, registers, LDT, then the segments (a bad
  // segment faults in the new task's context, as the SDM describes).
  if (reason != TaskSwitchReason::kIret) d.set_busy(true);
  cpu.tr = SegmentCache{sel, d.access(), base, d.limit()};
  if (cpu.paging()) {
    cpu.cr3 = cr3;
    ctx.paging_changed(true);
  }
  std::copy(gprs, gprs + 8, cpu.gpr);
  set_eflags(ctx, flags);
  cpu.eip = eip;
  cpu.cr0 |= cr0::kTS;
  cpu.ldtr = SegmentCache{ldt, 0, 0, 0};
  if (!null_selector(ldt)) {
    Descriptor l;
    if (!peek_descriptor(ctx, ldt, l) || !l.is(system_type::kLdt)) return ctx.raise(Vector::kTS, selector_error(ldt));
    cpu.ldtr = SegmentCache{ldt, l.access(), l.base(), l.limit()};
  }
  // CS first: its RPL is the new CPL that the data-segment checks use.
  Descriptor cs;
  auto cs_sel = static_cast<uint16_t>(segs[kCs]);
  if (!peek_descriptor(ctx, cs_sel, cs) || !cs.code()) return ctx.raise(Vector::kTS, selector_error(cs_sel));
  cpu.seg[kCs] = SegmentCache{cs_sel, cs.access(), cs.base(), cs.limit()};
  for (unsigned s : {kSs, kDs, kEs, kFs, kGs})
    if (!load_data_segment(ctx, s, static_cast<uint16_t>(segs[s]))) return false;
  ctx.segments_changed();
  if (error_code) return push32(ctx, *error_code);
  return true;
}

}  // namespace bt86
