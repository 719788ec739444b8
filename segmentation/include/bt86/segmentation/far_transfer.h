// Far control transfers (SDM vol. 2, JMP, CALL, RET; vol. 3, 5.8 and 7.3):
// jmp and call to a code segment, through a call gate (a call to a more
// privileged level switches to the TSS stack and copies the parameters), or
// to a task (a TSS or task gate); the far return, to the same or an outer
// level. iret is iret.h.
#pragma once
#include <cstdint>

#include "bt86/segmentation/system_context.h"

namespace bt86 {

// The far jmp or call being carried out: cpu.eip is at it.
struct FarTransfer {
  bool call;
  unsigned width;          // operand size in bytes: 2 or 4 (what a call pushes)
  uint32_t return_eip;     // the next instruction: pushed by a call, saved by a task switch
};

// Transfers to selector:offset (in real and virtual-8086 mode a paragraph,
// segmentation/real_mode.h); false after raising (nothing changed).
bool far_jump_or_call(SystemContext& ctx, uint16_t selector, uint32_t offset, const FarTransfer& t);
// ret far [release]: pops EIP and CS (IP and CS with width 2), and on a
// return to an outer level SS:ESP too; `release` bytes of parameters are
// dropped from each stack.
bool far_return(SystemContext& ctx, unsigned width, uint32_t release);

// After a far return or iret to an outer level: SS:ESP popped from the
// inner stack, and the data segment registers the new CPL may not use
// nulled. A 16-bit SP popped into a 16-bit stack segment keeps ESP's upper
// half.
bool load_outer_stack(SystemContext& ctx, uint32_t esp, uint16_t ss, unsigned width);
// The data segment registers the CPL may no longer use after a return to
// an outer level (a DPL below it, unless conforming code) become null.
void null_data_segments_above_cpl(CpuState& cpu);

}  // namespace bt86
