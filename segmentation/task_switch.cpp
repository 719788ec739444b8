// Hardware task switching (SDM vol. 3, ch. 8): the outgoing task's state
// into its TSS, the incoming one's loaded (CR3, registers, LDT, segments),
// the busy bits and the back link.
#include "bt86/segmentation/task_switch.h"

#include <fmt/format.h>

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/segment_load.h"
#include "bt86/segmentation/v86.h"

namespace bt86 {

namespace {

// The two TSS formats (SDM vol. 3, 8.2.1 and 8.6): the 32-bit TSS and the
// 16-bit (286) one, which has no CR3, FS or GS, and words for IP, FLAGS,
// the registers and the selectors.
struct TssFormat {
  uint32_t min_limit, eip, eflags, gprs, segs, ldt;
  unsigned reg_size, seg_count;  // bytes per register; ES CS SS DS (FS GS)
  uint32_t cr3;                  // 0: none
};
constexpr TssFormat kTss32Format{0x67, 0x20, 0x24, 0x28, 0x48, 0x60, 4, 6, 0x1C};
constexpr TssFormat kTss16Format{0x2B, 0x0E, 0x10, 0x12, 0x22, 0x2A, 2, 4, 0};
constexpr uint32_t kBackLink = 0x00;

bool is_tss16(unsigned type) { return type == system_type::kTss16 || type == system_type::kTss16Busy; }

// The registers a task switch saves and loads, in 32-bit form.
struct TaskState {
  uint32_t eip = 0, eflags = 0, gprs[8] = {}, segs[6] = {}, cr3 = 0;
  uint16_t ldt = 0;
};

// Registers are f.reg_size bytes each; selectors too (dwords with a zero
// upper half in a 32-bit TSS, words in a 16-bit one).
bool write_task(SystemContext& ctx, uint32_t base, const TssFormat& f, const TaskState& t) {
  auto put = [&](uint32_t offset, const uint32_t& v) {
    return ctx.write_linear(base + offset, &v, f.reg_size, SystemContext::Privilege::kSupervisor);
  };
  bool ok = put(f.eip, t.eip) && put(f.eflags, t.eflags);
  for (unsigned i = 0; ok && i < 8; ++i) ok = put(f.gprs + i * f.reg_size, t.gprs[i]);
  for (unsigned i = 0; ok && i < f.seg_count; ++i) ok = put(f.segs + i * f.reg_size, t.segs[i]);
  return ok;
}

bool read_task(SystemContext& ctx, uint32_t base, const TssFormat& f, TaskState& t) {
  auto get = [&](uint32_t offset, void* v, unsigned size) {
    return ctx.read_linear(base + offset, v, size, SystemContext::Privilege::kSupervisor);
  };
  bool ok = get(f.eip, &t.eip, f.reg_size) && get(f.eflags, &t.eflags, f.reg_size) && get(f.ldt, &t.ldt, 2) &&
            (!f.cr3 || get(f.cr3, &t.cr3, 4));
  for (unsigned i = 0; ok && i < 8; ++i) ok = get(f.gprs + i * f.reg_size, &t.gprs[i], f.reg_size);
  for (unsigned i = 0; ok && i < f.seg_count; ++i) ok = get(f.segs + i * f.reg_size, &t.segs[i], f.reg_size);
  return ok;
}

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
  Descriptor d;
  // iret's back link that is no busy TSS is #TS; other bad targets #GP.
  const Vector bad_target = reason == TaskSwitchReason::kIret ? Vector::kTS : Vector::kGP;
  if (selector_in_ldt(sel) || !peek_descriptor(ctx, sel, d)) return ctx.raise(bad_target, selector_error(sel));
  const bool iret = reason == TaskSwitchReason::kIret;
  const bool busy = d.is(system_type::kTss32Busy) || d.is(system_type::kTss16Busy);
  const bool available = d.is(system_type::kTss32) || d.is(system_type::kTss16);
  if (iret ? !busy : !available) return ctx.raise(bad_target, selector_error(sel));
  const TssFormat& in = is_tss16(d.type()) ? kTss16Format : kTss32Format;
  if (!d.present()) return ctx.raise(Vector::kNP, selector_error(sel));
  if (d.limit() < in.min_limit) return ctx.raise(Vector::kTS, selector_error(sel));
  if (null_selector(cpu.tr.selector)) return ctx.raise(Vector::kTS, 0u);

