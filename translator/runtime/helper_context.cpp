#include "runtime/helper_context.h"

#include <fmt/format.h>

#include "bt86/segmentation/disassemble.h"
#include "bt86/segmentation/segment_check.h"

namespace bt86 {

bool HelperContext::read_linear(uint32_t linear, void* dst, unsigned size, Privilege p) {
  if (!page_fault(memory.read(linear, dst, size, p == Privilege::kCurrent && user()))) return false;
  if (debug && debug->watching()) debug->access(linear, size, false);
  return true;
}

bool HelperContext::write_linear(uint32_t linear, const void* src, unsigned size, Privilege p) {
  if (!page_fault(memory.write(linear, src, size, p == Privilege::kCurrent && user()))) return false;
  if (debug && debug->watching()) debug->access(linear, size, true);
  return true;
}

bool HelperContext::read_table_entry(uint32_t linear, Descriptor& out) {
  return page_fault(memory.read_table_entry(linear, out));
}

void HelperContext::segments_changed() {
  const int pe = cpu.protected_mode();
  if (pe != checked_pe_) {
    for (unsigned s = 0; s < 6; ++s) segment_checked(s);
    checked_pe_ = pe;
  }
  for (unsigned s = 0; s < 6; ++s) {
    frame.seg_base[s] = cpu.seg[s].base;
    if (!checks_current(s)) segment_checked(s);
  }
  refresh_host_ac();
  if (tracer) tracer->mode(Tracer::where(cpu), cpu);  // CR0 and iret's EFLAGS.VM end here
}

void HelperContext::all_segments_changed() {
  checked_pe_ = -1;
  segments_changed();
}

void HelperContext::data_segment_changed(unsigned seg) {
  frame.seg_base[seg] = cpu.seg[seg].base;
  if (checked_pe_ != cpu.protected_mode() || !checks_current(seg)) segment_checked(seg);
}

bool HelperContext::checks_current(unsigned seg) const {
  const SegmentCache &now = cpu.seg[seg], &was = checked_[seg];
  return now.access == was.access && now.limit == was.limit && now.selector == was.selector;
}

void HelperContext::segment_checked(unsigned seg) {
  const SegmentCache& now = cpu.seg[seg];
  const int pe = cpu.protected_mode();
  checked_[seg] = now;
  for (const KnownChecks& k : known_[seg])
    if (k.valid && k.pe == pe && k.access == now.access && k.limit == now.limit) {
      cpu.seg_bounds[seg][0] = k.bounds[0];
      cpu.seg_bounds[seg][1] = k.bounds[1];
      if (seg == kCs) cpu.fetch_bounds = k.fetch;
      cpu.seg_checked = (cpu.seg_checked & ~(1u << seg)) | (k.checked ? 1u << seg : 0);
      return;
    }
  refresh_segment_check(cpu, seg);
  known_[seg][known_next_[seg] ^= 1] = {true, pe, now.access, now.limit, {cpu.seg_bounds[seg][0], cpu.seg_bounds[seg][1]},
                                        cpu.fetch_bounds, (cpu.seg_checked >> seg & 1) != 0};
}

void HelperContext::eflags_changed() {
  frame.string_stride = (cpu.eflags & eflags::kDF) ? -1 : 1;
  refresh_host_ac();
}

void HelperContext::refresh_host_ac() {
  bool on = (cpu.cr0 & cr0::kAM) && (cpu.eflags & eflags::kAC) && cpu.cpl() == 3;
  frame.host_ac = on ? eflags::kAC : 0;
}

void HelperContext::paging_changed(bool cr3_written) {
  memory.set_paging({cpu.cr0, cpu.cr3, cpu.cr4, cpu.efer}, cr3_written);
  if (tracer) tracer->mode(Tracer::where(cpu), cpu);
}

std::string HelperContext::describe_instruction() const {
  if (!site) {  // the run loop (an event's delivery): read what CS:EIP holds
    uint8_t code[15];
    return describe_guest_code({code, memory.peek(cpu.seg[kCs].base + cpu.eip, code)}, cpu);
  }
  return fmt::format("'{}' at EIP={:#010x}", site->insn.text(), site->insn.eip);
}

HelperResult HelperContext::undefined(const Insn& insn) {
  // Real mode's IVT has 4-byte entries.
  const uint32_t entry_end = cpu.protected_mode() ? number(Vector::kUD) * 8u + 7 : number(Vector::kUD) * 4u + 3;
  if (cpu.idtr.limit >= entry_end) return raise(Vector::kUD);
  return die(fmt::format("undefined instruction ({}) '{}' at CS:EIP={:04x}:{:#010x} in {} mode, and the guest has no "
                         "{} to take #UD",
                         insn.hex_bytes(), insn.info.mnemonic == ZYDIS_MNEMONIC_INVALID ? "(invalid opcode)" : insn.text(),
                         cpu.seg[kCs].selector, insn.eip, cpu.protected_mode() ? "protected" : "real",
                         cpu.protected_mode() ? "IDT" : "IVT"));
}

HelperResult HelperContext::fetch_fault(uint32_t linear) {
  page_fault(memory.fetch_fault(linear, user()));
  return HelperResult::kExit;  // mapped meanwhile: run the instruction again
}

bool HelperContext::string_loop_must_yield(unsigned iterations_done) const {
  return iterations_done >= kStringBurst || requests_.stop || requests_.service || control.exit_status.has_value() ||
         interrupt_deliverable();
}

}  // namespace bt86
