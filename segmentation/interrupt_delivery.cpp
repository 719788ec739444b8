// Interrupt and exception delivery (SDM vol. 3, 6.12-6.15): through the
// guest IDT's 32- and 16-bit interrupt and trap gates, to the same or an
// inner privilege level (the TSS stack), or through a task gate (a task switch);
// and what a fault while delivering becomes: delivered instead, a double
// fault, or a triple fault, which ends the run.
#include "bt86/segmentation/interrupt_delivery.h"

#include <fmt/format.h>

#include "bt86/segmentation/guest_stack.h"
#include "bt86/segmentation/real_mode.h"
#include "bt86/segmentation/v86.h"
#include "bt86/segmentation/segment_load.h"
#include "bt86/segmentation/task_switch.h"
#include "bt86/segmentation/user_kernel_switch.h"

namespace bt86 {

namespace {

// One try: false with either the fault of the delivery itself (nested) or,
// when it raised one through ctx (a memory or task-switch fault), nothing
// but a reason in why.
bool deliver_through_idt(SystemContext& ctx, const Event& event, std::optional<Event>& nested, std::string& why) {
  CpuState& cpu = ctx.cpu;
  const uint8_t vector = event.vector;
  const uint32_t ext = event.software() ? 0 : 1;  // EXT bit of error codes naming a descriptor
  if (!cpu.protected_mode()) return deliver_real_mode(ctx, event, nested, why);  // the IVT
  const bool from_v86 = in_v86(cpu);
  uint32_t slot = uint32_t{vector} * 8;
  if (slot + 7 > cpu.idtr.limit) {
    nested = Event::exception(Vector::kGP, slot + 2 + ext);
    why = fmt::format("vector {} is beyond the IDT limit {:#x}", vector, cpu.idtr.limit);
    return false;
  }
  Descriptor gate;
  if (!ctx.read_table_entry(cpu.idtr.base + slot, gate)) {
    why = "the IDT is not mapped";
    return false;
  }
  // A 16-bit (286) gate pushes words and enters at a 16-bit offset.
  const bool gate16 = gate.is(system_type::kInterruptGate16) || gate.is(system_type::kTrapGate16);
  const bool task_gate = gate.is(system_type::kTaskGate);
  const bool interrupt_gate = gate.is(system_type::kInterruptGate32) || gate.is(system_type::kInterruptGate16);
  if (!task_gate && !interrupt_gate && !gate16 && !gate.is(system_type::kTrapGate32)) {
    why = fmt::format("IDT entry {} has gate type {:#x}, no gate", vector, gate.type());
    nested = Event::exception(Vector::kGP, slot + 2 + ext);
    return false;
  }
  // Only software interrupts check the gate's DPL (SDM vol. 3, 6.12.1.1).
  if (event.software() && gate.dpl() < cpu.cpl()) {
    nested = Event::exception(Vector::kGP, slot + 2);
    why = fmt::format("int {} from CPL {} through a {}gate of DPL {}", vector, cpu.cpl(), task_gate ? "task " : "",
                      gate.dpl());
    return false;
  }
  if (!gate.present()) {
    nested = Event::exception(Vector::kNP, slot + 2 + ext);
    why = fmt::format("IDT entry {} is not present", vector);
    return false;
  }
  if (task_gate) {  // the handler is a whole task
    cpu.halted = false;
    uint32_t fault_eip = cpu.eip;
    if (event.traps_past_instruction()) cpu.eip = event.return_eip;  // what the old TSS saves
    if (task_switch(ctx, gate.gate_selector(), TaskSwitchReason::kInterrupt, event.error_code)) return true;
    cpu.eip = fault_eip;
    why = fmt::format("the task switch for vector {} failed", vector);
    return false;
  }
  const uint16_t selector = gate.gate_selector();
  const uint32_t offset = gate16 ? gate.gate_offset() & 0xFFFF : gate.gate_offset();
  const unsigned width = gate16 ? 2 : 4;
  Descriptor cs;
  if (null_selector(selector) || !peek_descriptor(ctx, selector, cs)) {
    nested = Event::exception(Vector::kGP, selector_error(selector) + ext);
    why = fmt::format("IDT entry {} names selector {:#x} outside the GDT", vector, selector);
    return false;
  }
  if (!cs.code() || cs.dpl() > cpu.cpl() || !cs.present()) {
    nested = Event::exception(cs.present() ? Vector::kGP : Vector::kNP, selector_error(selector) + ext);
    why = fmt::format("IDT entry {} names selector {:#x}, not a present code segment it may enter", vector, selector);
    return false;
  }
  if (from_v86 && (cs.conforming() || cs.dpl() != 0)) {  // v86 mode leaves for ring 0 only
    nested = Event::exception(Vector::kGP, selector_error(selector) + ext);
    why = fmt::format("IDT entry {} leads virtual-8086 mode to code of DPL {}, not 0", vector, cs.dpl());
    return false;
  }
  if (offset > cs.limit()) {
    nested = Event::exception(Vector::kGP, 0u);
    why = fmt::format("IDT entry {} points past the limit of its code segment", vector);
    return false;
  }
  const unsigned old_cpl = cpu.cpl();
  const unsigned new_cpl = cs.conforming() ? old_cpl : cs.dpl();  // conforming code keeps CPL
  const uint32_t old_eflags = cpu.eflags, old_eip = event.traps_past_instruction() ? event.return_eip : cpu.eip,
                 old_esp = cpu.gpr[kEsp];
  const uint16_t old_cs = cpu.seg[kCs].selector, old_ss = cpu.seg[kSs].selector;

  SegmentCache new_ss = cpu.seg[kSs];
  uint32_t new_esp = old_esp;
  if (new_cpl < old_cpl && !inner_stack(ctx, new_cpl, new_ss, new_esp, &why)) return false;

  // Switch first, then push with the new privilege; a fault while pushing
  // becomes a double fault, so the half-switched state is never resumed.
  SegmentCache saved_ss = cpu.seg[kSs], saved_cs = cpu.seg[kCs];
  cpu.seg[kSs] = new_ss;
  cpu.gpr[kEsp] = new_esp;
  cpu.seg[kCs] = SegmentCache{with_rpl(selector, new_cpl), cs.access(), cs.base(), cs.limit()};
  // The frame: [GS, FS, DS, ES,] [SS, ESP,] EFLAGS, CS, EIP[, error code],
  // pushed in that order, each item as wide as the gate (SDM INT n: a
  // 16-bit gate pushes words from virtual-8086 mode too).
  uint32_t frame[10];
  size_t items = 0;
  if (from_v86)
    for (unsigned s : kV86DataSegments) frame[items++] = cpu.seg[s].selector;
  if (new_cpl < old_cpl) frame[items++] = old_ss, frame[items++] = old_esp;
  frame[items++] = old_eflags, frame[items++] = old_cs, frame[items++] = old_eip;
  if (event.error_code) frame[items++] = *event.error_code;
  if (!push_frame(ctx, width, std::span<const uint32_t>(frame, items))) {
    cpu.seg[kSs] = saved_ss, cpu.seg[kCs] = saved_cs, cpu.gpr[kEsp] = old_esp;
    why = "the stack could not take the interrupt frame";
    return false;
  }
  uint32_t flags = old_eflags & ~(eflags::kTF | eflags::kNT | eflags::kRF | eflags::kVM);
  if (interrupt_gate) flags &= ~eflags::kIF;
  set_eflags(ctx, flags);
  if (from_v86) null_v86_data_segments(cpu);
  cpu.eip = offset;
  cpu.halted = false;
  ctx.segments_changed();
  return true;
}

}  // namespace

// A fault while delivering e is delivered instead, or becomes #DF when
// both are exceptions of the classes that make one (SDM vol. 3, table 6-5:
// contributory then contributory, #PF then contributory or #PF), and a fault
// while delivering #DF is a triple fault, which ends the run. Software and
// external interrupts are no exceptions: `int 8` through a gate it may not
// use is #GP(0x42), not #DF.
bool deliver_event(SystemContext& ctx, const Event& first) {
  if (user_to_kernel_event(ctx, first)) return true;
  Event e = first;
  std::string why;
  // Past contributory, #PF and #DF nothing can nest: a sixth is a bug here.
  for (int depth = 0; depth < 5; ++depth) {
    std::optional<Event> nested;
    why.clear();
    ctx.delivering(e);
    if (deliver_through_idt(ctx, e, nested, why)) return true;
    if (ctx.death()) return false;
    if (!nested && ctx.pending()) {  // a fault while reading tables, switching stacks or tasks, pushing the frame
      nested = ctx.take_pending();
      // Its error code says that it interrupted an event external to the
      // program (EXT), unless that was int n/int3/into (SDM vol. 3, 6.13).
      const bool names_selector = nested->vector >= number(Vector::kTS) && nested->vector <= number(Vector::kGP);
      if (!e.software() && nested->error_code && names_selector) *nested->error_code |= 1;
    }
    const bool exception = e.kind == EventKind::kException;
    if (nested && exception && e.vector == number(Vector::kDF)) break;
    if (!nested)
      return ctx.die(fmt::format("{} (vector {}) could not be delivered: {}", vector_name(e.vector), e.vector, why));
    const uint8_t pf = number(Vector::kPF);
    const bool double_fault = exception && ((contributory(e.vector) && contributory(nested->vector)) ||
                                            (e.vector == pf && (contributory(nested->vector) || nested->vector == pf)));
    e = double_fault ? Event::exception(Vector::kDF, 0u) : *nested;
  }
  // The instruction that raised it, the first thing a kernel's developer
  // looks for (a device interrupt has none: EIP is where it came in).
  std::string raised_by = first.kind == EventKind::kExternal
                              ? fmt::format("a device interrupt at EIP={:#010x}", ctx.cpu.eip)
                              : ctx.describe_instruction();
  return ctx.die(fmt::format("triple fault: {} (vector {}) could not be delivered: {}; raised by {}",
                             vector_name(first.vector), first.vector, why, raised_by));
}

}  // namespace bt86
