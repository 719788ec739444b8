#include "runtime/breakpoints.h"

#include <algorithm>

namespace bt86 {

namespace {
// DR7 arms breakpoint n for instruction execution: L or G set, R/W 00.
bool instruction_breakpoint(uint32_t dr7, unsigned n) { return ((dr7 >> (2 * n)) & 3) && ((dr7 >> (16 + 4 * n)) & 3) == 0; }
}  // namespace

bool InstructionBreakpoints::update(const CpuState& cpu) {
  std::vector<uint32_t> armed;
  for (unsigned n = 0; n < 4; ++n)
    if (instruction_breakpoint(cpu.dr[7], n)) armed.push_back(cpu.dr[n]);
  if (armed == armed_) return false;
  armed_ = std::move(armed);
  stale_ = true;
  return true;
}

bool InstructionBreakpoints::armed_at(uint32_t linear) const {
  return std::find(armed_.begin(), armed_.end(), linear) != armed_.end();
}

uint32_t InstructionBreakpoints::hits(const CpuState& cpu, uint32_t linear) {
  uint32_t bits = 0;
  for (unsigned n = 0; n < 4; ++n)
    if (instruction_breakpoint(cpu.dr[7], n) && cpu.dr[n] == linear) bits |= 1u << n;
  return bits;
}

}  // namespace bt86
