// Where the guest can observe or is limited by its privilege level: the
// rules for IOPL-sensitive instructions (cli, sti, popf's IF, port I/O and
// the TSS's I/O permission bitmap), and which EFLAGS bits pushf shows and
// popf and iret may change at each CPL. Guest ring-0 code runs at host
// ring 3, so these answers are what a real ring-0 CPU would give (ring
// aliasing, design.md §3).
#pragma once
#include <cstdint>

#include "bt86/segmentation/cpu_state.h"
#include "bt86/segmentation/system_context.h"

namespace bt86 {

inline unsigned iopl(const CpuState& cpu) { return (cpu.eflags & eflags::kIOPL) >> 12; }
// cli, sti, and popf's IF: allowed at CPL <= IOPL (else #GP(0), IF kept).
inline bool iopl_allows(const CpuState& cpu) { return cpu.cpl() <= iopl(cpu); }

// Port I/O of `size` bytes at `port`: allowed at CPL <= IOPL; otherwise
// every port the access touches must have its bit clear in the TSS I/O
// permission bitmap (SDM vol. 1, 19.5.2). False means #GP(0) for the
// caller to raise (a #PF reading the bitmap is raised here).
bool io_allowed(SystemContext& ctx, uint16_t port, unsigned size);

// The EFLAGS image pushf pushes: VM and RF read as clear.
constexpr uint32_t pushf_image(uint32_t eflags) { return eflags & ~(eflags::kVM | eflags::kRF); }
// EFLAGS after popf pops `value` (already widened to 32 bits): VM, RF, VIF
// and VIP stay; IOPL stays at CPL > 0; IF stays where IOPL does not allow it.
inline uint32_t popf_result(const CpuState& cpu, uint32_t value) {
  uint32_t keep = eflags::kVM | eflags::kRF | eflags::kVIF | eflags::kVIP;
  if (cpu.cpl() > 0) keep |= eflags::kIOPL;
  if (!iopl_allows(cpu)) keep |= eflags::kIF;
  return (cpu.eflags & keep) | (value & ~keep);
}
// The EFLAGS bits an iret loads from its image (SDM vol. 2, IRET): the
// arithmetic flags, TF, DF, NT; RF, AC and ID with a 32-bit operand size; IF
// where CPL <= IOPL; IOPL, and with 32 bits VIF and VIP, at CPL 0. (VM at
// CPL 0 means a return to virtual-8086 mode; elsewhere it is ignored.)
constexpr uint32_t iret_loads(unsigned cpl, unsigned iopl, bool op32) {
  uint32_t load = eflags::kHostLive | eflags::kTF | eflags::kNT;
  if (op32) load |= eflags::kRF | eflags::kAC | eflags::kID;
  if (cpl <= iopl) load |= eflags::kIF;
  if (cpl == 0) load |= eflags::kIOPL | (op32 ? eflags::kVIF | eflags::kVIP : 0);
  return load;
}

}  // namespace bt86
