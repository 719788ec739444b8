#include "segments.h"

#include <fmt/format.h>

namespace bt86 {

bool peek_descriptor(Engine& e, uint16_t selector, Descriptor& out) {
  const CpuState& cpu = e.cpu;
  bool ldt = selector & 4;
  uint32_t base = ldt ? cpu.ldtr.base : cpu.gdtr.base;
  uint32_t limit = ldt ? cpu.ldtr.limit : cpu.gdtr.limit;
  uint32_t index = selector & ~7u;
  if ((selector & ~3u) == 0 || index + 7 > limit) return false;
  return e.read_linear(base + index, &out, 8);
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
    e.state_changed();
    return HelperResult::kContinue;
  }
  if ((selector & ~3u) == 0) {
    if (seg == kSs) return e.raise(13, 0);
    s = SegmentCache{selector, 0, 0, 0};  // null: usable until accessed
    e.state_changed();
    return HelperResult::kContinue;
  }
  Descriptor d;
  if (!read_descriptor(e, selector, d)) return HelperResult::kExit;
  bool writable_data = !d.system() && !d.code() && (d.type() & 2);
  bool readable = !d.system() && (!d.code() || (d.type() & 2));
  if (seg == kSs ? !writable_data : !readable) return e.raise(13, selector & ~3u);
  if (!d.present()) return e.raise(seg == kSs ? 12 : 11, selector & ~3u);
  s = SegmentCache{selector, d.access(), d.base(), d.limit()};
  e.state_changed();
  return HelperResult::kContinue;
}

bool far_transfer(Engine& e, uint16_t selector, uint32_t offset) {
  CpuState& cpu = e.cpu;
  Descriptor d;
  if ((selector & ~3u) == 0) return e.raise(13, 0u), false;
  if (!read_descriptor(e, selector, d)) return false;
  if (!d.code()) return e.raise(13, selector & ~3u), false;
  if (!d.present()) return e.raise(11, selector & ~3u), false;
  unsigned cpl = d.type() & 4 ? cpu.cpl() : d.dpl();  // conforming keeps CPL
  cpu.seg[kCs] = SegmentCache{static_cast<uint16_t>((selector & ~3u) | cpl), d.access(), d.base(), d.limit()};
  cpu.eip = offset;
  e.state_changed();
  return true;
}

bool push16(Engine& e, uint16_t value) {
  CpuState& cpu = e.cpu;
  uint32_t esp = cpu.gpr[kEsp] - 2;
  if (!e.write_linear(cpu.seg[kSs].base + esp, &value, 2)) return false;
  cpu.gpr[kEsp] = esp;
  return true;
}

bool push32(Engine& e, uint32_t value) {
  CpuState& cpu = e.cpu;
  uint32_t esp = cpu.gpr[kEsp] - 4;
  if (!e.write_linear(cpu.seg[kSs].base + esp, &value, 4)) return false;
  cpu.gpr[kEsp] = esp;
  return true;
}

bool pop32(Engine& e, uint32_t& value) {
  CpuState& cpu = e.cpu;
  if (!e.read_linear(cpu.seg[kSs].base + cpu.gpr[kEsp], &value, 4)) return false;
  cpu.gpr[kEsp] += 4;
  return true;
}

bool deliver_through_idt(Engine& e, uint8_t vector, std::optional<uint32_t> error_code,
                         std::optional<PendingException>& nested, std::string& why) {
  CpuState& cpu = e.cpu;
  if (!cpu.protected_mode()) {
    why = "interrupts in real mode are not supported yet";
    return false;
  }
  uint32_t slot = uint32_t{vector} * 8;
  if (slot + 7 > cpu.idtr.limit) {
    nested = PendingException{13, slot + 2};
    why = fmt::format("vector {} is beyond the IDT limit {:#x}", vector, cpu.idtr.limit);
    return false;
  }
  Descriptor gate;
  e.read_linear(cpu.idtr.base + slot, &gate, 8);
  unsigned type = gate.type();
  if (type != 0x0E && type != 0x0F) {
    why = fmt::format("IDT entry {} has gate type {:#x}; only 32-bit interrupt and trap gates are supported yet",
                      vector, type);
    return false;
  }
  if (!gate.present()) {
    nested = PendingException{11, slot + 2};
    why = fmt::format("IDT entry {} is not present", vector);
    return false;
  }
  auto selector = static_cast<uint16_t>(gate.lo >> 16);
  uint32_t offset = (gate.lo & 0xFFFF) | (gate.hi & 0xFFFF0000);
  Descriptor cs;
  uint32_t index = selector & ~7u;
  if (index == 0 || index + 7 > cpu.gdtr.limit) {
    nested = PendingException{13, (selector & ~3u)};
    why = fmt::format("IDT entry {} names selector {:#x} outside the GDT", vector, selector);
    return false;
  }
  e.read_linear(cpu.gdtr.base + index, &cs, 8);
  if (!cs.code() || !cs.present()) {
    nested = PendingException{uint8_t(cs.present() ? 13 : 11), (selector & ~3u)};
    why = fmt::format("IDT entry {} names selector {:#x}, not a present code segment", vector, selector);
    return false;
  }
  unsigned new_cpl = cs.type() & 4 ? cpu.cpl() : cs.dpl();
  if (new_cpl != cpu.cpl()) {
    why = "interrupts that change privilege level are not supported yet";
    return false;
  }
  uint32_t old_cs = cpu.seg[kCs].selector;
  if (!push32(e, cpu.eflags) || !push32(e, old_cs) || !push32(e, cpu.eip) ||
      (error_code && !push32(e, *error_code))) {
    why = "the stack could not take the interrupt frame";
    return false;
  }
  uint32_t flags = cpu.eflags & ~(eflags::kTF | eflags::kNT | eflags::kRF | eflags::kVM);
  if (type == 0x0E) flags &= ~eflags::kIF;
  e.set_eflags(flags);
  cpu.seg[kCs] = SegmentCache{static_cast<uint16_t>((selector & ~3u) | new_cpl), cs.access(), cs.base(), cs.limit()};
  cpu.eip = offset;
  cpu.halted = false;
  e.state_changed();
  return true;
}

}  // namespace bt86
