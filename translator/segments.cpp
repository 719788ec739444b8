#include "segments.h"
#include "task_switch.h"

#include <algorithm>

#include <fmt/format.h>

#include "bt86/segmentation/segment_check.h"
#include "emit.h"
#include "guest_operands.h"

namespace bt86 {

bool peek_descriptor(Engine& e, uint16_t selector, Descriptor& out) {
  const CpuState& cpu = e.cpu;
  bool ldt = selector & 4;
  uint32_t base = ldt ? cpu.ldtr.base : cpu.gdtr.base;
  uint32_t limit = ldt ? cpu.ldtr.limit : cpu.gdtr.limit;
  uint32_t index = selector & ~7u;
  if ((selector & ~3u) == 0 || index + 7 > limit) return false;
  return e.read_table_entry(base + index, out);
}

bool read_descriptor(Engine& e, uint16_t selector, Descriptor& out) {
  if (peek_descriptor(e, selector, out)) return true;
  e.raise(13, selector & ~3u);
  return false;
}

HelperResult load_data_segment(Engine& e, unsigned seg, uint16_t selector) {
  CpuState& cpu = e.cpu;
  SegmentCache& s = cpu.seg[seg];
  if (!cpu.protected_mode()) {
    s.selector = selector;
    s.base = uint32_t{selector} << 4;
    e.data_segment_changed(seg);
    return HelperResult::kContinue;
  }
  if ((selector & ~3u) == 0) {
    if (seg == kSs) return e.raise(13, 0);
    s = SegmentCache{selector, 0, 0, 0};  // null: usable until accessed
    e.data_segment_changed(seg);
    return HelperResult::kContinue;
  }
  Descriptor d;
  if (!read_descriptor(e, selector, d)) return HelperResult::kExit;
  bool writable_data = !d.system() && !d.code() && (d.type() & 2);
  bool readable = !d.system() && (!d.code() || (d.type() & 2));
  bool conforming = d.code() && (d.type() & 4);
  unsigned cpl = cpu.cpl(), rpl = selector & 3;
  bool privilege_ok = seg == kSs ? rpl == cpl && d.dpl() == cpl : conforming || std::max(cpl, rpl) <= d.dpl();
  if ((seg == kSs ? !writable_data : !readable) || !privilege_ok) return e.raise(13, selector & ~3u);
  if (!d.present()) return e.raise(seg == kSs ? 12 : 11, selector & ~3u);
  mark_accessed(e, selector, d);
  s = SegmentCache{selector, d.access(), d.base(), d.limit()};
  e.data_segment_changed(seg);
  return HelperResult::kContinue;
}

void mark_accessed(Engine& e, uint16_t selector, Descriptor& d) {
  if (d.hi & 0x100) return;
  d.hi |= 0x100;  // a segment load sets the descriptor's accessed bit
  const CpuState& cpu = e.cpu;
  uint32_t table = selector & 4 ? cpu.ldtr.base : cpu.gdtr.base;
  e.write_linear(table + (selector & ~7u) + 4, &d.hi, 4, Engine::Privilege::kSupervisor);
}

bool far_transfer(Engine& e, uint16_t selector, uint32_t offset, Transfer kind) {
  CpuState& cpu = e.cpu;
  Descriptor d;
  if ((selector & ~3u) == 0) return e.raise(13, 0u), false;
  if (!read_descriptor(e, selector, d)) return false;
  if (!d.code()) return e.raise(13, selector & ~3u), false;
  const unsigned rpl = selector & 3u;
  const bool conforming = d.type() & 4;
  if (kind == Transfer::kReturn && (conforming ? d.dpl() > rpl : d.dpl() != rpl))
    return e.raise(13, selector & ~3u), false;
  if (!d.present()) return e.raise(11, selector & ~3u), false;
  if (offset > d.limit()) return e.raise(13, 0u), false;  // the new EIP must be inside the new CS
  mark_accessed(e, selector, d);
  const unsigned cpl = kind == Transfer::kReturn ? rpl : cpu.cpl();
  cpu.seg[kCs] = SegmentCache{static_cast<uint16_t>((selector & ~3u) | cpl), d.access(), d.base(), d.limit()};
  cpu.eip = offset;
  e.state_changed();
  return true;
}

bool segment_linear(Engine& e, unsigned seg, uint32_t offset, unsigned size, bool write, uint32_t& linear) {
  if (!segment_allows(e.cpu, seg, offset, size, write)) {
    e.raise(seg == kSs ? 12 : 13, 0u);
    return false;
  }
  linear = e.cpu.seg[seg].base + offset;
  return true;
}

bool operand_linear(Engine& e, const Insn& insn, const ZydisDecodedOperand& op, unsigned size, bool write,
                    uint32_t& linear) {
  int seg = segment_of(op.mem.segment);
  return segment_linear(e, seg < 0 ? kDs : static_cast<unsigned>(seg), effective_offset(e.cpu, insn.info, op), size,
                        write, linear);
}

namespace {
template <typename T>
bool push(Engine& e, T value) {
  CpuState& cpu = e.cpu;
  uint32_t esp = cpu.gpr[kEsp] - sizeof(T), linear;
  if (!segment_linear(e, kSs, esp, sizeof(T), true, linear) || !e.write_linear(linear, &value, sizeof(T))) return false;
  cpu.gpr[kEsp] = esp;
  return true;
}
}  // namespace

bool push16(Engine& e, uint16_t value) { return push(e, value); }
bool push32(Engine& e, uint32_t value) { return push(e, value); }

bool pop(Engine& e, unsigned width, uint32_t& value) {
  CpuState& cpu = e.cpu;
  uint32_t linear;
  value = 0;
  if (!segment_linear(e, kSs, cpu.gpr[kEsp], width, false, linear) || !e.read_linear(linear, &value, width))
    return false;
  cpu.gpr[kEsp] += width;
  return true;
}

bool pop32(Engine& e, uint32_t& value) { return pop(e, 4, value); }

bool push_sized(Engine& e, unsigned width, uint32_t value) {
  return width == 2 ? push16(e, static_cast<uint16_t>(value)) : push32(e, value);
}

bool tss_stack(Engine& e, unsigned cpl, uint16_t& ss, uint32_t& esp) {
  const CpuState& cpu = e.cpu;
  uint32_t offset = 4 + 8 * cpl;
  if ((cpu.tr.selector & ~3u) == 0 || offset + 5 > cpu.tr.limit) {
    e.raise(10, cpu.tr.selector & ~3u);  // #TS
    return false;
  }
  return e.read_linear(cpu.tr.base + offset, &esp, 4, Engine::Privilege::kSupervisor) &&
         e.read_linear(cpu.tr.base + offset + 4, &ss, 2, Engine::Privilege::kSupervisor);
}

namespace {
// The new stack for an interrupt to an inner level, checked like hardware.
bool inner_stack(Engine& e, unsigned new_cpl, SegmentCache& out, uint32_t& esp, std::string& why) {
  uint16_t ss;
  if (!tss_stack(e, new_cpl, ss, esp)) {
    why = "the TSS has no stack for the new privilege level";
    return false;
  }
  Descriptor d;
  bool writable_data = (ss & ~3u) && peek_descriptor(e, ss, d) && !d.system() && !d.code() && (d.type() & 2);
  if (!writable_data || (ss & 3) != new_cpl || d.dpl() != new_cpl) {
    e.raise(10, ss & ~3u);
    why = fmt::format("TSS stack segment {:#x} is not a writable data segment at DPL {}", ss, new_cpl);
    return false;
  }
  if (!d.present()) {
    e.raise(12, ss & ~3u);
    why = fmt::format("TSS stack segment {:#x} is not present", ss);
    return false;
  }
  out = SegmentCache{ss, d.access(), d.base(), d.limit()};
  return true;
}
}  // namespace

bool deliver_through_idt(Engine& e, const PendingException& event, std::optional<PendingException>& nested,
                         std::string& why) {
  CpuState& cpu = e.cpu;
  const uint8_t vector = event.vector;
  const uint32_t ext = event.software() ? 0 : 1;  // EXT bit of error codes naming a descriptor
  if (!cpu.protected_mode()) {
    why = "interrupts in real mode are not supported yet";
    return false;
  }
  uint32_t slot = uint32_t{vector} * 8;
  if (slot + 7 > cpu.idtr.limit) {
    nested = PendingException{13, slot + 2 + ext};
    why = fmt::format("vector {} is beyond the IDT limit {:#x}", vector, cpu.idtr.limit);
    return false;
  }
  Descriptor gate;
  if (!e.read_table_entry(cpu.idtr.base + slot, gate)) {
    why = "the IDT is not mapped";
    return false;
  }
  unsigned type = gate.type();
  if (type == 0x05) {  // task gate: the handler is a whole task
    if (event.software() && gate.dpl() < cpu.cpl()) {
      nested = PendingException{13, slot + 2};
      why = fmt::format("int {} from CPL {} through a task gate of DPL {}", vector, cpu.cpl(), gate.dpl());
      return false;
    }
    if (!gate.present()) {
      nested = PendingException{11, slot + 2 + ext};
      why = fmt::format("IDT entry {} is not present", vector);
      return false;
    }
    cpu.halted = false;
    uint32_t fault_eip = cpu.eip;
    if (event.traps_past_instruction()) cpu.eip = event.return_eip;  // what the old TSS saves
    if (task_switch(e, static_cast<uint16_t>(gate.lo >> 16), TaskSwitchReason::kInterrupt, event.error_code)) return true;
    cpu.eip = fault_eip;
    why = fmt::format("the task switch for vector {} failed", vector);
    return false;
  }
  if (type == 0x06 || type == 0x07) {  // valid, but not run yet: the run ends (status 2) saying so
    e.die(fmt::format("vector {} through IDT entry {:#x}, a 16-bit {} gate, is not supported yet", vector, vector,
                      type == 0x06 ? "interrupt" : "trap"));
    return false;
  }
  if (type != 0x0E && type != 0x0F) {
    why = fmt::format("IDT entry {} has gate type {:#x}, no gate", vector, type);
    nested = PendingException{13, slot + 2 + ext};
    return false;
  }
  if (event.software() && gate.dpl() < cpu.cpl()) {
    nested = PendingException{13, slot + 2};
    why = fmt::format("int {} from CPL {} through a gate of DPL {}", vector, cpu.cpl(), gate.dpl());
    return false;
  }
  if (!gate.present()) {
    nested = PendingException{11, slot + 2 + ext};
    why = fmt::format("IDT entry {} is not present", vector);
    return false;
  }
  auto selector = static_cast<uint16_t>(gate.lo >> 16);
  uint32_t offset = (gate.lo & 0xFFFF) | (gate.hi & 0xFFFF0000);
  Descriptor cs;
  if ((selector & ~3u) == 0 || !peek_descriptor(e, selector, cs)) {
    nested = PendingException{13, (selector & ~3u) + ext};
    why = fmt::format("IDT entry {} names selector {:#x} outside the GDT", vector, selector);
    return false;
  }
  if (!cs.code() || cs.dpl() > cpu.cpl() || !cs.present()) {
    nested = PendingException{uint8_t(cs.present() ? 13 : 11), (selector & ~3u) + ext};
    why = fmt::format("IDT entry {} names selector {:#x}, not a present code segment it may enter", vector, selector);
    return false;
  }
  if (offset > cs.limit()) {
    nested = PendingException{13, 0u};
    why = fmt::format("IDT entry {} points past the limit of its code segment", vector);
    return false;
  }
  const unsigned old_cpl = cpu.cpl();
  const unsigned new_cpl = cs.type() & 4 ? old_cpl : cs.dpl();  // conforming code keeps CPL
  const uint32_t old_eflags = cpu.eflags, old_eip = event.traps_past_instruction() ? event.return_eip : cpu.eip,
                 old_esp = cpu.gpr[kEsp];
  const uint16_t old_cs = cpu.seg[kCs].selector, old_ss = cpu.seg[kSs].selector;

  SegmentCache new_ss = cpu.seg[kSs];
  uint32_t new_esp = old_esp;
  if (new_cpl < old_cpl && !inner_stack(e, new_cpl, new_ss, new_esp, why)) return false;

  // Switch first, then push with the new privilege; a fault while pushing
  // becomes a double fault, so the half-switched state is never resumed.
  SegmentCache saved_ss = cpu.seg[kSs], saved_cs = cpu.seg[kCs];
  cpu.seg[kSs] = new_ss;
  cpu.gpr[kEsp] = new_esp;
  cpu.seg[kCs] = SegmentCache{static_cast<uint16_t>((selector & ~3u) | new_cpl), cs.access(), cs.base(), cs.limit()};
  bool pushed = true;
  if (new_cpl < old_cpl) pushed = push32(e, old_ss) && push32(e, old_esp);
  pushed = pushed && push32(e, old_eflags) && push32(e, old_cs) && push32(e, old_eip) &&
           (!event.error_code || push32(e, *event.error_code));
  if (!pushed) {
    cpu.seg[kSs] = saved_ss, cpu.seg[kCs] = saved_cs, cpu.gpr[kEsp] = old_esp;
    why = "the stack could not take the interrupt frame";
    return false;
  }
  uint32_t flags = old_eflags & ~(eflags::kTF | eflags::kNT | eflags::kRF | eflags::kVM);
  if (type == 0x0E) flags &= ~eflags::kIF;
  e.set_eflags(flags);
  cpu.eip = offset;
  cpu.halted = false;
  e.state_changed();
  return true;
}

}  // namespace bt86
