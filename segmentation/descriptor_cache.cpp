#include "bt86/segmentation/descriptor_cache.h"

#include <cstring>

namespace bt86 {

namespace {
// The page number is folded in so that aliases of one table (the same
// offset in another page) do not evict each other.
unsigned slot_of(uint32_t linear) { return ((linear >> 3) ^ (linear >> 12)) % DescriptorCache::kEntries; }
}  // namespace

bool DescriptorCache::find(uint32_t linear, Descriptor& out) {
  const Entry& e = entries_[slot_of(linear)];
  if (e.generation != generation_ || e.linear != linear) {
    ++counters_.misses;
    return false;
  }
  ++counters_.hits;
  // SAFETY: remember() was given eight bytes of guest RAM, which stays mapped.
  std::memcpy(&out.lo, e.host, 4);
  std::memcpy(&out.hi, e.host + 4, 4);
  return true;
}

void DescriptorCache::remember(uint32_t linear, const uint8_t* host) {
  if ((linear & 0xFFF) > 0xFF8) return;  // crosses a page: two translations
  entries_[slot_of(linear)] = {linear, generation_, host};
}

}  // namespace bt86
