// Descriptors and segment register loads (SDM vol. 3, 3.4 and 5.1-5.8):
// reading the descriptor a selector names, loading a data or stack segment
// register and CS with the protection checks of the architecture, the
// accessed bit, the segment checks of C++ accesses, and the inner-level
// stacks of the TSS that interrupts and call gates switch to.
#pragma once
#include <cstdint>
#include <string>

#include "bt86/segmentation/descriptor.h"
#include "bt86/segmentation/segment_check.h"
#include "bt86/segmentation/system_context.h"

namespace bt86 {

// The descriptor a selector names, if it lies inside its table (null
// selectors name none); raises nothing (lar, lsl, verr, verw, gates).
bool peek_descriptor(SystemContext& ctx, uint16_t selector, Descriptor& out);
// The same, raising #GP(selector) for a selector outside its table.
bool read_descriptor(SystemContext& ctx, uint16_t selector, Descriptor& out);
// Loads a data or stack segment register (not CS) with the architecture's
// checks: #GP(selector), #NP / #SS(selector), #GP(0) for a null SS.
bool load_data_segment(SystemContext& ctx, unsigned seg, uint16_t selector);
// Sets the accessed bit of a descriptor being loaded, in its table too.
void mark_accessed(SystemContext& ctx, uint16_t selector, Descriptor& d);
// Loads CS:EIP for a far transfer; #GP/#NP for a selector that is no
// present code segment, #GP(0) for an offset past its limit (nothing
// changes then). A jmp or call (whose privilege its caller checked) keeps
// the CPL; a return (iret, far ret) goes to the selector's RPL, which the
// code segment must allow: a non-conforming one's DPL equal to it, a
// conforming one's not above it (#GP(selector) otherwise).
enum class Transfer { kJumpOrCall, kReturn };
bool load_code_segment(SystemContext& ctx, uint16_t selector, uint32_t offset, Transfer kind);
// The linear address of `size` bytes at `offset` in segment register seg,
// after the segment's protection checks; #GP(0) (#SS(0) for SS) otherwise.
inline bool segment_linear(SystemContext& ctx, unsigned seg, uint32_t offset, unsigned size, bool write,
                           uint32_t& linear) {
  if (!segment_allows(ctx.cpu, seg, offset, size, write)) return ctx.raise(seg == kSs ? Vector::kSS : Vector::kGP, 0u);
  linear = ctx.cpu.seg[seg].base + offset;
  return true;
}

// The stack pointer for privilege level `cpl` from the current 32-bit TSS
// (#TS(TR) when the TSS does not hold it).
bool tss_stack(SystemContext& ctx, unsigned cpl, uint16_t& ss, uint32_t& esp);
// The stack of an inner privilege level (an interrupt or a call gate to
// more privileged code): SS:ESP for new_cpl from the TSS, SS checked like
// hardware (a writable data segment with RPL = DPL = new_cpl, else #TS(SS);
// present, else #SS(SS)). `why` says what failed.
bool inner_stack(SystemContext& ctx, unsigned new_cpl, SegmentCache& ss, uint32_t& esp, std::string* why = nullptr);

}  // namespace bt86
