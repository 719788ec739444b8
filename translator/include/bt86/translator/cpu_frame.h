// The frame translated code runs in: the guest's CpuState and the fields
// only the translator's own code needs (host pointers, mirrors of guest
// state in the form the emitted code wants, scratch), the idea of FEX's
// CpuStateFrame. r14 points at it while translated code runs; the emitted
// code reaches every field by its offset (asserted below). The fields used
// in blocks come first, so their offsets, and those of the guest registers,
// EIP and EFLAGS, fit in one displacement byte.
//
// The CpuState of a GuestContext belongs to the machine: the translator
// copies it into its frame when a run starts and back when it ends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

struct alignas(64) CpuFrame {
  // --- used by blocks (one-byte displacements) ---------------------------
  uint64_t indirect_table;  // host address of the indirect-branch lookup table
  uint64_t exit_info;       // which stub/site ended the last run of TC
  uint64_t spill;           // a guest register borrowed by translated code
  uint32_t seg_base[6];     // mirror of state.seg[i].base, for address formation
  int32_t string_stride;    // +1 or -1: guest EFLAGS.DF as string ops use it
  uint32_t host_ac;         // kAC when host RFLAGS.AC must be set: CR0.AM, EFLAGS.AC, CPL 3
  uint32_t irq_pending;     // non-zero: the PIC has an interrupt waiting (whatever IF says)
  uint32_t pad;

  CpuState state;

  // --- used by the stubs and slower paths ----------------------------------
  uint64_t window_base;       // host address of guest linear 0 in the current view
  uint64_t host_rsp;          // the run loop's stack pointer while in TC
  uint64_t check_scratch[2];  // the segment checks' two 64-bit sums
  // A bounce block's access (dispatch/bounce.cpp): in, the guest linear
  // address (low dword); out, the offset from window_base to access instead.
  uint64_t access_address;
  // Where a helper thunk goes on when its helper ended the block and the
  // next one is ready (Engine::continuation).
  uint64_t continue_at;
};

static_assert(std::is_standard_layout_v<CpuFrame>);
static_assert(offsetof(CpuFrame, indirect_table) == 0);
static_assert(offsetof(CpuFrame, exit_info) == 8);
static_assert(offsetof(CpuFrame, spill) == 16);
static_assert(offsetof(CpuFrame, seg_base) == 24);
static_assert(offsetof(CpuFrame, string_stride) == 48);
static_assert(offsetof(CpuFrame, host_ac) == 52);
static_assert(offsetof(CpuFrame, irq_pending) == 56);
static_assert(offsetof(CpuFrame, state) == 64);
// The guest registers, EIP and EFLAGS stay within one displacement byte.
static_assert(offsetof(CpuFrame, state) + offsetof(CpuState, eflags) + 4 <= 128);
static_assert(offsetof(CpuFrame, window_base) == 64 + sizeof(CpuState));
static_assert(offsetof(CpuFrame, host_rsp) == offsetof(CpuFrame, window_base) + 8);
static_assert(offsetof(CpuFrame, check_scratch) == offsetof(CpuFrame, window_base) + 16);
static_assert(offsetof(CpuFrame, access_address) == offsetof(CpuFrame, window_base) + 32);

}  // namespace bt86
