#include "cache/lookup_cache.h"

namespace bt86 {

LookupCache::Table& LookupCache::table_of(uint32_t mode) {
  auto [it, fresh] = tables_.try_emplace(mode);
  if (fresh) it->second.entries.assign(kEntries, empty());
  return it->second;
}

void LookupCache::remember(uint32_t mode, uint32_t eip, const uint8_t* host, bool global) {
  Table& t = table_of(mode);
  uint32_t index = eip & (kEntries - 1);
  if (t.entries[index].host == miss_target_) t.filled.push_back(index);
  t.entries[index] = {0u - eip, global ? kGlobal : 0, host};
}

void LookupCache::reset(bool keep_global) {
  constexpr uint32_t kListed = 1u << 31;  // marks a kept index, so it is kept once
  for (auto& [mode, table] : tables_) {
    size_t kept = 0;
    for (uint32_t index : table.filled) {
      IndirectEntry& e = table.entries[index];
      if (keep_global && (e.flags & kGlobal) && e.host != miss_target_) {
        if (!(e.flags & kListed)) table.filled[kept++] = index;
        e.flags |= kListed;
      } else {
        e = empty();
      }
    }
    table.filled.resize(kept);
    for (uint32_t index : table.filled) table.entries[index].flags &= ~kListed;
  }
}

void LookupCache::forget(const Block& block) {
  auto it = tables_.find(block.key.mode);
  if (it == tables_.end()) return;
  IndirectEntry& e = it->second.entries[block.guest_eip & (kEntries - 1)];
  if (e.host == block.host) e = empty();
}

void LookupCache::forget_page(uint32_t linear) {
  // Only lookups of code in that page may now be stale.
  uint32_t page = linear & ~0xFFFu;
  auto forget = [&](IndirectEntry& e) {
    if (e.host != miss_target_ && ((0u - e.neg_eip) & ~0xFFFu) == page) e = empty();
  };
  for (auto& [mode, table] : tables_) {
    // Whichever is shorter: the entries ever filled, or the page's 4096 slots.
    if (table.filled.size() < 0x1000)
      for (uint32_t i : table.filled) forget(table.entries[i]);
    else
      for (uint32_t i = page & (kEntries - 1), end = i + 0x1000; i < end; ++i) forget(table.entries[i]);
  }
}

}  // namespace bt86
