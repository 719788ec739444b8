#include "bt86/segmentation/segment_check.h"

namespace bt86 {

namespace {
constexpr uint64_t k4G = uint64_t{1} << 32;
constexpr AccessBounds kNothing{0, 0};  // o + 0 < 2^32 always: every access fails
constexpr AccessBounds kEverything{k4G, 0};

// Allowed offsets lo..hi (inclusive), hi < 2^32; lo may be 2^32 (nothing).
AccessBounds range(uint64_t lo, uint64_t hi) { return {k4G - lo, k4G - 1 - hi}; }

bool same(const AccessBounds& a, const AccessBounds& b) { return a.lo_adj == b.lo_adj && a.hi_adj == b.hi_adj; }
}  // namespace

AccessBounds segment_bounds(const SegmentCache& s, bool write, bool protected_mode) {
  // Real mode checks the limits the descriptor caches hold (0xFFFF after
  // reset; 4 GiB in "unreal" mode, kept from protected mode), not the types.
  if (!protected_mode) return range(0, s.limit);
  const bool present = s.access & 0x80, code = s.access & 0x08, rw = s.access & 0x02;
  if (!present || !(s.access & 0x10)) return kNothing;  // null (or a system descriptor)
  if (code ? (write || !rw) : (write && !rw)) return kNothing;
  const bool expand_down = !code && (s.access & 0x04);
  if (!expand_down) return range(0, s.limit);
  const uint64_t top = (s.access & 0x4000) ? 0xFFFFFFFF : 0xFFFF;
  return range(uint64_t{s.limit} + 1, top);
}

AccessBounds fetch_bounds(const SegmentCache& cs) { return range(0, cs.limit); }

bool bounds_allow(const AccessBounds& b, uint32_t offset, unsigned size) {
  uint64_t lo = offset + b.lo_adj, hi = offset + uint64_t{size} - 1 + b.hi_adj;
  return lo >> 32 == 1 && hi >> 32 == 0;
}

bool segment_allows(const CpuState& cpu, unsigned seg, uint32_t offset, unsigned size, bool write) {
  AccessBounds b = segment_bounds(cpu.seg[seg], write, cpu.protected_mode());
  return same(b, kEverything) || bounds_allow(b, offset, size);
}

namespace {
// Two 8-byte stores, kept apart: joined, the pair from segment_bounds's
// return registers went through the stack as two 8-byte stores and a
// 16-byte load, a failed store forwarding that made this the hottest
// function of an int 0x80 round trip (the empty asm says lo_adj may be
// read there, so the compiler cannot merge the stores across it).
void store(AccessBounds& to, AccessBounds from) {
  to.lo_adj = from.lo_adj;
  asm("" : "+m"(to.lo_adj));
  to.hi_adj = from.hi_adj;
}
}  // namespace

void refresh_segment_check(CpuState& cpu, unsigned i) {
  if (i == kCs) store(cpu.fetch_bounds, fetch_bounds(cpu.seg[kCs]));
  for (unsigned w = 0; w < 2; ++w) store(cpu.seg_bounds[i][w], segment_bounds(cpu.seg[i], w, cpu.protected_mode()));
  // CS is never writable in protected mode; writes through it are
  // refused where they are translated, so only its reads decide.
  bool plain = same(cpu.seg_bounds[i][0], kEverything) && (i == kCs || same(cpu.seg_bounds[i][1], kEverything));
  if (i == kCs) plain = plain && same(cpu.fetch_bounds, kEverything);  // its bit also covers fetch
  cpu.seg_checked = (cpu.seg_checked & ~(1u << i)) | (plain ? 0 : 1u << i);
}

void refresh_segment_checks(CpuState& cpu) {
  for (unsigned i = 0; i < 6; ++i) refresh_segment_check(cpu, i);
}

}  // namespace bt86
