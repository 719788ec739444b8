#include "bt86/segmentation/far_transfer.h"

#include <algorithm>

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/real_mode.h"
#include "bt86/segmentation/segment_load.h"
#include "bt86/segmentation/task_switch.h"
#include "bt86/segmentation/v86.h"

namespace bt86 {

namespace {

// A far call through a call gate to a more privileged, non-conforming code
// segment: switch to the TSS stack of the target level, copy the gate's
// parameters, push the old SS:ESP and CS:EIP (SDM "CALL", call gates); a
// 16-bit gate copies and pushes words.
bool call_to_inner(SystemContext& ctx, const Descriptor& gate, const Descriptor& code, uint16_t code_sel,
                   uint32_t offset, uint32_t return_eip) {
  const unsigned width = gate.is(system_type::kCallGate16) ? 2 : 4;
  CpuState& cpu = ctx.cpu;
  unsigned new_cpl = code.dpl();
  SegmentCache new_ss;
  uint32_t esp;
  if (!inner_stack(ctx, new_cpl, new_ss, esp)) return false;
  if (offset > code.limit()) return ctx.raise(Vector::kGP, 0u);
  unsigned params = gate.gate_parameters();
  uint32_t copied[31] = {};
  const SegmentCache old_ss = cpu.seg[kSs], old_cs = cpu.seg[kCs];
  const uint32_t old_esp = cpu.gpr[kEsp], old_sp = stack_pointer(cpu);
  for (unsigned i = 0; i < params; ++i)
    if (!ctx.read_linear(old_ss.base + old_sp + width * i, &copied[i], width)) return false;
  cpu.seg[kSs] = new_ss;
  cpu.gpr[kEsp] = esp;
  cpu.seg[kCs] = SegmentCache{with_rpl(code_sel, new_cpl), code.access(), code.base(), code.limit()};
  bool ok = push_sized(ctx, width, old_ss.selector) && push_sized(ctx, width, old_esp);
  for (unsigned i = params; ok && i-- > 0;) ok = push_sized(ctx, width, copied[i]);
  ok = ok && push_sized(ctx, width, old_cs.selector) && push_sized(ctx, width, return_eip);
  if (!ok) {
    cpu.seg[kSs] = old_ss, cpu.seg[kCs] = old_cs, cpu.gpr[kEsp] = old_esp;
    return false;
  }
  cpu.eip = offset;
  ctx.segments_changed();
  return true;
}

}  // namespace

bool far_jump_or_call(SystemContext& ctx, uint16_t sel, uint32_t offset, const FarTransfer& t) {
  CpuState& cpu = ctx.cpu;
  if (!cpu.protected_mode() || in_v86(cpu))  // segments are paragraphs
    return real_mode_far_jump_or_call(ctx, sel, offset, t.call, t.width, t.return_eip);
  Descriptor d;
  if (null_selector(sel)) return ctx.raise(Vector::kGP, 0u);
  if (!read_descriptor(ctx, sel, d)) return false;
  const unsigned cpl = cpu.cpl(), rpl = selector_rpl(sel);
  unsigned width = t.width;
  if (d.system()) {
    const bool task = d.is(system_type::kTss32) || d.is(system_type::kTss16) || d.is(system_type::kTaskGate);
    const bool gate16 = d.is(system_type::kCallGate16);
    if (!task && !gate16 && !d.is(system_type::kCallGate32)) return ctx.raise(Vector::kGP, selector_error(sel));
    // A TSS, task gate or call gate: usable at max(CPL, RPL) <= DPL, and present.
    if (d.dpl() < std::max(cpl, rpl)) return ctx.raise(Vector::kGP, selector_error(sel));
    if (!d.present()) return ctx.raise(Vector::kNP, selector_error(sel));
    if (task) {
      uint16_t tss = d.is(system_type::kTaskGate) ? d.gate_selector() : sel;
      const uint32_t insn_eip = cpu.eip;
      cpu.eip = t.return_eip;  // what the old TSS saves
      if (task_switch(ctx, tss, t.call ? TaskSwitchReason::kCall : TaskSwitchReason::kJmp)) return true;
      cpu.eip = insn_eip;  // faults report the jmp or call
      return false;
    }
    const uint16_t code_sel = d.gate_selector();
    const uint32_t target = gate16 ? d.gate_offset() & 0xFFFF : d.gate_offset();
    Descriptor code;
    if (null_selector(code_sel)) return ctx.raise(Vector::kGP, 0u);
    if (!read_descriptor(ctx, code_sel, code)) return false;
    if (!code.code() || code.dpl() > cpl || (!t.call && !code.conforming() && code.dpl() != cpl))
      return ctx.raise(Vector::kGP, selector_error(code_sel));
    if (!code.present()) return ctx.raise(Vector::kNP, selector_error(code_sel));
    if (t.call && !code.conforming() && code.dpl() < cpl) return call_to_inner(ctx, d, code, code_sel, target, t.return_eip);
    sel = with_rpl(code_sel, cpl);
    offset = target;
    width = gate16 ? 2 : 4;  // a call gate's size, not the instruction's, sizes what a call pushes
  } else if (d.code()) {
    if (d.conforming() ? d.dpl() > cpl : (rpl > cpl || d.dpl() != cpl))
      return ctx.raise(Vector::kGP, selector_error(sel));
  } else {
    return ctx.raise(Vector::kGP, selector_error(sel));
  }
  // A call pushes CS:EIP (CS:IP with a 16-bit operand size) before CS
  // changes, so a fault on the stack leaves the old CS in place.
  const uint32_t esp = cpu.gpr[kEsp];
  if (t.call && (!push_sized(ctx, width, cpu.seg[kCs].selector) || !push_sized(ctx, width, t.return_eip))) {
    cpu.gpr[kEsp] = esp;
    return false;
  }
  if (load_code_segment(ctx, sel, offset, Transfer::kJumpOrCall)) return true;
  cpu.gpr[kEsp] = esp;
  return false;
}

bool load_outer_stack(SystemContext& ctx, uint32_t esp, uint16_t ss, unsigned width) {
  CpuState& cpu = ctx.cpu;
  if (!load_data_segment(ctx, kSs, ss)) return false;
  const bool stack32 = cpu.seg[kSs].access & access_rights::kBig;
  cpu.gpr[kEsp] = width == 2 && !stack32 ? (cpu.gpr[kEsp] & 0xFFFF0000) | (esp & 0xFFFF) : esp;
  null_data_segments_above_cpl(cpu);
  ctx.segments_changed();
  return true;
}

void null_data_segments_above_cpl(CpuState& cpu) {
  for (unsigned seg : {kEs, kDs, kFs, kGs}) {
    const SegmentCache& c = cpu.seg[seg];
    if (!null_selector(c.selector) && !access_rights::conforming(c.access) && access_rights::dpl(c.access) < cpu.cpl())
      cpu.seg[seg] = SegmentCache{};
  }
}

bool far_return(SystemContext& ctx, unsigned width, uint32_t release) {
  CpuState& cpu = ctx.cpu;
  if (!cpu.protected_mode() || in_v86(cpu)) return real_mode_far_return(ctx, width, release);
  const unsigned old_cpl = cpu.cpl();
  const uint32_t start_esp = cpu.gpr[kEsp];
  auto fail = [&] {
    cpu.gpr[kEsp] = start_esp;
    return false;
  };
  uint32_t eip, cs, esp = 0, ss = 0;
  if (!pop(ctx, width, eip) || !pop(ctx, width, cs)) return false;
  bool outer = selector_rpl(cs) > old_cpl;
  if (outer) {
    set_stack_pointer(cpu, stack_pointer_plus(cpu, static_cast<int32_t>(release)));
    if (!pop(ctx, width, esp) || !pop(ctx, width, ss)) return fail();
  }
  if (selector_rpl(cs) < old_cpl) return ctx.raise(Vector::kGP, selector_error(cs)), fail();
  if (!load_code_segment(ctx, static_cast<uint16_t>(cs), eip, Transfer::kReturn)) return fail();
  if (!outer) {
    set_stack_pointer(cpu, stack_pointer_plus(cpu, static_cast<int32_t>(release)));
    return true;
  }
  return load_outer_stack(ctx, esp + release, static_cast<uint16_t>(ss), width);
}

}  // namespace bt86
