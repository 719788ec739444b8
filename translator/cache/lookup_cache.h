// The indirect-branch lookup cache: per block mode, a direct-mapped table
// of 64 Ki entries from guest EIP to host code, which translated code
// probes inline and without touching flags (BlockBuilder::jump_indirect);
// a miss leaves through the run loop, which fills the entry. The tables
// are kept apart by mode so that CPL switches do not clear them, and are
// reset when the linear-to-physical translation may change, except for the
// entries of global pages when only CR3 was loaded (as a TLB keeps them).
#pragma once
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cache/block.h"

namespace bt86 {

// A hit needs entry.neg_eip + eip == 0 (a flag-free test with lea + jrcxz).
// Empty entries point at the miss path.
struct IndirectEntry {
  uint32_t neg_eip;
  uint32_t flags;  // kGlobal; translated code never reads it
  const uint8_t* host;
};
static_assert(sizeof(IndirectEntry) == 16);

class LookupCache {
public:
  static constexpr uint32_t kEntries = 1u << 16;
  // The target's page is global: the entry survives CR3 loads.
  static constexpr uint32_t kGlobal = 1u << 0;

  // miss_target: where an empty entry sends translated code (the stubs').
  explicit LookupCache(const uint8_t* miss_target) : miss_target_(miss_target) {}

  // The table of a block mode (made on first use), for CpuFrame::indirect_table.
  const IndirectEntry* table(uint32_t mode) {
    for (const Recent& r : recent_)
      if (r.table && r.mode == mode) return r.table;
    recent_[next_recent_++ % std::size(recent_)] = {mode, table_of(mode).entries.data()};
    return table_of(mode).entries.data();
  }
  // The host code a table holds for eip, as translated code probes it; null on a miss.
  const uint8_t* hit(const IndirectEntry* table, uint32_t eip) const {
    const IndirectEntry& e = table[eip & (kEntries - 1)];
    return e.neg_eip + eip == 0 && e.host != miss_target_ ? e.host : nullptr;
  }
  void remember(uint32_t mode, uint32_t eip, const uint8_t* host, bool global);
  // Every entry, or with keep_global those outside global pages (a CR3 load).
  void reset(bool keep_global = false);
  // The entry of a block that was invalidated, if it points at it.
  void forget(const Block& block);
  // The entries of the page holding `linear` (invlpg), for code at CS.base
  // code_base (the tables hold one CS.base's entries at a time).
  void forget_page(uint32_t linear, uint32_t code_base);

private:
  struct Table {
    std::vector<IndirectEntry> entries;
    // Indices filled since the last reset, so a reset touches only them:
    // apart by kind, so a CR3 load's reset does not visit the global
    // entries it keeps (an index may be listed twice or no longer hold
    // that kind; a reset checks).
    std::vector<uint32_t> filled[2];  // [kGlobal]
  };
  Table& table_of(uint32_t mode);
  void forget_eip_page(uint32_t page);
  IndirectEntry empty() const { return {0, 0, miss_target_}; }

  const uint8_t* miss_target_;
  std::unordered_map<uint32_t, Table> tables_;  // (an entries vector never moves once made)
  // The tables of the last few modes (an int and its iret alternate two).
  struct Recent {
    uint32_t mode;
    const IndirectEntry* table;
  };
  Recent recent_[4] = {};
  unsigned next_recent_ = 0;
  // Linear pages that entries were filled for since the last full reset (a
  // superset): invlpg of any other page, a data page mostly, has nothing to
  // forget.
  std::unordered_set<uint32_t> code_pages_;
};

}  // namespace bt86
