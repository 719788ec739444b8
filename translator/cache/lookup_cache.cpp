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
  IndirectEntry& e = t.entries[index];
  const uint32_t flags = global ? kGlobal : 0;
  if (e.host == miss_target_ || e.flags != flags) t.filled[flags].push_back(index);
  e = {0u - eip, flags, host};
  code_pages_.insert(eip & ~0xFFFu);
}

void LookupCache::reset(bool keep_global) {
  if (!keep_global) code_pages_.clear();
  for (auto& [mode, table] : tables_) {
    for (uint32_t kind : {0u, kGlobal}) {
      if (keep_global && kind == kGlobal) continue;
      for (uint32_t index : table.filled[kind]) {
        IndirectEntry& e = table.entries[index];
        if (!keep_global || !(e.flags & kGlobal)) e = empty();
      }
      table.filled[kind].clear();
    }
  }
}

void LookupCache::forget(const Block& block) {
  auto it = tables_.find(block.key.mode);
  if (it == tables_.end()) return;
  IndirectEntry& e = it->second.entries[block.guest_eip & (kEntries - 1)];
  if (e.host == block.host) e = empty();
}

void LookupCache::forget_page(uint32_t linear, uint32_t code_base) {
  // Entries are by EIP: the linear page's code lies at EIPs from its start
  // less CS.base on, one EIP page or two.
  const uint32_t first = (linear & ~0xFFFu) - code_base;
  forget_eip_page(first & ~0xFFFu);
  if (first & 0xFFF) forget_eip_page((first & ~0xFFFu) + 0x1000);
}

void LookupCache::forget_eip_page(uint32_t page) {
  // Only lookups of code in that page may now be stale.
  if (!code_pages_.count(page)) return;
  auto forget = [&](IndirectEntry& e) {
    if (e.host != miss_target_ && ((0u - e.neg_eip) & ~0xFFFu) == page) e = empty();
  };
  for (auto& [mode, table] : tables_) {
    // Whichever is shorter: the entries filled, or the page's 4096 slots.
    if (table.filled[0].size() + table.filled[kGlobal].size() < 0x1000)
      for (const auto& filled : table.filled)
        for (uint32_t i : filled) forget(table.entries[i]);
    else
      for (uint32_t i = page & (kEntries - 1), end = i + 0x1000; i < end; ++i) forget(table.entries[i]);
  }
}

}  // namespace bt86
