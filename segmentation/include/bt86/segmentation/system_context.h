// The narrow interface through which the system instructions of this
// library (segment loads, far transfers, interrupt delivery, task switches,
// descriptor-table instructions) reach what lies outside the CPU: guest
// linear memory through the guest page tables, descriptor-table entries,
// and notice when a change of state changes what the runner derived from
// it. The translator implements it; so can a test. Raising an exception or
// ending the run is recorded here, for the runner to act on when the
// instruction is over.
//
// Every operation that can fault returns false after raising; a fault of
// guest memory is a #PF that the implementation raised.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/segmentation/descriptor.h"
#include "bt86/segmentation/event.h"

namespace bt86 {

class SystemContext {
public:
  explicit SystemContext(CpuState& state) : cpu(state) {}
  SystemContext(const SystemContext&) = delete;
  SystemContext& operator=(const SystemContext&) = delete;

  CpuState& cpu;
  // How often the fast paths of user_kernel_switch.h carried out an event
  // or an iret (for --stats).
  struct FastPaths {
    uint64_t to_kernel = 0, iret = 0;
  } fast_paths;

  // ---- guest memory ------------------------------------------------------
  // kSupervisor: the implicit supervisor accesses of the processor itself
  // (descriptor tables, the TSS, interrupt frames), whatever the CPL.
  enum class Privilege { kCurrent, kSupervisor };
  virtual bool read_linear(uint32_t linear, void* dst, unsigned size, Privilege p = Privilege::kCurrent) = 0;
  virtual bool write_linear(uint32_t linear, const void* src, unsigned size, Privilege p = Privilege::kCurrent) = 0;
  // The GDT, LDT or IDT entry at linear, read as the processor does (a
  // supervisor access).
  virtual bool read_table_entry(uint32_t linear, Descriptor& out) = 0;
  // Where `size` bytes at linear are plain RAM that an access at the
  // current privilege reaches with no fault and nothing else to do (no
  // translated code, no traced table, no watchpoint): a host pointer to
  // them, so a whole frame can be copied at once; else null, and the
  // caller goes item by item through read_linear/write_linear.
  // kSupervisor: as the processor's own accesses (an interrupt frame).
  virtual uint8_t* direct(uint32_t /*linear*/, unsigned /*size*/, bool /*write*/, Privilege = Privilege::kCurrent) {
    return nullptr;
  }
  // Supervisor reads that raise nothing: false where the access would
  // fault or the implementation has no quick way to it (fast paths, which
  // then leave the instruction to the general one).
  virtual bool peek(uint32_t /*linear*/, void* /*dst*/, unsigned /*size*/) { return false; }
  virtual bool peek_table_entry(uint32_t /*linear*/, Descriptor& /*out*/) { return false; }

  // ---- notices -----------------------------------------------------------
  // A segment register, CR0 or the CPL changed (refresh what is derived
  // from them: segment checks, mirrors, alignment-check state).
  virtual void segments_changed() = 0;
  // Only data segment register seg (not CS) was loaded.
  virtual void data_segment_changed(unsigned seg) = 0;
  // EFLAGS changed (DF, AC, ...).
  virtual void eflags_changed() = 0;
  // CR0, CR3, CR4 or EFER changed the translation of linear addresses; a
  // CR3 write flushes the non-global TLB even when the value is the same.
  virtual void paging_changed(bool cr3_written) = 0;
  // The instruction being carried out, for reports ("'iretd' at EIP=...").
  virtual std::string describe_instruction() const = 0;
  // An event is about to be delivered through the IDT: each try, so a fault
  // while delivering one and the #DF it makes come too (for traces).
  virtual void delivering(const Event&) {}

  // ---- raising -----------------------------------------------------------
  // An exception of the current instruction (cpu.eip); the first one of an
  // instruction counts. Returns false, for "false after raising".
  bool raise(Vector vector, std::optional<uint32_t> error_code = std::nullopt) {
    if (!pending_) pending_ = Event::exception(vector, error_code);
    return false;
  }
  // #PF for an access at linear address cr2 with the walk's error code.
  bool raise_pf(uint32_t cr2, uint32_t error_code) {
    cpu.cr2 = cr2;
    return raise(Vector::kPF, error_code);
  }
  // An interrupt raised by the instruction at cpu.eip (int n, int3, into:
  // kSoftware; int1: kIcebp); a fault while delivering it reports the
  // instruction itself, success returns to return_eip.
  bool raise_software(uint8_t vector, uint32_t return_eip, EventKind kind = EventKind::kSoftware) {
    if (!pending_) pending_ = Event{vector, std::nullopt, kind, return_eip};
    return false;
  }
  // An event from outside the instruction (a device interrupt).
  void raise_event(const Event& e) {
    if (!pending_) pending_ = e;
  }
  // Ends the run: the guest did something that cannot go on (a valid form
  // not run yet, a triple fault). The first reason counts.
  bool die(std::string why) {
    if (!death_) death_ = std::move(why);
    return false;
  }

  const std::optional<Event>& pending() const { return pending_; }
  std::optional<Event> take_pending() { return std::exchange(pending_, std::nullopt); }
  const std::optional<std::string>& death() const { return death_; }

protected:
  ~SystemContext() = default;

private:
  std::optional<Event> pending_;
  std::optional<std::string> death_;
};

// EFLAGS := value (the bits this CPU implements, bit 1 set), with notice.
inline void set_eflags(SystemContext& ctx, uint32_t value) {
  ctx.cpu.eflags = (value & eflags::kImplemented) | eflags::kFixed1;
  ctx.eflags_changed();
}

}  // namespace bt86
