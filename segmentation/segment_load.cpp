#include "bt86/segmentation/segment_load.h"

#include <algorithm>

#include <fmt/format.h>

#include "bt86/segmentation/segment_check.h"
#include "bt86/segmentation/v86.h"

namespace bt86 {

bool peek_descriptor(SystemContext& ctx, uint16_t selector, Descriptor& out) {
  const CpuState& cpu = ctx.cpu;
  bool ldt = selector_in_ldt(selector);
  uint32_t base = ldt ? cpu.ldtr.base : cpu.gdtr.base;
  uint32_t limit = ldt ? cpu.ldtr.limit : cpu.gdtr.limit;
  uint32_t index = selector_offset(selector);
  if (null_selector(selector) || index + 7 > limit) return false;
  return ctx.read_table_entry(base + index, out);
}

bool read_descriptor(SystemContext& ctx, uint16_t selector, Descriptor& out) {
  return peek_descriptor(ctx, selector, out) || ctx.raise(Vector::kGP, selector_error(selector));
}

bool load_data_segment(SystemContext& ctx, unsigned seg, uint16_t selector) {
  CpuState& cpu = ctx.cpu;
  SegmentCache& s = cpu.seg[seg];
  if (!cpu.protected_mode()) {
    s.selector = selector;
    s.base = uint32_t{selector} << 4;
    ctx.data_segment_changed(seg);
    return true;
  }
  if (in_v86(cpu)) {
    load_v86_segment(s, selector);
    ctx.data_segment_changed(seg);
    return true;
  }
  if (null_selector(selector)) {
    if (seg == kSs) return ctx.raise(Vector::kGP, 0);
    s = SegmentCache{selector, 0, 0, 0};  // null: usable until accessed
    ctx.data_segment_changed(seg);
    return true;
  }
  Descriptor d;
  if (!read_descriptor(ctx, selector, d)) return false;
  unsigned cpl = cpu.cpl(), rpl = selector_rpl(selector);
  bool privilege_ok = seg == kSs ? rpl == cpl && d.dpl() == cpl : d.conforming() || std::max(cpl, rpl) <= d.dpl();
  if ((seg == kSs ? !d.writable_data() : !d.readable()) || !privilege_ok)
    return ctx.raise(Vector::kGP, selector_error(selector));
  if (!d.present()) return ctx.raise(seg == kSs ? Vector::kSS : Vector::kNP, selector_error(selector));
  mark_accessed(ctx, selector, d);
  s = SegmentCache{selector, d.access(), d.base(), d.limit()};
  ctx.data_segment_changed(seg);
  return true;
}

void mark_accessed(SystemContext& ctx, uint16_t selector, Descriptor& d) {
  if (d.accessed()) return;
  d.set_accessed();  // a segment load sets the descriptor's accessed bit
  const CpuState& cpu = ctx.cpu;
  uint32_t table = selector_in_ldt(selector) ? cpu.ldtr.base : cpu.gdtr.base;
  ctx.write_linear(table + selector_offset(selector) + 4, &d.hi, 4, SystemContext::Privilege::kSupervisor);
}

bool load_code_segment(SystemContext& ctx, uint16_t selector, uint32_t offset, Transfer kind) {
  CpuState& cpu = ctx.cpu;
  Descriptor d;
  if (null_selector(selector)) return ctx.raise(Vector::kGP, 0u);
  if (!read_descriptor(ctx, selector, d)) return false;
  if (!d.code()) return ctx.raise(Vector::kGP, selector_error(selector));
  const unsigned rpl = selector_rpl(selector);
  if (kind == Transfer::kReturn && (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl))
    return ctx.raise(Vector::kGP, selector_error(selector));
  if (!d.present()) return ctx.raise(Vector::kNP, selector_error(selector));
  if (offset > d.limit()) return ctx.raise(Vector::kGP, 0u);  // the new EIP must be inside the new CS
  mark_accessed(ctx, selector, d);
  const unsigned cpl = kind == Transfer::kReturn ? rpl : cpu.cpl();
  cpu.seg[kCs] = SegmentCache{with_rpl(selector, cpl), d.access(), d.base(), d.limit()};
  cpu.eip = offset;
  ctx.segments_changed();
  return true;
}

bool tss_stack(SystemContext& ctx, unsigned cpl, uint16_t& ss, uint32_t& esp) {
  const CpuState& cpu = ctx.cpu;
  // A 16-bit TSS holds SP and SS words at 2 + 4 * CPL, a 32-bit one ESP
  // and SS at 4 + 8 * CPL.
  const unsigned type = cpu.tr.access & 0xF;
  const bool tss16 = type == system_type::kTss16 || type == system_type::kTss16Busy;
  const unsigned sp_size = tss16 ? 2 : 4;
  uint32_t offset = tss16 ? 2 + 4 * cpl : 4 + 8 * cpl;
  if (null_selector(cpu.tr.selector) || offset + sp_size + 1 > cpu.tr.limit)
    return ctx.raise(Vector::kTS, selector_error(cpu.tr.selector));
  esp = 0;
  return ctx.read_linear(cpu.tr.base + offset, &esp, sp_size, SystemContext::Privilege::kSupervisor) &&
         ctx.read_linear(cpu.tr.base + offset + sp_size, &ss, 2, SystemContext::Privilege::kSupervisor);
}

bool inner_stack(SystemContext& ctx, unsigned new_cpl, SegmentCache& out, uint32_t& esp, std::string* why) {
  uint16_t ss;
  if (!tss_stack(ctx, new_cpl, ss, esp)) {
    if (why) *why = "the TSS has no stack for the new privilege level";
    return false;
  }
  Descriptor d;
  bool writable_data = !null_selector(ss) && peek_descriptor(ctx, ss, d) && d.writable_data();
  if (!writable_data || selector_rpl(ss) != new_cpl || d.dpl() != new_cpl) {
    ctx.raise(Vector::kTS, selector_error(ss));
    if (why) *why = fmt::format("TSS stack segment {:#x} is not a writable data segment at DPL {}", ss, new_cpl);
    return false;
  }
  if (!d.present()) {
    ctx.raise(Vector::kSS, selector_error(ss));
    if (why) *why = fmt::format("TSS stack segment {:#x} is not present", ss);
    return false;
  }
  out = SegmentCache{ss, d.access(), d.base(), d.limit()};
  return true;
}

}  // namespace bt86