  // Save the outgoing task, in its own TSS's format.
  TaskState out;
  out.eip = cpu.eip;
  out.eflags = iret ? cpu.eflags & ~eflags::kNT : cpu.eflags;
  std::copy(cpu.gpr, cpu.gpr + 8, out.gprs);
  for (unsigned i = 0; i < 6; ++i) out.segs[i] = cpu.seg[i].selector;
  const TssFormat& old_format = is_tss16(cpu.tr.access & 0xF) ? kTss16Format : kTss32Format;
  if (!write_task(ctx, cpu.tr.base, old_format, out)) return false;

  // Read the incoming one before changing anything.
  const uint32_t base = d.base();
  TaskState next;
  if (!read_task(ctx, base, in, next)) return false;
  if (in.reg_size == 2) {
    // What a 16-bit TSS does not hold: the upper halves of the registers
    // read as ones, of EIP and EFLAGS as zeros, FS and GS are null (as
    // Bochs models a switch to a 286 TSS; the SDM leaves them undefined).
    for (uint32_t& r : next.gprs) r |= 0xFFFF0000u;
    next.segs[kFs] = next.segs[kGs] = 0;
  }

  if (reason == TaskSwitchReason::kJmp || iret) set_busy(ctx, cpu.tr.selector, false);
  if (!iret) set_busy(ctx, sel, true);
  if (reason == TaskSwitchReason::kCall || reason == TaskSwitchReason::kInterrupt) {
    uint16_t link = cpu.tr.selector;
    ctx.write_linear(base + kBackLink, &link, 2, SystemContext::Privilege::kSupervisor);
    next.eflags |= eflags::kNT;
  }

  // Load the new task: TR, CR3, registers, LDT, then the segments (a bad
  // segment faults in the new task's context, as the SDM describes).
  if (!iret) d.set_busy(true);
  cpu.tr = SegmentCache{sel, d.access(), base, d.limit()};
  if (cpu.paging() && in.cr3) {
    cpu.cr3 = next.cr3;
    ctx.paging_changed(true);
  }
  std::copy(next.gprs, next.gprs + 8, cpu.gpr);
  set_eflags(ctx, next.eflags);
  cpu.eip = next.eip;
  cpu.cr0 |= cr0::kTS;
  const uint16_t ldt = next.ldt;
  cpu.ldtr = SegmentCache{ldt, 0, 0, 0};
  if (!null_selector(ldt)) {
    Descriptor l;
    if (!peek_descriptor(ctx, ldt, l) || !l.is(system_type::kLdt)) return ctx.raise(Vector::kTS, selector_error(ldt));
    cpu.ldtr = SegmentCache{ldt, l.access(), l.base(), l.limit()};
  }
  if (in_v86(cpu)) {  // a task whose EFLAGS has VM: its segments are paragraphs
    load_v86_segments(cpu, next.segs);
    ctx.segments_changed();
    return !error_code || push_sized(ctx, in.reg_size, *error_code);
  }
  // CS first: its RPL is the new CPL that the data-segment checks use.
  Descriptor cs;
  auto cs_sel = static_cast<uint16_t>(next.segs[kCs]);
  if (!peek_descriptor(ctx, cs_sel, cs) || !cs.code()) return ctx.raise(Vector::kTS, selector_error(cs_sel));
  cpu.seg[kCs] = SegmentCache{cs_sel, cs.access(), cs.base(), cs.limit()};
  for (unsigned s : {kSs, kDs, kEs, kFs, kGs})
    if (!load_data_segment(ctx, s, static_cast<uint16_t>(next.segs[s]))) return false;
  ctx.segments_changed();
  // The error code goes on the new task's stack, a word for a 16-bit task.
  if (error_code) return push_sized(ctx, in.reg_size, *error_code);
  return true;
}

}  // namespace bt86
