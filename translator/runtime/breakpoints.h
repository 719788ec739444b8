// Instruction breakpoints: DR0-DR3 that DR7 arms for instruction execution
// (L or G set, R/W 00). Block formation puts a check before every armed
// instruction (frontend/block_formation.cpp), so translations made before
// the armed set changed are stale: the run loop drops them all before guest
// code runs again.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

class InstructionBreakpoints {
public:
  // After DR0-DR3 or DR7 may have changed: true when the armed set did
  // (the translations are then stale).
  bool update(const CpuState& cpu);
  // An armed breakpoint lies at linear.
  bool armed_at(uint32_t linear) const;
  // The DR6 bits (B0-B3) of the armed breakpoints at linear.
  static uint32_t hits(const CpuState& cpu, uint32_t linear);
  // True once after the armed set changed.
  bool take_stale() { return std::exchange(stale_, false); }
  bool stale() const { return stale_; }

private:
  std::vector<uint32_t> armed_;
  bool stale_ = false;
};

}  // namespace bt86
