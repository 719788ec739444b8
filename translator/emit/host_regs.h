// The fixed host register assignment of translated code (design.md §3) and
// operands for the fields of the CpuFrame (cpu_frame.h) r14 points at.
#pragma once
#include <asmjit/x86.h>

#include <cstddef>

#include "bt86/translator/cpu_frame.h"

namespace bt86::hostreg {

namespace x = asmjit::x86;

// Guest EAX..EDI live in the host registers of the same number, except ESP
// which lives in r8d (the host rsp stays the host's stack).
inline x::Gp guest32(unsigned gpr) {
  static const x::Gp map[8] = {x::eax, x::ecx, x::edx, x::ebx, x::r8d, x::ebp, x::esi, x::edi};
  return map[gpr];
}
inline x::Gp guest64(unsigned gpr) { return guest32(gpr).r64(); }

inline const x::Gp kEsp = x::r8d;      // guest ESP
inline const x::Gp kAddr = x::r9d;     // formed guest linear address
inline const x::Gp kTmp = x::r10d;     // scratch
inline const x::Gp kTmp2 = x::r11d;    // scratch
inline const x::Gp kSegBase = x::r12d; // segment base being added (never holds data)
inline const x::Gp kFrame = x::r14;    // CpuFrame*
inline const x::Gp kWindow = x::r15;   // base of the current shadow window

// A field of the CpuFrame (offsetof(CpuFrame, ...)), and one of the guest
// CpuState inside it (offsetof(CpuState, ...)).
inline x::Mem frame_field(size_t offset, uint32_t size) { return x::Mem(kFrame, static_cast<int32_t>(offset), size); }
inline x::Mem state_field(size_t offset, uint32_t size) { return frame_field(offsetof(CpuFrame, state) + offset, size); }
inline x::Mem cpu_gpr(unsigned i) { return state_field(offsetof(CpuState, gpr) + 4 * i, 4); }
inline x::Mem cpu_eip() { return state_field(offsetof(CpuState, eip), 4); }
inline x::Mem cpu_eflags() { return state_field(offsetof(CpuState, eflags), 4); }
// The selector the guest loaded (ring aliasing: its own RPL, not the host's).
inline x::Mem cpu_selector(unsigned seg) {
  return state_field(offsetof(CpuState, seg) + seg * sizeof(SegmentCache) + offsetof(SegmentCache, selector), 2);
}
inline x::Mem cpu_fxsave() { return state_field(offsetof(CpuState, fxsave), 0); }
inline x::Mem cpu_seg_base(unsigned seg) { return frame_field(offsetof(CpuFrame, seg_base) + 4 * seg, 4); }
inline x::Mem cpu_stride() { return frame_field(offsetof(CpuFrame, string_stride), 4); }
inline x::Mem cpu_spill() { return frame_field(offsetof(CpuFrame, spill), 8); }
inline x::Mem cpu_exit_info() { return frame_field(offsetof(CpuFrame, exit_info), 8); }
// Guest memory at window + 32-bit linear address held in a 64-bit register.
inline x::Mem guest_mem(const x::Gp& linear64, uint32_t size) { return x::Mem(kWindow, linear64, 0, 0, size); }

}  // namespace bt86::hostreg
