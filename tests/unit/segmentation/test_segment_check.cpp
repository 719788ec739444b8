// segmentation/segment_check.h: the bounds a segment allows per access kind
// (SDM vol. 3, 5.3-5.4), which both translated code and helpers check.
#include <catch2/catch.hpp>

#include "bt86/segmentation/segment_check.h"

using namespace bt86;

namespace {
// A protected-mode segment cache: type (S=1 implied), limit, D/B.
SegmentCache seg(unsigned type, uint32_t limit, bool big = true) {
  return SegmentCache{0x10, static_cast<uint16_t>(0x80 | 0x10 | type | (big ? 0x4000 : 0)), 0x1000, limit};
}
bool reads(const SegmentCache& s, uint32_t off, unsigned size) { return bounds_allow(segment_bounds(s, false, true), off, size); }
bool writes(const SegmentCache& s, uint32_t off, unsigned size) { return bounds_allow(segment_bounds(s, true, true), off, size); }
}  // namespace

TEST_CASE("segment_check: expand-up limits count every byte of the access", "[segment_check]") {
  SegmentCache s = seg(0x2, 0x1FFF);
  CHECK(reads(s, 0x1FFC, 4));
  CHECK_FALSE(reads(s, 0x1FFD, 4));
  CHECK(reads(s, 0x1FFF, 1));
  CHECK_FALSE(reads(s, 0x2000, 1));
  CHECK_FALSE(writes(s, 0xFFFFFFFC, 4));  // no wrap to small offsets
  CHECK(writes(s, 0, 4));
}

TEST_CASE("segment_check: expand-down allows limit+1 up to 0xFFFF or 0xFFFFFFFF", "[segment_check]") {
  SegmentCache big = seg(0x6, 0x7FFFF);
  CHECK_FALSE(reads(big, 0x7FFFF, 1));
  CHECK_FALSE(reads(big, 0x7FFFE, 4));
  CHECK(reads(big, 0x80000, 4));
  CHECK(reads(big, 0xFFFFFFFC, 4));
  CHECK_FALSE(reads(big, 0xFFFFFFFE, 4));  // past the 4 GiB top
  SegmentCache small = seg(0x6, 0xEFFF, false);
  CHECK(reads(small, 0xFFFC, 4));
  CHECK_FALSE(reads(small, 0xFFFD, 4));
  CHECK_FALSE(reads(small, 0x10000, 1));
  CHECK_FALSE(reads(small, 0xEFFF, 1));
}

TEST_CASE("segment_check: access kinds by type, null and not present", "[segment_check]") {
  CHECK(reads(seg(0x0, 0xFFFFF), 0, 4));           // read-only data
  CHECK_FALSE(writes(seg(0x0, 0xFFFFF), 0, 4));
  CHECK(reads(seg(0xA, 0xFFFFF), 0, 4));           // execute/read code
  CHECK_FALSE(writes(seg(0xA, 0xFFFFF), 0, 4));
  CHECK_FALSE(reads(seg(0x8, 0xFFFFF), 0, 4));     // execute-only code
  SegmentCache null{0, 0, 0, 0};
  CHECK_FALSE(reads(null, 0, 1));
  CHECK_FALSE(writes(null, 0x1234, 1));
  SegmentCache absent = seg(0x2, 0xFFFFFFFF);
  absent.access &= ~0x80;
  CHECK_FALSE(reads(absent, 0, 1));
  // Real mode: the cached limit, whatever the cached type (SDM vol. 3,
  // 20.1.1); 0xFFFF after reset, 4 GiB when protected mode left it so.
  CHECK_FALSE(bounds_allow(segment_bounds(null, true, false), 0x10, 4));
  SegmentCache reset = seg(0x0, 0xFFFF);  // read-only data: writable in real mode all the same
  CHECK(bounds_allow(segment_bounds(reset, true, false), 0xFFFC, 4));
  CHECK_FALSE(bounds_allow(segment_bounds(reset, true, false), 0xFFFD, 4));
  CHECK_FALSE(bounds_allow(segment_bounds(reset, false, false), 0x10000, 1));
  SegmentCache unreal = seg(0x2, 0xFFFFFFFF);
  CHECK(bounds_allow(segment_bounds(unreal, false, false), 0x200000, 4));
  CHECK(bounds_allow(fetch_bounds(reset), 0xFFFF, 1));
  CHECK_FALSE(bounds_allow(fetch_bounds(reset), 0xFFFF, 2));
}

TEST_CASE("segment_check: only non-flat segments are marked for checks", "[segment_check]") {
  CpuState cpu{};
  cpu.cr0 = cr0::kPE;
  load_flat(cpu.seg[kCs], 0x08, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], 0x10, false);
  cpu.seg[kFs].base = 0x12345000;  // a base alone needs no check
  refresh_segment_checks(cpu);
  CHECK(cpu.seg_checked == 0);  // CS (flat, readable code) included
  cpu.seg[kGs] = SegmentCache{};  // null
  cpu.seg[kDs].access &= ~0x2;    // read-only
  refresh_segment_checks(cpu);
  CHECK(cpu.seg_checked == (1u << kGs | 1u << kDs));
  CHECK(segment_allows(cpu, kDs, 0x100, 4, false));
  CHECK_FALSE(segment_allows(cpu, kDs, 0x100, 4, true));
  CHECK(segment_allows(cpu, kEs, 0xFFFFFFFE, 4, true));  // flat: never checked
}

TEST_CASE("segment_check: instruction fetch is bounded by the CS limit", "[segment_check]") {
  CpuState cpu{};
  cpu.cr0 = cr0::kPE;
  load_flat(cpu.seg[kCs], 0x08, true);
  for (unsigned s : {kDs, kEs, kSs, kFs, kGs}) load_flat(cpu.seg[s], 0x10, false);
  refresh_segment_checks(cpu);
  CHECK(bounds_allow(cpu.fetch_bounds, 0xFFFFFFFF, 1));  // flat CS: nothing to check
  cpu.seg[kCs].access &= ~0x2;  // execute-only, still 4 GiB: reads need checks, fetch does not
  refresh_segment_checks(cpu);
  CHECK(cpu.seg_checked == 1u << kCs);
  CHECK(bounds_allow(cpu.fetch_bounds, 0xFFFFFFFF, 1));
  cpu.seg[kCs].limit = 0x1FFF;
  refresh_segment_checks(cpu);
  CHECK(cpu.seg_checked == 1u << kCs);
  CHECK(bounds_allow(cpu.fetch_bounds, 0x1FFF, 1));
  CHECK(bounds_allow(cpu.fetch_bounds, 0, 1));
  CHECK_FALSE(bounds_allow(cpu.fetch_bounds, 0x2000, 1));
  CHECK_FALSE(bounds_allow(cpu.fetch_bounds, 0x1FFF, 2));  // an instruction straddling the limit
}
