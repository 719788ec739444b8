// Segment protection for memory accesses, precomputed at segment-load time
// (the Bochs idea of descriptor caches that carry their access rights): each
// segment register gets the range of offsets it allows for reads and for
// writes, and one bit saying whether it needs checking at all. A flat,
// writable 4 GiB segment needs none, so blocks translated for it carry no
// check; every other segment (null, limited, expand-down, read-only,
// execute-only) gets an inline range check in translated code and the same
// check in C++ helpers, both from these bounds.
#pragma once
#include <cstdint>

#include "bt86/segmentation/cpu_state.h"

namespace bt86 {

// The bounds of a cached segment for reads (write = false) or writes, in
// protected mode (SDM vol. 3, 5.3 and 5.4): null or not present allows
// nothing; code is never writable and readable only with type bit R; data is
// always readable and writable only with type bit W; expand-down allows
// limit+1 .. 0xFFFF (B=0) or 0xFFFFFFFF (B=1). In real mode, 0..limit
// whatever the cached type (the limit is 0xFFFF after reset and whatever
// protected mode left: "unreal" mode).
AccessBounds segment_bounds(const SegmentCache& s, bool write, bool protected_mode);

// The offsets CS allows for instruction fetch: 0..limit, in both modes
// (a code segment is never expand-down; execute-only code is fetchable).
AccessBounds fetch_bounds(const SegmentCache& cs);

// True when an access of `size` bytes at `offset` is within bounds.
bool bounds_allow(const AccessBounds& b, uint32_t offset, unsigned size);

// The C++ side of the check, for helpers: whether segment register seg of
// cpu allows the access. Flat segments allow everything (as translated code
// does not check them).
bool segment_allows(const CpuState& cpu, unsigned seg, uint32_t offset, unsigned size, bool write);

// Recomputes cpu.seg_bounds, cpu.fetch_bounds and cpu.seg_checked from cpu.seg (after any
// change of a segment register or of CR0.PE).
void refresh_segment_checks(CpuState& cpu);
// The same for one register (a data segment load: CR0 and CS unchanged).
void refresh_segment_check(CpuState& cpu, unsigned seg);

}  // namespace bt86
