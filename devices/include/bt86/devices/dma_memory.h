// Guest memory as a bus master (the IDE controller's DMA engine) reaches
// it: physical addresses, RAM only. The machine implements it over guest
// RAM and tells the CPU's backend what a device wrote (translated code
// from those pages is stale).
#pragma once
#include <cstdint>

namespace bt86 {

class DmaMemory {
public:
  virtual ~DmaMemory() = default;
  // A host pointer to guest-physical [gpa, gpa + len), or null when any of
  // it is not RAM (a hole, a device, past the end): the bus master's
  // cycle would abort.
  virtual uint8_t* reach(uint64_t gpa, uint64_t len) = 0;
  // A device has written [gpa, gpa + len) through reach()'s pointer.
  virtual void written(uint64_t gpa, uint64_t len) = 0;
};

}  // namespace bt86
