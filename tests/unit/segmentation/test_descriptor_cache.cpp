// segmentation/descriptor_cache.h: the shadow descriptor tables remember
// where an entry lives, never a copy of it, so whatever writes the table is
// seen at the next lookup; only a TLB flush forgets the translation.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "bt86/segmentation/descriptor_cache.h"
#include "bt86/segmentation/segment_check.h"

using namespace bt86;

namespace {
// A page of "guest RAM" holding a table, with descriptors written as a guest would.
struct Table {
  alignas(4096) uint8_t page[2 * 4096] = {};
  void put(unsigned offset, uint32_t lo, uint32_t hi) {
    std::memcpy(page + offset, &lo, 4);
    std::memcpy(page + offset + 4, &hi, 4);
  }
  uint8_t* at(unsigned offset) { return page + offset; }
};
constexpr uint32_t kGdt = 0xC0001000;  // a linear address of the table
}  // namespace

TEST_CASE("descriptor_cache: a miss until remembered, then the table's bytes", "[descriptor_cache]") {
  Table t;
  DescriptorCache c;
  Descriptor d;
  t.put(0x10, 0x0000FFFF, 0x00CF9300);  // flat RW data
  CHECK_FALSE(c.find(kGdt + 0x10, d));
  c.remember(kGdt + 0x10, t.at(0x10));
  REQUIRE(c.find(kGdt + 0x10, d));
  CHECK(d.base() == 0);
  CHECK(d.limit() == 0xFFFFFFFF);
  CHECK(c.counters().hits == 1);
  CHECK(c.counters().misses == 1);
}

TEST_CASE("descriptor_cache: rewriting an entry is seen at the next lookup", "[descriptor_cache]") {
  Table t;
  DescriptorCache c;
  Descriptor d;
  t.put(0x18, 0x0000FFFF, 0x00CF9300);
  c.remember(kGdt + 0x18, t.at(0x18));
  REQUIRE(c.find(kGdt + 0x18, d));
  t.put(0x18, 0x10000FFF, 0x20409100);  // base 0x20001000, byte limit 0xFFF, read-only data
  REQUIRE(c.find(kGdt + 0x18, d));
  CHECK(d.base() == 0x20001000);
  CHECK(d.limit() == 0xFFF);
  CHECK(d.type() == 0x11);  // S=1, read-only, accessed
  SegmentCache s{0x18, d.access(), d.base(), d.limit()};
  CHECK_FALSE(bounds_allow(segment_bounds(s, true, true), 0, 4));  // the new type's check bits
  t.put(0x18, 0x10000FFF, 0x20401100);  // not present
  REQUIRE(c.find(kGdt + 0x18, d));
  CHECK_FALSE(d.present());
}

TEST_CASE("descriptor_cache: the accessed bit set in the table is seen", "[descriptor_cache]") {
  Table t;
  DescriptorCache c;
  Descriptor d;
  t.put(0x20, 0x0000FFFF, 0x00CF9200);  // A clear
  c.remember(kGdt + 0x20, t.at(0x20));
  REQUIRE(c.find(kGdt + 0x20, d));
  CHECK_FALSE(d.hi & 0x100);
  uint32_t hi = d.hi | 0x100;  // what a segment load writes back
  std::memcpy(t.at(0x24), &hi, 4);
  REQUIRE(c.find(kGdt + 0x20, d));
  CHECK(d.hi & 0x100);
}

TEST_CASE("descriptor_cache: two linear aliases of one entry agree", "[descriptor_cache]") {
  Table t;
  DescriptorCache c;
  Descriptor a, b;
  const uint32_t alias = 0x00800000;
  t.put(0x28, 0x0000FFFF, 0x00CF9A00);
  c.remember(kGdt + 0x28, t.at(0x28));
  c.remember(alias + 0x28, t.at(0x28));
  t.put(0x28, 0x0000FFFF, 0x00CF9200);
  REQUIRE(c.find(kGdt + 0x28, a));
  REQUIRE(c.find(alias + 0x28, b));
  CHECK(a.hi == b.hi);
  CHECK(!a.code());
}

TEST_CASE("descriptor_cache: a TLB flush forgets every translation", "[descriptor_cache]") {
  Table t;
  DescriptorCache c;
  Descriptor d;
  for (unsigned i = 1; i < 8; ++i) c.remember(kGdt + 8 * i, t.at(8 * i));
  c.forget_all();
  for (unsigned i = 1; i < 8; ++i) CHECK_FALSE(c.find(kGdt + 8 * i, d));
  c.remember(kGdt + 8, t.at(8));
  CHECK(c.find(kGdt + 8, d));
}

TEST_CASE("descriptor_cache: entries that collide or cross a page", "[descriptor_cache]") {
  Table t;
  DescriptorCache c;
  Descriptor d;
  const uint32_t other = kGdt + 8 + 8 * DescriptorCache::kEntries;  // the same slot
  t.put(0x08, 0x1111FFFF, 0x00CF9300);
  t.put(0x10, 0x2222FFFF, 0x00CF9300);
  c.remember(kGdt + 8, t.at(0x08));
  c.remember(other, t.at(0x10));
  CHECK_FALSE(c.find(kGdt + 8, d));  // displaced: a miss, never the other's bytes
  REQUIRE(c.find(other, d));
  CHECK(d.lo == 0x2222FFFF);
  c.remember(kGdt + 0xFFC, t.at(0xFFC));  // bytes in two pages: two translations
  CHECK_FALSE(c.find(kGdt + 0xFFC, d));
}
