// An event the CPU delivers through the IDT: an exception of the code, an
// external interrupt, a software interrupt or int1. What raised it decides
// how its delivery is checked and what a fault while delivering it becomes
// (SDM vol. 3, 6.12.1.1, 6.13, 6.15).
#pragma once
#include <cstdint>
#include <optional>

#include "bt86/segmentation/vectors.h"

namespace bt86 {

enum class EventKind : uint8_t {
  kException,  // a fault or trap of the code: the double-fault classes apply
  kExternal,   // a device interrupt (EXT = 1 in error codes)
  kSoftware,   // int n, int3, into: the gate's DPL is checked, EXT = 0
  kIcebp,      // int1 (F1): a #DB trap, no DPL check, EXT = 1
};

struct Event {
  uint8_t vector;
  std::optional<uint32_t> error_code;
  EventKind kind = EventKind::kException;
  uint32_t return_eip = 0;  // int n, int3, into, int1: the instruction after them

  static Event exception(Vector v, std::optional<uint32_t> error_code = std::nullopt) {
    return Event{number(v), error_code};
  }
  bool software() const { return kind == EventKind::kSoftware; }
  bool traps_past_instruction() const { return kind == EventKind::kSoftware || kind == EventKind::kIcebp; }
};

}  // namespace bt86
