#include "bt86/segmentation/user_kernel_switch.h"

#include <cstring>

#include "bt86/segmentation/far_transfer.h"
#include "bt86/segmentation/privilege.h"
#include "bt86/segmentation/v86.h"

namespace bt86 {

namespace {

using namespace access_rights;

// The descriptor a selector names, if it is at hand with no fault.
bool peek_segment(SystemContext& ctx, uint16_t selector, Descriptor& out) {
  const CpuState& cpu = ctx.cpu;
  const bool ldt = selector_in_ldt(selector);
  const uint32_t base = ldt ? cpu.ldtr.base : cpu.gdtr.base, limit = ldt ? cpu.ldtr.limit : cpu.gdtr.limit;
  const uint32_t offset = selector_offset(selector);
  return !null_selector(selector) && offset + 7 <= limit && ctx.peek_table_entry(base + offset, out);
}

// A 4 GiB expand-up 32-bit stack segment at base 0.
bool flat_stack(const Descriptor& d) {
  const uint16_t a = d.access();
  return d.base() == 0 && d.limit() == 0xFFFFFFFF && (a & kBig) && !expand_down(a);
}

SegmentCache cache_of(uint16_t selector, const Descriptor& d) { return {selector, d.access(), d.base(), d.limit()}; }

}  // namespace

bool user_to_kernel_event(SystemContext& ctx, const Event& event) {
  CpuState& cpu = ctx.cpu;
  if (!cpu.protected_mode() || in_v86(cpu) || cpu.cpl() != 3) return false;
  // The gate: a present 32-bit interrupt or trap gate (that CPL 3 may use,
  // for int n).
  const uint32_t slot = uint32_t{event.vector} * 8;
  Descriptor gate;
  if (slot + 7 > cpu.idtr.limit || !ctx.peek_table_entry(cpu.idtr.base + slot, gate)) return false;
  const bool interrupt_gate = gate.is(system_type::kInterruptGate32);
  if (!(interrupt_gate || gate.is(system_type::kTrapGate32)) || (event.software() && gate.dpl() != 3) ||
      !gate.present())
    return false;
  // Its code segment: present, non-conforming, DPL 0, holding the entry.
  const uint16_t cs_selector = gate.gate_selector();
  Descriptor cs;
  if (!peek_segment(ctx, cs_selector, cs) || !cs.code() || cs.conforming() || cs.dpl() != 0 || !cs.present() ||
      gate.gate_offset() > cs.limit())
    return false;
  // The ring-0 stack of a 32-bit TSS: a flat, present, writable segment of
  // DPL 0 with room for the frame where ESP0 points.
  const unsigned tss_type = cpu.tr.access & 0xF;
  if ((tss_type != system_type::kTss32 && tss_type != system_type::kTss32Busy) || null_selector(cpu.tr.selector) ||
      cpu.tr.limit < 9)
    return false;
  uint8_t stack0[6];
  if (!ctx.peek(cpu.tr.base + 4, stack0, sizeof stack0)) return false;
  uint32_t esp0;
  uint16_t ss_selector;
  std::memcpy(&esp0, stack0, 4);
  std::memcpy(&ss_selector, stack0 + 4, 2);
  Descriptor ss;
  if (selector_rpl(ss_selector) != 0 || !peek_segment(ctx, ss_selector, ss) || !ss.writable_data() || ss.dpl() != 0 ||
      !ss.present() || !flat_stack(ss))
    return false;
  // The frame from the top: SS, ESP, EFLAGS, CS, EIP[, error code].
  const uint32_t eip = event.traps_past_instruction() ? event.return_eip : cpu.eip;
  const uint32_t frame[6] = {event.error_code.value_or(0), eip, cpu.seg[kCs].selector, cpu.eflags, cpu.gpr[kEsp],
                             cpu.seg[kSs].selector};
  const uint32_t bytes = event.error_code ? 24 : 20;
  uint8_t* top =
      esp0 >= bytes ? ctx.direct(esp0 - bytes, bytes, true, SystemContext::Privilege::kSupervisor) : nullptr;
  if (!top) return false;

  ctx.delivering(event);
  std::memcpy(top, event.error_code ? frame : frame + 1, bytes);
  cpu.seg[kSs] = cache_of(ss_selector, ss);
  cpu.gpr[kEsp] = esp0 - bytes;
  cpu.seg[kCs] = cache_of(with_rpl(cs_selector, 0), cs);  // RPL 0: the CPL
  uint32_t flags = cpu.eflags & ~(eflags::kTF | eflags::kNT | eflags::kRF | eflags::kVM);
  if (interrupt_gate) flags &= ~eflags::kIF;
  set_eflags(ctx, flags);
  cpu.eip = gate.gate_offset();
  cpu.halted = false;
  ctx.segments_changed();
  ++ctx.fast_paths.to_kernel;
  return true;
}

bool kernel_iret(SystemContext& ctx, unsigned width) {
  CpuState& cpu = ctx.cpu;
  if (width != 4 || !cpu.protected_mode() || in_v86(cpu) || (cpu.eflags & eflags::kNT) || cpu.cpl() != 0) return false;
  // The frame EIP, CS, EFLAGS[, ESP, SS] on a flat 32-bit stack.
  const SegmentCache& stack = cpu.seg[kSs];
  const uint32_t esp = cpu.gpr[kEsp];
  uint32_t frame[5];
  const bool flat = stack.base == 0 && stack.limit == 0xFFFFFFFF && (stack.access & kBig) && !expand_down(stack.access);
  const uint8_t* top = flat && esp <= 0xFFFFFFFF - 12 + 1 ? ctx.direct(esp, 12, false) : nullptr;
  if (!top) return false;
  std::memcpy(frame, top, 12);
  const uint32_t eip = frame[0], flags = frame[2];
  const auto cs_selector = static_cast<uint16_t>(frame[1]);
  const unsigned cpl = selector_rpl(cs_selector);
  if ((flags & eflags::kVM) || (cpl != 0 && cpl != 3)) return false;
  // Segments the general path would load with no fault and no accessed bit
  // to set.
  Descriptor cs, ss;
  if (!peek_segment(ctx, cs_selector, cs) || !cs.code() || cs.conforming() || cs.dpl() != cpl || !cs.present() ||
      !cs.accessed() || eip > cs.limit())
    return false;
  uint16_t ss_selector = 0;
  if (cpl == 3) {
    top = esp <= 0xFFFFFFFF - sizeof frame + 1 ? ctx.direct(esp + 12, 8, false) : nullptr;
    if (!top) return false;
    std::memcpy(frame + 3, top, 8);
    ss_selector = static_cast<uint16_t>(frame[4]);
    if (selector_rpl(ss_selector) != 3 || !peek_segment(ctx, ss_selector, ss) || !ss.writable_data() ||
        ss.dpl() != 3 || !ss.present() || !ss.accessed())
      return false;
  }

  cpu.nmi_blocked = false;
  const uint32_t load = iret_loads(0, iopl(cpu), true);
  cpu.seg[kCs] = cache_of(cs_selector, cs);
  cpu.eip = eip;
  set_eflags(ctx, (cpu.eflags & ~load) | (flags & load));
  if (cpl == 0) {
    cpu.gpr[kEsp] = esp + 12;
  } else {
    cpu.seg[kSs] = cache_of(ss_selector, ss);
    cpu.gpr[kEsp] = frame[3];
    null_data_segments_above_cpl(cpu);
  }
  ctx.segments_changed();
  ++ctx.fast_paths.iret;
  return true;
}

}  // namespace bt86
