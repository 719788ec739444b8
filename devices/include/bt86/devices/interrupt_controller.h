// What a CPU asks its interrupt controller at an instruction boundary: the
// one interface both backends use, whether the machine's CPU sees the 8259A
// pair directly or through its local APIC.
#pragma once
#include <cstdint>

namespace bt86 {

class InterruptController {
public:
  virtual ~InterruptController() = default;
  // INTR: a maskable interrupt waits (the CPU takes it when EFLAGS.IF and
  // any interrupt shadow allow).
  virtual bool interrupt_pending() const = 0;
  // The acknowledge cycle for it: the vector to deliver.
  virtual uint8_t acknowledge() = 0;
  // An NMI waits (the CPU takes it unless it is still handling one, until
  // its next iret).
  virtual bool nmi_pending() const { return false; }
  // The CPU takes that NMI.
  virtual void acknowledge_nmi() {}
};

}  // namespace bt86
