// Guest exceptions and interrupts: delivery through the guest IDT
// (32-bit interrupt and trap gates to the same privilege level), double
// and triple faults, and the state report when a guest dies.
#include <fmt/format.h>

#include "dispatch/engine.h"
#include "runtime/segments.h"

namespace bt86 {

HelperResult Engine::die(std::string message) {
  if (!death_) death_ = std::move(message);
  return HelperResult::kExit;
}

HelperResult Engine::raise(Vector vector, std::optional<uint32_t> error_code) {
  if (!pending_) pending_ = Event::exception(vector, error_code);
  return HelperResult::kExit;
}

HelperResult Engine::raise_pf(uint32_t cr2, uint32_t error_code) {
  cpu.cr2 = cr2;
  return raise(Vector::kPF, error_code);
}

HelperResult Engine::raise_software(uint8_t vector, uint32_t return_eip, EventKind kind) {
  if (!pending_) pending_ = Event{vector, std::nullopt, kind, return_eip};
  return HelperResult::kExit;
}

HelperResult Engine::undefined(const Insn& insn) {
  if (cpu.protected_mode() && cpu.idtr.limit >= 6 * 8 + 7) return raise(Vector::kUD);
  return die(fmt::format("undefined instruction ({}) '{}' at EIP={:#010x}, and the guest has no IDT to take #UD",
                         insn.hex_bytes(), insn.info.mnemonic == ZYDIS_MNEMONIC_INVALID ? "(invalid opcode)" : insn.text(),
                         insn.eip));
}

// Delivers e; a fault while delivering it is delivered instead, or becomes
// #DF when both are exceptions of the classes that make one (SDM vol. 3,
// table 6-5: contributory then contributory, #PF then contributory or #PF),
// and a fault while delivering #DF is a triple fault, which ends the run.
// Software and external interrupts are no exceptions: `int 8` through a
// gate it may not use is #GP(0x42), not #DF. Returns false when the guest
// is dead.
bool Engine::deliver(const Event& first) {
  Event e = first;
  std::string why;
  // Past contributory, #PF and #DF nothing can nest: a sixth is a bug here.
  for (int depth = 0; depth < 5; ++depth) {
    std::optional<Event> nested;
    why.clear();
    if (deliver_through_idt(*this, e, nested, why)) return true;
    if (death_) return false;
    if (!nested && pending_) {  // a fault while reading tables, switching stacks or tasks, pushing the frame
      nested = pending_;
      pending_.reset();
      // Its error code says that it interrupted an event external to the
      // program (EXT), unless that was int n/int3/into (SDM vol. 3, 6.13).
      if (!e.software() && nested->error_code && nested->vector >= number(Vector::kTS) && nested->vector <= number(Vector::kGP))
        *nested->error_code |= 1;
    }
    const bool exception = e.kind == EventKind::kException;
    if (nested && exception && e.vector == number(Vector::kDF)) break;
    if (!nested) {
      die(fmt::format("{} (vector {}) could not be delivered: {}", vector_name(e.vector), e.vector, why));
      return false;
    }
    const uint8_t pf = number(Vector::kPF);
    const bool double_fault = exception && ((contributory(e.vector) && contributory(nested->vector)) ||
                                            (e.vector == pf && (contributory(nested->vector) || nested->vector == pf)));
    e = double_fault ? Event::exception(Vector::kDF, 0u) : *nested;
  }
  die(fmt::format("triple fault: {} (vector {}) could not be delivered: {}", vector_name(first.vector), first.vector,
                  why));
  return false;
}

}  // namespace bt86
