// Instruction breakpoints (DR0-DR3, DR7): which are armed, and which hit.
// Translation puts a check before an armed instruction (Engine::translate),
// so arming drops every translation (the run loop does, before guest code
// runs again).
#include "engine.h"

namespace bt86 {

namespace {
// DR7 arms breakpoint n for instruction execution: L or G set, R/W 00.
bool instruction_breakpoint(uint32_t dr7, unsigned n) { return ((dr7 >> (2 * n)) & 3) && ((dr7 >> (16 + 4 * n)) & 3) == 0; }
}  // namespace

bool Engine::breakpoints_changed() {
  std::vector<uint32_t> armed;
  for (unsigned n = 0; n < 4; ++n)
    if (instruction_breakpoint(cpu.dr[7], n)) armed.push_back(cpu.dr[n]);
  if (armed == breakpoints_) return false;
  breakpoints_ = std::move(armed);
  breakpoints_stale_ = true;
  return true;
}

uint32_t Engine::breakpoint_hits(uint32_t linear) const {
  uint32_t hits = 0;
  for (unsigned n = 0; n < 4; ++n)
    if (instruction_breakpoint(cpu.dr[7], n) && cpu.dr[n] == linear) hits |= 1u << n;
  return hits;
}

}  // namespace bt86
